import { type CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';
import type { VectorStore, VectorStoreProps } from './vector-store';

/**
 * Metadata keys Bedrock writes with every vector that must not count as filterable metadata: the chunk text and
 * Bedrock's own metadata. Filterable metadata is limited to 2 KB per vector; a 512-token chunk alone is bigger,
 * so without these two keys ingestion fails ("Filterable metadata must have at most 2048 bytes"). Fixed at index
 * creation (a change replaces the index).
 */
export const BEDROCK_NON_FILTERABLE_KEYS = ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] as const;

/**
 * What Bedrock does with the index: read its configuration, write, read and delete vectors (re-ingesting a
 * changed document deletes its old vectors first) and query. Nothing on the bucket itself.
 */
export const S3_VECTORS_KNOWLEDGE_BASE_ACTIONS = [
  's3vectors:GetIndex',
  's3vectors:PutVectors',
  's3vectors:GetVectors',
  's3vectors:DeleteVectors',
  's3vectors:QueryVectors',
] as const;

/**
 * The vector store on S3 Vectors: a vector bucket (SSE-S3) with one float32 cosine index of the embedding
 * dimension. Billed by storage, writes and queries: no floor. Semantic search only (no text index, so no
 * HYBRID); query latency is about 100 ms for frequent queries, under a second otherwise. Names are generated
 * by CloudFormation, so a replacement (a new dimension) never collides with the index it replaces.
 */
export class S3VectorsStore extends Construct implements VectorStore {
  public readonly kind = 's3-vectors' as const;
  public readonly vectorBucket: s3vectors.CfnVectorBucket;
  public readonly index: s3vectors.CfnIndex;
  public readonly storageConfiguration: bedrock.CfnKnowledgeBase.StorageConfigurationProperty;
  public readonly roleStatements: readonly iam.PolicyStatement[];
  public readonly roleAcknowledgements: readonly { readonly id: string; readonly reason: string }[] = [];
  public readonly knowledgeBaseDependencies: readonly CfnResource[] = [];

  constructor(scope: Construct, id: string, props: VectorStoreProps) {
    super(scope, id);
    // Vectors are derived from the documents bucket: a full `kass sync` rebuilds them, so they are not retained.
    const removalPolicy = RemovalPolicy.DESTROY;

    this.vectorBucket = new s3vectors.CfnVectorBucket(this, 'VectorBucket', {
      encryptionConfiguration: { sseType: 'AES256' },
    });
    this.vectorBucket.applyRemovalPolicy(removalPolicy);

    this.index = new s3vectors.CfnIndex(this, 'Index', {
      // By ARN, so the index is ordered after the bucket.
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      dataType: 'float32',
      dimension: props.config.embedding.dimensions,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: [...BEDROCK_NON_FILTERABLE_KEYS] },
    });
    this.index.applyRemovalPolicy(removalPolicy);

    this.roleStatements = [
      new iam.PolicyStatement({
        sid: 'VectorStore',
        actions: [...S3_VECTORS_KNOWLEDGE_BASE_ACTIONS],
        resources: [this.index.attrIndexArn],
      }),
    ];
    // The index ARN is a reference: the knowledge base is created after the index without an explicit order.
    this.storageConfiguration = {
      type: 'S3_VECTORS',
      s3VectorsConfiguration: { indexArn: this.index.attrIndexArn },
    };
  }
}
