import { PRICE_REGION, PRICES, PRICES_AS_OF } from '../../contracts/prices';
import {
  agentModelLines,
  embeddingLines,
  guardrailLines,
  memoryLines,
  parsingLines,
  toolModelLines,
} from './bedrock-lines';
import {
  ASSUMPTIONS,
  type Context,
  type CostLine,
  type Estimate,
  gb,
  thousands,
  unitPrice,
  volumesOf,
  type Workload,
} from './estimate-basis';
import type { Inventory } from './inventory';
import {
  apiLines,
  cloudWatchLines,
  dynamoLines,
  lambdaLines,
  messagingLines,
  networkLines,
  s3Lines,
  securityLines,
  xrayLines,
} from './service-lines';
import { auroraLines, openSearchLines, s3VectorsLines } from './vector-store-lines';

/**
 * The monthly estimate: one line per service, each with the formula that produced it, from what the template
 * deploys (`Inventory`), the usage (`Workload`) and the assumptions (`estimate-basis.ts`). Pure and
 * deterministic. The lines are computed by `vector-store-lines.ts`, `bedrock-lines.ts` and `service-lines.ts`.
 */

export * from './bedrock-lines';
export {
  ASSUMPTIONS,
  type CostLine,
  dollars,
  type Estimate,
  MEDIUM_USAGE,
  turnDollars,
  type Volumes,
  volumesOf,
  type Workload,
} from './estimate-basis';
export * from './service-lines';
export * from './vector-store-lines';

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
