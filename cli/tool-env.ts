import * as fs from 'node:fs';
import * as path from 'node:path';
import { type EnvSource, envRecord } from '../contracts/env';
import { type AnyToolNeeds, needsProblems, type ToolVarSource } from '../contracts/tool-needs';
import { toolEnvironmentOutputOf, toolVarOutputOf } from '../contracts/tool-outputs';

/**
 * A tool's environment as a local run sees it: the variables its descriptor (`action-groups/<group>/needs.ts`)
 * declares, checked all at once before the handler loads, each named with what it is for and where a value
 * comes from, so a developer fixes everything in one go instead of one cold-start failure per run.
 */

/** One variable of a descriptor. */
export type ToolVariable = AnyToolNeeds['variables'][string];

/** A descriptor's file, relative to the repository root. */
export const needsFileOf = (group: string): string => path.join('action-groups', group, 'needs.ts');

/** A descriptor that cannot be used; the message names the file. */
export class ToolNeedsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolNeedsError';
  }
}

/** The tool's descriptor, or undefined for a tool without one (it needs nothing the house does not set). */
export async function loadToolNeeds(root: string, group: string): Promise<AnyToolNeeds | undefined> {
  const file = path.join(root, needsFileOf(group));
  if (!fs.existsSync(file)) return undefined;
  let loaded: unknown;
  try {
    const mod = (await import(file)) as { needs?: unknown; default?: { needs?: unknown } };
    // tsx may expose a CommonJS module's exports under `default`.
    loaded = mod.needs ?? mod.default?.needs;
  } catch (error) {
    throw new ToolNeedsError(
      `${needsFileOf(group)} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const problems = needsProblems(loaded);
  if (problems.length > 0) throw new ToolNeedsError(`${needsFileOf(group)}: ${problems.join('; ')}`);
  return loaded as AnyToolNeeds;
}

const shortActions = (actions: readonly string[]): string =>
  actions.map((a) => a.replace(/^dynamodb:/, '')).join(', ');

/** What a variable holds, in words, from its source. */
export function purposeOf(source: ToolVarSource, needs: AnyToolNeeds): string {
  const section = `tools.${needs.settings ?? '?'}`;
  switch (source.kind) {
    case 'house':
      return 'name of the ToolLogs DynamoDB table, where every tool call is recorded';
    case 'table': {
      const indexes = source.queryIndexes?.length ? `; Query on ${source.queryIndexes.join(', ')}` : '';
      return `name of the DynamoDB table ${source.table} (${shortActions(source.actions)}${indexes})`;
    }
    case 'topic':
      return `ARN of the SNS topic ${source.topic} the tool publishes to`;
    case 'secret':
      return `ARN of the Secrets Manager secret ${source.secret.id}: ${source.secret.description}`;
    case 'model':
      return source.part === 'modelId'
        ? `inference profile id of the model ${section}.${source.setting} (Bedrock Converse)`
        : `${source.part === 'guardrailId' ? 'id' : 'version'} of the stage's guardrail, applied to the model calls`;
    case 'setting':
      return `${section}.${source.setting} of the stage config (infra/config/stages.ts)`;
    case 'unidentified-calls':
      return 'what to do with a call that names no caller: refuse or operator (local runs: operator)';
  }
}

/** Where a deployed stage publishes the variable (the stack output the CLI reads for it). */
export function outputOf(variable: ToolVariable, group: string): string | undefined {
  const where = toolVarOutputOf(variable.source);
  if (where.kind === 'output') return where.key;
  return where.kind === 'tool-environment' ? toolEnvironmentOutputOf(group) : undefined;
}

/** One variable a run lacks or cannot use. */
export interface ToolEnvProblem {
  readonly name: string;
  /** `missing`, or the variable's own parse problem (its value is invalid). */
  readonly problem: string;
  readonly purpose: string;
}

/** Every variable of `needs` that `env` lacks or holds a bad value for, in descriptor order. */
export function toolEnvProblems(needs: AnyToolNeeds, env: EnvSource): ToolEnvProblem[] {
  const problems: ToolEnvProblem[] = [];
  for (const variable of Object.values(needs.variables)) {
    const checked = envRecord({ value: variable }).check(env);
    if (checked.ok) continue;
    problems.push({
      name: variable.name,
      problem: checked.missing.length > 0 ? 'missing' : checked.problems.join('; '),
      purpose: purposeOf(variable.source, needs),
    });
  }
  return problems;
}

/** How the run was told to find values, for the advice that follows the list. */
export interface EnvAdvice {
  readonly group: string;
  /** The command to repeat, e.g. `npx kass tool report listTickets`. */
  readonly command: string;
  /** The stage whose outputs were read, if any. */
  readonly stage?: string;
  /** Whether to suggest `--local` (kass tool without it). */
  readonly offerLocal?: boolean;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The one message that names every problem, what each variable is for and how to provide it. */
export function toolEnvMessage(
  needs: AnyToolNeeds,
  problems: readonly ToolEnvProblem[],
  advice: EnvAdvice,
): string {
  const width = Math.max(...problems.map((p) => p.name.length));
  const byName = new Map(Object.values(needs.variables).map((v) => [v.name, v]));
  const indent = ' '.repeat(width + 4);
  const lines = problems.map((p) => {
    const variable = byName.get(p.name);
    const output = variable ? outputOf(variable, advice.group) : undefined;
    const detail = [
      ...(p.problem === 'missing' ? [] : [p.problem]),
      ...(advice.stage && output
        ? [
            `stack kass-${advice.stage} has no output ${output}${output.endsWith('ToolEnvironment') ? ` holding ${p.name}` : ''}`,
          ]
        : []),
    ];
    const head = `  ${p.name.padEnd(width)}  ${p.problem === 'missing' ? 'missing' : 'invalid'}: ${p.purpose}`;
    return [head, ...detail.map((d) => `${indent}${d}`)].join('\n');
  });
  const ways: string[] = [];
  if (advice.stage) {
    ways.push(
      `  redeploy stage ${advice.stage} so its stack publishes them: npx cdk deploy -c stage=${advice.stage}`,
    );
  } else {
    ways.push('  --stage <name>  fill them from the outputs of the deployed stack kass-<name>');
  }
  if (advice.offerLocal) {
    ways.push(
      "  --local         run on this machine: an in-process DynamoDB with the tool's tables (see --help)",
    );
  }
  const example = problems
    .slice(0, 3)
    .map((p) => `${p.name}=<value>`)
    .join(' ');
  ways.push(`  or set them for the run: ${example}${problems.length > 3 ? ' …' : ''} ${advice.command}`);
  return [
    `${advice.group} cannot run: ${plural(problems.length, 'environment variable is', 'environment variables are')} missing or invalid (${needsFileOf(advice.group)}):`,
    ...lines,
    'Provide them in one of these ways:',
    ...ways,
  ].join('\n');
}

/** What a run found out about a tool's environment before loading it. */
export interface PreparedToolEnv {
  readonly needs: AnyToolNeeds | undefined;
  /** Values to set in this process before the handler loads (from the stage or the local stand-ins). */
  readonly values: Readonly<Record<string, string | undefined>>;
}

/** The variables are not all there: the message lists every one (exit 2, a configuration problem). */
export class ToolEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolEnvError';
  }
}

/**
 * Checks a tool's whole environment before its handler loads: the process environment, then `fill`'s values
 * (a stage's outputs, the local stand-ins) for what it lacks. Throws a {@link ToolEnvError} naming every
 * variable still missing or invalid.
 */
export async function prepareToolEnv(
  root: string,
  advice: EnvAdvice,
  env: EnvSource,
  fill: (needs: AnyToolNeeds | undefined) => Promise<Readonly<Record<string, string | undefined>>>,
): Promise<PreparedToolEnv> {
  const needs = await loadToolNeeds(root, advice.group);
  const values = await fill(needs);
  if (needs) {
    const problems = toolEnvProblems(needs, { ...env, ...values });
    if (problems.length > 0) throw new ToolEnvError(toolEnvMessage(needs, problems, advice));
  }
  return { needs, values };
}
