import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { KNOWLEDGE_BASE_REPLACED_WARNING } from '../../infra/app';
import {
  DEV_KNOWLEDGE_BASE,
  KnowledgeBaseConfigSchema,
  PROD_KNOWLEDGE_BASE,
} from '../../infra/config/knowledge-config';
import { DocumentsBucket } from '../../infra/constructs/documents-bucket';
import { KnowledgeBase, knowledgeBaseNameFor } from '../../infra/constructs/knowledge-base';
import type { AuroraPgvectorStore } from '../../infra/constructs/vector-stores/aurora-pgvector';
import {
  BEDROCK_NON_FILTERABLE_KEYS,
  type S3VectorsStore,
} from '../../infra/constructs/vector-stores/s3-vectors';
import { buildTestApp } from '../support/app';
import { testApp, testStack } from '../support/cdk';

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string }
>;

function build(
  store: string,
  base: Record<string, unknown> = DEV_KNOWLEDGE_BASE,
  retainData = false,
  extra = {},
) {
  const app = testApp();
  const stack = testStack(app);
  const docs = new DocumentsBucket(stack, 'Docs', { retainData });
  const config = KnowledgeBaseConfigSchema.parse({ ...base, vectorStore: store, ...extra });
  const kb = new KnowledgeBase(stack, 'Kb', {
    stage: 'dev',
    config,
    documentsBucket: docs.bucket,
    retainData,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const id = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as never);
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const one = (type: string) => {
    const found = ofType(type);
    expect(found).toHaveLength(1);
    return { logicalId: found[0]?.[0] ?? '', ...(found[0]?.[1] as Resources[string]) };
  };
  const roleStatements = () =>
    (
      (resources[id(kb.role)]?.Properties.Policies ?? []) as {
        PolicyDocument: { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
  return { app, stack, kb, template, resources, id, ofType, one, roleStatements };
}

const OPENSEARCH_TYPES = [
  'AWS::OpenSearchServerless::Collection',
  'AWS::OpenSearchServerless::Index',
  'AWS::OpenSearchServerless::SecurityPolicy',
  'AWS::OpenSearchServerless::AccessPolicy',
];

const nagViolations = (app: ReturnType<typeof testApp>) =>
  new AwsSolutionsChecks(app, { verbose: true })
    .validateScope(app)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`);

describe('Vector store: S3 Vectors', () => {
  const s3v = build('s3-vectors');

  it('creates an SSE-S3 vector bucket and a float32 cosine index of the embedding dimension', () => {
    expect(s3v.one('AWS::S3Vectors::VectorBucket').Properties).toEqual({
      EncryptionConfiguration: { SseType: 'AES256' },
    });
    expect(s3v.one('AWS::S3Vectors::Index').Properties).toEqual({
      VectorBucketArn: {
        'Fn::GetAtt': [s3v.one('AWS::S3Vectors::VectorBucket').logicalId, 'VectorBucketArn'],
      },
      DataType: 'float32',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      MetadataConfiguration: {
        NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'],
      },
    });
    expect(BEDROCK_NON_FILTERABLE_KEYS).toEqual(['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA']);
  });

  it.each([256, 512])(
    'follows a %i-dimension embedding in the index and the knowledge base',
    (dimensions) => {
      const built = build('s3-vectors', DEV_KNOWLEDGE_BASE, false, { embedding: { dimensions } });
      expect(built.one('AWS::S3Vectors::Index').Properties.Dimension).toBe(dimensions);
      expect(JSON.stringify(built.one('AWS::Bedrock::KnowledgeBase').Properties)).toContain(
        `"Dimensions":${dimensions}`,
      );
    },
  );

  it('stores the knowledge base in the index (S3_VECTORS) under its own name, and has no OpenSearch at all', () => {
    const kb = s3v.one('AWS::Bedrock::KnowledgeBase');
    expect(kb.Properties.StorageConfiguration).toEqual({
      Type: 'S3_VECTORS',
      S3VectorsConfiguration: {
        IndexArn: { 'Fn::GetAtt': [s3v.one('AWS::S3Vectors::Index').logicalId, 'IndexArn'] },
      },
    });
    expect(kb.Properties.Name).toBe('kass-dev-docs-s3v');
    for (const type of OPENSEARCH_TYPES) expect(s3v.ofType(type)).toEqual([]);
    expect(s3v.ofType('AWS::Bedrock::DataSource')).toHaveLength(1);
  });

  it('lets the knowledge-base role use exactly the index: no bucket-wide or service-wide grant', () => {
    const store = s3v.kb.store as S3VectorsStore;
    expect(s3v.roleStatements()[0]).toEqual({
      Sid: 'VectorStore',
      Effect: 'Allow',
      Action: [
        's3vectors:GetIndex',
        's3vectors:PutVectors',
        's3vectors:GetVectors',
        's3vectors:DeleteVectors',
        's3vectors:QueryVectors',
      ],
      Resource: { 'Fn::GetAtt': [s3v.stack.getLogicalId(store.index), 'IndexArn'] },
    });
    expect(JSON.stringify(s3v.roleStatements())).not.toMatch(/s3vectors:\*|aoss:/);
  });

  it('leaves names to CloudFormation, so a replacement never collides', () => {
    expect(s3v.one('AWS::S3Vectors::VectorBucket').Properties).not.toHaveProperty('VectorBucketName');
    expect(s3v.one('AWS::S3Vectors::Index').Properties).not.toHaveProperty('IndexName');
  });

  it('reports no unacknowledged cdk-nag finding', () => {
    expect(nagViolations(s3v.app)).toEqual([]);
  });
});

describe('Vector store: Aurora PostgreSQL Serverless v2 + pgvector', () => {
  const dev = build('aurora-pgvector');
  const prod = build('aurora-pgvector', PROD_KNOWLEDGE_BASE, true);
  const cluster = (b: typeof dev) => b.one('AWS::RDS::DBCluster').Properties;

  it('turns the Data API on and scales to zero with auto-pause in dev', () => {
    expect(cluster(dev)).toMatchObject({
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      DatabaseName: 'kass',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: 300 },
      DeletionProtection: false,
    });
    expect(dev.one('AWS::RDS::DBInstance').Properties).toMatchObject({
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
  });

  it('keeps half an ACU without pause, deletion protection and a final snapshot in prod', () => {
    expect(cluster(prod).ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0.5, MaxCapacity: 2 });
    expect(cluster(prod).DeletionProtection).toBe(true);
    expect(prod.one('AWS::RDS::DBCluster').DeletionPolicy).toBe('Snapshot');
    expect(dev.one('AWS::RDS::DBCluster').DeletionPolicy).toBe('Delete');
  });

  it('keeps the credentials in Secrets Manager: a generated master secret and Bedrock’s own user', () => {
    const secrets = dev
      .ofType('AWS::SecretsManager::Secret')
      .map(([, r]) => r.Properties.GenerateSecretString);
    expect(secrets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          SecretStringTemplate: '{"username":"kass_admin"}',
          GenerateStringKey: 'password',
        }),
        expect.objectContaining({
          SecretStringTemplate: '{"username":"bedrock_user"}',
          GenerateStringKey: 'password',
        }),
      ]),
    );
    expect(JSON.stringify(cluster(dev).MasterUserPassword)).toContain('{{resolve:secretsmanager:');
    expect(dev.ofType('AWS::SecretsManager::SecretTargetAttachment')).toHaveLength(2);
  });

  it('has no public access: isolated subnets only, no internet or NAT gateway, no route out, no ingress', () => {
    for (const [, subnet] of dev.ofType('AWS::EC2::Subnet'))
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    expect(dev.ofType('AWS::EC2::Subnet')).toHaveLength(2);
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::NatGateway',
      'AWS::EC2::Route',
      'AWS::EC2::VPCEndpoint',
    ])
      expect(dev.ofType(type)).toEqual([]);
    const groups = dev.ofType('AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties).not.toHaveProperty('SecurityGroupIngress');
    expect(dev.ofType('AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(dev.one('AWS::EC2::FlowLog').Properties).toMatchObject({ TrafficType: 'REJECT' });
  });

  it('creates the schema with a custom resource run by a house Lambda, before the knowledge base', () => {
    const store = dev.kb.store as AuroraPgvectorStore;
    const schema = dev.one('Custom::PgvectorSchema');
    expect(schema.Properties).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': [dev.id(store.schemaFunction.function), 'Arn'] },
      Database: 'kass',
      Dimensions: 1024,
      HnswM: 16,
      HnswEfConstruction: 512,
    });
    expect(schema.DependsOn).toEqual(expect.arrayContaining([dev.id(store.cluster)]));
    expect(dev.one('AWS::Bedrock::KnowledgeBase').DependsOn).toEqual([schema.logicalId]);
    expect(dev.resources[dev.id(store.schemaFunction.function)]?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 600,
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('maps Bedrock’s fields onto the table in the RDS storage configuration', () => {
    const store = dev.kb.store as AuroraPgvectorStore;
    expect(dev.one('AWS::Bedrock::KnowledgeBase').Properties).toMatchObject({
      Name: 'kass-dev-docs-pgv',
      StorageConfiguration: {
        Type: 'RDS',
        RdsConfiguration: {
          ResourceArn: dev.stack.resolve(store.cluster.clusterArn),
          CredentialsSecretArn: { Ref: expect.stringMatching(/^KbBedrockUserSecretAttachment/) },
          DatabaseName: 'kass',
          TableName: 'bedrock_integration.bedrock_kb',
          FieldMapping: {
            PrimaryKeyField: 'id',
            VectorField: 'embedding',
            TextField: 'chunks',
            MetadataField: 'metadata',
            CustomMetadataField: 'custom_metadata',
          },
        },
      },
    });
    for (const type of OPENSEARCH_TYPES) expect(dev.ofType(type)).toEqual([]);
  });

  it('lets the knowledge-base role run statements on this cluster and read Bedrock’s secret only', () => {
    const store = dev.kb.store as AuroraPgvectorStore;
    const clusterArn = dev.stack.resolve(store.cluster.clusterArn);
    expect(dev.roleStatements().slice(0, 3)).toEqual([
      { Sid: 'VectorStoreCluster', Effect: 'Allow', Action: 'rds:DescribeDBClusters', Resource: clusterArn },
      {
        Sid: 'VectorStore',
        Effect: 'Allow',
        Action: ['rds-data:ExecuteStatement', 'rds-data:BatchExecuteStatement'],
        Resource: clusterArn,
      },
      {
        Sid: 'VectorStoreCredentials',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: expect.stringMatching(/^KbBedrockUserSecretAttachment/) },
      },
    ]);
  });

  it('refuses HNSW parameters pgvector does not accept, naming the keys', () => {
    expect(() =>
      build('aurora-pgvector', DEV_KNOWLEDGE_BASE, false, { vectorIndex: { efConstruction: 2048 } }),
    ).toThrow(/pgvector allows m up to 100 and efConstruction up to 1000/);
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])(
    'reports no unacknowledged cdk-nag finding (%s), and each acknowledgement still fires',
    (_stage, built) => {
      expect(nagViolations(built.app)).toEqual([]);
      const acks = built.kb.node
        .findAll()
        .flatMap((c) =>
          c.node.metadata
            .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((m) =>
              Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ c, id, reason })),
            ),
        );
      const raw = new AwsSolutionsChecks(built.app);
      Object.assign(raw, { isAcknowledged: () => false });
      const fired = raw.validateScope(built.app).violations;
      const nagAcks = acks
        .map((ack) => ({ ...ack, rule: ack.id.replace(/^(annotation::)?(AwsSolutions::)?/i, '') }))
        .filter((ack) => ack.rule.startsWith('AwsSolutions-'));
      expect(nagAcks.length).toBeGreaterThanOrEqual(3);
      for (const { rule, ...ack } of nagAcks) {
        expect(ack.reason.length).toBeGreaterThanOrEqual(20);
        const hidden = fired.some(
          (v) =>
            v.ruleName === rule &&
            v.violatingResources.some((r) => (r.constructPath ?? '').startsWith(ack.c.node.path)),
        );
        expect(`${ack.c.node.path} ${rule} ${hidden ? 'fires' : 'does not fire'}`).toBe(
          `${ack.c.node.path} ${rule} fires`,
        );
      }
    },
  );
});

describe('Knowledge base names per store', () => {
  it('keeps the OpenSearch name and gives the others their own, so a store change never collides', () => {
    expect(knowledgeBaseNameFor('dev', 'opensearch-serverless')).toBe('kass-dev-docs');
    expect(knowledgeBaseNameFor('dev', 's3-vectors')).toBe('kass-dev-docs-s3v');
    expect(knowledgeBaseNameFor('dev', 'aurora-pgvector')).toBe('kass-dev-docs-pgv');
  });

  it('keeps the logical id of the knowledge base and its data source across stores (CloudFormation replaces them)', () => {
    const ids = ['opensearch-serverless', 's3-vectors', 'aurora-pgvector'].map((store) => {
      const built = build(store);
      return [
        built.one('AWS::Bedrock::KnowledgeBase').logicalId,
        built.one('AWS::Bedrock::DataSource').logicalId,
      ];
    });
    expect(new Set(ids.map((pair) => pair.join()))).toHaveProperty('size', 1);
  });
});

describe('The whole app on each store', () => {
  it.each(['opensearch-serverless', 's3-vectors', 'aurora-pgvector'])(
    'wires the same agent, ingestion, /search and outputs to the knowledge base on %s',
    (store) => {
      const { template, stack } = buildTestApp('dev', { config: { knowledgeBase: { vectorStore: store } } });
      const kbRef = { 'Fn::GetAtt': [stack.getLogicalId(stack.knowledge.knowledgeBase), 'KnowledgeBaseId'] };
      template.hasResourceProperties('AWS::Bedrock::Agent', {
        KnowledgeBases: [Match.objectLike({ KnowledgeBaseId: kbRef, KnowledgeBaseState: 'ENABLED' })],
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-ingest', KNOWLEDGE_BASE_ID: kbRef }),
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'kass-search',
            KNOWLEDGE_BASE_ID: kbRef,
            KNOWLEDGE_BASE_VECTOR_STORE: store,
          }),
        },
      });
      template.hasOutput('KnowledgeBaseVectorStore', { Value: store });
      template.hasOutput('KnowledgeBaseId', { Value: kbRef });
    },
  );

  it('moves the agent alias to a new version when the store (and so the knowledge base) changes', () => {
    const description = (store: string) =>
      JSON.stringify(
        buildTestApp('dev', { config: { knowledgeBase: { vectorStore: store } } }).template.findResources(
          'AWS::Bedrock::AgentAlias',
        ),
      ).match(/configuration ([0-9a-f]{12})/)?.[1];
    const hashes = ['opensearch-serverless', 's3-vectors', 'aurora-pgvector'].map(description);
    expect(new Set(hashes).size).toBe(3);
    expect(hashes[0]).toBe(description('opensearch-serverless'));
  });

  it('warns at synth that changing the store replaces the knowledge base (the lock says dev is on OpenSearch)', () => {
    const { stack } = buildTestApp('dev', { config: { knowledgeBase: { vectorStore: 's3-vectors' } } });
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('changes from OpenSearch Serverless to S3 Vectors.*full `kass sync`'),
    );
    const unchanged = buildTestApp('dev');
    expect(
      Annotations.fromStack(unchanged.stack).findWarning('*', Match.stringLikeRegexp('kass sync')).length,
    ).toBe(0);
    expect(KNOWLEDGE_BASE_REPLACED_WARNING).toBe('kass:knowledgeBaseReplaced');
  });
});
