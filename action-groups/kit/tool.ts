import type { Context } from 'aws-lambda';
import {
  type ApiOutcome,
  type CompiledOperation,
  clipRoute,
  malformedBody,
  type Outcome,
  persist,
  type RuntimeHandler,
  record,
  routeKey,
  UNROUTED,
} from './call-outcome';
import { callerOf, withIdentityOf } from './caller';
import { toErrorOutcome, UNEXPECTED_ERROR_MESSAGE } from './errors';
import { type AgentApiEvent, type EventRouting, extractRouting, parseAgentEvent } from './event';
import {
  isFunctionDetailsEvent,
  parseFunctionEvent,
  toApiEvent,
  toFunctionResponse,
} from './function-details';
import { type GatewayToolResult, gatewayContextOf, gatewayResult } from './gateway/call';
import { gatewayDispatcher } from './gateway/dispatch';
import { parseSchemaSource } from './openapi/document';
import { type Operation, readOperations } from './openapi/operations';
import { logger, tracer } from './powertools';
import { type AgentApiResponse, type ResponseOptions, toAgentResponse } from './response';
import {
  type AgentToolResponse,
  isWithStatus,
  type OperationsShape,
  type ToolContext,
  type ToolDefinition,
  type ToolHandler,
  type UntypedOperations,
} from './tool-types';
import { compileInputReader } from './validate';

export * from './tool-types';
export type { OperationInput } from './validate';

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

  const dispatchGateway = gatewayDispatcher({
    name: def.name,
    operations,
    byOperationId,
    respond,
    dispatchApi: (event, context) => dispatchApi(event, context),
    ...(def.identityVerifier ? { identityVerifier: def.identityVerifier } : {}),
  });

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
