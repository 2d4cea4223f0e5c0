import { z } from 'zod';
import { VECTOR_STORES } from '../../client/vector-stores';
import { DEFAULT_PARSING, ParsingSchema } from './parsing';

/** The only embedding model KASS wires: Amazon Titan Text Embeddings V2 (8,192 input tokens). */
export const TITAN_EMBED_TEXT_V2 = 'amazon.titan-embed-text-v2:0';

/** Vector sizes Titan Text Embeddings V2 can produce. */
export const EMBEDDING_DIMENSIONS = [1024, 512, 256] as const;

/** Bedrock's token limit for one chunk (and Titan V2's input limit). */
const MAX_CHUNK_TOKENS = 8192;

const tokens = (key: string) =>
  z
    .number()
    .int(`${key} must be a whole number of tokens`)
    .min(1, `${key} must be at least 1 token`)
    .max(MAX_CHUNK_TOKENS, `${key} must be at most ${MAX_CHUNK_TOKENS}: Bedrock rejects larger chunks`);

const fixedSize = z.strictObject({
  strategy: z.literal('FIXED_SIZE'),
  maxTokens: tokens('maxTokens'),
  overlapPercentage: z
    .number()
    .int('overlapPercentage must be a whole percentage')
    .min(1, 'overlapPercentage must be 1-99: Bedrock requires some overlap for FIXED_SIZE')
    .max(99, 'overlapPercentage must be 1-99: a chunk cannot overlap its neighbour completely'),
});

const hierarchical = z
  .strictObject({
    strategy: z.literal('HIERARCHICAL'),
    parentMaxTokens: tokens('parentMaxTokens'),
    childMaxTokens: tokens('childMaxTokens'),
    overlapTokens: z
      .number()
      .int('overlapTokens must be a whole number of tokens')
      .min(1, 'overlapTokens must be at least 1: Bedrock requires overlap between child chunks'),
  })
  .refine((c) => c.childMaxTokens < c.parentMaxTokens, {
    message:
      'chunking.childMaxTokens must be smaller than parentMaxTokens: child chunks are cut out of a parent',
    path: ['childMaxTokens'],
  });

const semantic = z.strictObject({
  strategy: z.literal('SEMANTIC'),
  maxTokens: tokens('maxTokens'),
  bufferSize: z
    .number()
    .int('bufferSize must be 0 or 1')
    .min(0, 'bufferSize must be 0 or 1 (sentences on each side compared for a breakpoint)')
    .max(1, 'bufferSize must be 0 or 1 (sentences on each side compared for a breakpoint)'),
  breakpointPercentileThreshold: z
    .number()
    .int('breakpointPercentileThreshold must be a whole percentile')
    .min(50, 'breakpointPercentileThreshold must be 50-99: Bedrock rejects lower thresholds')
    .max(99, 'breakpointPercentileThreshold must be 50-99: 100 would never split'),
});

const none = z.strictObject({ strategy: z.literal('NONE') });

/** How Bedrock splits documents. Immutable once the data source exists (see `chunking-lock.ts`). */
export const ChunkingSchema = z.discriminatedUnion('strategy', [fixedSize, hierarchical, semantic, none], {
  error: () => 'chunking.strategy must be one of FIXED_SIZE, HIERARCHICAL, SEMANTIC, NONE',
});

export type ChunkingConfig = z.infer<typeof ChunkingSchema>;

export const DEFAULT_CHUNKING: ChunkingConfig = {
  strategy: 'FIXED_SIZE',
  maxTokens: 512,
  overlapPercentage: 20,
};

/** An IANA time zone the runtime knows (EventBridge Scheduler accepts the same names). */
const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/**
 * EventBridge Scheduler cron: six fields (minutes hours day-of-month month day-of-week year) and a `?` in
 * day-of-month or day-of-week, because the two cannot both be given.
 */
const SCHEDULER_CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;
const isSchedulerCron = (expr: string): boolean => {
  const m = SCHEDULER_CRON.exec(expr);
  return m !== null && (m[3] === '?' || m[5] === '?');
};

const hnswParameter = (key: string, max: number) => {
  const message = `vectorIndex.${key} must be a whole number 2-${max} (faiss hnsw)`;
  return z.number().int(message).min(2, message).max(max, message);
};

const acu = (key: string, min: number) =>
  z
    .number()
    .min(min, `aurora.${key} must be at least ${min} ACU`)
    .max(256, `aurora.${key} must be at most 256 ACU`)
    .refine((n) => Number.isInteger(n * 2), `aurora.${key} must be a multiple of 0.5 ACU`);

/** Aurora Serverless v2 capacity. `minCapacityAcu: 0` lets the cluster pause when idle (no compute charge). */
const AuroraSchema = z
  .strictObject({
    minCapacityAcu: acu('minCapacityAcu', 0).default(0),
    maxCapacityAcu: acu('maxCapacityAcu', 1).default(2),
    /** Idle seconds before a cluster with minimum 0 pauses (Aurora allows 300-86,400). */
    autoPauseSeconds: z
      .number()
      .int('aurora.autoPauseSeconds must be a whole number of seconds')
      .min(300, 'aurora.autoPauseSeconds must be 300-86400 (Aurora auto-pause limits)')
      .max(86400, 'aurora.autoPauseSeconds must be 300-86400 (Aurora auto-pause limits)')
      .default(300),
  })
  .refine((a) => a.minCapacityAcu <= a.maxCapacityAcu, {
    message: 'aurora.minCapacityAcu must not exceed aurora.maxCapacityAcu',
    path: ['minCapacityAcu'],
  });

export const KnowledgeBaseConfigSchema = z.strictObject({
  embedding: z
    .strictObject({
      /** Changing the model or its dimensions replaces the knowledge base and needs a full re-sync. */
      model: z
        .literal(TITAN_EMBED_TEXT_V2, { error: () => `embedding.model must be ${TITAN_EMBED_TEXT_V2}` })
        .default(TITAN_EMBED_TEXT_V2),
      dimensions: z
        .literal(EMBEDDING_DIMENSIONS, {
          error: () =>
            `embedding.dimensions must be ${EMBEDDING_DIMENSIONS.join(', ')}: what Titan V2 produces`,
        })
        .default(1024),
    })
    .prefault({}),
  chunking: ChunkingSchema.default(DEFAULT_CHUNKING),
  /** HNSW graph parameters of the faiss index (higher: better recall, slower indexing and more memory). */
  vectorIndex: z
    .strictObject({
      m: hnswParameter('m', 100).default(16),
      efConstruction: hnswParameter('efConstruction', 4096).default(512),
      efSearch: hnswParameter('efSearch', 4096).default(512),
    })
    .prefault({}),
  /** OpenSearch Serverless standby replicas: off halves the OCU floor (dev); on survives an AZ loss (prod). */
  standbyReplicas: z.boolean(),
  network: z.strictObject({
    /**
     * `true` opens the collection endpoint to the internet (every request still needs SigV4 and a data-access
     * grant). It is what Bedrock and CloudFormation's index creation need unless you configure OpenSearch
     * Serverless VPC endpoints; `false` admits only Bedrock (`SourceServices`) and is not verified with the
     * CloudFormation-created index. No default: each stage states its choice.
     */
    allowFromPublic: z.boolean(),
  }),
  ingestion: z
    .strictObject({
      /** Seconds SQS gathers object events before invoking the ingest Lambda: a burst becomes one job. */
      batchWindowSeconds: z
        .number()
        .int()
        .min(0, 'ingestion.batchWindowSeconds must be 0-300 (the SQS event source limit)')
        .max(300, 'ingestion.batchWindowSeconds must be 0-300 (the SQS event source limit)')
        .default(60),
      /** Daily full sync, the safety net for any event that was missed. */
      dailySyncSchedule: z
        .string()
        .refine(isSchedulerCron, {
          message:
            'ingestion.dailySyncSchedule must be an EventBridge Scheduler cron with six fields and a ? in ' +
            'day-of-month or day-of-week, e.g. cron(0 3 * * ? *)',
        })
        .default('cron(0 3 * * ? *)'),
      scheduleTimezone: z
        .string()
        .refine(isTimeZone, {
          message: 'ingestion.scheduleTimezone must be an IANA time zone such as UTC or Europe/Berlin',
        })
        .default('UTC'),
    })
    .prefault({}),
  /**
   * Bump to replace the data source (new chunking). CloudFormation then creates a new data source, deletes
   * the old one with its vectors, and a full `kass sync` must follow.
   */
  dataSourceGeneration: z
    .number()
    .int('dataSourceGeneration must be a whole number')
    .min(1, 'dataSourceGeneration must be at least 1')
    .default(1),
  /**
   * Bump to replace the vector store: its resources, the knowledge base and the data source get new names
   * (`-g<n>`), so CloudFormation creates them beside the old ones and then deletes those with their vectors; a
   * full `kass sync` must follow. Needed for every setting that is fixed at creation (embedding model and
   * dimensions; on OpenSearch also HNSW m and efConstruction and standby replicas): `knowledge/
   * vector-store.lock.json` makes synth fail when one of them changes without a bump.
   */
  vectorStoreGeneration: z
    .number()
    .int('vectorStoreGeneration must be a whole number')
    .min(1, 'vectorStoreGeneration must be at least 1')
    .default(1),
  /**
   * Where the vectors live. Changing it replaces the knowledge base and its data source (names carry the store,
   * so the new one is built beside the old one): synth warns, and a full `kass sync` must follow the deploy.
   */
  vectorStore: z
    .enum(VECTOR_STORES, { error: () => `vectorStore must be one of ${VECTOR_STORES.join(', ')}` })
    .default('opensearch-serverless'),
  /** Aurora PostgreSQL Serverless v2 (vectorStore 'aurora-pgvector'). */
  aurora: AuroraSchema.prefault({}),
  /** How documents are parsed before chunking; like chunking, fixed once the data source exists. */
  parsing: ParsingSchema.default(DEFAULT_PARSING),
});

/** The faiss HNSW method of the vector field (faiss, not nmslib: Bedrock ignores metadata filters on nmslib). */
export const VECTOR_METHOD = { engine: 'faiss', name: 'hnsw', spaceType: 'l2' } as const;

/** The OpenSearch Serverless collection type Bedrock knowledge bases use. */
export const COLLECTION_TYPE = 'VECTORSEARCH';

export type KnowledgeBaseConfig = z.infer<typeof KnowledgeBaseConfigSchema>;
export type KnowledgeBaseConfigInput = z.input<typeof KnowledgeBaseConfigSchema>;

/** Dev: no standby replicas (half the OCU floor); public endpoint because no VPC endpoints exist. */
export const DEV_KNOWLEDGE_BASE: KnowledgeBaseConfigInput = {
  standbyReplicas: false,
  network: { allowFromPublic: true },
};

/** Prod: standby replicas for AZ resilience; public endpoint (IAM + data policy) until VPC endpoints exist. */
export const PROD_KNOWLEDGE_BASE: KnowledgeBaseConfigInput = {
  standbyReplicas: true,
  network: { allowFromPublic: true },
  // Aurora store: no pause in prod (the first query after a pause waits ~15 s while the cluster resumes).
  aurora: { minCapacityAcu: 0.5 },
};
