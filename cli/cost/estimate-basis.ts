import type { ModelPrice, Price } from '../../contracts/prices';
import type { FunctionInventory, Inventory } from './inventory';
import type { TurnProfile } from './turns';

/**
 * What the monthly estimate is built on: the usage (`Workload`), the assumptions beyond the template, the
 * shapes of a line and of an estimate, the volumes derived from the workload, and how formulas print numbers.
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

export const thousands = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });

/** `$0.24`, `$0.0000133334`: a unit price as the table has it. */
export const unitPrice = (p: Price): string => `$${p.usd}/${p.unit}`;

/** `$3.30/1M in` etc. */
export const perMillion = (usd: number): string => `$${Number(usd.toFixed(4))}`;

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

/** What every line reads: the template's inventory, the workload, its volumes, and the warnings to print. */
export interface Context {
  readonly inventory: Inventory;
  readonly workload: Workload;
  readonly volumes: Volumes;
  readonly warnings: string[];
}

export const gb = (bytes: number): number => bytes / 1e9;

/** The function of a service (`kass-<name>`) in the inventory. */
export const serviceOf = (inventory: Inventory, service: string): FunctionInventory | undefined =>
  inventory.functions.find((f) => f.service === service);
