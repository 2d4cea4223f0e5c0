import fc from 'fast-check';
import { ConfigError, describeIssues, parseOrThrow } from '../../../infra/config/config-error';
import {
  DEFAULT_CHUNKING,
  DEV_KNOWLEDGE_BASE,
  KnowledgeBaseConfigSchema,
  PROD_KNOWLEDGE_BASE,
  TITAN_EMBED_TEXT_V2,
} from '../../../infra/config/knowledge-config';
import { DEFAULT_PARSING_PROMPT } from '../../../infra/config/parsing';

const parse = (overrides: Record<string, unknown> = {}) =>
  KnowledgeBaseConfigSchema.safeParse({ ...DEV_KNOWLEDGE_BASE, ...overrides });

/** `key: message` lines, as a ConfigError would print them. */
const problems = (overrides: Record<string, unknown>) => {
  const result = parse(overrides);
  if (result.success) throw new Error(`expected ${JSON.stringify(overrides)} to be rejected`);
  return describeIssues(result.error);
};

describe('Schema: KnowledgeBaseConfigSchema', () => {
  it('fills the defaults: Titan V2 at 1024 dimensions, FIXED_SIZE 512/20, hnsw 16/512/512, daily 03:00 UTC', () => {
    // Act
    const config = KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE);
    // Assess
    expect(config).toEqual({
      embedding: { model: TITAN_EMBED_TEXT_V2, dimensions: 1024 },
      chunking: { strategy: 'FIXED_SIZE', maxTokens: 512, overlapPercentage: 20 },
      vectorIndex: { m: 16, efConstruction: 512, efSearch: 512 },
      standbyReplicas: false,
      network: { allowFromPublic: true },
      ingestion: { batchWindowSeconds: 60, dailySyncSchedule: 'cron(0 3 * * ? *)', scheduleTimezone: 'UTC' },
      dataSourceGeneration: 1,
      vectorStoreGeneration: 1,
      vectorStore: 'opensearch-serverless',
      aurora: { minCapacityAcu: 0, maxCapacityAcu: 2, autoPauseSeconds: 300 },
      parsing: { strategy: 'default' },
    });
  });

  it('turns standby replicas on in prod only', () => {
    expect(KnowledgeBaseConfigSchema.parse(PROD_KNOWLEDGE_BASE).standbyReplicas).toBe(true);
    expect(KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE).standbyReplicas).toBe(false);
  });

  it('requires the network decision to be explicit', () => {
    expect(problems({ network: undefined })).toEqual([expect.stringMatching(/^network: /)]);
  });

  it.each([
    { strategy: 'FIXED_SIZE', maxTokens: 300, overlapPercentage: 10 },
    { strategy: 'HIERARCHICAL', parentMaxTokens: 1500, childMaxTokens: 300, overlapTokens: 60 },
    { strategy: 'SEMANTIC', maxTokens: 300, bufferSize: 0, breakpointPercentileThreshold: 95 },
    { strategy: 'NONE' },
  ])('accepts $strategy chunking', (chunking) => {
    expect(parse({ chunking }).data?.chunking).toEqual(chunking);
  });

  it.each([
    {
      name: 'child chunks not smaller than parents',
      chunking: { strategy: 'HIERARCHICAL', parentMaxTokens: 300, childMaxTokens: 300, overlapTokens: 60 },
      expected: 'chunking.childMaxTokens: chunking.childMaxTokens must be smaller than parentMaxTokens',
    },
    {
      name: 'maxTokens above the Bedrock limit',
      chunking: { strategy: 'FIXED_SIZE', maxTokens: 9000, overlapPercentage: 20 },
      expected: 'chunking.maxTokens: maxTokens must be at most 8192',
    },
    {
      name: 'no overlap',
      chunking: { strategy: 'FIXED_SIZE', maxTokens: 512, overlapPercentage: 0 },
      expected: 'chunking.overlapPercentage: overlapPercentage must be 1-99',
    },
    {
      name: 'zero overlap tokens',
      chunking: { strategy: 'HIERARCHICAL', parentMaxTokens: 1500, childMaxTokens: 300, overlapTokens: 0 },
      expected: 'chunking.overlapTokens: overlapTokens must be at least 1',
    },
    {
      name: 'buffer size 2',
      chunking: { strategy: 'SEMANTIC', maxTokens: 300, bufferSize: 2, breakpointPercentileThreshold: 95 },
      expected: 'chunking.bufferSize: bufferSize must be 0 or 1',
    },
    {
      name: 'threshold below 50',
      chunking: { strategy: 'SEMANTIC', maxTokens: 300, bufferSize: 1, breakpointPercentileThreshold: 40 },
      expected: 'chunking.breakpointPercentileThreshold: breakpointPercentileThreshold must be 50-99',
    },
    {
      name: 'unknown strategy',
      chunking: { strategy: 'FIXED', maxTokens: 300 },
      expected:
        'chunking.strategy: chunking.strategy must be one of FIXED_SIZE, HIERARCHICAL, SEMANTIC, NONE',
    },
    {
      name: 'a FIXED_SIZE field on NONE',
      chunking: { strategy: 'NONE', maxTokens: 300 },
      expected: 'chunking: ',
    },
  ])('rejects chunking with a reason: $name', ({ chunking, expected }) => {
    expect(problems({ chunking }).some((p) => p.startsWith(expected))).toBe(true);
  });

  it.each([
    {
      name: 'dimensions Titan V2 does not produce',
      overrides: { embedding: { dimensions: 768 } },
      key: 'embedding.dimensions',
    },
    {
      name: 'another embedding model',
      overrides: { embedding: { model: 'cohere.embed-v4:0' } },
      key: 'embedding.model',
    },
    { name: 'hnsw m above 100', overrides: { vectorIndex: { m: 128 } }, key: 'vectorIndex.m' },
    { name: 'efSearch of 1', overrides: { vectorIndex: { efSearch: 1 } }, key: 'vectorIndex.efSearch' },
    {
      name: 'batch window above 300 s',
      overrides: { ingestion: { batchWindowSeconds: 301 } },
      key: 'ingestion.batchWindowSeconds',
    },
    {
      name: 'five-field cron',
      overrides: { ingestion: { dailySyncSchedule: 'cron(0 3 * * *)' } },
      key: 'ingestion.dailySyncSchedule',
    },
    {
      name: 'cron without ?',
      overrides: { ingestion: { dailySyncSchedule: 'cron(0 3 * * * *)' } },
      key: 'ingestion.dailySyncSchedule',
    },
    {
      name: 'rate expression',
      overrides: { ingestion: { dailySyncSchedule: 'rate(1 day)' } },
      key: 'ingestion.dailySyncSchedule',
    },
    {
      name: 'unknown time zone',
      overrides: { ingestion: { scheduleTimezone: 'Mars/Olympus' } },
      key: 'ingestion.scheduleTimezone',
    },
    { name: 'generation 0', overrides: { dataSourceGeneration: 0 }, key: 'dataSourceGeneration' },
    { name: 'unknown key', overrides: { chunkSize: 512 }, key: '(root)' },
  ])('rejects naming the key: $name', ({ overrides, key }) => {
    expect(problems(overrides).some((p) => p.startsWith(`${key}:`))).toBe(true);
  });

  it('accepts a time zone and a weekday cron', () => {
    const ingestion = { dailySyncSchedule: 'cron(30 2 ? * MON-FRI *)', scheduleTimezone: 'Europe/Berlin' };
    expect(parse({ ingestion }).data?.ingestion).toMatchObject(ingestion);
  });

  it('fails through parseOrThrow with a ConfigError that names the key', () => {
    expect(() =>
      parseOrThrow(KnowledgeBaseConfigSchema, { ...DEV_KNOWLEDGE_BASE, dataSourceGeneration: 1.5 }, 'kb'),
    ).toThrow(ConfigError);
  });

  it('keeps the default chunking valid', () => {
    expect(parse({ chunking: DEFAULT_CHUNKING }).success).toBe(true);
  });

  it('accepts exactly FIXED_SIZE overlaps 1-99 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 105 }), (overlapPercentage) => {
        const ok = parse({ chunking: { strategy: 'FIXED_SIZE', maxTokens: 512, overlapPercentage } }).success;
        expect(ok).toBe(overlapPercentage >= 1 && overlapPercentage <= 99);
      }),
      { numRuns: 150 },
    );
  });

  it('accepts hierarchical chunking exactly when the child is smaller than the parent (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 8192 }), (parent, child) => {
        const chunking = {
          strategy: 'HIERARCHICAL',
          parentMaxTokens: parent,
          childMaxTokens: child,
          overlapTokens: 1,
        };
        expect(parse({ chunking }).success).toBe(child < parent);
      }),
      { numRuns: 150 },
    );
  });

  describe('vector store', () => {
    it.each(['opensearch-serverless', 's3-vectors', 'aurora-pgvector'])('accepts %s', (vectorStore) => {
      expect(parse({ vectorStore }).data?.vectorStore).toBe(vectorStore);
    });

    it('rejects another store, naming the choices', () => {
      expect(problems({ vectorStore: 'pinecone' })).toEqual([
        'vectorStore: vectorStore must be one of opensearch-serverless, s3-vectors, aurora-pgvector',
      ]);
    });

    it('pauses Aurora in dev and keeps half an ACU in prod', () => {
      expect(KnowledgeBaseConfigSchema.parse(DEV_KNOWLEDGE_BASE).aurora.minCapacityAcu).toBe(0);
      expect(KnowledgeBaseConfigSchema.parse(PROD_KNOWLEDGE_BASE).aurora.minCapacityAcu).toBe(0.5);
    });

    it.each([
      [{ minCapacityAcu: 0.3 }, 'aurora.minCapacityAcu: aurora.minCapacityAcu must be a multiple of 0.5 ACU'],
      [
        { minCapacityAcu: 4, maxCapacityAcu: 2 },
        'aurora.minCapacityAcu: aurora.minCapacityAcu must not exceed aurora.maxCapacityAcu',
      ],
      [{ maxCapacityAcu: 0.5 }, 'aurora.maxCapacityAcu: aurora.maxCapacityAcu must be at least 1 ACU'],
      [
        { autoPauseSeconds: 299 },
        'aurora.autoPauseSeconds: aurora.autoPauseSeconds must be 300-86400 (Aurora auto-pause limits)',
      ],
      [
        { autoPauseSeconds: 86401 },
        'aurora.autoPauseSeconds: aurora.autoPauseSeconds must be 300-86400 (Aurora auto-pause limits)',
      ],
    ])('rejects Aurora settings %j', (aurora, message) => {
      expect(problems({ aurora })).toEqual([message]);
    });

    it('accepts the auto-pause limits exactly', () => {
      expect(parse({ aurora: { autoPauseSeconds: 300 } }).success).toBe(true);
      expect(parse({ aurora: { autoPauseSeconds: 86400 } }).success).toBe(true);
    });
  });

  describe('parsing', () => {
    it.each(['default', 'data-automation'])('takes the short form %s', (strategy) => {
      expect(parse({ parsing: strategy }).data?.parsing).toEqual({ strategy });
    });

    it('fills the foundation-model parser’s model and prompt', () => {
      expect(parse({ parsing: 'foundation-model' }).data?.parsing).toEqual({
        strategy: 'foundation-model',
        model: 'claude-sonnet-4-5',
        prompt: DEFAULT_PARSING_PROMPT,
      });
      expect(
        parse({
          parsing: { strategy: 'foundation-model', model: 'claude-haiku-4-5', prompt: 'Tables as Markdown.' },
        }).data?.parsing,
      ).toEqual({ strategy: 'foundation-model', model: 'claude-haiku-4-5', prompt: 'Tables as Markdown.' });
    });

    it('takes a prompt of exactly 10,000 characters and rejects one more', () => {
      const at = (n: number) => parse({ parsing: { strategy: 'foundation-model', prompt: 'x'.repeat(n) } });
      expect(at(10_000).success).toBe(true);
      expect(problems({ parsing: { strategy: 'foundation-model', prompt: 'x'.repeat(10_001) } })).toEqual([
        "parsing.prompt: parsing.prompt must be at most 10000 characters (Bedrock's limit)",
      ]);
    });

    it.each([
      ['textract', /^parsing.strategy: parsing must be one of default, foundation-model, data-automation/],
      [
        { strategy: 'foundation-model', model: 'claude-3-5-sonnet-v2' },
        /^parsing.model: parsing.model must be one of/,
      ],
      [{ strategy: 'foundation-model', prompt: '   ' }, /^parsing.prompt: parsing.prompt must not be empty/],
      [{ strategy: 'data-automation', model: 'claude-haiku-4-5' }, /^parsing: Unrecognized key/],
    ])('rejects parsing %j with the key and the reason', (parsing, message) => {
      expect(problems({ parsing })).toEqual([expect.stringMatching(message)]);
    });
  });
});
