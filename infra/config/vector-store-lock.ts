import { z } from 'zod';
import { canonicalJson, contentHash } from './content-hash';
import { COLLECTION_TYPE, type KnowledgeBaseConfig, VECTOR_METHOD } from './knowledge-config';
import { readLockFile, writeLockFile } from './lock-file';

/**
 * The settings fixed when a stage's vector store is created. OpenSearch rejects a changed dimension, engine or
 * HNSW graph parameter on an existing index, and CloudFormation replaces a collection (standby replicas) or a
 * knowledge base (embedding model, dimensions) under the same name, which collides with the old one. The lock
 * records, per stage, the store and the settings each vector-store generation was created with, so a change
 * fails synth naming the keys and the way out (`knowledgeBase.vectorStoreGeneration`). Changing the store
 * itself needs no bump: the knowledge base of another store has another name (see `knowledgeBaseNameFor`).
 */
const VectorStoreSettingsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export type VectorStoreSettings = z.infer<typeof VectorStoreSettingsSchema>;

const LockEntrySchema = z.strictObject({
  generation: z.number().int().min(1),
  settingsHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  settings: VectorStoreSettingsSchema,
});

export const VectorStoreLockSchema = z.record(z.string(), LockEntrySchema);

export type VectorStoreLockEntry = z.infer<typeof LockEntrySchema>;
export type VectorStoreLock = z.infer<typeof VectorStoreLockSchema>;

export type VectorStoreLockCheck =
  | { readonly status: 'ok' }
  | { readonly status: 'first-use' | 'new-generation' | 'new-store'; readonly entry: VectorStoreLockEntry }
  | { readonly status: 'mismatch'; readonly message: string };

/** The creation-time settings of a knowledge-base configuration, keyed as a user finds them in the config. */
export function vectorStoreSettings(kb: KnowledgeBaseConfig): VectorStoreSettings {
  const common = {
    vectorStore: kb.vectorStore,
    'embedding.model': kb.embedding.model,
    'embedding.dimensions': kb.embedding.dimensions,
  };
  if (kb.vectorStore !== 'opensearch-serverless') return common;
  return {
    ...common,
    'vectorIndex.engine': VECTOR_METHOD.engine,
    'vectorIndex.method': VECTOR_METHOD.name,
    'vectorIndex.spaceType': VECTOR_METHOD.spaceType,
    'vectorIndex.m': kb.vectorIndex.m,
    'vectorIndex.efConstruction': kb.vectorIndex.efConstruction,
    collectionType: COLLECTION_TYPE,
    standbyReplicas: kb.standbyReplicas,
  };
}

/** The store a lock entry was recorded for (entries written before stores were configurable: OpenSearch). */
const storeOf = (settings: VectorStoreSettings): string =>
  typeof settings.vectorStore === 'string' ? settings.vectorStore : 'opensearch-serverless';

/** The lock entry the given configuration would record. */
export function vectorStoreLockEntryFor(kb: KnowledgeBaseConfig): VectorStoreLockEntry {
  const settings = vectorStoreSettings(kb);
  return { generation: kb.vectorStoreGeneration, settingsHash: contentHash(settings), settings };
}

/** Compares a stage's vector-store settings with the lock. Pure: the caller writes or throws. */
export function checkVectorStoreLock(
  stage: string,
  kb: KnowledgeBaseConfig,
  lock: VectorStoreLock,
): VectorStoreLockCheck {
  const entry = vectorStoreLockEntryFor(kb);
  const locked = lock[stage];
  if (!locked) return { status: 'first-use', entry };
  if (entry.generation > locked.generation) return { status: 'new-generation', entry };
  // Another store builds another knowledge base under another name: nothing collides, record it.
  if (entry.generation === locked.generation && storeOf(entry.settings) !== storeOf(locked.settings))
    return { status: 'new-store', entry };
  const next = locked.generation + 1;
  if (entry.generation < locked.generation) {
    return {
      status: 'mismatch',
      message:
        `knowledgeBase.vectorStoreGeneration is ${entry.generation} but stage '${stage}' is already at generation ` +
        `${locked.generation} (knowledge/vector-store.lock.json). Generations only go up: set it to ` +
        `${locked.generation} to keep the current vector store, or ${next} to replace it.`,
    };
  }
  if (entry.settingsHash === locked.settingsHash) return { status: 'ok' };
  const keys = [...new Set([...Object.keys(entry.settings), ...Object.keys(locked.settings)])];
  const changed = keys.filter(
    (key) =>
      key !== 'vectorStore' && canonicalJson(entry.settings[key]) !== canonicalJson(locked.settings[key]),
  );
  // Entries recorded before the store was part of the settings hash the same values differently.
  if (changed.length === 0) return { status: 'ok' };
  const describe = (key: string) =>
    `${configKey(key)}: ${JSON.stringify(locked.settings[key])} → ${JSON.stringify(entry.settings[key])}`;
  return {
    status: 'mismatch',
    message:
      `${changed.map(describe).join('; ')} (stage '${stage}'). These are fixed when the vector store (generation ` +
      `${locked.generation}) is created: OpenSearch rejects them on an existing index, and a collection or ` +
      'knowledge base replaced under the same name collides with the old one. Either restore the previous ' +
      `value${changed.length > 1 ? 's' : ''}, or set knowledgeBase.vectorStoreGeneration to ${next}: the deploy ` +
      'then creates a new collection, index, knowledge base and data source beside the old ones, deletes the old ' +
      'ones with their vectors and moves the agent alias to them; run a full `kass sync` after it.',
  };
}

/** Lock settings that come from code constants (`VECTOR_METHOD`, `COLLECTION_TYPE`), not from the stage config. */
const CODE_CONSTANTS: ReadonlySet<string> = new Set([
  'vectorIndex.engine',
  'vectorIndex.method',
  'vectorIndex.spaceType',
  'collectionType',
]);

/** The key of a lock setting as the user finds it. */
const configKey = (key: string): string =>
  CODE_CONSTANTS.has(key) ? `${key} (infra/config/knowledge-config.ts)` : `knowledgeBase.${key}`;

export const readVectorStoreLock = (path: string): VectorStoreLock =>
  readLockFile(path, VectorStoreLockSchema);

export const writeVectorStoreLock = (path: string, lock: VectorStoreLock): void => writeLockFile(path, lock);
