import { z } from 'zod';
import { VECTOR_STORE_LABELS, VECTOR_STORES, type VectorStoreKind } from '../../client/vector-stores';
import { contentHash } from './content-hash';
import { type ChunkingConfig, ChunkingSchema, type KnowledgeBaseConfig } from './knowledge-config';
import { readLockFile, writeLockFile } from './lock-file';
import { PARSER_MODELS, PARSING_STRATEGIES, type ParsingConfig } from './parsing';

/**
 * Bedrock cannot change a data source's chunking or parsing after it is created, and CloudFormation would only
 * fail at deploy time. The lock file records, per stage, the chunking and parsing each data-source generation was
 * created with, and the vector store it was created on, so a changed chunking or parsing fails synth with
 * instructions instead. A changed vector store is allowed (it replaces the knowledge base and its data source,
 * so chunking and parsing may change with it): it is reported as `store-changed` for synth to warn about.
 */

/** What the lock keeps of the parsing: the prompt by its hash (it can be 10,000 characters). */
const LockedParsingSchema = z.strictObject({
  strategy: z.enum(PARSING_STRATEGIES),
  model: z.enum(PARSER_MODELS).optional(),
  promptSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest')
    .optional(),
});
export type LockedParsing = z.infer<typeof LockedParsingSchema>;

const LockEntrySchema = z.strictObject({
  generation: z.number().int().min(1),
  chunkingHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  chunking: ChunkingSchema,
  /** Absent in entries written before parsing was configurable: those data sources use the default parser. */
  parsing: LockedParsingSchema.optional(),
  /** Absent in entries written before the store was configurable: those are on OpenSearch Serverless. */
  vectorStore: z.enum(VECTOR_STORES).optional(),
});

export const ChunkingLockSchema = z.record(z.string(), LockEntrySchema);

export type ChunkingLockEntry = z.infer<typeof LockEntrySchema>;
export type ChunkingLock = z.infer<typeof ChunkingLockSchema>;

export type ChunkingLockCheck =
  /** The lock matches the configuration: nothing to do. */
  | { readonly status: 'ok' }
  /** No entry for the stage yet, or a new generation: write `entry` into the lock. */
  | { readonly status: 'first-use' | 'new-generation'; readonly entry: ChunkingLockEntry }
  /** The chunking or parsing would change under an existing data source: fail synth with `message`. */
  | { readonly status: 'mismatch'; readonly message: string }
  /** The vector store changes: the knowledge base is replaced. Record `entry`, warn with `message`. */
  | { readonly status: 'store-changed'; readonly entry: ChunkingLockEntry; readonly message: string };

/** sha256 of the canonical chunking JSON. */
export function chunkingHash(chunking: ChunkingConfig): string {
  return contentHash(chunking);
}

/** The parsing as the lock keeps it. */
export function lockedParsing(parsing: ParsingConfig): LockedParsing {
  if (parsing.strategy !== 'foundation-model') return { strategy: parsing.strategy };
  return { strategy: parsing.strategy, model: parsing.model, promptSha256: contentHash(parsing.prompt) };
}

const DEFAULT_LOCKED_PARSING: LockedParsing = { strategy: 'default' };
const sameParsing = (a: LockedParsing, b: LockedParsing): boolean => contentHash(a) === contentHash(b);

/** The lock entry the given knowledge-base configuration would record. */
export function lockEntryFor(kb: KnowledgeBaseConfig): ChunkingLockEntry {
  return {
    generation: kb.dataSourceGeneration,
    chunkingHash: chunkingHash(kb.chunking),
    chunking: kb.chunking,
    parsing: lockedParsing(kb.parsing),
    vectorStore: kb.vectorStore,
  };
}

/** The synth warning for a store change (a CDK annotation on the knowledge base). */
export function storeChangeMessage(stage: string, from: VectorStoreKind, to: VectorStoreKind): string {
  return (
    `knowledgeBase.vectorStore of stage '${stage}' changes from ${VECTOR_STORE_LABELS[from]} to ` +
    `${VECTOR_STORE_LABELS[to]}: the deploy creates a new knowledge base and data source on the new store and ` +
    'deletes the old ones with their vectors (the agent, /search and the ingestion pipeline move to the new one). ' +
    'Run a full `kass sync` after the deploy; until it finishes, the knowledge base answers from no documents.'
  );
}

/**
 * Compares a stage's configured chunking with the lock. Pure: the caller writes the lock on
 * `first-use`/`new-generation` and turns `mismatch` into a ConfigError.
 */
export function checkChunkingLock(
  stage: string,
  kb: KnowledgeBaseConfig,
  lock: ChunkingLock,
): ChunkingLockCheck {
  const entry = lockEntryFor(kb);
  const locked = lock[stage];
  if (!locked) return { status: 'first-use', entry };
  const lockedStore = locked.vectorStore ?? 'opensearch-serverless';
  if (lockedStore !== kb.vectorStore) {
    return {
      status: 'store-changed',
      entry: { ...entry, generation: Math.max(entry.generation, locked.generation) },
      message: storeChangeMessage(stage, lockedStore, kb.vectorStore),
    };
  }
  if (entry.generation > locked.generation) return { status: 'new-generation', entry };
  if (entry.generation < locked.generation) {
    return {
      status: 'mismatch',
      message:
        `knowledgeBase.dataSourceGeneration is ${entry.generation} but stage '${stage}' is already at generation ` +
        `${locked.generation} (knowledge/chunking.lock.json). Generations only go up: set it to ` +
        `${locked.generation} to keep the current data source, or ${locked.generation + 1} to replace it.`,
    };
  }
  const parsingLocked = locked.parsing ?? DEFAULT_LOCKED_PARSING;
  if (entry.chunkingHash === locked.chunkingHash && sameParsing(parsingLocked, lockedParsing(kb.parsing)))
    return { status: 'ok' };
  if (entry.chunkingHash === locked.chunkingHash) {
    return {
      status: 'mismatch',
      message:
        `knowledgeBase.parsing of stage '${stage}' differs from the parsing its data source (generation ` +
        `${locked.generation}) was created with, and parsing cannot change after the data source is created. ` +
        `Either restore the previous parsing: ${JSON.stringify(parsingLocked)}${parsingLocked.promptSha256 ? ' (the prompt whose sha256 that is)' : ''}; ` +
        `or bump knowledgeBase.dataSourceGeneration to ${locked.generation + 1}, which replaces the data source ` +
        '(its vectors are deleted) and needs a full `kass sync` after the deploy.',
    };
  }
  return {
    status: 'mismatch',
    message:
      `knowledgeBase.chunking of stage '${stage}' differs from the chunking its data source (generation ` +
      `${locked.generation}) was created with, and chunking cannot change after the data source is created. ` +
      `Either restore the previous chunking: ${JSON.stringify(locked.chunking)}; or bump ` +
      `knowledgeBase.dataSourceGeneration to ${locked.generation + 1}, which replaces the data source ` +
      `(its vectors are deleted) and needs a full \`kass sync\` after the deploy.`,
  };
}

/** Reads the lock file; a missing file is an empty lock. Throws a ConfigError for a malformed file. */
export const readChunkingLock = (path: string): ChunkingLock => readLockFile(path, ChunkingLockSchema);

/** Writes the lock with stages in name order, formatted as the repository's formatter keeps JSON. */
export const writeChunkingLock = (path: string, lock: ChunkingLock): void => writeLockFile(path, lock);
