import {
  HOURS_PER_MONTH,
  type ModelPrice,
  PRICE_REGION,
  PRICES,
  PRICES_AS_OF,
  type Price,
  tokenPrices,
} from '../../contracts/prices';
import type { FunctionInventory, Inventory, ModelRef } from './inventory';
import type { TurnProfile } from './turns';

/**
 * The monthly estimate: one line per service, each with the formula that produced it, from what the template
 * deploys (`Inventory`), the usage (`Workload`) and the assumptions below. Pure and deterministic.
 */

/** Usage the estimate prices. Defaults reproduce the original design's "medium usage". */
export interface Workload {
  /** Agent turns a month, through REST /chat. */
  readonly requests: number;
  /** Documents in the knowledge base's bucket. */
  readonly documentsGb: number;
  /** The average turn: tokens, lookups, tool calls. */
  readonly profile: TurnProfile;
  /** Price the agent with this model instead of the template's. */
  readonly model?: ModelPrice;
}

export const MEDIUM_USAGE = { requests: 100_000, documentsGb: 10 } as const;

/** What the estimate assumes beyond the template and the workload; printed with every estimate. */
export const ASSUMPTIONS = {
  /** Bytes of extractable text per byte of document (PDF and XLSX carry layout, fonts, images). */
  textShare: 0.25,
  bytesPerToken: 4,
  /** Share of the documents added or changed each month (re-parsed, re-embedded, vectors rewritten). */
  monthlyChange: 0.1,
  /** Average document bytes per page, for per-page parsing prices. */
  bytesPerPage: 100_000,
  /** Average document size, for per-object requests. */
  bytesPerDocument: 1_000_000,
  /** Bedrock's own metadata per vector (source URI, chunk id, page) plus sidecar attributes. */
  metadataBytesPerVector: 1024,
  /** The part of it S3 Vectors can filter on (and bills as query data processed). */
  filterableBytesPerVector: 256,
  /** The chat Lambda waits for the whole agent turn. */
  chatSecondsPerTurn: 8,
  toolSecondsPerCall: 1.5,
  /** Ingest Lambda runs: the daily sync plus batched document events. */
  ingestInvocations: 60,
  ingestSeconds: 2,
  /** Tokens embedded per knowledge-base query. */
  queryTokens: 30,
  /** Guardrail text units (1,000 characters) per turn: the question, and the answer. */
  guardrailInputUnits: 1,
  guardrailOutputUnits: 2,
  /** DynamoDB per turn: two conversation items, agent state, a tool log; the session lookup. */
  dynamoWritesPerTurn: 4,
  dynamoReadsPerTurn: 2,
  /** Conversation data kept per turn (a month of turns stays within the TTL). */
  bytesStoredPerTurn: 3000,
  /** CloudWatch Logs per turn over all functions, plus the API access log. */
  logBytesPerTurn: 6000,
  /** Powertools (EMF) metrics: cold starts and the ingest statistics. */
  customMetrics: 12,
  /** Agent memory writes one session summary per session. */
  turnsPerSession: 4,
  memorySummaryTokens: { input: 3000, output: 300 },
  /** A foundation-model parser reads a page as an image plus the parsing prompt, and writes Markdown. */
  parserTokensPerPage: { input: 1600, output: 600 },
  /** Aurora capacity while the cluster is awake (its smallest step above a pause). */
  auroraAwakeAcu: 0.5,
} as const;

export interface CostLine {
  readonly service: string;
  readonly usd: number;
  /** How `usd` was computed, with the numbers used. */
  readonly formula: string;
}

export interface Estimate {
  readonly stage?: string;
  readonly vectorStore: Inventory['vectorStore']['kind'];
  readonly workload: {
    readonly requests: number;
    readonly documentsGb: number;
    readonly inputTokensPerTurn: number;
    readonly outputTokensPerTurn: number;
    readonly modelCallsPerTurn: number;
    readonly turnsFrom: string;
    readonly model: string;
  };
  readonly lines: readonly CostLine[];
  /** USD a month. */
  readonly total: number;
  /** The first month's extra cost of ingesting the whole corpus once. */
  readonly oneTime: readonly CostLine[];
  readonly perTurn: { readonly model: number; readonly total: number };
  readonly per1kTurns: { readonly model: number; readonly total: number };
  readonly warnings: readonly string[];
  readonly prices: { readonly asOf: string; readonly region: string };
}

// ---------------------------------------------------------------------------------------------------------
// Formatting of the numbers inside formulas.

const thousands = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });

/** `$0.24`, `$0.0000133334`: a unit price as the table has it. */
const unitPrice = (p: Price): string => `$${p.usd}/${p.unit}`;

/** `$3.30/1M in` etc. */
const perMillion = (usd: number): string => `$${Number(usd.toFixed(4))}`;

/** A dollar amount in formulas. */
export const dollars = (usd: number): string =>
  usd >= 100
    ? `$${thousands(usd, 2)}`
    : usd >= 0.01 || usd === 0
      ? `$${usd.toFixed(2)}`
      : `$${usd.toFixed(4)}`;

/** A per-turn amount: cents have too few digits to compare models. */
export const turnDollars = (usd: number): string => `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;

// ---------------------------------------------------------------------------------------------------------
// Quantities derived from the workload.

/** Document, vector and lookup volumes the store, embedding and parsing lines share. */
export interface Volumes {
  readonly textTokens: number;
  readonly vectors: number;
  readonly bytesPerVector: number;
  readonly pages: number;
  readonly lookups: number;
}

export function volumesOf(inventory: Inventory, workload: Workload): Volumes {
  const kb = inventory.knowledgeBase;
  const textTokens = (workload.documentsGb * 1e9 * ASSUMPTIONS.textShare) / ASSUMPTIONS.bytesPerToken;
  const vectors = kb ? textTokens / kb.tokensPerChunk : 0;
  const bytesPerVector = kb
    ? kb.dimensions * 4 + kb.chunkTokens * ASSUMPTIONS.bytesPerToken + ASSUMPTIONS.metadataBytesPerVector
    : 0;
  return {
    textTokens,
    vectors,
    bytesPerVector,
    pages: (workload.documentsGb * 1e9) / ASSUMPTIONS.bytesPerPage,
    lookups: workload.requests * workload.profile.knowledgeBaseLookups,
  };
}

interface Context {
  readonly inventory: Inventory;
  readonly workload: Workload;
  readonly volumes: Volumes;
  readonly warnings: string[];
}

const gb = (bytes: number): number => bytes / 1e9;

// ---------------------------------------------------------------------------------------------------------
// Vector stores.

export function openSearchLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 'opensearch-serverless') return [];
  const lines: CostLine[] = [];
  for (const collection of inventory.vectorStore.collections) {
    const ocu = collection.standbyReplicas ? 2 : 1;
    lines.push({
      service: 'OpenSearch Serverless compute',
      usd: ocu * HOURS_PER_MONTH * PRICES.opensearchOcuHour.usd,
      formula:
        `${ocu} OCU floor (standby replicas ${collection.standbyReplicas ? 'on: 2 × 0.5 indexing + 2 × 0.5 search' : 'off: 0.5 indexing + 0.5 search'}) ` +
        `× ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.opensearchOcuHour)}; billed even with no traffic`,
    });
  }
  const storage = gb(volumes.vectors * volumes.bytesPerVector);
  lines.push({
    service: 'OpenSearch Serverless storage',
    usd: storage * PRICES.opensearchStorageGbMonth.usd,
    formula:
      `${thousands(volumes.vectors)} vectors × ${thousands(volumes.bytesPerVector)} B = ${storage.toFixed(2)} GB ` +
      `× ${unitPrice(PRICES.opensearchStorageGbMonth)}`,
  });
  return lines;
}

/** Query data processed per query: every vector of the index, first 100K at the higher rate. */
export function s3VectorsQueryTb(vectors: number, bytesPerVector: number): { first: number; next: number } {
  const first = Math.min(vectors, 100_000);
  return {
    first: (first * bytesPerVector) / 1e12,
    next: (Math.max(vectors - first, 0) * bytesPerVector) / 1e12,
  };
}

export function s3VectorsLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 's3-vectors') return [];
  const kb = inventory.knowledgeBase;
  const dims = kb?.dimensions ?? 1024;
  const storage = gb(volumes.vectors * volumes.bytesPerVector);
  const changed = gb(volumes.vectors * ASSUMPTIONS.monthlyChange * volumes.bytesPerVector);
  const processedBytes = dims * 4 + ASSUMPTIONS.filterableBytesPerVector;
  const perQuery = s3VectorsQueryTb(volumes.vectors, processedBytes);
  const processedUsd =
    volumes.lookups *
    (perQuery.first * PRICES.s3VectorsQueryTbFirstTier.usd +
      perQuery.next * PRICES.s3VectorsQueryTbNextTier.usd);
  return [
    {
      service: 'S3 Vectors storage',
      usd: storage * PRICES.s3VectorsStorageGbMonth.usd,
      formula:
        `${thousands(volumes.vectors)} vectors × ${thousands(volumes.bytesPerVector)} B = ${storage.toFixed(2)} GB ` +
        `× ${unitPrice(PRICES.s3VectorsStorageGbMonth)}`,
    },
    {
      service: 'S3 Vectors writes',
      usd: changed * PRICES.s3VectorsPutGb.usd,
      formula:
        `${ASSUMPTIONS.monthlyChange * 100} % of the vectors rewritten a month = ${changed.toFixed(2)} GB ` +
        `× ${unitPrice(PRICES.s3VectorsPutGb)}`,
    },
    {
      service: 'S3 Vectors queries',
      usd: (volumes.lookups / 1e6) * PRICES.s3VectorsQueryRequestsMillion.usd + processedUsd,
      formula:
        `${thousands(volumes.lookups)} lookups × ${unitPrice(PRICES.s3VectorsQueryRequestsMillion)} + ` +
        `${thousands(volumes.lookups)} × (${(perQuery.first * 1e3).toFixed(4)} GB × $${PRICES.s3VectorsQueryTbFirstTier.usd}/TB + ` +
        `${(perQuery.next * 1e3).toFixed(4)} GB × $${PRICES.s3VectorsQueryTbNextTier.usd}/TB) processed ` +
        `(${thousands(processedBytes)} B per vector scanned)`,
    },
  ];
}

export function auroraLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 'aurora-pgvector') return [];
  const lines: CostLine[] = [];
  const writes = volumes.vectors * ASSUMPTIONS.monthlyChange;
  for (const cluster of inventory.vectorStore.clusters) {
    if (cluster.minAcu === 0) {
      const pause = cluster.autoPauseSeconds ?? 300;
      // Each request keeps the cluster awake for at most the pause delay: an upper bound on awake hours.
      const activity = volumes.lookups + ASSUMPTIONS.ingestInvocations;
      const hours = Math.min(HOURS_PER_MONTH, (activity * pause) / 3600);
      lines.push({
        service: 'Aurora Serverless v2 compute',
        usd: ASSUMPTIONS.auroraAwakeAcu * hours * PRICES.auroraAcuHour.usd,
        formula:
          `${ASSUMPTIONS.auroraAwakeAcu} ACU × min(${HOURS_PER_MONTH} h, ${thousands(activity)} lookups and syncs × ` +
          `${pause} s before auto-pause) = ${thousands(hours, 1)} h awake × ${unitPrice(PRICES.auroraAcuHour)}; ` +
          '0 while paused',
      });
    } else {
      lines.push({
        service: 'Aurora Serverless v2 compute',
        usd: cluster.minAcu * HOURS_PER_MONTH * PRICES.auroraAcuHour.usd,
        formula:
          `${cluster.minAcu} ACU minimum × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.auroraAcuHour)} ` +
          `(no auto-pause; up to ${cluster.maxAcu} ACU under load)`,
      });
    }
  }
  const storage = gb(volumes.vectors * volumes.bytesPerVector * 1.5);
  lines.push({
    service: 'Aurora storage',
    usd: storage * PRICES.auroraStorageGbMonth.usd,
    formula:
      `${thousands(volumes.vectors)} rows × ${thousands(volumes.bytesPerVector)} B × 1.5 (HNSW and GIN indexes) ` +
      `= ${storage.toFixed(2)} GB × ${unitPrice(PRICES.auroraStorageGbMonth)}`,
  });
  lines.push({
    service: 'RDS Data API',
    usd: ((volumes.lookups + writes) / 1e6) * PRICES.rdsDataApiRequestsMillion.usd,
    formula:
      `(${thousands(volumes.lookups)} lookups + ${thousands(writes)} vector writes) × ` +
      unitPrice(PRICES.rdsDataApiRequestsMillion),
  });
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// Bedrock: embeddings, parsing, models, guardrail.

export function embeddingLines({ inventory, volumes }: Context): CostLine[] {
  if (!inventory.knowledgeBase) return [];
  const ingest = volumes.textTokens * ASSUMPTIONS.monthlyChange;
  const queries = volumes.lookups * ASSUMPTIONS.queryTokens;
  return [
    {
      service: 'Titan Text Embeddings V2',
      usd: ((ingest + queries) / 1e6) * PRICES.titanEmbedV2MillionTokens.usd,
      formula:
        `(${thousands(ingest)} tokens of changed documents + ${thousands(volumes.lookups)} queries × ` +
        `${ASSUMPTIONS.queryTokens}) × ${unitPrice(PRICES.titanEmbedV2MillionTokens)}`,
    },
  ];
}

/** Parsing charges per page: the pages changed in a month (`share` = 1 for the first full ingestion). */
export function parsingLines({ inventory, volumes, warnings }: Context, share: number): CostLine[] {
  const parsing = inventory.knowledgeBase?.parsing;
  if (!parsing) return [];
  const pages = volumes.pages * share;
  const pagesText = `${thousands(pages)} pages (${share === 1 ? 'the whole corpus' : `${share * 100} % changed a month`}, ${thousands(ASSUMPTIONS.bytesPerPage)} B each)`;
  if (parsing.strategy === 'data-automation') {
    return [
      {
        service: 'Parsing: Bedrock Data Automation',
        usd: pages * PRICES.dataAutomationPage.usd,
        formula: `${pagesText} × ${unitPrice(PRICES.dataAutomationPage)}`,
      },
    ];
  }
  if (parsing.strategy === 'foundation-model') {
    const model = parsing.model?.model;
    if (!model || !parsing.model) {
      warnings.push(`parser model ${parsing.model?.id ?? '(none)'} has no price in contracts/prices.ts`);
      return [
        { service: 'Parsing: foundation model', usd: 0, formula: 'parser model not in the price table' },
      ];
    }
    const price = tokenPrices(model, parsing.model.geo);
    const { input, output } = ASSUMPTIONS.parserTokensPerPage;
    return [
      {
        service: `Parsing: ${model.label}`,
        usd: (pages * (input * price.input + output * price.output)) / 1e6,
        formula: `${pagesText} × (${input} in × ${perMillion(price.input)} + ${output} out × ${perMillion(price.output)}) / 1M`,
      },
    ];
  }
  return share === 1 ? [] : [{ service: 'Parsing: default parser', usd: 0, formula: 'text only, no charge' }];
}

const modelLabel = (ref: ModelRef | undefined, model: ModelPrice | undefined): string =>
  model
    ? `${model.label}${ref && ref.geo !== 'none' ? ` (${ref.geo}. profile)` : ''}`
    : (ref?.id ?? 'unknown');

/** The agent's own model calls: the line that dominates the bill. */
export function agentModelLines({ inventory, workload, warnings }: Context): CostLine[] {
  const ref = inventory.agent?.model;
  if (!ref && !workload.model) return [];
  const model = workload.model ?? ref?.model;
  if (!model) {
    warnings.push(`agent model ${ref?.id} has no price in contracts/prices.ts; the model line is missing`);
    return [];
  }
  const geo = ref?.geo ?? 'none';
  const price = tokenPrices(model, geo);
  const { inputTokens, outputTokens, modelCalls } = workload.profile;
  const perTurn = (inputTokens * price.input + outputTokens * price.output) / 1e6;
  return [
    {
      service: `Agent model: ${modelLabel(ref, model)}`,
      usd: workload.requests * perTurn,
      formula:
        `${thousands(workload.requests)} turns × (${thousands(inputTokens)} in × ${perMillion(price.input)} + ` +
        `${thousands(outputTokens)} out × ${perMillion(price.output)}) / 1M over ${modelCalls.toFixed(1)} model ` +
        `calls a turn = ${turnDollars(perTurn)} a turn` +
        (geo !== 'global' && geo !== 'none' && model.geoPremium > 0
          ? ` (incl. ${model.geoPremium * 100} % geographic-profile premium)`
          : ''),
    },
  ];
}

const serviceOf = (inventory: Inventory, service: string): FunctionInventory | undefined =>
  inventory.functions.find((f) => f.service === service);

export function toolModelLines({ inventory, workload, warnings }: Context): CostLine[] {
  const lines: CostLine[] = [];
  for (const [tool, use] of Object.entries(workload.profile.toolModelTokens)) {
    const fn = serviceOf(inventory, `kass-${tool}`);
    const model = fn?.model?.model;
    if (!fn?.model || !model) {
      if (fn) warnings.push(`the ${tool} tool's model ${fn.model?.id ?? '(none)'} has no price`);
      continue;
    }
    const price = tokenPrices(model, fn.model.geo);
    lines.push({
      service: `Tool model: ${tool} (${modelLabel(fn.model, model)})`,
      usd: (workload.requests * (use.inputTokens * price.input + use.outputTokens * price.output)) / 1e6,
      formula:
        `${thousands(workload.requests)} turns × (${thousands(use.inputTokens)} in × ${perMillion(price.input)} + ` +
        `${thousands(use.outputTokens)} out × ${perMillion(price.output)}) / 1M (the tool's own Converse calls, per turn on average)`,
    });
  }
  return lines;
}

export function memoryLines({ inventory, workload }: Context): CostLine[] {
  const agent = inventory.agent;
  const model = workload.model ?? agent?.model.model;
  if (!agent?.memory || !model) return [];
  const price = tokenPrices(model, agent.model.geo);
  const sessions = workload.requests / ASSUMPTIONS.turnsPerSession;
  const { input, output } = ASSUMPTIONS.memorySummaryTokens;
  return [
    {
      service: 'Agent memory (session summaries)',
      usd: (sessions * (input * price.input + output * price.output)) / 1e6,
      formula:
        `${thousands(sessions)} sessions (${ASSUMPTIONS.turnsPerSession} turns each) × (${input} in × ` +
        `${perMillion(price.input)} + ${output} out × ${perMillion(price.output)}) / 1M`,
    },
  ];
}

export function guardrailLines({ inventory, workload }: Context): CostLine[] {
  const g = inventory.guardrail;
  if (!g || !inventory.agent) return [];
  const input = workload.requests * ASSUMPTIONS.guardrailInputUnits;
  const output = workload.requests * ASSUMPTIONS.guardrailOutputUnits;
  const both = (input + output) / 1000;
  const parts: { name: string; units: number; price: Price }[] = [];
  if (g.contentFilters)
    parts.push({ name: 'content filters', units: both, price: PRICES.guardrailContentThousandUnits });
  if (g.deniedTopics)
    parts.push({ name: 'denied topics', units: both, price: PRICES.guardrailTopicsThousandUnits });
  if (g.pii) parts.push({ name: 'PII', units: both, price: PRICES.guardrailPiiThousandUnits });
  if (g.grounding)
    parts.push({
      name: 'grounding (answers)',
      units: output / 1000,
      price: PRICES.guardrailGroundingThousandUnits,
    });
  return [
    {
      service: 'Bedrock Guardrails',
      usd: parts.reduce((sum, p) => sum + p.units * p.price.usd, 0),
      formula:
        `${thousands(workload.requests)} turns × (${ASSUMPTIONS.guardrailInputUnits} in + ` +
        `${ASSUMPTIONS.guardrailOutputUnits} out) text units: ` +
        (parts.length > 0
          ? parts.map((p) => `${p.name} ${thousands(p.units, 1)}K × $${p.price.usd}`).join(' + ')
          : 'no billed policy (word and regex filters are free)'),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Compute, APIs, data, operations, network.

export function lambdaLines({ inventory, workload }: Context): CostLine[] {
  const runs: { label: string; fn: FunctionInventory; invocations: number; seconds: number }[] = [];
  const chat = serviceOf(inventory, 'kass-chat');
  if (chat)
    runs.push({
      label: 'kass-chat',
      fn: chat,
      invocations: workload.requests,
      seconds: ASSUMPTIONS.chatSecondsPerTurn,
    });
  for (const [tool, calls] of Object.entries(workload.profile.toolCalls)) {
    const fn = serviceOf(inventory, `kass-${tool}`);
    if (fn)
      runs.push({
        label: fn.service,
        fn,
        invocations: workload.requests * calls,
        seconds: ASSUMPTIONS.toolSecondsPerCall,
      });
  }
  const ingest = serviceOf(inventory, 'kass-ingest');
  if (ingest)
    runs.push({
      label: 'kass-ingest',
      fn: ingest,
      invocations: ASSUMPTIONS.ingestInvocations,
      seconds: ASSUMPTIONS.ingestSeconds,
    });
  if (runs.length === 0) return [];
  let computeUsd = 0;
  let gbSeconds = 0;
  let invocations = 0;
  for (const run of runs) {
    const s = run.invocations * run.seconds * (run.fn.memoryMb / 1024);
    gbSeconds += s;
    invocations += run.invocations;
    computeUsd += s * (run.fn.arm ? PRICES.lambdaArmGbSecond.usd : PRICES.lambdaX86GbSecond.usd);
  }
  return [
    {
      service: 'Lambda',
      usd: computeUsd + (invocations / 1e6) * PRICES.lambdaRequestsMillion.usd,
      formula:
        runs
          .map(
            (r) =>
              `${thousands(r.invocations)} × ${r.seconds} s × ${thousands(r.fn.memoryMb / 1024, 2)} GB (${r.label})`,
          )
          .join(' + ') +
        ` = ${thousands(gbSeconds)} GB-s × ${unitPrice(PRICES.lambdaArmGbSecond)} + ${thousands(invocations)} × ` +
        `${unitPrice(PRICES.lambdaRequestsMillion)}; ${inventory.functions.length - runs.length} other functions idle in this workload`,
    },
  ];
}

export function apiLines({ inventory, workload }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.restApis > 0) {
    lines.push({
      service: 'API Gateway REST',
      usd: (workload.requests / 1e6) * PRICES.restApiRequestsMillion.usd,
      formula: `${thousands(workload.requests)} requests × ${unitPrice(PRICES.restApiRequestsMillion)}`,
    });
  }
  if (inventory.webSocketApis > 0) {
    lines.push({
      service: 'API Gateway WebSocket',
      usd: 0,
      formula: `no traffic in this workload (turns go through REST /chat); ${unitPrice(PRICES.webSocketMessagesMillion)} + ${unitPrice(PRICES.webSocketConnectionMinutesMillion)} when used`,
    });
  }
  return lines;
}

export function dynamoLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.tables.count === 0) return [];
  const writes = workload.requests * ASSUMPTIONS.dynamoWritesPerTurn;
  const reads = workload.requests * ASSUMPTIONS.dynamoReadsPerTurn;
  const stored = gb(workload.requests * ASSUMPTIONS.bytesStoredPerTurn);
  const storagePrice =
    PRICES.dynamoStorageGbMonth.usd + (inventory.tables.pitr > 0 ? PRICES.dynamoPitrGbMonth.usd : 0);
  return [
    {
      service: `DynamoDB (${inventory.tables.count} tables, ${inventory.tables.onDemand} on demand)`,
      usd:
        (writes / 1e6) * PRICES.dynamoWriteMillion.usd +
        (reads / 1e6) * PRICES.dynamoReadMillion.usd +
        stored * storagePrice,
      formula:
        `${thousands(writes)} writes × ${unitPrice(PRICES.dynamoWriteMillion)} + ${thousands(reads)} reads × ` +
        `${unitPrice(PRICES.dynamoReadMillion)} + ${stored.toFixed(2)} GB × $${storagePrice.toFixed(2)}/GB-month` +
        (inventory.tables.pitr > 0 ? ' (storage + point-in-time recovery)' : ''),
    },
  ];
}

export function s3Lines({ inventory, workload }: Context): CostLine[] {
  if (!inventory.knowledgeBase) return [];
  const objects = ((workload.documentsGb * 1e9) / ASSUMPTIONS.bytesPerDocument) * ASSUMPTIONS.monthlyChange;
  return [
    {
      service: 'S3 documents bucket',
      usd: workload.documentsGb * PRICES.s3StandardGbMonth.usd + (objects / 1000) * PRICES.s3GetThousand.usd,
      formula:
        `${workload.documentsGb} GB × ${unitPrice(PRICES.s3StandardGbMonth)} + ${thousands(objects)} changed ` +
        `documents read by ingestion × ${unitPrice(PRICES.s3GetThousand)}`,
    },
  ];
}

export function cloudWatchLines({ inventory, workload }: Context): CostLine[] {
  const logs = gb(workload.requests * ASSUMPTIONS.logBytesPerTurn);
  const usd =
    inventory.alarms * PRICES.cloudwatchAlarmMonth.usd +
    inventory.dashboards * PRICES.cloudwatchDashboardMonth.usd +
    logs * PRICES.cloudwatchLogsIngestGb.usd +
    ASSUMPTIONS.customMetrics * PRICES.cloudwatchMetricMonth.usd;
  return [
    {
      service: 'CloudWatch',
      usd,
      formula:
        `${inventory.alarms} alarms × $${PRICES.cloudwatchAlarmMonth.usd} + ${inventory.dashboards} dashboards × ` +
        `$${PRICES.cloudwatchDashboardMonth.usd} + ${logs.toFixed(2)} GB logs × $${PRICES.cloudwatchLogsIngestGb.usd} + ` +
        `${ASSUMPTIONS.customMetrics} custom metrics × $${PRICES.cloudwatchMetricMonth.usd} (${inventory.logGroups} log groups)`,
    },
  ];
}

export function xrayLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.functions.length === 0) return [];
  return [
    {
      service: 'X-Ray',
      usd: (workload.requests / 1e6) * PRICES.xrayTracesMillion.usd,
      formula: `${thousands(workload.requests)} traces (active tracing) × ${unitPrice(PRICES.xrayTracesMillion)}`,
    },
  ];
}

export function securityLines({ inventory, workload }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.secrets > 0) {
    lines.push({
      service: 'Secrets Manager',
      usd: inventory.secrets * PRICES.secretMonth.usd,
      formula: `${inventory.secrets} secret${inventory.secrets === 1 ? '' : 's'} × ${unitPrice(PRICES.secretMonth)} (reads are cached per cold start)`,
    });
  }
  if (inventory.kmsKeys > 0) {
    lines.push({
      service: 'KMS',
      usd: inventory.kmsKeys * PRICES.kmsKeyMonth.usd,
      formula: `${inventory.kmsKeys} customer managed keys × ${unitPrice(PRICES.kmsKeyMonth)}`,
    });
  }
  for (const acl of inventory.webAcls) {
    lines.push({
      service: 'AWS WAF',
      usd:
        PRICES.wafWebAclMonth.usd +
        acl.rules * PRICES.wafRuleMonth.usd +
        (workload.requests / 1e6) * PRICES.wafRequestsMillion.usd,
      formula:
        `1 web ACL × $${PRICES.wafWebAclMonth.usd} + ${acl.rules} rules × $${PRICES.wafRuleMonth.usd} + ` +
        `${thousands(workload.requests)} requests × ${unitPrice(PRICES.wafRequestsMillion)}`,
    });
  }
  if (inventory.userPools > 0) {
    lines.push({
      service: 'Cognito',
      usd: 0,
      formula: `${inventory.userPools} user pool: no charge below 10,000 monthly active users (assumed)`,
    });
  }
  return lines;
}

export function messagingLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.queues === 0) return [];
  const changed = ((workload.documentsGb * 1e9) / ASSUMPTIONS.bytesPerDocument) * ASSUMPTIONS.monthlyChange;
  const requests = (changed + 30) * 3;
  return [
    {
      service: 'SQS',
      usd: (requests / 1e6) * PRICES.sqsRequestsMillion.usd,
      formula:
        `(${thousands(changed)} document events + 30 daily syncs) × 3 (send, receive, delete) × ` +
        unitPrice(PRICES.sqsRequestsMillion),
    },
  ];
}

export function networkLines({ inventory }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.natGateways > 0) {
    lines.push({
      service: 'NAT gateways',
      usd: inventory.natGateways * HOURS_PER_MONTH * PRICES.natGatewayHour.usd,
      formula:
        `${inventory.natGateways} × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.natGatewayHour)} ` +
        `(+ ${unitPrice(PRICES.natGatewayGb)}, not estimated)`,
    });
  }
  if (inventory.interfaceEndpointAzs > 0) {
    lines.push({
      service: 'VPC interface endpoints',
      usd: inventory.interfaceEndpointAzs * HOURS_PER_MONTH * PRICES.interfaceEndpointHour.usd,
      formula: `${inventory.interfaceEndpointAzs} endpoint-AZs × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.interfaceEndpointHour)}`,
    });
  }
  return lines;
}

/** Every monthly line, in the order of the report. */
const MONTHLY = [
  openSearchLines,
  s3VectorsLines,
  auroraLines,
  agentModelLines,
  toolModelLines,
  memoryLines,
  guardrailLines,
  embeddingLines,
  (ctx: Context) => parsingLines(ctx, ASSUMPTIONS.monthlyChange),
  lambdaLines,
  apiLines,
  dynamoLines,
  s3Lines,
  cloudWatchLines,
  xrayLines,
  securityLines,
  messagingLines,
  networkLines,
] as const;

const round = (usd: number): number => Math.round(usd * 100) / 100;

/** The monthly estimate of a template's inventory under a workload. */
export function estimate(inventory: Inventory, workload: Workload, stage?: string): Estimate {
  const warnings: string[] = [];
  const volumes = volumesOf(inventory, workload);
  const ctx: Context = { inventory, workload, volumes, warnings };
  const lines = MONTHLY.flatMap((line) => line(ctx));
  const oneTime: CostLine[] = [];
  if (inventory.knowledgeBase) {
    oneTime.push(
      {
        service: 'Embedding the whole corpus',
        usd: (volumes.textTokens / 1e6) * PRICES.titanEmbedV2MillionTokens.usd,
        formula: `${thousands(volumes.textTokens)} tokens × ${unitPrice(PRICES.titanEmbedV2MillionTokens)}`,
      },
      ...parsingLines(ctx, 1),
    );
    if (inventory.vectorStore.kind === 's3-vectors') {
      const all = gb(volumes.vectors * volumes.bytesPerVector);
      oneTime.push({
        service: 'Writing every vector to S3 Vectors',
        usd: all * PRICES.s3VectorsPutGb.usd,
        formula: `${all.toFixed(2)} GB × ${unitPrice(PRICES.s3VectorsPutGb)}`,
      });
    }
  }
  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  // What the agent's model costs a turn: its own calls plus the memory summaries it writes.
  const model = lines.filter((l) => l.service.startsWith('Agent m')).reduce((s, l) => s + l.usd, 0);
  const perTurn = (usd: number) => (workload.requests > 0 ? usd / workload.requests : 0);
  const agentModel = workload.model ?? inventory.agent?.model.model;
  return {
    ...(stage ? { stage } : {}),
    vectorStore: inventory.vectorStore.kind,
    workload: {
      requests: workload.requests,
      documentsGb: workload.documentsGb,
      inputTokensPerTurn: workload.profile.inputTokens,
      outputTokensPerTurn: workload.profile.outputTokens,
      modelCallsPerTurn: workload.profile.modelCalls,
      turnsFrom: workload.profile.source,
      model: agentModel?.key ?? inventory.agent?.model.id ?? 'none',
    },
    lines: lines.map((l) => ({ ...l, usd: round(l.usd) })),
    total: round(total),
    oneTime: oneTime.map((l) => ({ ...l, usd: round(l.usd) })),
    perTurn: { model: perTurn(model), total: perTurn(total) },
    per1kTurns: { model: round(perTurn(model) * 1000), total: round(perTurn(total) * 1000) },
    warnings,
    prices: { asOf: PRICES_AS_OF, region: PRICE_REGION },
  };
}
