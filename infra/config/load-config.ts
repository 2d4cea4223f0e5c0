import { ConfigError, parseOrThrow } from './config-error';
import { type StageConfig, StageConfigSchema } from './stage-config';
import { STAGES } from './stages';

type Overrides = Record<string, unknown>;

/** The context key that carries one-off overrides: `-c kass:config='{"agent":{...}}'`. */
export const CONFIG_CONTEXT_KEY = 'kass:config';

const isPlainObject = (v: unknown): v is Overrides =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deep-merges overrides into a stage's settings: objects merge key by key, arrays and scalars replace. An
 * object that names another `strategy` (chunking, parsing) replaces the stage's object: its other keys
 * belong to the old strategy.
 */
export function mergeOverrides(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides === undefined ? base : overrides;
  if ('strategy' in overrides && overrides.strategy !== base.strategy) return overrides;
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // An own property even for `__proto__` (JSON.parse makes one): validation then names it as unknown.
    Object.defineProperty(out, key, {
      value: mergeOverrides(Object.hasOwn(base, key) ? base[key] : undefined, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The overrides object of `-c kass:config=…`: the CDK CLI and `npm run synth` hand it over as JSON text,
 * code and tests as an object. Malformed JSON or a non-object fails with the key and the reason.
 */
export function parseConfigOverrides(value: unknown): Overrides {
  if (value === undefined) return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new ConfigError(`-c ${CONFIG_CONTEXT_KEY}`, [
        `${CONFIG_CONTEXT_KEY}: not valid JSON (${(error as Error).message}): ${value}`,
        `${CONFIG_CONTEXT_KEY}: in a shell, quote the whole pair so the double quotes survive: ` +
          `-c '${CONFIG_CONTEXT_KEY}={"agent":{"model":"claude-haiku-4-5"}}'`,
      ]);
    }
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`-c ${CONFIG_CONTEXT_KEY}`, [
      `${CONFIG_CONTEXT_KEY}: must be a JSON object of settings, e.g. {"agent":{"model":"claude-haiku-4-5"}} ` +
        `(got ${JSON.stringify(parsed)})`,
    ]);
  }
  return parsed;
}

/**
 * The validated configuration of a stage. `overrides` (e.g. from `-c kass:config='{"agent":{...}}'`) are
 * merged over the stage's values, defaults included, and validated again: a partial override such as
 * `{"knowledgeBase":{"chunking":{"maxTokens":300}}}` keeps the stage's chunking strategy and overlap.
 */
export function loadStageConfig(stage: string, overrides: Overrides = {}): StageConfig {
  const base = STAGES[stage];
  if (!base) {
    throw new ConfigError('stage', [
      `stage: unknown stage '${stage}'; known stages: ${Object.keys(STAGES).join(', ')}`,
    ]);
  }
  const source = `configuration of stage '${stage}'`;
  const stageValues = parseOrThrow(StageConfigSchema, base, source);
  if (Object.keys(overrides).length === 0) return stageValues;
  return parseOrThrow(StageConfigSchema, mergeOverrides(stageValues, overrides), source);
}
