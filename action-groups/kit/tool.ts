import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type Caller, callerOf, withIdentityOf } from './caller';
import { clip } from './coerce';
import { toErrorOutcome, UNEXPECTED_ERROR_MESSAGE } from './errors';
import { type AgentApiEvent, type EventRouting, extractRouting, isRecord, parseAgentEvent } from './event';
import {
  type AgentFunctionEvent,
  type AgentFunctionResponse,
  isFunctionDetailsEvent,
  parseFunctionEvent,
  toApiEvent,
  toFunctionResponse,
} from './function-details';
import {
  GATEWAY_CONTEXT_KEYS,
  type GatewayToolResult,
  gatewayContextOf,
  gatewayResult,
  toGatewayApiEvent,
  toGatewayResult,
  toolOfName,
} from './gateway/call';
import { type IdentityVerifier, identityTokenOf, verifyIdentity } from './gateway/identity';
import { defaultKmsClient, IDENTITY_KEY_ENV, kmsIdentityVerifier } from './gateway/kms-identity';
import { TOOL_METRICS } from './metric-names';
import { parseSchemaSource } from './openapi/document';
import { type Operation, readOperations } from './openapi/operations';
import { logger, metrics, tracer } from './powertools';
import { type AgentApiResponse, type ResponseOptions, toAgentResponse } from './response';
import { compileInputReader, type InputReader, type OperationInput } from './validate';

export type { OperationInput } from './validate';

/** What a handler gets besides its input. Only the kit knows the Bedrock event envelope. */
export interface ToolContext {
  readonly operationId: string;
  readonly sessionId: string;
  /**
   * Copies of the event's maps. Changes are sent back in the response, so a handler can remember a value for
   * the session (`sessionAttributes`) or the turn (`promptSessionAttributes`). Values must be strings.
   */
  readonly sessionAttributes: Record<string, string>;
  readonly promptSessionAttributes: Record<string, string>;
  readonly agent: AgentApiEvent['agent'];
  /**
   * The verified caller, read once from the session attributes the chat API sets (`callerOf`); undefined
   * when the session names none. The only identity a tool may trust; never take it from parameters.
   */
  readonly caller: Caller | undefined;
  /** The user's utterance for this turn: context only, never the tool input. */
  readonly inputText: string;
  readonly logger: Logger;
  readonly lambdaContext?: Context;
}

const WITH_STATUS: unique symbol = Symbol.for('kass.withStatus');

/** A handler result with a status other than 200 (e.g. 201 or 202). */
export interface WithStatus<T> {
  readonly [WITH_STATUS]: true;
  readonly status: number;
  readonly body: T;
}

/** Returns `body` with `status` instead of 200: `return withStatus(201, ticket)`. */
export const withStatus = <T>(status: number, body: T): WithStatus<T> => ({
  [WITH_STATUS]: true,
  status,
  body,
});

const isWithStatus = (value: unknown): value is WithStatus<unknown> =>
  typeof value === 'object' && value !== null && (value as { [WITH_STATUS]?: unknown })[WITH_STATUS] === true;

/** One operation's handler: typed input in, typed output (or `withStatus(...)`) out. */
export type OperationHandler<I = OperationInput, O = unknown> = (
  input: I,
  ctx: ToolContext,
) => Promise<O | WithStatus<O>>;

/** Any map from operationId to handler; generated `<Group>Operations` types satisfy it. */
export type OperationsShape<Ops> = { [K in keyof Ops]: (input: never, ctx: ToolContext) => Promise<unknown> };

export type UntypedOperations = Record<string, OperationHandler>;

export interface ToolDefinition<Ops extends OperationsShape<Ops> = UntypedOperations> {
  /** The action-group name (`report`). A different `actionGroup` in the event is allowed (console renames). */
  readonly name: string;
  /** The OpenAPI document's text: `import schema from '../../schemas/report.yaml'`. */
  readonly schema: string;
  /** Handlers keyed by operationId. A missing one answers 501; `missingHandlers()` lets a test forbid that. */
  readonly operations: Partial<NoInfer<Ops>>;
  /** @default 20_000 */
  readonly maxBodyChars?: number;
  /** Stores one record per call (the ToolLogs table in the cloud). Failures never change the answer. */
  readonly recorder?: ToolCallRecorder;
  /**
   * Checks the identity assertion of AgentCore gateway calls (see `gateway/identity.ts`).
   * @default KMS VerifyMac with the key in IDENTITY_KEY_ARN; without that variable gateway calls carry no identity
   */
  readonly identityVerifier?: IdentityVerifier;
}

/** What the kit reports about each call: no payloads, only routing, outcome and timing. */
export interface ToolCallRecord {
  readonly tool: string;
  readonly operation: string;
  readonly route: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly sessionId?: string;
  /** ISO-8601 time the call started. */
  readonly startedAt: string;
}

/** A port that persists call records. */
export type ToolCallRecorder = (record: ToolCallRecord) => Promise<void>;

/** Either contract response: OpenAPI (§2.1) or function details (§2.2), matching the event's kind. */
export type AgentToolResponse = AgentApiResponse | AgentFunctionResponse;

/** Whether a tool's answer is the OpenAPI-shaped one. */
export const isApiResponse = (response: AgentToolResponse): response is AgentApiResponse =>
  'httpStatusCode' in response.response;

/**
 * The Lambda handler `defineTool` returns. It never throws and always returns a contract response: the
 * OpenAPI shape for an OpenAPI event (anything with an `apiPath`, and anything malformed), the
 * function-details shape for a function call (`function` and no `apiPath`), and for an AgentCore gateway call
 * (the gateway's keys in `context.clientContext.custom`, whatever the event holds) a {@link GatewayToolResult}.
 */
export interface ToolHandler {
  (raw: AgentApiEvent, context?: Context): Promise<AgentApiResponse>;
  (raw: AgentFunctionEvent, context?: Context): Promise<AgentFunctionResponse>;
  (raw: unknown): Promise<AgentToolResponse>;
  (raw: unknown, context: Context | undefined): Promise<AgentToolResponse | GatewayToolResult>;
  /**
   * Answers `args` as an AgentCore gateway call, always in the gateway's shape: a context without the gateway's
   * keys is a malformed call (error result). The Lambda entry itself routes by the context.
   */
  readonly gateway: (args: unknown, context: Context) => Promise<GatewayToolResult>;
  readonly definition: ToolDefinition<UntypedOperations>;
}

type RuntimeHandler = (input: OperationInput, ctx: ToolContext) => Promise<unknown>;

interface CompiledOperation {
  readonly op: Operation;
  readonly read: InputReader;
  readonly handler?: RuntimeHandler;
}

/** Metric dimension for calls that never reached an operation. */
const UNROUTED = 'unrouted';

/** Longest piece of a route echoed in a 404 body (apiPath can be anything the caller sent). */
const ROUTE_ECHO_CHARS = 100;

const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

/** Caller-supplied routing text echoed in a body or log. */
const clipRoute = (text: string): string => clip(text, ROUTE_ECHO_CHARS);

const malformedBody = (issues: readonly string[]) => ({
  error: 'The tool request is malformed: it does not match the Bedrock action-group event format.',
  fields: issues,
});

interface Outcome {
  readonly response: AgentToolResponse | GatewayToolResult;
  /** The HTTP status of the answer (a function response carries only its responseState). */
  readonly status: number;
  readonly operation: string;
  readonly route: string;
  readonly sessionId?: string;
}

/** The outcome of an OpenAPI call: its answer is always the OpenAPI shape. */
interface ApiOutcome extends Outcome {
  readonly response: AgentApiResponse;
}

/** Operations of a schema text, or a cold-start error naming the tool. */
function loadOperations(name: string, schemaText: string): Operation[] {
  if (typeof schemaText !== 'string' || schemaText.trim() === '') {
    throw new Error(`defineTool(${name}): schema is empty; pass the OpenAPI document's text.`);
  }
  const operations = readOperations(parseSchemaSource(schemaText, `${name}.yaml`).document);
  if (operations.length === 0) throw new Error(`defineTool(${name}): the schema declares no operations.`);
  const seen = new Set<string>();
  for (const op of operations) {
    if (!op.operationId) throw new Error(`defineTool(${name}): ${op.method} ${op.path} has no operationId.`);
    if (seen.has(op.operationId))
      throw new Error(`defineTool(${name}): operationId ${op.operationId} is not unique.`);
    seen.add(op.operationId);
  }
  return operations;
}

/** Operation ids in the definition's schema that have no handler. */
export function missingHandlers(
  tool: Pick<ToolDefinition<UntypedOperations>, 'name' | 'schema' | 'operations'> | ToolHandler,
): string[] {
  const def = typeof tool === 'function' ? tool.definition : tool;
  const handlers = def.operations as Record<string, unknown>;
  return loadOperations(def.name, def.schema)
    .map((op) => op.operationId)
    .filter((id) => typeof handlers[id] !== 'function');
}

/**
 * Builds an action-group Lambda handler from the OpenAPI document and one handler per operationId. The
 * schema is parsed and compiled once, at cold start (a broken schema or a handler for an unknown operation
 * fails the cold start). Each call is parsed, routed on `METHOD apiPath`, coerced and validated against the
 * schema, handled, and answered with the contract response.
 *
 * ```ts
 * import schema from '../../schemas/report.yaml';
 * import type { ReportOperations } from './schema.generated';
 *
 * export const handler = defineTool<ReportOperations>({
 *   name: 'report',
 *   schema,
 *   operations: {
 *     getTicket: async ({ params }) => getTicket(store, params.ticketId), // throw new NotFound('…') if absent
 *     createTicket: async ({ body }, ctx) => withStatus(201, await createTicket(store, body, ctx.sessionId)),
 *   },
 * });
 * ```
 */
export function defineTool<Ops extends OperationsShape<Ops> = UntypedOperations>(
  def: ToolDefinition<Ops>,
): ToolHandler {
  const operations = loadOperations(def.name, def.schema);
  const handlers = def.operations as Record<string, unknown>;
  const known = new Set(operations.map((op) => op.operationId));
  for (const key of Object.keys(handlers)) {
    if (!known.has(key)) {
      throw new Error(
        `defineTool(${def.name}): handler "${key}" has no operation in the schema; operations: ${[...known].join(', ')}.`,
      );
    }
  }
  const routes = new Map<string, CompiledOperation>();
  const byOperationId = new Map<string, CompiledOperation>();
  for (const op of operations) {
    const fn = handlers[op.operationId];
    const compiled: CompiledOperation = {
      op,
      read: compileInputReader(op),
      ...(typeof fn === 'function' ? { handler: fn as RuntimeHandler } : {}),
    };
    routes.set(routeKey(op.method, op.path), compiled);
    byOperationId.set(op.operationId, compiled);
  }
  const available = operations.map((op) => `${op.method} ${op.path} (${op.operationId})`);
  const options: ResponseOptions = def.maxBodyChars === undefined ? {} : { maxBodyChars: def.maxBodyChars };
  let warnedRename = false;

  const respond = (routing: EventRouting, status: number, body: unknown): AgentApiResponse =>
    toAgentResponse(routing, status, body, options);

  async function runOperation(
    compiled: CompiledOperation,
    event: AgentApiEvent,
    context: Context | undefined,
  ): Promise<AgentApiResponse> {
    const { op, handler } = compiled;
    if (!handler) {
      return respond(event, 501, {
        error: `operation ${op.operationId} is not available in this deployment`,
      });
    }
    const read = compiled.read(event);
    if (read.ignored.length > 0)
      logger.debug('ignored unknown fields', { ignored: read.ignored.slice(0, 20) });
    if (!read.ok) {
      return respond(event, 400, {
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: read.fields,
      });
    }
    const ctx: ToolContext = {
      operationId: op.operationId,
      sessionId: event.sessionId,
      sessionAttributes: { ...event.sessionAttributes },
      promptSessionAttributes: { ...event.promptSessionAttributes },
      agent: event.agent,
      caller: callerOf(event.sessionAttributes),
      inputText: event.inputText,
      logger,
      ...(context ? { lambdaContext: context } : {}),
    };
    // The handler's attribute changes are what the response echoes, except the identity attributes.
    const echo = (): EventRouting => ({
      ...event,
      sessionAttributes: withIdentityOf(event.sessionAttributes, ctx.sessionAttributes),
      promptSessionAttributes: ctx.promptSessionAttributes,
    });
    try {
      const result = await handler(read.input, ctx);
      return isWithStatus(result)
        ? respond(echo(), result.status, result.body)
        : respond(echo(), 200, result);
    } catch (err) {
      const outcome = toErrorOutcome(err);
      if (!outcome.expected) {
        logger.error('operation failed unexpectedly', { operation: op.operationId, error: err });
        if (tracer.isTracingEnabled() && err instanceof Error) tracer.addErrorAsMetadata(err);
      } else if (outcome.status >= 500) {
        logger.warn('operation dependency failed', {
          operation: op.operationId,
          status: outcome.status,
          error: err,
        });
      }
      return respond(echo(), outcome.status, outcome.body);
    }
  }

  /** A function call runs as the OpenAPI call it stands for, then is answered in function shape. */
  async function dispatchFunction(
    raw: Record<string, unknown>,
    context: Context | undefined,
  ): Promise<Outcome> {
    const parsed = parseFunctionEvent(raw);
    if (!parsed.ok) {
      logger.warn('malformed action-group event', { issues: parsed.issues });
      const api = respond(parsed.routing, 400, malformedBody(parsed.issues));
      return {
        operation: UNROUTED,
        route: 'malformed',
        status: 400,
        response: toFunctionResponse(api, parsed.routing),
      };
    }
    const event = parsed.event;
    const asked = `function ${clipRoute(event.function)}`;
    const compiled = byOperationId.get(event.function);
    if (!compiled) {
      const api = respond(event, 404, {
        error: `This tool has no function ${clipRoute(event.function)}. Use one of the available functions.`,
        availableFunctions: operations.map((op) => op.operationId),
      });
      return {
        operation: UNROUTED,
        route: asked,
        sessionId: event.sessionId,
        status: 404,
        response: toFunctionResponse(api, event),
      };
    }
    const outcome = await dispatchApi(toApiEvent(event, compiled.op), context);
    return { ...outcome, route: asked, response: toFunctionResponse(outcome.response, event) };
  }

  // Gateway calls: identity assertions verified once per container and token (a turn's tool calls share one).
  const verifier =
    def.identityVerifier ??
    (process.env[IDENTITY_KEY_ENV]
      ? kmsIdentityVerifier(defaultKmsClient(), process.env[IDENTITY_KEY_ENV])
      : undefined);
  const verified = new Map<string, { attributes: Record<string, string> | undefined; until: number }>();

  /** The session attributes a gateway call's assertion vouches for; `{}` (no identity) for anything else. */
  async function gatewayIdentity(custom: Record<string, unknown>): Promise<Record<string, string>> {
    const token = identityTokenOf(custom);
    if (token === undefined) return {};
    if (!verifier) {
      logger.warn('gateway call carries an identity assertion but no verifier is configured; no identity');
      return {};
    }
    const now = Date.now();
    const cached = verified.get(token);
    if (cached && cached.until > now) return { ...cached.attributes };
    const attributes = await verifyIdentity(verifier, token, now);
    if (!attributes) logger.warn('gateway call identity assertion rejected; the call runs without identity');
    if (verified.size >= 100) verified.clear();
    verified.set(token, { attributes, until: now + 60_000 });
    return { ...attributes };
  }

  /** A gateway call runs as the OpenAPI call it stands for, then is answered in the gateway's shape. */
  async function dispatchGateway(
    args: unknown,
    context: Context | undefined,
    custom: Record<string, unknown> | undefined,
  ): Promise<Outcome> {
    const fail = (status: number, route: string, body: unknown): Outcome => {
      const api = respond({ actionGroup: def.name }, status, body);
      return { operation: UNROUTED, route, status, response: toGatewayResult(api) };
    };
    const available = operations.map((op) => op.operationId);
    if (!custom) {
      return fail(400, 'gateway malformed', {
        error:
          'The tool call is malformed: it has no AgentCore gateway client context (bedrockAgentCoreToolName), so the tool cannot tell which operation to run.',
        availableTools: available,
      });
    }
    const name = custom[GATEWAY_CONTEXT_KEYS.toolName];
    if (typeof name !== 'string' || name === '') {
      return fail(400, 'gateway malformed', {
        error: 'The tool call is malformed: the gateway sent no tool name.',
        availableTools: available,
      });
    }
    const { tool } = toolOfName(name);
    const route = `gateway ${clipRoute(name)}`;
    const compiled = byOperationId.get(tool);
    if (!compiled) {
      return fail(404, route, {
        error: `This tool has no operation ${clipRoute(tool)}. Use one of the available tools.`,
        availableTools: available,
      });
    }
    // Writes run only after the user confirms, which a gateway cannot ask for: the chat API runs them itself
    // (inline functions, invoked directly, without a gateway id). The targets do not list them either.
    if (compiled.op.requireConfirmation && typeof custom[GATEWAY_CONTEXT_KEYS.gatewayId] === 'string') {
      return fail(403, route, {
        error: `${compiled.op.operationId} changes data and needs the user's confirmation first; it cannot run through the gateway.`,
      });
    }
    if (args !== undefined && args !== null && !isRecord(args)) {
      return fail(400, route, {
        error:
          'Invalid input. The tool arguments must be a JSON object of named fields; call the tool again.',
        availableTools: available,
      });
    }
    const sessionAttributes = await gatewayIdentity(custom);
    const text = (key: string): string | undefined =>
      typeof custom[key] === 'string' ? (custom[key] as string) : undefined;
    // The conversation is the session, as on Classic; a call without identity gets a session of its own.
    const sessionId =
      sessionAttributes.conversationId ??
      `gateway-${text(GATEWAY_CONTEXT_KEYS.messageId) ?? text(GATEWAY_CONTEXT_KEYS.requestId) ?? context?.awsRequestId ?? 'call'}`;
    const built = toGatewayApiEvent(isRecord(args) ? args : {}, compiled.op, {
      actionGroup: def.name,
      sessionId,
      gatewayId: text(GATEWAY_CONTEXT_KEYS.gatewayId) ?? '',
      targetId: text(GATEWAY_CONTEXT_KEYS.targetId) ?? '',
      sessionAttributes,
    });
    if (!built.ok) {
      return {
        ...fail(400, route, {
          error: 'Invalid input. Fix these fields and call the tool again.',
          fields: built.fields,
        }),
        operation: compiled.op.operationId,
        sessionId,
      };
    }
    const outcome = await dispatchApi(built.event, context);
    return { ...outcome, route, response: toGatewayResult(outcome.response) };
  }

  async function dispatch(raw: unknown, context: Context | undefined): Promise<Outcome> {
    const custom = gatewayContextOf(context);
    if (custom) return dispatchGateway(raw, context, custom);
    if (isFunctionDetailsEvent(raw)) return dispatchFunction(raw, context);
    const parsed = parseAgentEvent(raw);
    if (!parsed.ok) {
      logger.warn('malformed action-group event', { issues: parsed.issues });
      return {
        operation: UNROUTED,
        route: 'malformed',
        status: 400,
        response: respond(parsed.routing, 400, malformedBody(parsed.issues)),
      };
    }
    return dispatchApi(parsed.event, context);
  }

  async function dispatchApi(event: AgentApiEvent, context: Context | undefined): Promise<ApiOutcome> {
    const route = routeKey(event.httpMethod, event.apiPath);
    const compiled = routes.get(route);
    if (!compiled) {
      const asked = clipRoute(route);
      return {
        operation: UNROUTED,
        route: asked,
        sessionId: event.sessionId,
        status: 404,
        response: respond(event, 404, {
          error: `This tool has no operation ${asked}. Use one of the available operations.`,
          availableOperations: available,
        }),
      };
    }
    if (event.actionGroup !== def.name && !warnedRename) {
      warnedRename = true;
      logger.warn('actionGroup differs from the tool name; routing by apiPath', {
        tool: def.name,
        actionGroup: event.actionGroup,
      });
    }
    const operation = compiled.op.operationId;
    logger.appendKeys({ operation, sessionId: event.sessionId });
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${def.name}.${operation}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.putAnnotation('operation', operation);
    }
    try {
      const response = await runOperation(compiled, event, context);
      return {
        operation,
        route,
        sessionId: event.sessionId,
        status: response.response.httpStatusCode,
        response,
      };
    } finally {
      segment?.close();
      if (parent) tracer.setSegment(parent);
    }
  }

  const run = async (
    raw: unknown,
    context: Context | undefined,
    route: (raw: unknown, context: Context | undefined) => Promise<Outcome>,
    gateway: boolean,
  ): Promise<AgentToolResponse | GatewayToolResult> => {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    let outcome: Outcome | undefined;
    try {
      if (context) logger.addContext(context);
      outcome = await route(raw, context);
      return outcome.response;
    } catch (err) {
      // Only a bug in the kit gets here; answer in contract shape anyway.
      logger.error('tool adapter failed', { error: err });
      if (gateway) return gatewayResult(500, JSON.stringify({ error: UNEXPECTED_ERROR_MESSAGE }));
      let routing: EventRouting = {};
      let fn: string | undefined;
      try {
        routing = extractRouting(raw);
        if (isFunctionDetailsEvent(raw)) fn = raw.function as string;
      } catch {
        // an input whose getters throw: echo nothing
      }
      const api = respond(routing, 500, { error: UNEXPECTED_ERROR_MESSAGE });
      return fn === undefined
        ? api
        : toFunctionResponse(api, {
            ...(routing.actionGroup ? { actionGroup: routing.actionGroup } : {}),
            function: fn,
          });
    } finally {
      const latencyMs = performance.now() - started;
      record(outcome, latencyMs);
      if (def.recorder) await persist(def.recorder, def.name, outcome, latencyMs, startedAt);
    }
  };

  const handler = (raw: unknown, context?: Context) =>
    run(raw, context, dispatch, gatewayContextOf(context) !== undefined);
  const gateway = async (args: unknown, context: Context): Promise<GatewayToolResult> =>
    (await run(
      args,
      context,
      (a, c) => dispatchGateway(a, c, gatewayContextOf(c)),
      true,
    )) as GatewayToolResult;

  return Object.assign(handler as ToolHandler, {
    definition: def as unknown as ToolDefinition<UntypedOperations>,
    gateway,
  });
}

/** Logs and meters one call (route, status, latency, sessionId; never payloads), then flushes. */
function record(outcome: Outcome | undefined, latencyMs: number): void {
  const status = outcome?.status ?? 500;
  const operation = outcome?.operation ?? UNROUTED;
  try {
    logger.info('tool call', {
      route: outcome?.route ?? 'unknown',
      status,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      ...(outcome?.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
    });
    logger.resetKeys();
    metrics.addDimension(TOOL_METRICS.operationDimension, operation);
    // A second dimension set of the service alone: the tool's totals, which its error-rate alarm reads.
    metrics.addDimensions({});
    metrics.addMetric(TOOL_METRICS.invoked, MetricUnit.Count, 1);
    // 0 or 1 on every call, so Average is the failure rate. Failed means the tool failed (5xx), not the model.
    metrics.addMetric(TOOL_METRICS.failed, MetricUnit.Count, status >= 500 ? 1 : 0);
    metrics.addMetric(TOOL_METRICS.latency, MetricUnit.Milliseconds, latencyMs);
    metrics.publishStoredMetrics();
  } catch {
    // Telemetry must never change the answer.
  }
}

/** Hands the call record to the recorder; a storage failure is logged, never returned to the model. */
async function persist(
  recorder: ToolCallRecorder,
  tool: string,
  outcome: Outcome | undefined,
  latencyMs: number,
  startedAt: string,
): Promise<void> {
  try {
    await recorder({
      tool,
      operation: outcome?.operation ?? UNROUTED,
      route: outcome?.route ?? 'unknown',
      status: outcome?.status ?? 500,
      latencyMs: Math.round(latencyMs),
      ...(outcome?.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
      startedAt,
    });
  } catch (error) {
    logger.warn('tool call record not stored', { error });
  }
}
