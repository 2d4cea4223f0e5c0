import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MODEL_PRICES, type ModelPrice, modelByKey } from '../../contracts/prices';
import { VECTOR_STORES, type VectorStoreKind } from '../../contracts/vector-stores';
import { type Estimate, estimate, MEDIUM_USAGE, type Workload } from '../cost/estimate';
import { formatComparison, formatEstimate, formatModelComparison } from '../cost/format';
import { type CfnTemplate, inventoryOf } from '../cost/inventory';
import { StageConfigError, type SynthesizedStage, synthesizeStage } from '../cost/synthesize';
import { defaultProfile, parseRecordedTurns, type TurnProfile } from '../cost/turns';
import type { CliIo } from '../io';
import { CliError } from '../stack-outputs';

export const usage = `Usage: kass cost [options]

A monthly estimate of a stage, read from its CloudFormation template (synthesized here, offline, exactly as
cdk deploy would build it: vector store and standby replicas, functions and their memory, tables, APIs,
endpoints, NAT, alarms, dashboards, the agent's model and guardrail) and a usage you choose. One line per
service with the formula that produced it; prices from contracts/prices.ts (dated, with sources).

Options:
  --stage <name>            Stage to synthesize (default: dev)
  -c, --config <json>       Overrides merged over the stage's settings, as -c kass:config='…' does for synth
  --template <file>         Price this template instead (cdk.out/kass-prod.template.json, or a deployed one
                            from aws cloudformation get-template)
  --requests <n>            Agent turns a month (default: ${MEDIUM_USAGE.requests.toLocaleString('en-US')}, the original design's medium usage)
  --documents-gb <n>        Documents in the knowledge base (default: ${MEDIUM_USAGE.documentsGb})
  --tokens-in <n>           Input tokens per turn, all model calls together (default: from sample turns)
  --tokens-out <n>          Output tokens per turn (default: from sample turns)
  --turns-from <file>       Take tokens, lookups and tool calls per turn from turns you recorded with
                            kass ask --json (documents appended to one file, or a JSON array)
  --model <key>             Price the agent with this model; repeat (or 'all') to compare models:
                            ${MODEL_PRICES.map((m) => m.key).join(', ')}
  --compare-stores          The same workload on each vector store, side by side (synthesizes the stage once
                            per store)
  --json                    Machine-readable output (totals in USD a month)
  -h, --help                Show this help

Exit status: 0 success, 1 the stage could not be synthesized or a file could not be read, 2 usage error.
`;

/** A positive number option (`--requests 5e4` is fine). */
function numberOption(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
    throw new CliError(`${name} must be a ${integer ? 'whole ' : ''}number ≥ 0 (got "${raw}")`, 2);
  return value;
}

function parseConfig(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(`--config must be a JSON object, e.g. '{"agent":{"model":"claude-haiku-4-5"}}'`, 2);
}

function modelsOf(keys: readonly string[]): ModelPrice[] {
  if (keys.includes('all')) return [...MODEL_PRICES];
  return keys.map((key) => {
    const model = modelByKey(key);
    if (!model)
      throw new CliError(
        `--model ${key}: unknown model; use one of ${MODEL_PRICES.map((m) => m.key).join(', ')}, all`,
        2,
      );
    return model;
  });
}

/** Deep merge for the per-store override (the user's --config stays, the store replaces its key). */
function withStore(config: Record<string, unknown>, store: VectorStoreKind): Record<string, unknown> {
  const kb = config.knowledgeBase;
  return {
    ...config,
    knowledgeBase: {
      ...(typeof kb === 'object' && kb !== null ? (kb as Record<string, unknown>) : {}),
      vectorStore: store,
    },
  };
}

export interface CostDeps {
  readonly synthesize?: (stage: string, overrides: Record<string, unknown>) => Promise<SynthesizedStage>;
}

export function createCost(deps: CostDeps = {}): (argv: string[], io: CliIo) => Promise<number> {
  const synthesize = deps.synthesize ?? synthesizeStage;
  return async (argv, io) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        config: { type: 'string', short: 'c' },
        template: { type: 'string' },
        requests: { type: 'string' },
        'documents-gb': { type: 'string' },
        'tokens-in': { type: 'string' },
        'tokens-out': { type: 'string' },
        'turns-from': { type: 'string' },
        model: { type: 'string', multiple: true },
        'compare-stores': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const requests = numberOption('--requests', values.requests, MEDIUM_USAGE.requests, true);
    const documentsGb = numberOption('--documents-gb', values['documents-gb'], MEDIUM_USAGE.documentsGb);
    const models = modelsOf(values.model ?? []);
    const overrides = parseConfig(values.config);
    if (values.template && values['compare-stores'])
      throw new CliError(
        '--compare-stores synthesizes the stage once per store; it cannot use --template',
        2,
      );
    if (values.template && values.config)
      throw new CliError(
        '--config applies to the synthesized stage; edit the template instead of using --template',
        2,
      );

    let profile: TurnProfile;
    if (values['turns-from']) {
      const file = path.resolve(io.cwd, values['turns-from']);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`--turns-from ${values['turns-from']}: ${(error as Error).message}`);
      }
      try {
        profile = parseRecordedTurns(text, values['turns-from']);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
    } else profile = defaultProfile();
    const tokensIn = numberOption('--tokens-in', values['tokens-in'], profile.inputTokens, true);
    const tokensOut = numberOption('--tokens-out', values['tokens-out'], profile.outputTokens, true);
    if (values['tokens-in'] !== undefined || values['tokens-out'] !== undefined) {
      profile = {
        ...profile,
        inputTokens: tokensIn,
        outputTokens: tokensOut,
        source: `${values['tokens-in'] !== undefined ? '--tokens-in' : ''}${values['tokens-in'] !== undefined && values['tokens-out'] !== undefined ? ' and ' : ''}${values['tokens-out'] !== undefined ? '--tokens-out' : ''}; lookups and tool calls from ${profile.source}`,
      };
    }
    const workload = (model?: ModelPrice): Workload => ({
      requests,
      documentsGb,
      profile,
      ...(model ? { model } : {}),
    });

    const load = async (
      config: Record<string, unknown>,
    ): Promise<{ stage?: string; template: CfnTemplate }> => {
      if (values.template) {
        const file = path.resolve(io.cwd, values.template);
        try {
          return { template: JSON.parse(fs.readFileSync(file, 'utf8')) as CfnTemplate };
        } catch (error) {
          throw new CliError(`--template ${values.template}: ${(error as Error).message}`);
        }
      }
      try {
        return await synthesize(values.stage, config);
      } catch (error) {
        if (error instanceof StageConfigError || (error as { name?: string }).name === 'StageConfigError')
          throw new CliError((error as Error).message);
        throw error;
      }
    };

    if (values['compare-stores']) {
      const stores: Record<string, Estimate> = {};
      for (const store of VECTOR_STORES) {
        if (!values.json) io.stderr.write(`synthesizing stage ${values.stage} with ${store}…\n`);
        const { stage, template } = await load(withStore(overrides, store));
        stores[store] = estimate(inventoryOf(template), workload(models[0]), stage);
      }
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ stage: values.stage, workload: stores[VECTOR_STORES[0]]?.workload, stores }, null, 2)}\n`,
        );
      } else io.stdout.write(formatComparison(stores));
      return 0;
    }

    const { stage, template } = await load(overrides);
    const inventory = inventoryOf(template);
    const main = estimate(inventory, workload(models[0]), stage);
    const compared =
      models.length > 1
        ? models.map((m) => ({ key: m.key, estimate: estimate(inventory, workload(m), stage) }))
        : [];
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify(
          compared.length > 0
            ? { ...main, models: Object.fromEntries(compared.map((c) => [c.key, c.estimate])) }
            : main,
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    io.stdout.write(formatEstimate(main));
    if (compared.length > 0) io.stdout.write(`\n${formatModelComparison(compared)}`);
    return 0;
  };
}

/** `kass cost [options]` */
export const run = createCost();
