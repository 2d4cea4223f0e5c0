import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * The PostgreSQL schema Bedrock Knowledge Bases needs on Aurora (pgvector), as idempotent statements sent one
 * per Data API call. Pure: the names are shared with the CDK construct (the knowledge base's field mapping must
 * name the same table and columns), the statements with the custom-resource Lambda that runs them.
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

export interface SchemaSettings {
  /** The embedding dimension (the `vector(n)` column). */
  readonly dimensions: number;
  readonly hnswM: number;
  readonly hnswEfConstruction: number;
}

const positiveInt = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number ${min}-${max} (got ${value})`);
  return value;
};

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's `rolpassword` format) for `password`: PostgreSQL stores
 * it as given, so the password itself never appears in a statement. `salt` is random unless given (tests).
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A SQL string literal (standard quoting: single quotes doubled; the verifier is base64 anyway). */
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The statements, in order, each idempotent (`IF NOT EXISTS`, a role created only when missing), so a
 * redeploy or a retried deploy runs them again safely. The table belongs to the master user; Bedrock's user gets
 * exactly what ingestion and retrieval need on it.
 */
export function schemaStatements(settings: SchemaSettings, passwordVerifier: string): string[] {
  const dims = positiveInt('dimensions', settings.dimensions, 1, 16_000);
  const m = positiveInt('hnswM', settings.hnswM, HNSW_LIMITS.m.min, HNSW_LIMITS.m.max);
  const ef = positiveInt(
    'hnswEfConstruction',
    settings.hnswEfConstruction,
    HNSW_LIMITS.efConstruction.min,
    HNSW_LIMITS.efConstruction.max,
  );
  if (!passwordVerifier.startsWith('SCRAM-SHA-256$')) throw new Error('expected a SCRAM-SHA-256 verifier');
  const { schema, table, user, fields: f } = PGVECTOR_SCHEMA;
  return [
    'CREATE EXTENSION IF NOT EXISTS vector',
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN; END IF; END $$`,
    `ALTER ROLE ${user} WITH LOGIN PASSWORD ${literal(passwordVerifier)}`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${user}`,
    `CREATE TABLE IF NOT EXISTS ${PGVECTOR_TABLE} (${f.primaryKey} uuid PRIMARY KEY, ${f.vector} vector(${dims}), ` +
      `${f.text} text, ${f.metadata} json, ${f.customMetadata} jsonb)`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${PGVECTOR_TABLE} TO ${user}`,
    // Semantic search: HNSW with cosine distance on the embedding.
    `CREATE INDEX IF NOT EXISTS ${table}_${f.vector}_hnsw ON ${PGVECTOR_TABLE} USING hnsw ` +
      `(${f.vector} vector_cosine_ops) WITH (m = ${m}, ef_construction = ${ef})`,
    // Keyword half of HYBRID search: Bedrock requires this full-text index on the chunk text.
    `CREATE INDEX IF NOT EXISTS ${table}_${f.text}_fts ON ${PGVECTOR_TABLE} USING gin (to_tsvector('simple', ${f.text}))`,
    // Metadata filters on the sidecar attributes.
    `CREATE INDEX IF NOT EXISTS ${table}_${f.customMetadata}_gin ON ${PGVECTOR_TABLE} USING gin (${f.customMetadata})`,
  ];
}

/** Reads the type of the embedding column back (`vector(1024)`), to catch a table made for another dimension. */
export const EMBEDDING_TYPE_QUERY =
  `SELECT format_type(atttypid, atttypmod) FROM pg_attribute ` +
  `WHERE attrelid = '${PGVECTOR_TABLE}'::regclass AND attname = '${PGVECTOR_SCHEMA.fields.vector}'`;

/** Undefined when the column matches, else what to do about it. */
export function dimensionMismatch(columnType: string | undefined, dimensions: number): string | undefined {
  if (columnType === `vector(${dimensions})`) return undefined;
  return (
    `${PGVECTOR_TABLE}.${PGVECTOR_SCHEMA.fields.vector} is ${columnType ?? 'missing'} but the knowledge base ` +
    `embeds ${dimensions} dimensions. A new dimension needs a new store: drop the table (its vectors are ` +
    'rebuilt by a full `kass sync`) or deploy a new cluster.'
  );
}
