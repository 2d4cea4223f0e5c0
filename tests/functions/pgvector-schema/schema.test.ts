import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  dimensionMismatch,
  EMBEDDING_TYPE_QUERY,
  PGVECTOR_TABLE,
  schemaStatements,
  scramVerifier,
} from '../../../functions/pgvector-schema/schema';

const SETTINGS = { dimensions: 1024, hnswM: 16, hnswEfConstruction: 512 };
const VERIFIER = scramVerifier('s3cret-Passw0rd', Buffer.alloc(16, 7));

describe('pgvector schema', () => {
  it('produces a verifier PostgreSQL accepts: it checks the RFC 7677 client proof for "pencil"', () => {
    // Prepare: the exchange of RFC 7677 §3 (user "user", password "pencil").
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    // Act
    const verifier = scramVerifier('pencil', salt, 4096);
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    const storedKey = Buffer.from(match?.[2] ?? '', 'base64');
    const serverKey = Buffer.from(match?.[3] ?? '', 'base64');
    // Assess: the server side of the exchange, as PostgreSQL runs it with the stored verifier.
    expect(match?.[1]).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (clientSignature[i] ?? 0)));
    expect(createHash('sha256').update(clientKey).digest()).toEqual(storedKey);
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe(
      '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it('never puts the password into a statement', () => {
    const statements = schemaStatements(SETTINGS, scramVerifier('s3cret-Passw0rd'));
    expect(statements.join('\n')).not.toContain('s3cret-Passw0rd');
  });

  it('creates the extension, schema, user, table and the three indexes Bedrock requires, each idempotent', () => {
    const statements = schemaStatements(SETTINGS, VERIFIER);
    expect(statements).toEqual([
      'CREATE EXTENSION IF NOT EXISTS vector',
      'CREATE SCHEMA IF NOT EXISTS bedrock_integration',
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bedrock_user') THEN CREATE ROLE bedrock_user LOGIN; END IF; END $$",
      `ALTER ROLE bedrock_user WITH LOGIN PASSWORD '${VERIFIER}'`,
      'GRANT USAGE ON SCHEMA bedrock_integration TO bedrock_user',
      'CREATE TABLE IF NOT EXISTS bedrock_integration.bedrock_kb (id uuid PRIMARY KEY, embedding vector(1024), chunks text, metadata json, custom_metadata jsonb)',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON bedrock_integration.bedrock_kb TO bedrock_user',
      'CREATE INDEX IF NOT EXISTS bedrock_kb_embedding_hnsw ON bedrock_integration.bedrock_kb USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 512)',
      "CREATE INDEX IF NOT EXISTS bedrock_kb_chunks_fts ON bedrock_integration.bedrock_kb USING gin (to_tsvector('simple', chunks))",
      'CREATE INDEX IF NOT EXISTS bedrock_kb_custom_metadata_gin ON bedrock_integration.bedrock_kb USING gin (custom_metadata)',
    ]);
    for (const sql of statements.filter((s) => s.startsWith('CREATE ')))
      expect(sql).toMatch(/^CREATE (EXTENSION|SCHEMA|TABLE|INDEX) IF NOT EXISTS /);
  });

  it.each([
    [{ ...SETTINGS, dimensions: 0 }, /dimensions must be a whole number 1-16000/],
    [{ ...SETTINGS, dimensions: 1.5 }, /dimensions/],
    [{ ...SETTINGS, hnswM: 101 }, /hnswM must be a whole number 2-100/],
    [{ ...SETTINGS, hnswEfConstruction: 1001 }, /hnswEfConstruction must be a whole number 4-1000/],
  ])('refuses settings pgvector would reject: %j', (settings, message) => {
    expect(() => schemaStatements(settings, VERIFIER)).toThrow(message);
  });

  it('accepts exactly the HNSW limits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 0, max: 120 }), (ef, m) => {
        const ok = ef >= 4 && ef <= 1000 && m >= 2 && m <= 100;
        const run = () => schemaStatements({ dimensions: 8, hnswM: m, hnswEfConstruction: ef }, VERIFIER);
        if (ok) expect(run).not.toThrow();
        else expect(run).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('only accepts a SCRAM verifier where the password goes', () => {
    expect(() => schemaStatements(SETTINGS, "x'; DROP TABLE y; --")).toThrow(
      'expected a SCRAM-SHA-256 verifier',
    );
  });

  it('reads the embedding column type back and explains a dimension mismatch', () => {
    expect(EMBEDDING_TYPE_QUERY).toContain(`'${PGVECTOR_TABLE}'::regclass`);
    expect(dimensionMismatch('vector(1024)', 1024)).toBeUndefined();
    expect(dimensionMismatch('vector(512)', 1024)).toMatch(
      /is vector\(512\) but the knowledge base embeds 1024/,
    );
    expect(dimensionMismatch(undefined, 1024)).toMatch(/is missing/);
  });
});
