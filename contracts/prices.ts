/**
 * The price table `kass cost` multiplies by: us-east-1 list prices in US dollars, no free tier, no discounts.
 * Every entry names where it comes from; `verify` marks prices taken from secondary sources or that the
 * sources disagree on. Update the numbers and `PRICES_AS_OF` together; tests pin the design's reference points
 * ($350 a month for the 2-OCU OpenSearch floor).
 */

/** When the table was last checked against its sources. */
export const PRICES_AS_OF = '2026-12-06';
export const PRICE_REGION = 'us-east-1';
/** Hours in a billing month, as AWS's own examples use. */
export const HOURS_PER_MONTH = 730;

export interface Price {
  readonly usd: number;
  /** What one `usd` buys, as shown in formulas: `OCU-hour`, `GB-month`, `1M requests`, … */
  readonly unit: string;
  readonly source: string;
  /** From a secondary source, or sources disagree: check the AWS pricing page before relying on it. */
  readonly verify?: boolean;
}

const S3_PRICING = 'aws.amazon.com/s3/pricing (S3 Vectors section; examples snapshot 2026-09)';
const AOSS_PRICING = 'aws.amazon.com/opensearch-service/pricing (Serverless); secondary reports Feb-Mar 2026';
const AURORA_PRICING = 'aws.amazon.com/rds/aurora/pricing (Serverless v2, Aurora Standard)';
const BEDROCK_PRICING = 'aws.amazon.com/bedrock/pricing';

export const PRICES = {
  // Vector stores
  opensearchOcuHour: { usd: 0.24, unit: 'OCU-hour', source: AOSS_PRICING, verify: true },
  opensearchStorageGbMonth: { usd: 0.024, unit: 'GB-month', source: AOSS_PRICING, verify: true },
  s3VectorsStorageGbMonth: { usd: 0.06, unit: 'GB-month', source: S3_PRICING },
  s3VectorsPutGb: { usd: 0.2, unit: 'GB uploaded', source: S3_PRICING },
  s3VectorsQueryRequestsMillion: { usd: 2.5, unit: '1M query requests', source: S3_PRICING, verify: true },
  /** Query data processed for the first 100K vectors of an index. */
  s3VectorsQueryTbFirstTier: { usd: 0.004, unit: 'TB processed (first 100K vectors)', source: S3_PRICING },
  /** Query data processed for vectors above 100K in an index (lower still above 10M: not modelled). */
  s3VectorsQueryTbNextTier: {
    usd: 0.002,
    unit: 'TB processed (vectors above 100K)',
    source: S3_PRICING,
    verify: true,
  },
  auroraAcuHour: { usd: 0.12, unit: 'ACU-hour', source: AURORA_PRICING, verify: true },
  auroraStorageGbMonth: { usd: 0.1, unit: 'GB-month', source: AURORA_PRICING, verify: true },
  rdsDataApiRequestsMillion: {
    usd: 0.35,
    unit: '1M Data API requests',
    source: 'aws.amazon.com/rds/aurora/pricing (Data API)',
    verify: true,
  },

  // Bedrock beyond the chat models
  titanEmbedV2MillionTokens: { usd: 0.02, unit: '1M tokens', source: BEDROCK_PRICING, verify: true },
  dataAutomationPage: {
    usd: 0.01,
    unit: 'page (documents, standard output)',
    source: `${BEDROCK_PRICING} (Data Automation)`,
    verify: true,
  },
  guardrailContentThousandUnits: { usd: 0.15, unit: '1K text units', source: BEDROCK_PRICING, verify: true },
  guardrailTopicsThousandUnits: { usd: 0.15, unit: '1K text units', source: BEDROCK_PRICING, verify: true },
  guardrailPiiThousandUnits: { usd: 0.1, unit: '1K text units', source: BEDROCK_PRICING, verify: true },
  guardrailGroundingThousandUnits: { usd: 0.1, unit: '1K text units', source: BEDROCK_PRICING, verify: true },

  // Compute and APIs
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (arm64)',
    source: 'aws.amazon.com/lambda/pricing',
    verify: true,
  },
  lambdaX86GbSecond: {
    usd: 0.0000166667,
    unit: 'GB-second (x86)',
    source: 'aws.amazon.com/lambda/pricing',
    verify: true,
  },
  lambdaRequestsMillion: {
    usd: 0.2,
    unit: '1M requests',
    source: 'aws.amazon.com/lambda/pricing',
    verify: true,
  },
  restApiRequestsMillion: {
    usd: 3.5,
    unit: '1M REST requests',
    source: 'aws.amazon.com/api-gateway/pricing',
    verify: true,
  },
  webSocketMessagesMillion: {
    usd: 1,
    unit: '1M WebSocket messages',
    source: 'aws.amazon.com/api-gateway/pricing',
    verify: true,
  },
  webSocketConnectionMinutesMillion: {
    usd: 0.25,
    unit: '1M connection-minutes',
    source: 'aws.amazon.com/api-gateway/pricing',
    verify: true,
  },

  // Data
  dynamoWriteMillion: {
    usd: 0.625,
    unit: '1M write request units',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand',
    verify: true,
  },
  dynamoReadMillion: {
    usd: 0.125,
    unit: '1M read request units',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand',
    verify: true,
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand',
    verify: true,
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    unit: 'GB-month (continuous backups)',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand',
    verify: true,
  },
  s3StandardGbMonth: { usd: 0.023, unit: 'GB-month', source: 'aws.amazon.com/s3/pricing', verify: true },
  s3GetThousand: { usd: 0.0004, unit: '1K GET requests', source: 'aws.amazon.com/s3/pricing', verify: true },

  // Operations
  cloudwatchLogsIngestGb: {
    usd: 0.5,
    unit: 'GB ingested',
    source: 'aws.amazon.com/cloudwatch/pricing',
    verify: true,
  },
  cloudwatchAlarmMonth: {
    usd: 0.1,
    unit: 'alarm-month',
    source: 'aws.amazon.com/cloudwatch/pricing',
    verify: true,
  },
  cloudwatchDashboardMonth: {
    usd: 3,
    unit: 'dashboard-month',
    source: 'aws.amazon.com/cloudwatch/pricing',
    verify: true,
  },
  cloudwatchMetricMonth: {
    usd: 0.3,
    unit: 'custom metric-month',
    source: 'aws.amazon.com/cloudwatch/pricing',
    verify: true,
  },
  xrayTracesMillion: {
    usd: 5,
    unit: '1M traces recorded',
    source: 'aws.amazon.com/xray/pricing',
    verify: true,
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret-month',
    source: 'aws.amazon.com/secrets-manager/pricing',
    verify: true,
  },
  secretCallsTenThousand: {
    usd: 0.05,
    unit: '10K API calls',
    source: 'aws.amazon.com/secrets-manager/pricing',
    verify: true,
  },
  kmsKeyMonth: { usd: 1, unit: 'key-month', source: 'aws.amazon.com/kms/pricing', verify: true },
  sqsRequestsMillion: { usd: 0.4, unit: '1M requests', source: 'aws.amazon.com/sqs/pricing', verify: true },
  wafWebAclMonth: { usd: 5, unit: 'web ACL-month', source: 'aws.amazon.com/waf/pricing', verify: true },
  wafRuleMonth: { usd: 1, unit: 'rule-month', source: 'aws.amazon.com/waf/pricing', verify: true },
  wafRequestsMillion: { usd: 0.6, unit: '1M requests', source: 'aws.amazon.com/waf/pricing', verify: true },
  natGatewayHour: {
    usd: 0.045,
    unit: 'NAT gateway-hour',
    source: 'aws.amazon.com/vpc/pricing',
    verify: true,
  },
  natGatewayGb: { usd: 0.045, unit: 'GB processed', source: 'aws.amazon.com/vpc/pricing', verify: true },
  interfaceEndpointHour: {
    usd: 0.01,
    unit: 'endpoint-AZ-hour',
    source: 'aws.amazon.com/privatelink/pricing',
    verify: true,
  },
  interfaceEndpointGb: {
    usd: 0.01,
    unit: 'GB processed',
    source: 'aws.amazon.com/privatelink/pricing',
    verify: true,
  },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** The agent (and tool) models KASS can configure, with their on-demand token prices. */
export interface ModelPrice {
  /** The configuration key (`agent.model`, `tools.summarize.model`). */
  readonly key: string;
  readonly label: string;
  /** Recognises the model in an inference-profile or model id (`us.anthropic.claude-sonnet-4-5-…`). */
  readonly idPattern: RegExp;
  /** USD per 1M tokens through a `global.` profile (or in-region on demand). */
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /** Surcharge of geographic profiles (`us.`, `eu.`, `apac.`) over `global.`, as a fraction. */
  readonly geoPremium: number;
  readonly source: string;
  readonly verify?: boolean;
}

const ANTHROPIC = 'anthropic.com/pricing and AWS "global cross-region inference" page';

export const MODEL_PRICES: readonly ModelPrice[] = [
  {
    key: 'claude-sonnet-4-5',
    label: 'Claude Sonnet 4.5',
    idPattern: /anthropic\.claude-sonnet-4-5/,
    inputPerMillion: 3,
    outputPerMillion: 15,
    geoPremium: 0.1,
    source: ANTHROPIC,
    verify: true,
  },
  {
    key: 'claude-sonnet-4-6',
    label: 'Claude Sonnet 4.6',
    idPattern: /anthropic\.claude-sonnet-4-6/,
    inputPerMillion: 3,
    outputPerMillion: 15,
    geoPremium: 0.1,
    source: ANTHROPIC,
    verify: true,
  },
  {
    key: 'claude-haiku-4-5',
    label: 'Claude Haiku 4.5',
    idPattern: /anthropic\.claude-haiku-4-5/,
    inputPerMillion: 1,
    outputPerMillion: 5,
    geoPremium: 0.1,
    source: ANTHROPIC,
    verify: true,
  },
  {
    // Legacy: priced the same in every profile (no geographic surcharge on the 3.x generation).
    key: 'claude-3-5-sonnet-v2',
    label: 'Claude 3.5 Sonnet v2 (Legacy)',
    idPattern: /anthropic\.claude-3-5-sonnet-20241022-v2/,
    inputPerMillion: 3,
    outputPerMillion: 15,
    geoPremium: 0,
    source: BEDROCK_PRICING,
    verify: true,
  },
];

/** Geographies of cross-region inference profiles (`global.` carries no surcharge). */
export type InferenceGeo = 'global' | 'us' | 'eu' | 'apac' | 'jp' | 'au' | 'none';

/** The model a profile or model id names, and the profile's geography (`none`: an in-region model id). */
export function modelOf(id: string): { model: ModelPrice; geo: InferenceGeo } | undefined {
  const model = MODEL_PRICES.find((m) => m.idPattern.test(id));
  if (!model) return undefined;
  const geo = /(?:^|[/:])(global|us|eu|apac|jp|au)\.anthropic\./.exec(id)?.[1] as InferenceGeo | undefined;
  return { model, geo: geo ?? 'none' };
}

export function modelByKey(key: string): ModelPrice | undefined {
  return MODEL_PRICES.find((m) => m.key === key);
}

/** USD per 1M input/output tokens of a model through a profile of `geo`. */
export function tokenPrices(model: ModelPrice, geo: InferenceGeo): { input: number; output: number } {
  const factor = geo === 'global' || geo === 'none' ? 1 : 1 + model.geoPremium;
  return { input: model.inputPerMillion * factor, output: model.outputPerMillion * factor };
}

/** Monthly fixed cost of one NAT gateway (before data). */
export const NAT_GATEWAY_MONTHLY = PRICES.natGatewayHour.usd * HOURS_PER_MONTH;
/** Monthly fixed cost of one interface endpoint in `azs` AZs (before data). */
export const interfaceEndpointMonthly = (azs: number): number =>
  PRICES.interfaceEndpointHour.usd * HOURS_PER_MONTH * azs;
