import type { Context } from 'aws-lambda';
import { type AgentApiEvent, type AgentEventProperty, isRecord } from '../event';
import type { Operation } from '../openapi/operations';
import type { AgentApiResponse } from '../response';
import { GATEWAY_TOOL_SEPARATOR } from '../schema-rules/patterns';

/**
 * A call from an AgentCore gateway Lambda target: the event is the tool's arguments and nothing else; the tool
 * name (`<target>___<tool>`) and the gateway's metadata arrive in `context.clientContext.custom`. The kit turns
 * the call into the OpenAPI event it stands for, so it goes through the one pipeline (coercion, validation,
 * handler), and the OpenAPI answer into the JSON the gateway hands the model.
 */

/** The keys of `clientContext.custom` the gateway sets. */
export const GATEWAY_CONTEXT_KEYS = {
  toolName: 'bedrockAgentCoreToolName',
  gatewayId: 'bedrockAgentCoreGatewayId',
  targetId: 'bedrockAgentCoreTargetId',
  messageId: 'bedrockAgentCoreMcpMessageId',
  requestId: 'bedrockAgentCoreAwsRequestId',
  propagatedHeaders: 'bedrockAgentCorePropagatedHeaders',
} as const;

/** What the gateway passes to the model: MCP tool-result content, `isError` for anything but 2xx/3xx. */
export interface GatewayToolResult {
  readonly isError: boolean;
  readonly content: readonly [{ readonly type: 'text'; readonly text: string }];
}

/**
 * The gateway metadata of a Lambda context, when the call came from a gateway: `clientContext.custom` with at
 * least one `bedrockAgentCore*` key. A Bedrock agent (Classic) never sends a client context, so an event with
 * one is never read as a Classic event, whatever fields the model put in its arguments.
 */
export function gatewayContextOf(context: Context | undefined): Record<string, unknown> | undefined {
  const custom: unknown = (context?.clientContext as { custom?: unknown } | undefined)?.custom;
  if (!isRecord(custom)) return undefined;
  return Object.keys(custom).some((key) => key.startsWith('bedrockAgentCore')) ? custom : undefined;
}

/** `<target>___<tool>` → `tool` (split on the last separator: target names may not contain it, tools might). */
export function toolOfName(name: string): { readonly target?: string; readonly tool: string } {
  const at = name.lastIndexOf(GATEWAY_TOOL_SEPARATOR);
  return at < 0
    ? { tool: name }
    : { target: name.slice(0, at), tool: name.slice(at + GATEWAY_TOOL_SEPARATOR.length) };
}

/** A value as Bedrock would send it: text as is, anything else as JSON (the kit's coercion parses it back). */
const asText = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '');

/** The identity of a Classic event a gateway call stands for (the agent fields are informational only). */
export interface GatewayCallRouting {
  readonly actionGroup: string;
  readonly sessionId: string;
  readonly gatewayId: string;
  readonly targetId: string;
  readonly sessionAttributes: Record<string, string>;
}

export type GatewayEventResult =
  | { readonly ok: true; readonly event: AgentApiEvent }
  | { readonly ok: false; readonly fields: readonly string[] };

/**
 * The OpenAPI event a gateway call stands for: each argument goes where the operation declares it (path, query
 * or header parameter, else a body property when the operation has a body, else an unknown parameter that the
 * reader ignores and names in a 400). Values travel as Bedrock sends them, as text: numbers, flags, lists and
 * objects as JSON, which the one coercion step types from the schema. An object or list given for a text field
 * is refused here, because its JSON text would otherwise pass as text.
 */
export function toGatewayApiEvent(
  args: Record<string, unknown>,
  op: Operation,
  routing: GatewayCallRouting,
): GatewayEventResult {
  const declared = new Map(op.parameters.map((p) => [p.name, p]));
  const parameters: AgentEventProperty[] = [];
  const properties: AgentEventProperty[] = [];
  const fields: string[] = [];
  const bodySchema = op.requestBody?.schema.properties ?? {};
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const param = declared.get(name);
    const inBody = !param && op.requestBody !== undefined;
    const type = (param ? param.schema.type : bodySchema[name]?.type) ?? 'string';
    if ((param || bodySchema[name]) && type === 'string' && typeof value === 'object') {
      const hint = (param?.description || bodySchema[name]?.description || '').trim();
      fields.push(`${name}: must be text${hint ? `. Expected: ${hint.slice(0, 200)}` : ''}`);
      continue;
    }
    (inBody ? properties : parameters).push({ name, type, value: asText(value) });
  }
  if (fields.length > 0) return { ok: false, fields };
  return {
    ok: true,
    event: {
      messageVersion: '1.0',
      agent: { name: 'kass-agentcore', id: routing.gatewayId, alias: routing.targetId, version: 'gateway' },
      inputText: '',
      sessionId: routing.sessionId,
      actionGroup: routing.actionGroup,
      apiPath: op.path,
      httpMethod: op.method,
      parameters,
      ...(op.requestBody && properties.length > 0
        ? { requestBody: { content: { [op.requestBody.mediaType]: { properties } } } }
        : {}),
      sessionAttributes: { ...routing.sessionAttributes },
      promptSessionAttributes: {},
    },
  };
}

/** The gateway result for a body and status: the body's JSON text, an error for 4xx/5xx. */
export function gatewayResult(status: number, bodyText: string): GatewayToolResult {
  return { isError: status >= 400, content: [{ type: 'text', text: bodyText }] };
}

/** Re-shapes the OpenAPI answer the pipeline produced for the gateway. */
export const toGatewayResult = (api: AgentApiResponse): GatewayToolResult =>
  gatewayResult(api.response.httpStatusCode, api.response.responseBody['application/json'].body);

/** Whether a value is a gateway answer (tests and the bundle check tell the shapes apart with it). */
export const isGatewayResult = (value: unknown): value is GatewayToolResult =>
  isRecord(value) && typeof value.isError === 'boolean' && Array.isArray(value.content);
