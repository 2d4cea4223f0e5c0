/**
 * The vector stores a KASS knowledge base can sit on, and what each can do. Pure and dependency-free: the
 * infrastructure config validates against it, the construct publishes the store through {@link VECTOR_STORE_ENV}
 * (Lambdas) and the `KnowledgeBaseVectorStore` stack output (CLI), and every Retrieve caller asks
 * {@link supportsHybridSearch} before sending `overrideSearchType: HYBRID`.
 */

export const VECTOR_STORES = ['opensearch-serverless', 's3-vectors', 'aurora-pgvector'] as const;
export type VectorStoreKind = (typeof VECTOR_STORES)[number];

/** Environment variable that tells a Lambda which store its knowledge base uses. */
export const VECTOR_STORE_ENV = 'KNOWLEDGE_BASE_VECTOR_STORE';

/** CloudFormation output key with the same value, for the CLI. */
export const VECTOR_STORE_OUTPUT = 'KnowledgeBaseVectorStore';

export const VECTOR_STORE_LABELS: Readonly<Record<VectorStoreKind, string>> = {
  'opensearch-serverless': 'OpenSearch Serverless',
  's3-vectors': 'S3 Vectors',
  'aurora-pgvector': 'Aurora PostgreSQL (pgvector)',
};

/**
 * Bedrock runs HYBRID (semantic + keyword) retrieval on stores with a searchable text field: OpenSearch
 * Serverless (the index's text field) and Aurora (the GIN index on `to_tsvector(chunks)`). S3 Vectors is
 * vector-only.
 */
const HYBRID: Readonly<Record<VectorStoreKind, boolean>> = {
  'opensearch-serverless': true,
  's3-vectors': false,
  'aurora-pgvector': true,
};

export function isVectorStoreKind(value: unknown): value is VectorStoreKind {
  return typeof value === 'string' && (VECTOR_STORES as readonly string[]).includes(value);
}

export function supportsHybridSearch(store: VectorStoreKind): boolean {
  return HYBRID[store];
}

/** The answer to a hybrid request on a store that cannot do it (the same words for CLI, API and tools). */
export function hybridNotSupportedMessage(store: VectorStoreKind): string {
  return (
    `hybrid search is not supported by this knowledge base's vector store (${VECTOR_STORE_LABELS[store]}): ` +
    'it searches by meaning only; drop the hybrid option'
  );
}
