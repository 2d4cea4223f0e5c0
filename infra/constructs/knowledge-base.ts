import { Stack, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { VectorStoreKind } from '../../client/vector-stores';
import type { ChunkingConfig, KnowledgeBaseConfig } from '../config/knowledge-config';
import type { AgentConfig } from '../config/stage-config';
import { DOCUMENTS_PREFIX } from './documents-bucket';
import type { KassFunctionDefaults } from './kass-function';
import { knowledgeParser } from './knowledge-parsing';
import { nagResource } from './nag-ids';
import { AuroraPgvectorStore } from './vector-stores/aurora-pgvector';
import { collectionNameFor, OpenSearchServerlessStore } from './vector-stores/opensearch-serverless';
import { S3VectorsStore } from './vector-stores/s3-vectors';
import type { VectorStore } from './vector-stores/vector-store';

export { collectionNameFor, VECTOR_INDEX } from './vector-stores/opensearch-serverless';

/** Knowledge-base name suffix per store: a store change builds the new knowledge base beside the old one. */
const STORE_SUFFIX: Readonly<Record<VectorStoreKind, string>> = {
  'opensearch-serverless': '',
  's3-vectors': '-s3v',
  'aurora-pgvector': '-pgv',
};

/**
 * The knowledge base (and data source) name of a stage on a store and vector-store generation. OpenSearch at
 * generation 1 keeps the name the first deploys got; other stores add a suffix and later generations `-g<n>`,
 * because changing either replaces the knowledge base and names are unique per account and region.
 */
export function knowledgeBaseNameFor(stage: string, store: VectorStoreKind, generation = 1): string {
  return `${collectionNameFor(stage, generation)}${STORE_SUFFIX[store]}`;
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
  /** Stage name: the store, knowledge base and data source names derive from it. */
  readonly stage: string;
  readonly config: KnowledgeBaseConfig;
  /** The bucket the data source reads (see `DocumentsBucket`). */
  readonly documentsBucket: s3.IBucket;
  /** Only objects under this prefix are indexed. @default 'documents/' */
  readonly documentsPrefix?: string;
  /**
   * OpenSearch Serverless: the role CloudFormation uses to create the index; it needs data access to the
   * collection. @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   */
  readonly indexCreatorRoleArn?: string;
  /** Geography of the parser model's inference profile (foundation-model parsing). @default 'us' */
  readonly inferenceGeo?: AgentConfig['inferenceGeo'];
  /** Keep the store's data and protect it from deletion (Aurora: snapshot + deletion protection). @default false */
  readonly retainData?: boolean;
  /** House settings of the store's own Lambda (Aurora's schema custom resource). */
  readonly functionDefaults?: KassFunctionDefaults;
}

/**
 * The knowledge base (Titan Text Embeddings V2) on the configured vector store, and its S3 data source with the
 * configured chunking and parsing. The store is one construct per kind behind `VectorStore`
 * (`vector-stores/`): OpenSearch Serverless (default; L1 resources only), S3 Vectors, or Aurora PostgreSQL
 * Serverless v2 with pgvector. Everything around it (data source, ingestion pipeline, agent association,
 * /search, `kass retrieve`, `kass sync`) is the same for all three.
 *
 * The store is created with the id `Default`, which CDK leaves out of logical ids: the OpenSearch resources keep
 * the ids of the deploys made before the store was configurable. Changing the store replaces the knowledge base
 * (a new name, see `knowledgeBaseNameFor`) and its data source; a full `kass sync` must follow.
 *
 * The store's and the knowledge base's names and logical ids carry `vectorStoreGeneration` (from 2 on): bumping
 * it makes CloudFormation build a new store, knowledge base and data source beside the old ones and delete
 * those afterwards, so settings fixed at creation (see `knowledge/vector-store.lock.json`) can change.
 *
 * The data source's name and logical id carry `dataSourceGeneration`: bumping it makes CloudFormation create a
 * new data source (new chunking or parsing) and delete the old one together with its vectors; run a full
 * `kass sync` afterwards. Deleting a data source fails while one of its ingestion jobs runs, so deploy between
 * syncs.
 */
export class KnowledgeBase extends Construct {
  public readonly knowledgeBaseId: string;
  public readonly knowledgeBaseArn: string;
  public readonly dataSourceId: string;
  public readonly role: iam.Role;
  public readonly knowledgeBase: bedrock.CfnKnowledgeBase;
  public readonly dataSource: bedrock.CfnDataSource;
  /** The vector store construct (`OpenSearchServerlessStore`, `S3VectorsStore` or `AuroraPgvectorStore`). */
  public readonly store: VectorStore & Construct;
  /** The embedding model the knowledge base calls (foundation-model ARN in the stack's region). */
  public readonly embeddingModelArn: string;
  /** Where the vectors live: decides hybrid search and retries (published to Lambdas and the CLI). */
  public readonly vectorStore: VectorStoreKind;

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    const { config } = props;
    this.vectorStore = config.vectorStore;
    const stack = Stack.of(this);
    const storeGeneration = config.vectorStoreGeneration;
    const name = knowledgeBaseNameFor(props.stage, config.vectorStore, storeGeneration);
    const prefix = props.documentsPrefix ?? DOCUMENTS_PREFIX;

    this.embeddingModelArn = stack.formatArn({
      service: 'bedrock',
      account: '',
      resource: 'foundation-model',
      resourceName: config.embedding.model,
    });

    const documentObjectsArn = props.documentsBucket.arnForObjects(`${prefix}*`);
    const parser = knowledgeParser(this, config.parsing, props.inferenceGeo ?? 'us');
    // Inline policy: it exists as soon as the role does, so Bedrock's access checks at knowledge-base creation
    // pass without extra DependsOn on a separate policy resource. The store adds its statements first.
    const policy = new iam.PolicyDocument();
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
      inlinePolicies: { KnowledgeBase: policy },
    });

    this.store = this.createStore(props);
    policy.addStatements(
      ...this.store.roleStatements,
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
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, documentObjectsArn)}]`,
      reason:
        `The knowledge base must read every object under ${prefix} (any document the sync uploads); ` +
        'object ARNs need a wildcard and the grant is limited to that prefix and this account.',
    });
    const acknowledgements = [...this.store.roleAcknowledgements, ...parser.acknowledgements];
    if (acknowledgements.length > 0) Validations.of(this.role).acknowledge(...acknowledgements);

    // Generation 1 keeps the logical id the first deploys got; later ones are new resources.
    const knowledgeBaseId = storeGeneration > 1 ? `KnowledgeBaseGen${storeGeneration}` : 'KnowledgeBase';
    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, knowledgeBaseId, {
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
      storageConfiguration: this.store.storageConfiguration,
    });
    // The knowledge base only names some of the store's resources (an index, a schema) and its own access check
    // at creation needs the store's grants in force: it waits for them.
    for (const dependency of this.store.knowledgeBaseDependencies)
      this.knowledgeBase.addResourceDependency(dependency);

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

  /** The configured store, as the `Default` child (so its logical ids carry no extra path segment). */
  private createStore(props: KnowledgeBaseProps): VectorStore & Construct {
    const common = {
      stage: props.stage,
      config: props.config,
      knowledgeBaseRole: this.role,
      retainData: props.retainData ?? false,
    };
    switch (props.config.vectorStore) {
      case 'opensearch-serverless':
        return new OpenSearchServerlessStore(this, 'Default', {
          ...common,
          ...(props.indexCreatorRoleArn ? { indexCreatorRoleArn: props.indexCreatorRoleArn } : {}),
        });
      case 's3-vectors':
        return new S3VectorsStore(this, 'Default', common);
      case 'aurora-pgvector':
        return new AuroraPgvectorStore(this, 'Default', {
          ...common,
          functionDefaults: props.functionDefaults ?? {
            logLevel: 'INFO',
            logRetentionDays: 14,
            retainLogs: props.retainData ?? false,
          },
        });
    }
  }
}
