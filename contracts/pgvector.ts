/**
 * The PostgreSQL schema Bedrock Knowledge Bases needs on Aurora (pgvector), as idempotent statements sent one
 * per Data API call. The names, written once: the knowledge base's field mapping (the construct) and the
 * statements (`functions/pgvector-schema/schema.ts`) name the same table and columns.
 */
export const PGVECTOR_SCHEMA = {
  /** Database created with the cluster. */
  database: 'kass',
  schema: 'bedrock_integration',
  table: 'bedrock_kb',
  /** The login Bedrock uses (its password lives in Secrets Manager; only a SCRAM verifier reaches the SQL). */
  user: 'bedrock_user',
  fields: {
    primaryKey: 'id',
    vector: 'embedding',
    text: 'chunks',
    metadata: 'metadata',
    customMetadata: 'custom_metadata',
  },
} as const;

/** `bedrock_integration.bedrock_kb`, as the knowledge base's `tableName` names it. */
export const PGVECTOR_TABLE = `${PGVECTOR_SCHEMA.schema}.${PGVECTOR_SCHEMA.table}`;

/** pgvector's HNSW parameter limits. */
export const HNSW_LIMITS = { m: { min: 2, max: 100 }, efConstruction: { min: 4, max: 1000 } } as const;
