import {
  ASSUMPTIONS,
  agentModelLines,
  apiLines,
  auroraLines,
  cloudWatchLines,
  dynamoLines,
  embeddingLines,
  estimate,
  guardrailLines,
  lambdaLines,
  memoryLines,
  messagingLines,
  networkLines,
  openSearchLines,
  parsingLines,
  s3Lines,
  s3VectorsLines,
  s3VectorsQueryTb,
  securityLines,
  toolModelLines,
  volumesOf,
  type Workload,
  xrayLines,
} from '../../../cli/cost/estimate';
import type { FunctionInventory, Inventory, KnowledgeBaseInventory } from '../../../cli/cost/inventory';
import type { TurnProfile } from '../../../cli/cost/turns';
import { modelByKey, modelOf } from '../../../contracts/prices';

const PROFILE: TurnProfile = {
  source: 'test',
  turns: 1,
  inputTokens: 10_000,
  outputTokens: 400,
  modelCalls: 2,
  knowledgeBaseLookups: 0.5,
  toolCalls: { report: 0.25 },
  toolModelTokens: { summarize: { inputTokens: 1000, outputTokens: 100 } },
};

const WORKLOAD: Workload = { requests: 100_000, documentsGb: 10, profile: PROFILE };

const KB: KnowledgeBaseInventory = {
  dimensions: 1024,
  chunkTokens: 500,
  tokensPerChunk: 400,
  chunking: 'fixed 500 tokens, 20 % overlap',
  parsing: { strategy: 'default' },
};

const sonnetUs = modelOf('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
const haikuUs = modelOf('us.anthropic.claude-haiku-4-5-20251001-v1:0');

const fn = (service: string, memoryMb = 1024, extra: Partial<FunctionInventory> = {}): FunctionInventory => ({
  logicalId: service,
  service,
  memoryMb,
  arm: true,
  ...extra,
});

const BASE: Inventory = {
  vectorStore: { kind: 'opensearch-serverless', collections: [{ standbyReplicas: true }] },
  knowledgeBase: KB,
  ...(sonnetUs
    ? { agent: { model: { ...sonnetUs, id: 'us.anthropic.claude-sonnet-4-5' }, memory: false } }
    : {}),
  guardrail: { contentFilters: true, deniedTopics: true, pii: true, grounding: true },
  functions: [
    fn('kass-chat'),
    fn('kass-report', 512),
    fn('kass-ingest', 512),
    fn('kass-summarize', 1024, haikuUs ? { model: { ...haikuUs, id: 'us.anthropic.claude-haiku-4-5' } } : {}),
    fn('kass-health', 256),
  ],
  tables: { count: 5, onDemand: 5, pitr: 5 },
  restApis: 1,
  webSocketApis: 1,
  natGateways: 0,
  interfaceEndpointAzs: 0,
  alarms: 15,
  dashboards: 1,
  secrets: 2,
  kmsKeys: 1,
  queues: 3,
  userPools: 1,
  webAcls: [{ rules: 4 }],
  logGroups: 16,
};

const ctx = (inventory: Partial<Inventory> = {}, workload: Workload = WORKLOAD) => {
  const inv = { ...BASE, ...inventory };
  return { inventory: inv, workload, volumes: volumesOf(inv, workload), warnings: [] as string[] };
};

const only = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0] as T;
};

describe('kass cost: one function per line', () => {
  describe('volumes', () => {
    it('derives text tokens, vectors, vector size, pages and lookups from the workload and the chunking', () => {
      const v = volumesOf(BASE, WORKLOAD);
      // 10 GB × 25 % text / 4 B per token = 625M tokens; 400 new tokens per chunk.
      expect(v.textTokens).toBe(625_000_000);
      expect(v.vectors).toBe(1_562_500);
      expect(v.bytesPerVector).toBe(1024 * 4 + 500 * 4 + ASSUMPTIONS.metadataBytesPerVector);
      expect(v.pages).toBe(100_000);
      expect(v.lookups).toBe(50_000);
    });
  });

  describe('OpenSearch Serverless', () => {
    it('charges the 2-OCU floor with standby replicas on: the design’s $350', () => {
      const [compute] = openSearchLines(ctx());
      expect(compute?.usd).toBeCloseTo(350.4, 6);
      expect(compute?.usd).toBeCloseTo(350, 0);
      expect(compute?.formula).toContain('2 OCU floor (standby replicas on');
      expect(compute?.formula).toContain('× 730 h × $0.24/OCU-hour');
    });

    it('charges half of it with standby replicas off (dev)', () => {
      const [compute] = openSearchLines(
        ctx({ vectorStore: { kind: 'opensearch-serverless', collections: [{ standbyReplicas: false }] } }),
      );
      expect(compute?.usd).toBeCloseTo(175.2, 6);
      expect(compute?.formula).toContain('1 OCU floor (standby replicas off');
    });

    it('prices index storage per GB and nothing for another store', () => {
      const [, storage] = openSearchLines(ctx());
      const v = volumesOf(BASE, WORKLOAD);
      expect(storage?.usd).toBeCloseTo(((v.vectors * v.bytesPerVector) / 1e9) * 0.024, 9);
      expect(openSearchLines(ctx({ vectorStore: { kind: 's3-vectors', indexes: [] } }))).toEqual([]);
    });
  });

  describe('S3 Vectors', () => {
    const s3v = ctx({ vectorStore: { kind: 's3-vectors', indexes: [{ dimension: 1024 }] } });

    it('splits query data processed into the first 100K vectors and the rest', () => {
      expect(s3VectorsQueryTb(50_000, 1000)).toEqual({ first: 5e-5, next: 0 });
      expect(s3VectorsQueryTb(300_000, 1000)).toEqual({ first: 1e-4, next: 2e-4 });
    });

    it('charges storage, monthly rewrites and queries (requests plus data processed)', () => {
      const [storage, writes, queries] = s3VectorsLines(s3v);
      const v = s3v.volumes;
      const gb = (v.vectors * v.bytesPerVector) / 1e9;
      expect(storage?.usd).toBeCloseTo(gb * 0.06, 9);
      expect(writes?.usd).toBeCloseTo(gb * 0.1 * 0.2, 9);
      const perQuery = s3VectorsQueryTb(v.vectors, 1024 * 4 + ASSUMPTIONS.filterableBytesPerVector);
      expect(queries?.usd).toBeCloseTo(
        (50_000 / 1e6) * 2.5 + 50_000 * (perQuery.first * 0.004 + perQuery.next * 0.002),
        9,
      );
      expect(queries?.formula).toContain('50,000 lookups × $2.5/1M query requests');
    });
  });

  describe('Aurora PostgreSQL', () => {
    it('bills awake hours only when the cluster can pause (capped at the month)', () => {
      const paused = ctx(
        {
          vectorStore: {
            kind: 'aurora-pgvector',
            clusters: [{ minAcu: 0, maxAcu: 2, autoPauseSeconds: 300, dataApi: true }],
          },
        },
        { ...WORKLOAD, requests: 1000 },
      );
      const [compute] = auroraLines(paused);
      // 500 lookups + 60 ingest runs, each keeping it awake ≤ 300 s = 46.7 h at 0.5 ACU.
      expect(compute?.usd).toBeCloseTo(0.5 * ((560 * 300) / 3600) * 0.12, 9);
      const busy = ctx({
        vectorStore: {
          kind: 'aurora-pgvector',
          clusters: [{ minAcu: 0, maxAcu: 2, autoPauseSeconds: 300, dataApi: true }],
        },
      });
      expect(auroraLines(busy)[0]?.usd).toBeCloseTo(0.5 * 730 * 0.12, 9);
      expect(auroraLines(busy)[0]?.formula).toContain('0 while paused');
    });

    it('bills the minimum capacity all month without auto-pause, plus storage and Data API calls', () => {
      const lines = auroraLines(
        ctx({
          vectorStore: { kind: 'aurora-pgvector', clusters: [{ minAcu: 1, maxAcu: 4, dataApi: true }] },
        }),
      );
      expect(lines.map((l) => l.service)).toEqual([
        'Aurora Serverless v2 compute',
        'Aurora storage',
        'RDS Data API',
      ]);
      expect(lines[0]?.usd).toBeCloseTo(1 * 730 * 0.12, 9);
      const v = volumesOf(BASE, WORKLOAD);
      expect(lines[1]?.usd).toBeCloseTo(((v.vectors * v.bytesPerVector * 1.5) / 1e9) * 0.1, 9);
      expect(lines[2]?.usd).toBeCloseTo(((50_000 + v.vectors * 0.1) / 1e6) * 0.35, 9);
    });
  });

  describe('Bedrock', () => {
    it('embeds the changed tenth of the corpus and every query', () => {
      const line = only(embeddingLines(ctx()));
      expect(line.usd).toBeCloseTo(((62_500_000 + 50_000 * 30) / 1e6) * 0.02, 9);
      expect(embeddingLines(ctx({ knowledgeBase: undefined }))).toEqual([]);
    });

    it('charges parsing per page: Data Automation per page, a foundation model per page’s tokens, default nothing', () => {
      const bda = only(
        parsingLines(ctx({ knowledgeBase: { ...KB, parsing: { strategy: 'data-automation' } } }), 0.1),
      );
      expect(bda.usd).toBeCloseTo(10_000 * 0.01, 9);
      expect(bda.formula).toContain('10,000 pages');
      const fm = only(
        parsingLines(
          ctx({
            knowledgeBase: {
              ...KB,
              parsing: {
                strategy: 'foundation-model',
                model: { ...(haikuUs ?? { geo: 'us' }), id: 'haiku' },
              },
            },
          }),
          0.1,
        ),
      );
      expect(fm.usd).toBeCloseTo((10_000 * (1600 * 1.1 + 600 * 5.5)) / 1e6, 9);
      expect(fm.service).toBe('Parsing: Claude Haiku 4.5');
      expect(only(parsingLines(ctx(), 0.1)).usd).toBe(0);
      expect(parsingLines(ctx(), 1)).toEqual([]);
    });

    it('prices the agent’s tokens per turn with the geographic-profile premium', () => {
      const line = only(agentModelLines(ctx()));
      expect(line.usd).toBeCloseTo(100_000 * ((10_000 * 3.3 + 400 * 16.5) / 1e6), 6);
      expect(line.formula).toContain('10 % geographic-profile premium');
      expect(line.service).toBe('Agent model: Claude Sonnet 4.5 (us. profile)');
    });

    it('prices another model when asked (--model) and none without a price', () => {
      const haiku = modelByKey('claude-haiku-4-5');
      const line = only(agentModelLines(ctx({}, { ...WORKLOAD, ...(haiku ? { model: haiku } : {}) })));
      expect(line.usd).toBeCloseTo(100_000 * ((10_000 * 1.1 + 400 * 5.5) / 1e6), 6);
      const unknown = ctx({ agent: { model: { geo: 'us', id: 'us.meta.llama4' }, memory: false } });
      expect(agentModelLines(unknown)).toEqual([]);
      expect(unknown.warnings[0]).toContain('us.meta.llama4');
    });

    it('prices the tools’ own model calls with the model their function is configured with', () => {
      const line = only(toolModelLines(ctx()));
      expect(line.usd).toBeCloseTo(100_000 * ((1000 * 1.1 + 100 * 5.5) / 1e6), 6);
      expect(line.service).toContain('summarize');
    });

    it('charges one session summary per session only when memory is on', () => {
      expect(memoryLines(ctx())).toEqual([]);
      const agent = BASE.agent;
      if (!agent) throw new Error('fixture');
      const line = only(memoryLines(ctx({ agent: { ...agent, memory: true } })));
      expect(line.usd).toBeCloseTo(25_000 * ((3000 * 3.3 + 300 * 16.5) / 1e6), 6);
    });

    it('charges each billed guardrail policy per text unit, grounding on answers only', () => {
      const line = only(guardrailLines(ctx()));
      // 300K units: content 0.15 + topics 0.15 + PII 0.10 per 1K; 200K answer units × 0.10 per 1K.
      expect(line.usd).toBeCloseTo(300 * 0.15 + 300 * 0.15 + 300 * 0.1 + 200 * 0.1, 9);
      const free = only(
        guardrailLines(
          ctx({ guardrail: { contentFilters: false, deniedTopics: false, pii: false, grounding: false } }),
        ),
      );
      expect(free.usd).toBe(0);
      expect(free.formula).toContain('free');
    });
  });

  describe('compute, data and operations', () => {
    it('charges Lambda GB-seconds of the functions the workload runs, with their memory from the template', () => {
      const line = only(lambdaLines(ctx()));
      const gbs = 100_000 * 8 * 1 + 25_000 * 1.5 * 0.5 + 60 * 2 * 0.5;
      expect(line.usd).toBeCloseTo(gbs * 0.0000133334 + ((100_000 + 25_000 + 60) / 1e6) * 0.2, 9);
      expect(line.formula).toContain('(kass-chat)');
      expect(line.formula).toContain('2 other functions idle');
    });

    it('charges REST requests and lists the WebSocket API without traffic', () => {
      const [rest, ws] = apiLines(ctx());
      expect(rest?.usd).toBeCloseTo(0.35, 9);
      expect(ws?.usd).toBe(0);
      expect(apiLines(ctx({ restApis: 0, webSocketApis: 0 }))).toEqual([]);
    });

    it('charges DynamoDB requests and storage (with point-in-time recovery)', () => {
      const line = only(dynamoLines(ctx()));
      expect(line.usd).toBeCloseTo(0.4 * 0.625 + 0.2 * 0.125 + 0.3 * 0.45, 9);
      expect(dynamoLines(ctx({ tables: { count: 0, onDemand: 0, pitr: 0 } }))).toEqual([]);
    });

    it('charges the documents bucket, CloudWatch, X-Ray, SQS', () => {
      expect(only(s3Lines(ctx())).usd).toBeCloseTo(10 * 0.023 + (1000 / 1000) * 0.0004, 9);
      expect(only(cloudWatchLines(ctx())).usd).toBeCloseTo(15 * 0.1 + 3 + 0.6 * 0.5 + 12 * 0.3, 9);
      expect(only(xrayLines(ctx())).usd).toBeCloseTo(0.5, 9);
      expect(only(messagingLines(ctx())).usd).toBeCloseTo(((1030 * 3) / 1e6) * 0.4, 12);
    });

    it('charges secrets, keys, the web ACL and lists Cognito', () => {
      const lines = securityLines(ctx());
      expect(lines.map((l) => [l.service, l.usd])).toEqual([
        ['Secrets Manager', 0.8],
        ['KMS', 1],
        ['AWS WAF', 5 + 4 + 0.06],
        ['Cognito', 0],
      ]);
    });

    it('charges NAT gateways and interface endpoints by the hour when the template has them', () => {
      expect(networkLines(ctx())).toEqual([]);
      const lines = networkLines(ctx({ natGateways: 2, interfaceEndpointAzs: 4 }));
      expect(lines[0]?.usd).toBeCloseTo(2 * 730 * 0.045, 9);
      expect(lines[1]?.usd).toBeCloseTo(4 * 730 * 0.01, 9);
    });
  });

  describe('estimate', () => {
    it('totals the lines, prices per turn and per 1K turns, and adds the one-off ingestion', () => {
      const e = estimate(BASE, WORKLOAD, 'dev');
      const sum = e.lines.reduce((s, l) => s + l.usd, 0);
      expect(e.total).toBeCloseTo(sum, 1);
      const model = e.lines.find((l) => l.service.startsWith('Agent model'))?.usd ?? 0;
      expect(e.perTurn.model).toBeCloseTo(model / 100_000, 6);
      expect(e.per1kTurns.total).toBeCloseTo((e.total / 100_000) * 1000, 1);
      expect(e.oneTime.map((l) => l.service)).toEqual(['Embedding the whole corpus']);
      expect(e.workload).toMatchObject({ requests: 100_000, documentsGb: 10, model: 'claude-sonnet-4-5' });
      for (const line of e.lines) expect(line.formula.length).toBeGreaterThan(10);
    });

    it('lets the model line dominate at the design’s medium usage', () => {
      const e = estimate(BASE, WORKLOAD);
      const model = e.lines.find((l) => l.service.startsWith('Agent model'))?.usd ?? 0;
      const store = e.lines.find((l) => l.service === 'OpenSearch Serverless compute')?.usd ?? 0;
      expect(model).toBeGreaterThan(10 * store);
    });
  });
});
