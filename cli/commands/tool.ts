import * as fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentApiEvent } from '../../action-groups/kit/event';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import type { AgentApiResponse } from '../../action-groups/kit/response';
import { type EnvSource, processEnv, setProcessEnv } from '../../contracts/env';
import { describeFailures, type FailedAwsCall, isMissingRegion, recordAwsFailures } from '../aws-failures';
import type { CliIo } from '../io';
import type { LocalAws } from '../local-aws';
import { isContractResponse, LocalToolError, loadLocalTool } from '../local-tools';
import { CliError, StackOutputs } from '../stack-outputs';
import { type EnvAdvice, prepareToolEnv, ToolEnvError, ToolNeedsError } from '../tool-env';
import { stageToolEnv } from '../tool-stage';

/**
 * The repository whose tools `kass tool` runs: the one this CLI file belongs to (`cli/commands/tool.ts`), so
 * `npx kass tool ...` works from any folder of a clone. `--root` points elsewhere (tests, other checkouts).
 */
const REPO_ROOT = path.resolve(__dirname, '../..');

export const usage = `Usage: kass tool <group> <operationId> [options]

Runs one operation of an action-group tool locally, in this process: builds the exact event the agent would
send (from schemas/<group>.yaml), calls the \`handler\` export of action-groups/<group>/handler.ts
and prints the response: a status line and the pretty-printed body.

Options:
  --param <name=value>         A path or query parameter (repeatable). Values are strings, as Bedrock sends
                               them; the kit coerces them by the schema (numbers, true/false, lists as
                               a,b or ["a","b"]).
  --body <json>                Request-body properties as one JSON object, e.g. '{"title":"VPN down"}'.
  --session-id <id>            The event's sessionId (default: kass-local-session).
  --session-attr <name=value>  A session attribute (repeatable).
  --stage <name>               Fill the tool's environment from the outputs of the deployed stack
                               kass-<name> (its tables, topic, model and settings): the tool then runs
                               here against that stage's AWS resources, with your AWS credentials.
  --local                      Run against AWS on this machine: an in-process DynamoDB (dynalite, a
                               devDependency: needs the dev install, npm install) with the tables the tool
                               needs, created as the stack declares them and kept in --local-data between
                               runs; SNS publishes are recorded and printed, not sent; Bedrock and
                               Secrets Manager are not available (their calls fail at once, saying so).
  --local-data <dir>           Where --local keeps its tables (default: .kass-local/ in the repository;
                               delete it to start over).
  --event                      Print the event only; do not run the handler.
  --json                       Print the raw contract response JSON instead of the status line and body.
  --root <dir>                 Repository holding schemas/ and action-groups/ (default: the repository of
                               this kass command).
  -h, --help                   Show this help

Environment: the handler reads the variables its action-groups/<group>/needs.ts declares, as in Lambda. Every
missing or invalid one is named at once, with what it is for; --stage or --local fill them, or set them for
the run (a variable you set always wins). AWS clients use the standard AWS configuration: AWS_PROFILE or
credentials, AWS_REGION, and endpoint overrides such as AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000.
When a tool fails, the AWS errors behind it (e.g. ResourceNotFoundException on a table) are printed on stderr
after the response the model would see. Tool logs go to stderr at WARN and above (POWERTOOLS_LOG_LEVEL=INFO or
DEBUG for more; those levels print to stdout).

Examples:
  npx kass tool report createTicket --body '{"title":"VPN drops","description":"Every 10 minutes since the update","severity":"high"}' --local
  npx kass tool report listTickets --local
  npx kass tool report getTicket --param ticketId=TCK-1042 --stage dev
  npx kass tool report createTicket --body '{"title":"VPN drops","description":"Every 10 minutes since the update","severity":"high"}' --event

Exit status: 0 a 2xx response (or --event), 1 any other response, a handler that cannot load or an AWS
configuration problem (no region, no stack), 2 usage or environment error (bad option, unknown group,
operationId, parameter or body property; missing or invalid environment variables).
`;

/** A usage error: the message, then the usage, exit 2. */
const usageError = (message: string): CliError => new CliError(`${message}\n\n${usage}`, 2);

/** `name=value` pairs of a repeatable option; a name given twice or a missing `=` is a usage error. */
function pairs(values: readonly string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of values ?? []) {
    const eq = text.indexOf('=');
    const name = eq > 0 ? text.slice(0, eq).trim() : '';
    if (name === '') throw usageError(`${option} expects name=value, got '${text}'`);
    if (name in out) {
      throw usageError(
        `${option} ${name} is given twice; pass a list as one value, e.g. ${option} ${name}=a,b`,
      );
    }
    out[name] = text.slice(eq + 1);
  }
  return out;
}

function parseBody(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError(`--body is not valid JSON: ${text}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`--body must be a JSON object of request-body properties, e.g. '{"title":"VPN down"}'`);
  }
  return value as Record<string, unknown>;
}

/** Action groups of a repository: the base names of `schemas/*.yaml`. */
const groupsOf = (root: string): string[] => {
  const dir = path.join(root, 'schemas');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -'.yaml'.length))
        .sort()
    : [];
};

/** Loads the tool through the one local loader; its problems are the user's to fix, so they print plainly. */
async function loadHandler(root: string, group: string): Promise<(event: AgentApiEvent) => Promise<unknown>> {
  try {
    return (await loadLocalTool(root, group, `npx kass tool ${group} ...`)).handler as (
      event: AgentApiEvent,
    ) => Promise<unknown>;
  } catch (error) {
    if (error instanceof LocalToolError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
}

/** The sentence `kass ask` and `kass sync` print when no region is configured. */
export const NO_REGION = 'No AWS region configured. Set AWS_REGION (or a profile with a region).';

/** Whether the SDK finds a region (AWS_REGION, AWS_DEFAULT_REGION or the profile's). */
async function hasRegion(): Promise<boolean> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  try {
    return Boolean(await client.config.region());
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

interface EnvFlags {
  readonly stage?: string | undefined;
  readonly local?: boolean | undefined;
  readonly 'local-data'?: string | undefined;
}

/**
 * Gets the tool's environment ready: every variable checked at once (filled from the stage's outputs or the
 * local stand-ins first), then the region. Returns the local stand-ins to stop after the run.
 */
async function prepare(
  root: string,
  advice: EnvAdvice,
  flags: EnvFlags,
  io: CliIo,
): Promise<LocalAws | undefined> {
  const env: EnvSource = processEnv();
  let local: LocalAws | undefined;
  try {
    const { needs, values } = await prepareToolEnv(root, advice, env, async (needs) => {
      if (flags.stage)
        return needs ? stageToolEnv(needs, advice.group, new StackOutputs(flags.stage, env), env) : {};
      if (!flags.local) return {};
      const { startLocalAws } = await import('../local-aws');
      local = await startLocalAws(needs, {
        dataDir: path.resolve(io.cwd, flags['local-data'] ?? path.join(root, '.kass-local', 'dynamodb')),
        env,
        note: (line) => io.stderr.write(`${line}\n`),
      });
      return local.env;
    });
    if (!flags.local && needs && !(await hasRegion())) throw new CliError(NO_REGION);
    setProcessEnv(values);
    return local;
  } catch (error) {
    await (local as LocalAws | undefined)?.stop();
    if (error instanceof ToolEnvError) throw new CliError(error.message, 2);
    if (error instanceof ToolNeedsError) throw new CliError(error.message);
    throw error;
  }
}

/** The AWS errors behind the response, on stderr: the model saw only the body. */
function reportFailures(failures: readonly FailedAwsCall[], io: CliIo): void {
  const lines = describeFailures(failures);
  if (lines.length === 0) return;
  io.stderr.write(
    `AWS calls that failed (the model sees only the response above):\n${lines.map((l) => `  ${l}\n`).join('')}`,
  );
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** The body's JSON pretty-printed, or its text as is when it is not JSON. */
function prettyBody(body: string): string {
  try {
    return pretty(JSON.parse(body));
  } catch {
    return body;
  }
}

/** Attribute maps the handler changed, printed after the body (they travel back to the agent). */
function changedAttributes(event: AgentApiEvent, response: AgentApiResponse): string {
  const maps = ['sessionAttributes', 'promptSessionAttributes'] as const;
  return maps
    .filter((key) => JSON.stringify(event[key]) !== JSON.stringify(response[key]))
    .map((key) => `${key}: ${JSON.stringify(response[key])}\n`)
    .join('');
}

/** `kass tool <group> <operationId> [options]` */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      param: { type: 'string', multiple: true },
      body: { type: 'string' },
      'session-id': { type: 'string' },
      'session-attr': { type: 'string', multiple: true },
      event: { type: 'boolean' },
      json: { type: 'boolean' },
      root: { type: 'string' },
      stage: { type: 'string' },
      local: { type: 'boolean' },
      'local-data': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const [group, operationId, ...extra] = positionals;
  if (group === undefined || operationId === undefined || extra.length > 0) {
    throw usageError(
      group === undefined
        ? 'missing <group> and <operationId>'
        : operationId === undefined
          ? 'missing <operationId>'
          : `unexpected argument '${extra[0]}'`,
    );
  }
  const params = pairs(values.param, '--param');
  const sessionAttributes = pairs(values['session-attr'], '--session-attr');
  const body = parseBody(values.body);
  const root = values.root === undefined ? REPO_ROOT : path.resolve(io.cwd, values.root);

  const groups = groupsOf(root);
  if (!groups.includes(group)) {
    throw new CliError(
      `unknown action group '${group}'; available: ${groups.length > 0 ? groups.join(', ') : `(none: ${path.join(root, 'schemas')} has no *.yaml)`}`,
      2,
    );
  }
  const schemaText = fs.readFileSync(path.join(root, 'schemas', `${group}.yaml`), 'utf8');
  let event: AgentApiEvent;
  try {
    event = buildAgentEvent({
      group,
      schemaText,
      operationId,
      params,
      ...(body ? { body } : {}),
      ...(values['session-id'] === undefined ? {} : { sessionId: values['session-id'] }),
      sessionAttributes,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if ((err as { name?: string }).name === 'SchemaSyntaxError') {
      throw new CliError(`${message} (run: kass schemas check schemas/${group}.yaml)`);
    }
    // The builder names the valid operationIds, parameters or body properties.
    throw new CliError(message, 2);
  }
  if (values.event) {
    io.stdout.write(`${pretty(event)}\n`);
    return 0;
  }

  if (values.stage && values.local) {
    throw usageError(
      '--stage and --local exclude each other: run against a deployed stage or on this machine',
    );
  }
  if (values['local-data'] && !values.local) throw usageError('--local-data goes with --local');
  const advice: EnvAdvice = {
    group,
    command: `npx kass tool ${group} ${operationId}`,
    ...(values.stage ? { stage: values.stage } : {}),
    offerLocal: !values.local,
  };
  const local = await prepare(root, advice, values, io);
  let outcome: { result: unknown; failures: readonly FailedAwsCall[] };
  try {
    const handler = await loadHandler(root, group);
    outcome = await recordAwsFailures(root, () => handler(event));
  } finally {
    await local?.stop();
  }
  const { result: response, failures } = outcome;
  if (failures.some(isMissingRegion)) throw new CliError(NO_REGION);
  if (!isContractResponse(response)) {
    io.stdout.write(`${pretty(response)}\n`);
    io.stderr.write(
      `kass tool: the handler did not return an action-group response (response.httpStatusCode)\n`,
    );
    reportFailures(failures, io);
    return 1;
  }
  const { httpStatusCode: status, responseBody } = response.response;
  if (values.json) {
    io.stdout.write(`${pretty(response)}\n`);
  } else {
    const reason = STATUS_CODES[status] ?? '';
    io.stdout.write(
      `${status} ${reason}  ${event.httpMethod} ${event.apiPath}  (${group}.${operationId})\n` +
        `${prettyBody(responseBody['application/json'].body)}\n${changedAttributes(event, response)}`,
    );
  }
  reportFailures(failures, io);
  return status >= 200 && status < 300 ? 0 : 1;
}
