import { z } from 'zod';
import { contentHash } from './content-hash';
import { type ChunkingConfig, ChunkingSchema, type KnowledgeBaseConfig } from './knowledge-config';
import { readLockFile, writeLockFile } from './lock-file';

/**
 * Bedrock cannot change a data source's chunking after it is created, and CloudFormation would only fail at
 * deploy time. The lock file records, per stage, the chunking each data-source generation was created with,
 * so a changed chunking fails synth with instructions instead.
 */

const LockEntrySchema = z.strictObject({
  generation: z.number().int().min(1),
  chunkingHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  chunking: ChunkingSchema,
});

export const ChunkingLockSchema = z.record(z.string(), LockEntrySchema);

export type ChunkingLockEntry = z.infer<typeof LockEntrySchema>;
export type ChunkingLock = z.infer<typeof ChunkingLockSchema>;

export type ChunkingLockCheck =
  /** The lock matches the configuration: nothing to do. */
  | { readonly status: 'ok' }
  /** No entry for the stage yet, or a new generation: write `entry` into the lock. */
  | { readonly status: 'first-use' | 'new-generation'; readonly entry: ChunkingLockEntry }
  /** The chunking would change under an existing data source: fail synth with `message`. */
  | { readonly status: 'mismatch'; readonly message: string };

/** sha256 of the canonical chunking JSON. */
export function chunkingHash(chunking: ChunkingConfig): string {
  return contentHash(chunking);
}

/** The lock entry the given knowledge-base configuration would record. */
export function lockEntryFor(kb: KnowledgeBaseConfig): ChunkingLockEntry {
  return {
    generation: kb.dataSourceGeneration,
    chunkingHash: chunkingHash(kb.chunking),
    chunking: kb.chunking,
  };
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
  if (entry.chunkingHash === locked.chunkingHash) return { status: 'ok' };
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
