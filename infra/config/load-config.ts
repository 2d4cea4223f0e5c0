import { ConfigError, parseOrThrow } from './config-error';
import { type StageConfig, StageConfigSchema } from './stage-config';
import { STAGES } from './stages';

type Overrides = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Overrides =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges overrides into a stage's settings (arrays are replaced, not merged). */
function merge(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides === undefined ? base : overrides;
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(overrides)) out[key] = merge(base[key], value);
  return out;
}

/**
 * The validated configuration of a stage. `overrides` (e.g. from `-c kass:config='{"agent":{...}}'`)
 * are merged over the stage's settings before validation, so they are checked the same way.
 */
export function loadStageConfig(stage: string, overrides: Overrides = {}): StageConfig {
  const base = STAGES[stage];
  if (!base) {
    throw new ConfigError('stage', [
      `stage: unknown stage '${stage}'; known stages: ${Object.keys(STAGES).join(', ')}`,
    ]);
  }
  return parseOrThrow(StageConfigSchema, merge(base, overrides), `configuration of stage '${stage}'`);
}
