import type { AgentApiEvent, AgentEventProperty } from './event';
import { parseSchemaSource } from './openapi/document';
import type { JsonSchema } from './openapi/json-schema';
import { type Operation, readOperations } from './openapi/operations';

/** The agent identity local events carry: the console test alias and DRAFT, as Bedrock sends while testing. */
export const LOCAL_AGENT = {
  name: 'kass-agent',
  id: 'LOCALAGENT',
  alias: 'TSTALIASID',
  version: 'DRAFT',
} as const;

export const LOCAL_SESSION_ID = 'kass-local-session';

/** A parameter value as a caller has it; the builder turns it into the string Bedrock would send. */
export type BuilderValue = string | number | boolean | unknown[] | Record<string, unknown>;

export interface BuildAgentEventInput {
  /** The action group (`report`). */
  readonly group: string;
  /** The group's OpenAPI document text. */
  readonly schemaText: string;
  readonly operationId: string;
  /** Path and query parameters by name. */
  readonly params?: Record<string, BuilderValue>;
  /** Request-body properties by name. */
  readonly body?: Record<string, unknown>;
  /** @default 'kass-local-session' */
  readonly sessionId?: string;
  readonly sessionAttributes?: Record<string, string>;
  readonly promptSessionAttributes?: Record<string, string>;
  /** @default '' */
  readonly inputText?: string;
}

// Local tools build many events from one schema: parse each text once.
const operationCache = new Map<string, Operation[]>();

function operationsOf(group: string, schemaText: string): Operation[] {
  let ops = operationCache.get(schemaText);
  if (!ops) {
    ops = readOperations(parseSchemaSource(schemaText, `${group}.yaml`).document);
    operationCache.set(schemaText, ops);
  }
  return ops;
}

/** Every value travels as a string (contract §1.1); lists and objects as JSON, the form the kit parses first. */
const toText = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '');

function jsonTypeOf(value: unknown): NonNullable<JsonSchema['type']> {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'object' && value !== null ? 'object' : 'string';
}

function toProperties(
  values: Record<string, unknown>,
  declared: ReadonlyMap<string, JsonSchema>,
  what: { readonly one: string; readonly many: string },
  operationId: string,
): AgentEventProperty[] {
  const unknown = Object.keys(values).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    const valid = [...declared.keys()];
    throw new Error(
      `${operationId} has no ${what.one} ${unknown.join(', ')}; valid ${what.many}: ${valid.length > 0 ? valid.join(', ') : '(none)'}.`,
    );
  }
  // Declaration order, as the agent lists them.
  return [...declared.entries()]
    .filter(([name]) => values[name] !== undefined)
    .map(([name, schema]) => ({ name, type: schema.type ?? 'string', value: toText(values[name]) }));
}

/**
 * Builds the event the agent would send for one operation: template `apiPath`, upper-case `httpMethod`,
 * string values with the declared types, `parameters: []` for operations with a body, and no `parameters`
 * key for an operation called without any. Throws for an unknown operationId or field, naming the valid ones.
 */
export function buildAgentEvent(input: BuildAgentEventInput): AgentApiEvent {
  const ops = operationsOf(input.group, input.schemaText);
  const op = ops.find((o) => o.operationId === input.operationId);
  if (!op) {
    throw new Error(
      `Unknown operationId "${input.operationId}" for action group ${input.group}; valid operationIds: ${ops.map((o) => o.operationId).join(', ')}.`,
    );
  }
  const parameters = toProperties(
    input.params ?? {},
    new Map(op.parameters.map((p) => [p.name, p.schema])),
    { one: 'parameter', many: 'parameters' },
    op.operationId,
  );
  const requestBody = op.requestBody;
  const body = input.body ?? {};
  // A body schema without properties is free-form: declare whatever is passed, typed by its JS value.
  const bodySchemas = requestBody?.schema.properties
    ? new Map(Object.entries(requestBody.schema.properties))
    : new Map(Object.entries(body).map(([name, value]) => [name, { type: jsonTypeOf(value) }]));
  const bodyProperties = requestBody
    ? toProperties(body, bodySchemas, { one: 'body property', many: 'body properties' }, op.operationId)
    : undefined;
  if (!requestBody && input.body && Object.keys(input.body).length > 0) {
    throw new Error(`${op.operationId} (${op.method} ${op.path}) takes no request body.`);
  }
  return {
    messageVersion: '1.0',
    agent: { ...LOCAL_AGENT },
    inputText: input.inputText ?? '',
    sessionId: input.sessionId ?? LOCAL_SESSION_ID,
    actionGroup: input.group,
    apiPath: op.path,
    httpMethod: op.method,
    ...(requestBody || parameters.length > 0 ? { parameters } : {}),
    ...(requestBody && bodyProperties
      ? { requestBody: { content: { [requestBody.mediaType]: { properties: bodyProperties } } } }
      : {}),
    sessionAttributes: { ...input.sessionAttributes },
    promptSessionAttributes: { ...input.promptSessionAttributes },
  };
}
