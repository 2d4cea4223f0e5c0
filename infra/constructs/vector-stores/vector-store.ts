import type { CfnResource } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { VectorStoreKind } from '../../../client/vector-stores';
import type { KnowledgeBaseConfig } from '../../config/knowledge-config';

/**
 * What the knowledge base needs from its vector store, whatever the store: the storage configuration, what
 * its service role must be allowed, and what must exist before the knowledge base is created. One construct per
 * store implements it (`opensearch-serverless.ts`, `s3-vectors.ts`, `aurora-pgvector.ts`); `KnowledgeBase` picks
 * one by `knowledgeBase.vectorStore` and stays the same for all of them (data source, ingestion, agent, /search).
 */
export interface VectorStore {
  readonly kind: VectorStoreKind;
  /** `CfnKnowledgeBase.StorageConfiguration`: changing it replaces the knowledge base. */
  readonly storageConfiguration: bedrock.CfnKnowledgeBase.StorageConfigurationProperty;
  /** Statements the knowledge-base role needs to read and write vectors (in its inline policy). */
  readonly roleStatements: readonly iam.PolicyStatement[];
  /** cdk-nag acknowledgements on the knowledge-base role for wildcards those statements need. */
  readonly roleAcknowledgements: readonly { readonly id: string; readonly reason: string }[];
  /** Resources the knowledge base only names (an index, a schema): it is created after them. */
  readonly knowledgeBaseDependencies: readonly CfnResource[];
}

export interface VectorStoreProps {
  /** Stage name: physical names derive from it. */
  readonly stage: string;
  readonly config: KnowledgeBaseConfig;
  /** The knowledge base's service role (a store may have to name it, e.g. in a data-access policy). */
  readonly knowledgeBaseRole: iam.IRole;
  /** Keep data and turn on deletion protection (prod). */
  readonly retainData: boolean;
}
