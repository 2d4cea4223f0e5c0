import type { EnvSource } from '../contracts/env';
import type { AnyToolNeeds } from '../contracts/tool-needs';
import { toolEnvironmentOutputOf, toolVarOutputOf } from '../contracts/tool-outputs';
import { CliError, type StackOutputs, stackNameOf } from './stack-outputs';

/**
 * Fills a tool's variables from a deployed stage, so a local run gets the environment its Lambda has: each
 * unset variable from the stack output the contracts name for its source (`contracts/tool-outputs.ts`): a
 * table's or topic's own output, or the tool's environment output (JSON) for its settings, model and secrets.
 * A variable already set in the environment wins, as everywhere in the CLI (flag, then variable, then stack).
 */

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/** The values the stage provides for the variables `env` lacks (variable name → value). */
export async function stageToolEnv(
  needs: AnyToolNeeds,
  group: string,
  outputs: StackOutputs,
  env: EnvSource,
): Promise<Record<string, string>> {
  const unset = Object.values(needs.variables).filter((v) => !isSet(env[v.name]));
  if (unset.length === 0) return {};
  const all = await outputs.all({
    flagValue: undefined,
    flagName: '--local',
    envVar: unset.map((v) => v.name).join(', '),
    output: toolEnvironmentOutputOf(group),
  });
  const own = toolEnvironmentOf(all, group, outputs.stage);
  const values: Record<string, string> = {};
  for (const variable of unset) {
    const where = toolVarOutputOf(variable.source);
    const value =
      where.kind === 'output'
        ? all[where.key]
        : where.kind === 'tool-environment'
          ? own[variable.name]
          : undefined;
    if (value !== undefined) values[variable.name] = value;
  }
  return values;
}

/** The tool's environment output, parsed; empty when the stack has none (an older deploy). */
function toolEnvironmentOf(
  outputs: Readonly<Record<string, string>>,
  group: string,
  stage: string,
): Record<string, string> {
  const key = toolEnvironmentOutputOf(group);
  const text = outputs[key];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    }
  } catch {
    // reported below
  }
  throw new CliError(
    `Output ${key} of stack ${stackNameOf(stage)} is not a JSON object of variables; redeploy the stage (npx cdk deploy -c stage=${stage}).`,
  );
}
