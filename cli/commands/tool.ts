import * as fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentApiEvent } from '../../action-groups/kit/event';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import type { AgentApiResponse } from '../../action-groups/kit/response';
import type { CliIo } from '../io';
import { isContractResponse, LocalToolError, loadLocalTool } from '../local-tools';
import { CliError } from '../stack-outputs';

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
  --event                      Print the event only; do not run the handler.
  --json                       Print the raw contract response JSON instead of the status line and body.
  --root <dir>                 Repository holding schemas/ and action-groups/ (default: the repository of
                               this kass command).
  -h, --help                   Show this help

Environment: the handler reads its environment at load, as in Lambda (e.g. report needs
TICKETS_TABLE_NAME); set those variables for the run. AWS clients use the standard AWS configuration:
AWS_PROFILE or credentials, AWS_REGION, and endpoint overrides such as
AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000 for a local DynamoDB. Tool logs go to stderr at WARN and
above (POWERTOOLS_LOG_LEVEL=INFO or DEBUG for more; those levels print to stdout).

Examples:
  npx kass tool report getTicket --param ticketId=TCK-1042
  npx kass tool report createTicket --body '{"title":"VPN drops","description":"Disconnects every 10 minutes since Monday","severity":"high"}' --event

Exit status: 0 a 2xx response (or --event), 1 any other response or a handler that cannot load,
2 usage error (bad option, unknown group, operationId, parameter or body property).
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
    if (error instanceof LocalToolError) throw new CliError(error.message);
    throw error;
  }
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

  const handler = await loadHandler(root, group);
  const response = await handler(event);
  if (!isContractResponse(response)) {
    io.stdout.write(`${pretty(response)}\n`);
    io.stderr.write(
      `kass tool: the handler did not return an action-group response (response.httpStatusCode)\n`,
    );
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
  return status >= 200 && status < 300 ? 0 : 1;
}
