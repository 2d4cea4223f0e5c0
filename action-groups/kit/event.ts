import * as z from 'zod/mini';
import './zod-locale';
import { isRecord } from '../../contracts/json';

/** One `{name, type, value}` triple. `value` is always a string, whatever `type` declares (contract §1.1). */
const propertySchema = z.object({ name: z.string(), type: z.string(), value: z.string() });

/**
 * zod's record skips an own `__proto__` key (prototype-pollution guard) instead of checking its value, so a
 * map `{"__proto__": 5}` would pass as valid. Refuse a non-string value there like any other key.
 */
const protoKeyIsString = z.custom<unknown>(
  (v) => {
    const own = isRecord(v) ? Object.getOwnPropertyDescriptor(v, '__proto__') : undefined;
    return own === undefined || typeof own.value === 'string';
  },
  { error: '__proto__: Invalid input: expected string' },
);

const attributesSchema = z.pipe(protoKeyIsString, z.record(z.string(), z.string()));

/** The fields both event kinds (OpenAPI and function details) carry besides their routing. */
export const eventEnvelopeShape = {
  messageVersion: z.string(),
  agent: z.object({ name: z.string(), id: z.string(), alias: z.string(), version: z.string() }),
  inputText: z.string(),
  sessionId: z.string(),
  actionGroup: z.string(),
  parameters: z.optional(z.array(propertySchema)),
  sessionAttributes: z.optional(attributesSchema),
  promptSessionAttributes: z.optional(attributesSchema),
};

/**
 * The OpenAPI action-group event (contract §1.1). `z.object` strips unknown keys instead of failing,
 * so fields Bedrock adds later do not break the tools.
 */
export const agentApiEventSchema = z.object({
  ...eventEnvelopeShape,
  apiPath: z.string(),
  httpMethod: z.string(),
  requestBody: z.optional(
    z.object({ content: z.record(z.string(), z.object({ properties: z.array(propertySchema) })) }),
  ),
});

export type AgentApiEvent = z.infer<typeof agentApiEventSchema>;
export type AgentEventProperty = z.infer<typeof propertySchema>;

/** What an error response can still echo from an event that failed validation. */
export interface EventRouting {
  readonly actionGroup?: string;
  readonly apiPath?: string;
  readonly httpMethod?: string;
  readonly sessionAttributes?: Record<string, string>;
  readonly promptSessionAttributes?: Record<string, string>;
}

export type ParseAgentEventResult =
  | { readonly ok: true; readonly event: AgentApiEvent }
  | { readonly ok: false; readonly issues: readonly string[]; readonly routing: EventRouting };

/** Issues listed in a 400 body; a fuzzed event can have thousands and the body goes into the prompt. */
const MAX_ISSUES = 10;

/** Dotted path with indexes, e.g. `parameters[0].value`. */
const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  ) || '(event)';

/** Picks the routing fields that are strings, so a 400 for a broken event still echoes what it can. */
export function extractRouting(raw: unknown): EventRouting {
  if (!isRecord(raw)) return {};
  const text = (key: 'actionGroup' | 'apiPath' | 'httpMethod') =>
    typeof raw[key] === 'string' ? { [key]: raw[key] } : {};
  const session = attributesSchema.safeParse(raw.sessionAttributes);
  const prompt = attributesSchema.safeParse(raw.promptSessionAttributes);
  return {
    ...text('actionGroup'),
    ...text('apiPath'),
    ...text('httpMethod'),
    ...(session.success ? { sessionAttributes: session.data } : {}),
    ...(prompt.success ? { promptSessionAttributes: prompt.data } : {}),
  };
}

/** Each issue as `field: reason`, at most MAX_ISSUES of them. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const all = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  return all.length > MAX_ISSUES
    ? [...all.slice(0, MAX_ISSUES), `… and ${all.length - MAX_ISSUES} more`]
    : all;
}

/** Validates a raw Lambda input as an OpenAPI action-group event. Never throws. */
export function parseAgentEvent(raw: unknown): ParseAgentEventResult {
  const result = agentApiEventSchema.safeParse(raw);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, issues: formatIssues(result.error.issues), routing: extractRouting(raw) };
}
