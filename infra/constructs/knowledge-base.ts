import { DefaultStackSynthesizer, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { VectorStoreKind } from '../../client/vector-stores';
import { ConfigError } from '../config/config-error';
import type { ChunkingConfig, KnowledgeBaseConfig } from '../config/knowledge-config';
import type { AgentConfig } from '../config/stage-config';
import { DOCUMENTS_PREFIX } from './documents-bucket';
import { knowledgeParser } from './knowledge-parsing';
import { nagResource } from './nag-ids';

/** Index and field names: the index mapping and the knowledge base's field mapping must name the same fields. */
export const VECTOR_INDEX = {
  name: 'kass-index',
  vectorField: 'kass-vector',
  textField: 'AMAZON_BEDROCK_TEXT_CHUNK',
  metadataField: 'AMAZON_BEDROCK_METADATA',
} as const;

/** Collection names: 3–32 characters, lower-case letters, digits and dashes, starting with a letter. */
const COLLECTION_NAME = /^[a-z][a-z0-9-]{2,31}$/;
/** Security-policy names have the same limit, and ours append up to `-data`. */
const POLICY_SUFFIXES = ['-enc', '-net', '-data'] as const;

/** The collection (and knowledge base) name of a stage, validated against the OpenSearch Serverless limits. */
export function collectionNameFor(stage: string): string {
  const name = `kass-${stage}-docs`;
  const tooLong = POLICY_SUFFIXES.map((s) => `${name}${s}`).find((p) => p.length > 32);
  if (!COLLECTION_NAME.test(name) || tooLong) {
    throw new ConfigError('knowledge base', [
      `stage: '${stage}' gives the collection name '${name}'; OpenSearch Serverless needs 3-32 lower-case ` +
        `letters, digits or dashes, and its policy names ('${tooLong ?? `${name}-data`}') at most 32 characters. ` +
        'Use a shorter stage name.',
    ]);
  }
  return name;
}

/** Maps the KASS chunking config onto the CloudFormation `ChunkingConfiguration` shape. */
export function toChunkingConfiguration(
  chunking: ChunkingConfig,
): bedrock.CfnDataSource.ChunkingConfigurationProperty {
  switch (chunking.strategy) {
    case 'FIXED_SIZE':
      return {
        chunkingStrategy: 'FIXED_SIZE',
        fixedSizeChunkingConfiguration: {
          maxTokens: chunking.maxTokens,
          overlapPercentage: chunking.overlapPercentage,
        },
      };
    case 'HIERARCHICAL':
      return {
        chunkingStrategy: 'HIERARCHICAL',
        hierarchicalChunkingConfiguration: {
          // Bedrock expects exactly two levels: parent first, then child.
          levelConfigurations: [
            { maxTokens: chunking.parentMaxTokens },
            { maxTokens: chunking.childMaxTokens },
          ],
          overlapTokens: chunking.overlapTokens,
        },
      };
    case 'SEMANTIC':
      return {
        chunkingStrategy: 'SEMANTIC',
        semanticChunkingConfiguration: {
          maxTokens: chunking.maxTokens,
          bufferSize: chunking.bufferSize,
          breakpointPercentileThreshold: chunking.breakpointPercentileThreshold,
        },
      };
    case 'NONE':
      return { chunkingStrategy: 'NONE' };
  }
}

export interface KnowledgeBaseProps {
  /** Stage name: the collection, knowledge base and data source names derive from it. */
  readonly stage: string;
  readonly config: KnowledgeBaseConfig;
  /** The bucket the data source reads (see `DocumentsBucket`). */
  readonly documentsBucket: s3.IBucket;
  /** Only objects under this prefix are indexed. @default 'documents/' */
  readonly documentsPrefix?: string;
  /**
   * The role CloudFormation uses to create the index; it needs data access to the collection.
   * @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   */
  readonly indexCreatorRoleArn?: string;
  /** Geography of the parser model's inference profile (foundation-model parsing). @default 'us' */
  readonly inferenceGeo?: AgentConfig['inferenceGeo'];
}

/**
 * The knowledge base on OpenSearch Serverless, in L1 resources only (no custom resource, no Docker, no PyPI):
 * encryption + network policies → VECTORSEARCH collection → data-access policy → native vector index →
 * knowledge base (Titan Text Embeddings V2) → S3 data source with the configured chunking.
 *
 * The data source's name and logical id carry `dataSourceGeneration`: bumping it makes CloudFormation create a
 * new data source (new chunking) and delete the old one together with its vectors; run a full `kass sync`
 * afterwards. Deleting a data source fails while one of its ingestion jobs runs, so deploy between syncs.
 */
export class KnowledgeBase extends Construct {
  public readonly knowledgeBaseId: string;
  public readonly knowledgeBaseArn: string;
  public readonly dataSourceId: string;
  public readonly collection: aoss.CfnCollection;
  public readonly role: iam.Role;
  public readonly knowledgeBase: bedrock.CfnKnowledgeBase;
  public readonly dataSource: bedrock.CfnDataSource;
  public readonly index: aoss.CfnIndex;
  /** The embedding model the knowledge base calls (foundation-model ARN in the stack's region). */
  public readonly embeddingModelArn: string;
  /** Where the vectors live: decides hybrid search and retries (published to Lambdas and the CLI). */
  public readonly vectorStore: VectorStoreKind;

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    const { config } = props;
    this.vectorStore = config.vectorStore;
    const stack = Stack.of(this);
    const name = collectionNameFor(props.stage);
    const prefix = props.documentsPrefix ?? DOCUMENTS_PREFIX;
    const collectionResource = `collection/${name}`;

    const encryption = new aoss.CfnSecurityPolicy(this, 'EncryptionPolicy', {
      name: `${name}-enc`,
      type: 'encryption',
      description: 'KASS documents collection: AWS-owned key',
      policy: JSON.stringify({
        Rules: [{ ResourceType: 'collection', Resource: [collectionResource] }],
        AWSOwnedKey: true,
      }),
    });

    // Public: the endpoint is reachable from the internet but every request still needs SigV4 and a data-access
    // grant. Private: only Bedrock (SourceServices) reaches it; CloudFormation's index creation and any tool
    // outside AWS then need OpenSearch Serverless VPC endpoints (not wired here; verify before using it).
    const networkRule = config.network.allowFromPublic
      ? { AllowFromPublic: true }
      : { AllowFromPublic: false, SourceServices: ['bedrock.amazonaws.com'] };
    const network = new aoss.CfnSecurityPolicy(this, 'NetworkPolicy', {
      name: `${name}-net`,
      type: 'network',
      description: `KASS documents collection: ${config.network.allowFromPublic ? 'public' : 'Bedrock only'}`,
      policy: JSON.stringify([
        { Rules: [{ ResourceType: 'collection', Resource: [collectionResource] }], ...networkRule },
      ]),
    });

    this.collection = new aoss.CfnCollection(this, 'Collection', {
      name,
      type: 'VECTORSEARCH',
      description: `KASS ${props.stage} document vectors`,
      standbyReplicas: config.standbyReplicas ? 'ENABLED' : 'DISABLED',
    });
    // A collection cannot be created before an encryption policy covers it.
    this.collection.addResourceDependency(encryption);
    this.collection.addResourceDependency(network);

    this.embeddingModelArn = stack.formatArn({
      service: 'bedrock',
      account: '',
      resource: 'foundation-model',
      resourceName: config.embedding.model,
    });

    const documentObjectsArn = props.documentsBucket.arnForObjects(`${prefix}*`);
    const parser = knowledgeParser(this, config.parsing, props.inferenceGeo ?? 'us');
    // Inline policies: they exist as soon as the role does, so Bedrock's access checks at knowledge-base
    // creation pass without extra DependsOn on a separate policy resource.
    this.role = new iam.Role(this, 'Role', {
      description: `Knowledge base ${name}: reads documents, embeds them, writes vectors`,
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'bedrock',
            resource: 'knowledge-base',
            resourceName: '*',
          }),
        },
      }),
      inlinePolicies: {
        KnowledgeBase: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'VectorStore',
              actions: ['aoss:APIAccessAll'],
              resources: [this.collection.attrArn],
            }),
            new iam.PolicyStatement({
              sid: 'Embeddings',
              actions: ['bedrock:InvokeModel'],
              resources: [this.embeddingModelArn],
            }),
            new iam.PolicyStatement({
              sid: 'ListDocuments',
              actions: ['s3:ListBucket'],
              resources: [props.documentsBucket.bucketArn],
              conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
            }),
            new iam.PolicyStatement({
              sid: 'ReadDocuments',
              actions: ['s3:GetObject'],
              resources: [documentObjectsArn],
              conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
            }),
            ...parser.statements,
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, documentObjectsArn)}]`,
      reason:
        `The knowledge base must read every object under ${prefix} (any document the sync uploads); ` +
        'object ARNs need a wildcard and the grant is limited to that prefix and this account.',
    });
    if (parser.acknowledgements.length > 0) Validations.of(this.role).acknowledge(...parser.acknowledgements);

    // CloudFormation creates the index with the deploy role, so that role needs data access too. Confirmed only
    // from documentation, not yet by a real deploy: verify on the first deploy.
    const indexCreatorRoleArn = props.indexCreatorRoleArn ?? this.defaultCfnExecutionRoleArn();
    const dataAccess = new aoss.CfnAccessPolicy(this, 'DataAccessPolicy', {
      name: `${name}-data`,
      type: 'data',
      description: 'KASS documents collection: the knowledge base role and the deploy role only',
      policy: Fn.toJsonString([
        {
          Rules: [
            {
              ResourceType: 'collection',
              Resource: [collectionResource],
              Permission: [
                'aoss:DescribeCollectionItems',
                'aoss:CreateCollectionItems',
                'aoss:UpdateCollectionItems',
              ],
            },
            {
              ResourceType: 'index',
              Resource: [`index/${name}/*`],
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
          Principal: [this.role.roleArn, indexCreatorRoleArn],
        },
      ]),
    });
    // The policy names the collection by name only, so order it explicitly.
    dataAccess.addResourceDependency(this.collection);

    this.index = new aoss.CfnIndex(this, 'Index', {
      collectionEndpoint: this.collection.attrCollectionEndpoint,
      indexName: VECTOR_INDEX.name,
      settings: { index: { knn: true, knnAlgoParamEfSearch: config.vectorIndex.efSearch } },
      mappings: {
        properties: {
          [VECTOR_INDEX.vectorField]: {
            type: 'knn_vector',
            dimension: config.embedding.dimensions,
            // faiss, not nmslib: Bedrock ignores metadata filters on nmslib indexes.
            method: {
              engine: 'faiss',
              name: 'hnsw',
              spaceType: 'l2',
              parameters: { m: config.vectorIndex.m, efConstruction: config.vectorIndex.efConstruction },
            },
          },
          // Indexed text enables HYBRID search; metadata is stored for filters but not searched.
          [VECTOR_INDEX.textField]: { type: 'text', index: true },
          [VECTOR_INDEX.metadataField]: { type: 'text', index: false },
        },
      },
    });
    // Writing the index needs the data-access grant to exist first.
    this.index.addResourceDependency(dataAccess);

    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'KnowledgeBase', {
      name,
      description: `KASS ${props.stage} project documents`,
      roleArn: this.role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn: this.embeddingModelArn,
          embeddingModelConfiguration: {
            bedrockEmbeddingModelConfiguration: { dimensions: config.embedding.dimensions },
          },
        },
      },
      storageConfiguration: {
        type: 'OPENSEARCH_SERVERLESS',
        opensearchServerlessConfiguration: {
          collectionArn: this.collection.attrArn,
          vectorIndexName: VECTOR_INDEX.name,
          fieldMapping: {
            vectorField: VECTOR_INDEX.vectorField,
            textField: VECTOR_INDEX.textField,
            metadataField: VECTOR_INDEX.metadataField,
          },
        },
      },
    });
    // The knowledge base only names the index, so it must wait for it.
    this.knowledgeBase.addResourceDependency(this.index);

    const generation = config.dataSourceGeneration;
    this.dataSource = new bedrock.CfnDataSource(this, `DataSourceGen${generation}`, {
      knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
      name: `${name}-gen${generation}`,
      description: `Documents under ${prefix} in the documents bucket (data source generation ${generation})`,
      dataDeletionPolicy: 'DELETE',
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: { bucketArn: props.documentsBucket.bucketArn, inclusionPrefixes: [prefix] },
      },
      vectorIngestionConfiguration: {
        chunkingConfiguration: toChunkingConfiguration(config.chunking),
        ...(parser.configuration ? { parsingConfiguration: parser.configuration } : {}),
      },
    });

    this.knowledgeBaseId = this.knowledgeBase.attrKnowledgeBaseId;
    this.knowledgeBaseArn = this.knowledgeBase.attrKnowledgeBaseArn;
    this.dataSourceId = this.dataSource.attrDataSourceId;
  }

  private defaultCfnExecutionRoleArn(): string {
    const synthesizer = Stack.of(this).synthesizer;
    if (!(synthesizer instanceof DefaultStackSynthesizer)) {
      throw new Error(
        'KnowledgeBase: the stack does not use the DefaultStackSynthesizer; pass indexCreatorRoleArn (the role ' +
          'CloudFormation deploys with) so it can create the vector index.',
      );
    }
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
}
