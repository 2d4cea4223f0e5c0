import { ConfigError } from './config-error';
import type { StageConfig } from './stage-config';

/**
 * The regions a cross-region inference profile of each geography can be called from (its source regions),
 * for the Claude models KASS wires (`agent.model`, `tools.summarize.model`, `tools.codeReview.model`). A
 * profile id is `<geography>.<model id>`, and a call from a region outside the geography fails: the stack's
 * region must be listed under `agent.inferenceGeo`.
 *
 * Source: the Bedrock user guide's "Supported Regions and models for inference profiles" and the model cards
 * (late 2026). Lists grow as AWS adds regions, and some models are offered in fewer of them: `kass doctor`
 * asks GetInferenceProfile in the target region, which is authoritative. Add a region here when AWS adds it.
 */
const US = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1'] as const;
const EU = [
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
] as const;
const APAC = [
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'me-central-1',
] as const;

export const INFERENCE_GEOGRAPHIES = {
  us: US,
  eu: EU,
  apac: APAC,
  /** Global profiles route to any commercial region and can be called from the commercial Bedrock regions. */
  global: [...US, 'sa-east-1', ...EU, ...APAC, 'il-central-1'],
} as const satisfies Record<StageConfig['agent']['inferenceGeo'], readonly string[]>;

export type InferenceGeography = keyof typeof INFERENCE_GEOGRAPHIES;

/** The geographies whose profiles can be called from `region`, in table order. */
export const geographiesServing = (region: string): InferenceGeography[] =>
  (Object.keys(INFERENCE_GEOGRAPHIES) as InferenceGeography[]).filter((geo) =>
    (INFERENCE_GEOGRAPHIES[geo] as readonly string[]).includes(region),
  );

/**
 * Fails synth when the stack's region cannot call the configured inference profiles. `region` is the stage's
 * `env.region` or, for an environment-agnostic stage, the region the CDK CLI deploys to (CDK_DEFAULT_REGION);
 * without either there is nothing to check until deploy (`kass doctor` checks the account's region).
 */
export function checkInferenceRegion(config: StageConfig, region: string | undefined): void {
  if (!region || region.startsWith('${')) return;
  const geo = config.agent.inferenceGeo;
  if ((INFERENCE_GEOGRAPHIES[geo] as readonly string[]).includes(region)) return;
  const serving = geographiesServing(region);
  const source = config.env.region
    ? `env.region is ${region}`
    : `the target region is ${region} (CDK_DEFAULT_REGION)`;
  throw new ConfigError(`configuration of stage '${config.stage}'`, [
    `agent.inferenceGeo: '${geo}' inference profiles (agent.model, tools.summarize.model, tools.codeReview.model) ` +
      `cannot be called from ${region}; ${source}. ` +
      (serving.length > 0
        ? `Set agent.inferenceGeo to ${serving.map((g) => `'${g}'`).join(' or ')}, or deploy to a region of '${geo}' ` +
          `(${INFERENCE_GEOGRAPHIES[geo].join(', ')}).`
        : `No geography in infra/config/inference-geographies.ts serves ${region}: deploy to a region of '${geo}' ` +
          `(${INFERENCE_GEOGRAPHIES[geo].join(', ')}), or add ${region} there if AWS now offers the profile in it.`),
  ]);
}
