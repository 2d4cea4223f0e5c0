import { App, type CfnElement, LegacyStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../../infra/config/config-error';
import {
  DEV_KNOWLEDGE_BASE,
  type KnowledgeBaseConfig,
  KnowledgeBaseConfigSchema,
  PROD_KNOWLEDGE_BASE,
} from '../../infra/config/knowledge-config';
import { DocumentsBucket } from '../../infra/constructs/documents-bucket';
import { collectionNameFor, KnowledgeBase, VECTOR_INDEX } from '../../infra/constructs/knowledge-base';
import type { OpenSearchServerlessStore } from '../../infra/constructs/vector-stores/opensearch-serverless';
import { assumableByServiceOfTestAccount, testApp, testStack } from '../support/cdk';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

/** The default synthesizer's CloudFormation execution role, as the Fn::Sub string it renders. */
const CFN_EXEC_ROLE = `arn:\${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1`;

function build(stage: string, input: Record<string, unknown>) {
  const app = testApp();
  const stack = testStack(app);
  const docs = new DocumentsBucket(stack, 'Docs', { retainData: false });
  const config: KnowledgeBaseConfig = KnowledgeBaseConfigSchema.parse(input);
  const kb = new KnowledgeBase(stack, 'Kb', { stage, config, documentsBucket: docs.bucket });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const id = (c: IConstruct) => stack.getLogicalId(c as CfnElement);
  return { app, stack, docs, kb, config, template, resources, id };
}

/** The single resource of a type. */
function only(
  resources: Resources,
  type: string,
  filter: (p: Record<string, unknown>) => boolean = () => true,
) {
  const found = Object.entries(resources).filter(([, r]) => r.Type === type && filter(r.Properties));
  expect(found).toHaveLength(1);
  return { logicalId: found[0]?.[0] ?? '', ...(found[0]?.[1] as Resources[string]) };
}

/** A policy rendered with Fn::Join (tokens inside), parsed with tokens as readable placeholders. */
function joinedJson(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  const [, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const fn = p as Record<string, unknown>;
      if (fn['Fn::GetAtt']) return `GetAtt:${(fn['Fn::GetAtt'] as string[]).join('.')}`;
      if (fn['Fn::Sub']) return `Sub:${fn['Fn::Sub'] as string}`;
      return JSON.stringify(p);
    })
    .join('');
  return JSON.parse(text);
}

describe('Class: KnowledgeBase', () => {
  const tuned = {
    ...DEV_KNOWLEDGE_BASE,
    embedding: { dimensions: 512 },
    vectorIndex: { m: 24, efConstruction: 256, efSearch: 128 },
  };
  let dev: ReturnType<typeof build>;
  let prod: ReturnType<typeof build>;
  beforeAll(() => {
    dev = build('dev', tuned);
    prod = build('prod', PROD_KNOWLEDGE_BASE);
  });

  describe('OpenSearch Serverless', () => {
    it('uses no custom resource anywhere in the stack (the index is native)', () => {
      const types = Object.values(dev.resources).map((r) => r.Type);
      expect(types.filter((t) => t.startsWith('Custom::'))).toEqual([]);
      expect(types).not.toContain('AWS::Lambda::Function');
      expect(types).toContain('AWS::OpenSearchServerless::Index');
    });

    it('encrypts the collection with an AWS-owned key', () => {
      const enc = only(
        dev.resources,
        'AWS::OpenSearchServerless::SecurityPolicy',
        (p) => p.Type === 'encryption',
      );
      expect(enc.Properties.Name).toBe('kass-dev-docs-enc');
      expect(JSON.parse(enc.Properties.Policy as string)).toEqual({
        Rules: [{ ResourceType: 'collection', Resource: ['collection/kass-dev-docs'] }],
        AWSOwnedKey: true,
      });
    });

    it('renders the network policy from config: public as an explicit choice', () => {
      const net = only(
        dev.resources,
        'AWS::OpenSearchServerless::SecurityPolicy',
        (p) => p.Type === 'network',
      );
      expect(JSON.parse(net.Properties.Policy as string)).toEqual([
        {
          Rules: [{ ResourceType: 'collection', Resource: ['collection/kass-dev-docs'] }],
          AllowFromPublic: true,
        },
      ]);
    });

    it('renders a private network policy that lets only Bedrock in', () => {
      const { resources } = build('dev', { ...DEV_KNOWLEDGE_BASE, network: { allowFromPublic: false } });
      const net = only(resources, 'AWS::OpenSearchServerless::SecurityPolicy', (p) => p.Type === 'network');
      expect(JSON.parse(net.Properties.Policy as string)).toEqual([
        {
          Rules: [{ ResourceType: 'collection', Resource: ['collection/kass-dev-docs'] }],
          AllowFromPublic: false,
          SourceServices: ['bedrock.amazonaws.com'],
        },
      ]);
    });

    it('creates a VECTORSEARCH collection with standby replicas from config (off in dev, on in prod)', () => {
      expect(only(dev.resources, 'AWS::OpenSearchServerless::Collection').Properties).toMatchObject({
        Name: 'kass-dev-docs',
        Type: 'VECTORSEARCH',
        StandbyReplicas: 'DISABLED',
      });
      expect(only(prod.resources, 'AWS::OpenSearchServerless::Collection').Properties).toMatchObject({
        Name: 'kass-prod-docs',
        StandbyReplicas: 'ENABLED',
      });
    });

    it('grants data access to exactly the knowledge-base role and the deploy role, without aoss:*', () => {
      // Act
      const data = only(dev.resources, 'AWS::OpenSearchServerless::AccessPolicy');
      const policy = joinedJson(data.Properties.Policy);
      // Assess
      expect(data.Properties).toMatchObject({ Name: 'kass-dev-docs-data', Type: 'data' });
      expect(policy).toEqual([
        {
          Rules: [
            {
              ResourceType: 'collection',
              Resource: ['collection/kass-dev-docs'],
              Permission: [
                'aoss:DescribeCollectionItems',
                'aoss:CreateCollectionItems',
                'aoss:UpdateCollectionItems',
              ],
            },
            {
              ResourceType: 'index',
              Resource: ['index/kass-dev-docs/*'],
              Permission: [
                'aoss:DescribeIndex',
                'aoss:ReadDocument',
                'aoss:WriteDocument',
                'aoss:CreateIndex',
                'aoss:UpdateIndex',
                'aoss:DeleteIndex',
              ],
            },
          ],
          Principal: [
            `GetAtt:${dev.id(dev.kb.role.node.defaultChild as IConstruct)}.Arn`,
            `Sub:${CFN_EXEC_ROLE}`,
          ],
        },
      ]);
      expect(JSON.stringify(policy)).not.toContain('aoss:*');
    });

    it('takes an explicit index-creator role instead of the synthesizer’s', () => {
      // Prepare
      const stack = testStack();
      const docs = new DocumentsBucket(stack, 'Docs', { retainData: false });
      // Act
      new KnowledgeBase(stack, 'Kb', {
        stage: 'dev',
        config: KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE),
        documentsBucket: docs.bucket,
        indexCreatorRoleArn: 'arn:aws:iam::123456789012:role/deployer',
      });
      // Assess
      const data = only(
        Template.fromStack(stack).toJSON().Resources,
        'AWS::OpenSearchServerless::AccessPolicy',
      );
      expect(JSON.stringify(data.Properties.Policy)).toContain('arn:aws:iam::123456789012:role/deployer');
      expect(JSON.stringify(data.Properties.Policy)).not.toContain('cfn-exec-role');
    });

    it('refuses a stack without the default synthesizer unless the index creator is given', () => {
      const stack = new Stack(new App(), 'Legacy', { synthesizer: new LegacyStackSynthesizer() });
      const docs = new DocumentsBucket(stack, 'Docs', { retainData: false });
      expect(
        () =>
          new KnowledgeBase(stack, 'Kb', {
            stage: 'dev',
            config: KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE),
            documentsBucket: docs.bucket,
          }),
      ).toThrow(/pass indexCreatorRoleArn/);
    });

    it('maps a faiss hnsw knn_vector of the configured dimension, text for HYBRID, metadata unindexed', () => {
      expect(only(dev.resources, 'AWS::OpenSearchServerless::Index').Properties).toEqual({
        CollectionEndpoint: {
          'Fn::GetAtt': [
            dev.id((dev.kb.store as OpenSearchServerlessStore).collection),
            'CollectionEndpoint',
          ],
        },
        IndexName: 'kass-index',
        Settings: { Index: { Knn: true, KnnAlgoParamEfSearch: 128 } },
        Mappings: {
          Properties: {
            'kass-vector': {
              Type: 'knn_vector',
              Dimension: 512,
              Method: {
                Engine: 'faiss',
                Name: 'hnsw',
                SpaceType: 'l2',
                Parameters: { M: 24, EfConstruction: 256 },
              },
            },
            AMAZON_BEDROCK_TEXT_CHUNK: { Type: 'text', Index: true },
            AMAZON_BEDROCK_METADATA: { Type: 'text', Index: false },
          },
        },
      });
    });

    it('uses the default dimension 1024 and hnsw 16/512/512 when not configured', () => {
      const index = only(prod.resources, 'AWS::OpenSearchServerless::Index').Properties as {
        Mappings: { Properties: Record<string, { Dimension?: number; Method?: { Parameters: unknown } }> };
        Settings: unknown;
      };
      expect(index.Mappings.Properties['kass-vector']).toMatchObject({
        Dimension: 1024,
        Method: { Parameters: { M: 16, EfConstruction: 512 } },
      });
      expect(index.Settings).toEqual({ Index: { Knn: true, KnnAlgoParamEfSearch: 512 } });
    });
  });

  describe('Knowledge base and data source', () => {
    it('creates a VECTOR knowledge base on Titan V2 in the stack’s region with the configured dimensions', () => {
      expect(only(dev.resources, 'AWS::Bedrock::KnowledgeBase').Properties).toMatchObject({
        Name: 'kass-dev-docs',
        RoleArn: { 'Fn::GetAtt': [dev.id(dev.kb.role.node.defaultChild as IConstruct), 'Arn'] },
        KnowledgeBaseConfiguration: {
          Type: 'VECTOR',
          VectorKnowledgeBaseConfiguration: {
            EmbeddingModelArn: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0',
                ],
              ],
            },
            EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 512 } },
          },
        },
      });
    });

    it('maps exactly the fields the index defines', () => {
      // Prepare
      const kb = only(dev.resources, 'AWS::Bedrock::KnowledgeBase').Properties as {
        StorageConfiguration: {
          Type: string;
          OpensearchServerlessConfiguration: {
            VectorIndexName: string;
            FieldMapping: Record<string, string>;
          };
        };
      };
      const index = only(dev.resources, 'AWS::OpenSearchServerless::Index').Properties as {
        IndexName: string;
        Mappings: { Properties: Record<string, { Type: string }> };
      };
      const storage = kb.StorageConfiguration.OpensearchServerlessConfiguration;
      const mapping = index.Mappings.Properties;
      // Assess
      expect(kb.StorageConfiguration.Type).toBe('OPENSEARCH_SERVERLESS');
      expect(storage.VectorIndexName).toBe(index.IndexName);
      expect(Object.values(storage.FieldMapping).sort()).toEqual(Object.keys(mapping).sort());
      expect(mapping[storage.FieldMapping.VectorField ?? '']?.Type).toBe('knn_vector');
      expect(storage.FieldMapping).toEqual({
        VectorField: VECTOR_INDEX.vectorField,
        TextField: VECTOR_INDEX.textField,
        MetadataField: VECTOR_INDEX.metadataField,
      });
    });

    it('reads only documents/ of the bucket and deletes vectors with the data source', () => {
      expect(only(dev.resources, 'AWS::Bedrock::DataSource').Properties).toMatchObject({
        KnowledgeBaseId: { 'Fn::GetAtt': [dev.id(dev.kb.knowledgeBase), 'KnowledgeBaseId'] },
        Name: 'kass-dev-docs-gen1',
        DataDeletionPolicy: 'DELETE',
        DataSourceConfiguration: {
          Type: 'S3',
          S3Configuration: {
            BucketArn: { 'Fn::GetAtt': [dev.id(dev.docs.bucket.node.defaultChild as IConstruct), 'Arn'] },
            InclusionPrefixes: ['documents/'],
          },
        },
      });
    });

    it.each([
      {
        chunking: { strategy: 'FIXED_SIZE', maxTokens: 300, overlapPercentage: 10 },
        expected: {
          ChunkingStrategy: 'FIXED_SIZE',
          FixedSizeChunkingConfiguration: { MaxTokens: 300, OverlapPercentage: 10 },
        },
      },
      {
        chunking: { strategy: 'HIERARCHICAL', parentMaxTokens: 1500, childMaxTokens: 300, overlapTokens: 60 },
        expected: {
          ChunkingStrategy: 'HIERARCHICAL',
          HierarchicalChunkingConfiguration: {
            LevelConfigurations: [{ MaxTokens: 1500 }, { MaxTokens: 300 }],
            OverlapTokens: 60,
          },
        },
      },
      {
        chunking: { strategy: 'SEMANTIC', maxTokens: 400, bufferSize: 1, breakpointPercentileThreshold: 90 },
        expected: {
          ChunkingStrategy: 'SEMANTIC',
          SemanticChunkingConfiguration: { MaxTokens: 400, BufferSize: 1, BreakpointPercentileThreshold: 90 },
        },
      },
      { chunking: { strategy: 'NONE' }, expected: { ChunkingStrategy: 'NONE' } },
    ])('maps $chunking.strategy chunking to the CloudFormation shape', ({ chunking, expected }) => {
      const { resources } = build('dev', { ...DEV_KNOWLEDGE_BASE, chunking });
      expect(only(resources, 'AWS::Bedrock::DataSource').Properties.VectorIngestionConfiguration).toEqual({
        ChunkingConfiguration: expected,
      });
    });

    it('puts the data-source generation into the logical id and the name, so a bump replaces it', () => {
      const { resources } = build('dev', { ...DEV_KNOWLEDGE_BASE, dataSourceGeneration: 2 });
      const ds = only(resources, 'AWS::Bedrock::DataSource');
      expect(ds.logicalId).toMatch(/^KbDataSourceGen2[0-9A-F]{8}$/);
      expect(ds.Properties.Name).toBe('kass-dev-docs-gen2');
      expect(only(dev.resources, 'AWS::Bedrock::DataSource').logicalId).toMatch(
        /^KbDataSourceGen1[0-9A-F]{8}$/,
      );
    });

    it('exposes the ids the ingestion pipeline and the agent need', () => {
      expect(dev.stack.resolve(dev.kb.knowledgeBaseId)).toEqual({
        'Fn::GetAtt': [dev.id(dev.kb.knowledgeBase), 'KnowledgeBaseId'],
      });
      expect(dev.stack.resolve(dev.kb.knowledgeBaseArn)).toEqual({
        'Fn::GetAtt': [dev.id(dev.kb.knowledgeBase), 'KnowledgeBaseArn'],
      });
      expect(dev.stack.resolve(dev.kb.dataSourceId)).toEqual({
        'Fn::GetAtt': [dev.id(dev.kb.dataSource), 'DataSourceId'],
      });
    });
  });

  describe('Deploy order', () => {
    /** Every resource `logicalId` waits for, through DependsOn, Ref and Fn::GetAtt, transitively. */
    function waitsFor(r: Resources, logicalId: string, seen = new Set<string>()): Set<string> {
      const resource = r[logicalId];
      const direct = new Set<string>(resource?.DependsOn ?? []);
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === 'object') {
          const fn = node as Record<string, unknown>;
          if (typeof fn.Ref === 'string' && r[fn.Ref]) direct.add(fn.Ref);
          const getAtt = fn['Fn::GetAtt'];
          if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') direct.add(getAtt[0]);
          Object.values(fn).forEach(walk);
        }
      };
      walk(resource?.Properties);
      for (const id of direct) {
        if (seen.has(id)) continue;
        seen.add(id);
        waitsFor(r, id, seen);
      }
      return seen;
    }

    it('creates the data-access policy without waiting for the collection, and the index and KB after it', () => {
      // Prepare
      const r = dev.resources;
      const idOf = (type: string, filter?: (p: Record<string, unknown>) => boolean) =>
        only(r, type, filter).logicalId;
      const enc = idOf('AWS::OpenSearchServerless::SecurityPolicy', (p) => p.Type === 'encryption');
      const net = idOf('AWS::OpenSearchServerless::SecurityPolicy', (p) => p.Type === 'network');
      const collection = idOf('AWS::OpenSearchServerless::Collection');
      const data = idOf('AWS::OpenSearchServerless::AccessPolicy');
      const index = idOf('AWS::OpenSearchServerless::Index');
      const kb = idOf('AWS::Bedrock::KnowledgeBase');
      const ds = idOf('AWS::Bedrock::DataSource');
      const role = dev.id(dev.kb.role.node.defaultChild as IConstruct);
      // Act
      const policyWaitsFor = waitsFor(r, data);
      // Assess: the policy waits for the knowledge-base role (its ARN is a principal), nothing of the store.
      expect(policyWaitsFor.has(role)).toBe(true);
      for (const store of [enc, net, collection, index, kb]) expect(policyWaitsFor.has(store)).toBe(false);
      expect(r[collection]?.DependsOn?.sort()).toEqual([enc, net].sort());
      expect(r[index]?.DependsOn).toEqual([data]);
      expect([...waitsFor(r, index)]).toEqual(expect.arrayContaining([data, collection]));
      expect(r[kb]?.DependsOn?.sort()).toEqual([data, index].sort());
      // The data source already references the knowledge base: no DependsOn (cfn-lint W3005).
      expect(r[ds]?.DependsOn).toBeUndefined();
      expect(JSON.stringify(r[ds]?.Properties)).toContain(`"${kb}"`);
    });
  });

  describe('Vector-store generation', () => {
    const names = (b: ReturnType<typeof build>) =>
      Object.fromEntries(
        Object.entries(b.resources)
          .filter(
            ([, res]) =>
              res.Type.startsWith('AWS::OpenSearchServerless::') ||
              res.Type === 'AWS::Bedrock::KnowledgeBase',
          )
          .map(([logicalId, res]) => [
            logicalId,
            (res.Properties.Name ?? res.Properties.IndexName) as string,
          ]),
      );

    it('keeps the first deploy’s names and logical ids at generation 1', () => {
      expect(Object.values(names(dev)).sort()).toEqual(
        [
          'kass-dev-docs',
          'kass-dev-docs',
          'kass-dev-docs-data',
          'kass-dev-docs-enc',
          'kass-dev-docs-net',
          'kass-index',
        ].sort(),
      );
      expect(dev.id((dev.kb.store as OpenSearchServerlessStore).collection)).toMatch(
        /^KbCollection[0-9A-F]{8}$/,
      );
    });

    it('gives every vector-store resource a new name and logical id at generation 2, so nothing collides', () => {
      // Act
      const next = build('dev', { ...tuned, vectorStoreGeneration: 2 });
      // Assess
      const before = names(dev);
      const after = names(next);
      expect(Object.keys(after).filter((id) => id in before)).toEqual([]);
      expect(Object.values(after).sort()).toEqual(
        [
          'kass-dev-docs-g2',
          'kass-dev-docs-g2',
          'kass-dev-docs-g2-data',
          'kass-dev-docs-g2-enc',
          'kass-dev-docs-g2-net',
          'kass-index',
        ].sort(),
      );
      const ds = only(next.resources, 'AWS::Bedrock::DataSource');
      expect(ds.Properties.Name).toBe('kass-dev-docs-g2-gen1');
      // The role is kept and serves every generation of this stage, so the old store works until it is gone.
      expect(next.id(next.kb.role.node.defaultChild as IConstruct)).toBe(
        dev.id(dev.kb.role.node.defaultChild as IConstruct),
      );
    });

    it('refuses a generation whose names would exceed the OpenSearch Serverless limits', () => {
      expect(() => collectionNameFor('sixteen-chars-ok', 2)).toThrow(/at most 32 characters/);
    });
  });

  describe('Role', () => {
    it('is assumable only by Bedrock knowledge bases of this account', () => {
      const role = dev.resources[dev.id(dev.kb.role.node.defaultChild as IConstruct)];
      expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          assumableByServiceOfTestAccount(
            'bedrock.amazonaws.com',
            ':bedrock:us-east-1:123456789012:knowledge-base/*',
          ),
        ],
      });
    });

    it('may call the collection API, embed with the exact model and read documents/ only', () => {
      // Prepare
      const role = dev.resources[dev.id(dev.kb.role.node.defaultChild as IConstruct)];
      const [policy] = (role?.Properties.Policies ?? []) as {
        PolicyDocument: { Statement: Record<string, unknown>[] };
      }[];
      const bucket = dev.id(dev.docs.bucket.node.defaultChild as IConstruct);
      const statements = policy?.PolicyDocument.Statement.map(({ Action, Resource }) => ({
        Action,
        Resource,
      }));
      // Assess: the collection by name (every generation of this stage), not by its generated ARN.
      expect(policy?.PolicyDocument.Statement[0]?.Condition).toEqual({
        StringLike: { 'aoss:collection': ['kass-dev-docs', 'kass-dev-docs-g*'] },
      });
      expect(statements).toEqual([
        {
          Action: 'aoss:APIAccessAll',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':aoss:us-east-1:123456789012:collection/*'],
            ],
          },
        },
        {
          Action: 'bedrock:InvokeModel',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0',
              ],
            ],
          },
        },
        { Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
        {
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/documents/*']] },
        },
      ]);
      expect(dev.template.findResources('AWS::IAM::Policy')).toEqual({});
    });
  });

  describe('Names', () => {
    it.each(['dev', 'prod', 'qa-2', 'sixteen-chars-ok'])(
      'derives a valid collection name from stage %s',
      (stage) => {
        expect(collectionNameFor(stage)).toBe(`kass-${stage}-docs`);
      },
    );

    it.each(['stage-with-18chars', 'Dev', 'a_b'])(
      'rejects stage %s with a ConfigError that says why',
      (stage) => {
        expect(() => collectionNameFor(stage)).toThrow(ConfigError);
        expect(() => collectionNameFor(stage)).toThrow(/OpenSearch Serverless needs 3-32 lower-case/);
      },
    );
  });

  describe('cdk-nag', () => {
    it.each(['dev', 'prod'])('reports no unacknowledged AwsSolutions finding (%s)', (stage) => {
      const { app } = stage === 'dev' ? dev : prod;
      const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    });

    it('names the finding exactly for an imported bucket too', () => {
      // Prepare
      const app = testApp();
      const stack = testStack(app);
      const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'kass-shared-documents');
      // Act
      new KnowledgeBase(stack, 'Kb', {
        stage: 'dev',
        config: KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE),
        documentsBucket: bucket,
      });
      // Assess
      const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    });

    it('acknowledges only the documents/* and collection-name wildcards, with reasons, and both still fire', () => {
      // Prepare
      const acks = dev.kb.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      const raw = new AwsSolutionsChecks(dev.app);
      Object.assign(raw, { isAcknowledged: () => false });
      const bucket = dev.id(dev.docs.bucket.node.defaultChild as IConstruct);
      const expected = [
        `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/documents/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:aoss:us-east-1:123456789012:collection/*]',
      ];
      // Act
      const fired = raw.validateScope(dev.app).violations.map((v) => v.ruleName);
      // Assess
      expect(acks.map(([id]) => id.replace(/^Annotation::/, ''))).toEqual(expected);
      for (const [, reason] of acks) expect(reason.length).toBeGreaterThanOrEqual(20);
      expect(fired.sort()).toEqual([...expected].sort());
    });
  });
});
