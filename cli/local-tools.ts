import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentApiEvent } from '../action-groups/kit/event';
import { buildAgentEvent } from '../action-groups/kit/event-builder';
import { parseSchemaSource } from '../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../action-groups/kit/openapi/operations';
import type { AgentApiResponse } from '../action-groups/kit/response';
import type {
  ApiCall,
  ReturnControlContext,
  ReturnControlHandlers,
  ReturnControlOutcome,
  ToolArgument,
} from '../client';
import { defaultProcessEnv, processEnv, setProcessEnv } from '../contracts/env';
import { UNIDENTIFIED_CALLS_ENV } from '../contracts/tool-needs';
import { CliError, StackOutputs } from './stack-outputs';
import { prepareToolEnv, ToolEnvError } from './tool-env';
import { stageToolEnv } from './tool-stage';

/**
 * `--local-tools`: runs the repository's own tool handlers for the agent's return-of-control calls. The
 * agent's action groups must use RETURN_CONTROL (the `local` stage, `agent.toolExecution: 'return-control'`).
 * Each call becomes the exact Lambda event (the kit's `buildAgentEvent`), runs in this process, and the
 * handler's contract response becomes the `apiResult` sent back to the agent.
 */

/** The repository this CLI belongs to: `action-groups/<group>/handler.ts`, `schemas/<group>.yaml`. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** A tool as the CLI runs it: the handler `defineTool` returns, and its OpenAPI document. */
export interface LocalTool {
  readonly handler: (event: AgentApiEvent) => Promise<unknown>;
  readonly schema: string;
}

export interface LocalToolsOptions {
  /** Repository holding `action-groups/` and `schemas/`. @default the repository of this CLI */
  readonly root?: string;
  /** Loads an action group's tool (tests pass fixtures). @default `loadLocalTool(root, group)` */
  readonly load?: (actionGroup: string) => Promise<LocalTool>;
  /**
   * The stage whose stack outputs fill the variables a tool needs and the environment lacks (its tables,
   * topic, model and settings), as `kass tool --stage` does.
   */
  readonly stage?: string;
}

/**
 * Checks a tool's whole environment before its first call, filling what is unset from the stage's outputs;
 * every variable still missing is named in one error (what it is for, where its value comes from).
 */
async function prepareLocalTool(root: string, group: string, stage: string | undefined): Promise<void> {
  if (!GROUP_NAME.test(group)) throw new LocalToolError(`"${group}" is not a local action group name`);
  const env = processEnv();
  try {
    const { values } = await prepareToolEnv(
      root,
      { group, command: 'kass chat --local-tools', ...(stage ? { stage } : {}) },
      env,
      async (needs) => (needs && stage ? stageToolEnv(needs, group, new StackOutputs(stage, env), env) : {}),
    );
    setProcessEnv(values);
  } catch (error) {
    if (error instanceof ToolEnvError) throw new LocalToolError(error.message, 2);
    if (error instanceof Error && (error.name === 'ToolNeedsError' || error instanceof CliError)) {
      throw new LocalToolError(error.message);
    }
    throw error;
  }
}

/** A local tool that cannot run (missing handler, cold-start failure); the message says what to do. */
export class LocalToolError extends Error {
  constructor(
    message: string,
    /** 2 when the environment is the problem (a configuration error), else 1. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'LocalToolError';
  }
}

/** Action-group names double as folder names: nothing that could leave `action-groups/`. */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Defaults for tools run in the CLI, unless set: logs at WARN (stderr), no metrics, no tracing. A call that
 * names no caller (no `userId` session attribute, e.g. `kass chat --local-tools`) runs as an operator: the
 * tool runs with the developer's own AWS credentials, which can read its tables directly anyway.
 */
export function localPowertoolsDefaults(): void {
  defaultProcessEnv({
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    [UNIDENTIFIED_CALLS_ENV]: 'operator',
  });
}

/**
 * Imports `action-groups/<group>/handler.ts` of `root` (lazily: only groups the agent calls are loaded) and
 * finds its schema: the `defineTool` definition's, else `schemas/<group>.yaml`. One loader for `kass tool` and
 * `--local-tools`; `command` is how messages tell the user to re-run (e.g. `npx kass tool report ...`).
 */
export async function loadLocalTool(
  root: string,
  group: string,
  command = 'kass chat --local-tools',
): Promise<LocalTool> {
  if (!GROUP_NAME.test(group)) throw new LocalToolError(`"${group}" is not a local action group name`);
  const rel = path.join('action-groups', group, 'handler.ts');
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) {
    throw new LocalToolError(
      `action group ${group} has no handler: create ${rel} (kass new-tool scaffolds one)`,
    );
  }
  localPowertoolsDefaults();
  let mod: { handler?: unknown; default?: { handler?: unknown } };
  try {
    mod = (await import(file)) as typeof mod;
  } catch (error) {
    throw coldStartError(error, rel, command);
  }
  // tsx may expose a CommonJS module's exports under `default`.
  const handler = mod.handler ?? mod.default?.handler;
  if (typeof handler !== 'function')
    throw new LocalToolError(`${rel} does not export a function named handler`);
  const definition = (handler as { definition?: { schema?: unknown } }).definition;
  const schemaFile = path.join(root, 'schemas', `${group}.yaml`);
  const schema =
    typeof definition?.schema === 'string'
      ? definition.schema
      : fs.existsSync(schemaFile)
        ? fs.readFileSync(schemaFile, 'utf8')
        : undefined;
  if (schema === undefined)
    throw new LocalToolError(`no schema for action group ${group}: schemas/${group}.yaml`);
  return { handler: handler as LocalTool['handler'], schema };
}

/**
 * A handler that failed to load. A tool reading its environment through a record fails with every missing
 * or malformed variable at once (`EnvError`, recognised by name: the tool may load its own copy of the module).
 */
function coldStartError(error: unknown, rel: string, command: string): LocalToolError {
  const message = error instanceof Error ? error.message : String(error);
  const env = error as { name?: unknown; problems?: unknown; missing?: unknown };
  const problems = env.name === 'EnvError' && Array.isArray(env.problems) ? (env.problems as string[]) : [];
  const missing = Array.isArray(env.missing)
    ? (env.missing as string[])
    : [/Missing environment variable (\w+)/.exec(message)?.[1]].filter((n): n is string => n !== undefined);
  if (problems.length === 0 && missing.length === 0)
    return new LocalToolError(`${rel} failed to load: ${message}`);
  return new LocalToolError(
    [
      `${rel} failed at cold start: its environment is incomplete:`,
      ...(problems.length > 0
        ? problems
        : missing.map((name) => `environment variable ${name} is not set`)
      ).map((p) => `  - ${p}`),
      'Local runs read the same environment as the Lambda: set the variables for the run, e.g.',
      `  ${missing.map((name) => `${name}=<value>`).join(' ') || '<NAME>=<value>'} ${command}`,
      'AWS clients use the standard AWS configuration: AWS_PROFILE or credentials, AWS_REGION, and endpoint',
      'overrides such as AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000 for a local DynamoDB.',
    ].join('\n'),
    2,
  );
}

const byName = (args: readonly ToolArgument[] | undefined): Record<string, string> =>
  Object.fromEntries((args ?? []).map((a) => [a.name, a.value]));

export const isContractResponse = (value: unknown): value is AgentApiResponse => {
  const response = (value as { response?: AgentApiResponse['response'] } | null)?.response;
  return (
    typeof response?.httpStatusCode === 'number' &&
    typeof response.responseBody?.['application/json']?.body === 'string'
  );
};

/**
 * Runs one returned OpenAPI call with a local tool: apiPath + method → operationId through the schema,
 * then the kit's event builder, then the handler. A call the schema does not declare answers 404 and
 * unknown fields 400, as the deployed tool would.
 */
export async function runLocalCall(
  tool: LocalTool,
  call: ApiCall,
  context: ReturnControlContext,
): Promise<ReturnControlOutcome> {
  const operations = operationsOf(tool.schema, call.actionGroup);
  const method = call.httpMethod.toUpperCase();
  const op = operations.find((o) => o.method === method && o.path === call.apiPath);
  if (!op) {
    return {
      status: 404,
      body: {
        error: `This tool has no operation ${method} ${call.apiPath}. Use one of the available operations.`,
        availableOperations: operations.map((o) => `${o.method} ${o.path} (${o.operationId})`),
      },
    };
  }
  const body = call.requestBody
    ? (call.requestBody['application/json'] ?? Object.values(call.requestBody)[0])
    : undefined;
  let event: AgentApiEvent;
  try {
    event = buildAgentEvent({
      group: call.actionGroup,
      schemaText: tool.schema,
      operationId: op.operationId,
      params: byName(call.parameters),
      ...(body ? { body: byName(body) } : {}),
      sessionId: context.sessionId,
      sessionAttributes: { ...context.sessionAttributes },
      promptSessionAttributes: { ...context.promptSessionAttributes },
    });
  } catch (error) {
    return { status: 400, body: { error: error instanceof Error ? error.message : 'Invalid tool input.' } };
  }
  const response = await tool.handler(event);
  if (!isContractResponse(response)) {
    throw new LocalToolError(`${call.actionGroup} handler did not return an action-group response`);
  }
  return {
    status: response.response.httpStatusCode,
    body: response.response.responseBody['application/json'].body,
    sessionAttributes: response.sessionAttributes,
  };
}

const operationCache = new Map<string, Operation[]>();

function operationsOf(schema: string, group: string): Operation[] {
  let ops = operationCache.get(schema);
  if (!ops) {
    ops = readOperations(parseSchemaSource(schema, `${group}.yaml`).document);
    operationCache.set(schema, ops);
  }
  return ops;
}

/**
 * Return-of-control handlers for every action group of the repository (`'*'`): each group's tool is loaded
 * on its first call. Function-details calls are not supported (KASS tools are OpenAPI).
 */
export function localToolHandlers(options: LocalToolsOptions = {}): ReturnControlHandlers {
  const root = options.root ?? REPO_ROOT;
  const load =
    options.load ??
    (async (group: string) => {
      await prepareLocalTool(root, group, options.stage);
      return loadLocalTool(root, group);
    });
  const tools = new Map<string, Promise<LocalTool>>();
  return {
    '*': async (call, context) => {
      if (call.kind !== 'api') {
        throw new LocalToolError(
          `${call.actionGroup}.${call.function} is a function-details tool; local tools run OpenAPI action groups only`,
        );
      }
      let tool = tools.get(call.actionGroup);
      if (!tool) {
        tool = load(call.actionGroup);
        tools.set(call.actionGroup, tool);
        // A failed load is reported on every call, not cached as a rejected promise forever.
        tool.catch(() => tools.delete(call.actionGroup));
      }
      return runLocalCall(await tool, call, context);
    },
  };
}
