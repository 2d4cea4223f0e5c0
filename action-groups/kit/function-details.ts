import * as z from 'zod/mini';
import './zod-locale';
import { isRecord } from '../../contracts/json';
import {
  type AgentApiEvent,
  type AgentEventProperty,
  eventEnvelopeShape,
  extractRouting,
  formatIssues,
} from './event';
import type { Operation } from './openapi/operations';
import type { AgentApiResponse } from './response';

/**
 * Function-details action groups (contract §1.2 / §2.2). The tools are described by OpenAPI, but the same
 * handlers can serve an engine or action group that calls them as functions: `function` names the
 * operationId and the parameters are matched to the operation's parameters and body properties by name.
 * The call then runs through the one OpenAPI pipeline (coercion, validation, handler) and its answer is
 * re-shaped as a function response.
 */

export const agentFunctionEventSchema = z.object({ ...eventEnvelopeShape, function: z.string() });

export type AgentFunctionEvent = z.infer<typeof agentFunctionEventSchema>;

/** `responseState` tells the agent what to do with a failed call (contract §2.3). */
export type FunctionResponseState = 'REPROMPT' | 'FAILURE';

/** The Lambda response for a function-details action group (contract §2.2). */
export interface AgentFunctionResponse {
  readonly messageVersion: '1.0';
  readonly response: {
    readonly actionGroup: string;
    readonly function: string;
    readonly functionResponse: {
      readonly responseState?: FunctionResponseState;
      readonly responseBody: { readonly TEXT: { readonly body: string } };
    };
  };
  readonly sessionAttributes: Record<string, string>;
  readonly promptSessionAttributes: Record<string, string>;
}

/**
 * Whether a raw input is a function-details call: it names a `function` and has no `apiPath`. An event with
 * an `apiPath` is always treated as OpenAPI, so an OpenAPI event never gets a function response.
 */
export const isFunctionDetailsEvent = (raw: unknown): raw is Record<string, unknown> =>
  isRecord(raw) && typeof raw.function === 'string' && raw.apiPath === undefined;

/**
 * The OpenAPI event this function call stands for: each parameter goes where the operation declares it (path
 * or query parameter, else a body property when the operation has a body, else an unknown parameter that
 * the reader ignores and logs). Values stay strings; the one coercion step types them from the schema.
 */
export function toApiEvent(event: AgentFunctionEvent, op: Operation): AgentApiEvent {
  const declared = new Set(op.parameters.map((p) => p.name));
  const parameters: AgentEventProperty[] = [];
  const properties: AgentEventProperty[] = [];
  for (const p of event.parameters ?? []) {
    if (!declared.has(p.name) && op.requestBody) properties.push(p);
    else parameters.push(p);
  }
  const { function: _function, ...rest } = event;
  return {
    ...rest,
    apiPath: op.path,
    httpMethod: op.method,
    parameters,
    ...(op.requestBody && properties.length > 0
      ? { requestBody: { content: { [op.requestBody.mediaType]: { properties } } } }
      : {}),
  };
}

/** 4xx: the model can fix the call, so reprompt it; 5xx: a dependency failed; 2xx/3xx: no state. */
export function responseStateFor(status: number): FunctionResponseState | undefined {
  if (status >= 500) return 'FAILURE';
  if (status >= 400) return 'REPROMPT';
  return undefined;
}

/** What a function response echoes: the event's routing fields, as far as they are strings. */
export interface FunctionRouting {
  readonly actionGroup?: string;
  readonly function?: string;
}

/** Re-shapes an OpenAPI contract response as the function response for `routing` (body and maps kept). */
export function toFunctionResponse(api: AgentApiResponse, routing: FunctionRouting): AgentFunctionResponse {
  const state = responseStateFor(api.response.httpStatusCode);
  return {
    messageVersion: '1.0',
    response: {
      actionGroup: routing.actionGroup ?? '',
      function: routing.function ?? '',
      functionResponse: {
        ...(state ? { responseState: state } : {}),
        responseBody: { TEXT: { body: api.response.responseBody['application/json'].body } },
      },
    },
    sessionAttributes: api.sessionAttributes,
    promptSessionAttributes: api.promptSessionAttributes,
  };
}

/** What an answer to a function call that failed validation can still echo. */
export interface FunctionEventRouting extends FunctionRouting {
  readonly sessionAttributes?: Record<string, string>;
  readonly promptSessionAttributes?: Record<string, string>;
}

export type ParseFunctionEventResult =
  | { readonly ok: true; readonly event: AgentFunctionEvent }
  | { readonly ok: false; readonly issues: readonly string[]; readonly routing: FunctionEventRouting };

/** Validates a raw function call (see isFunctionDetailsEvent). Never throws. */
export function parseFunctionEvent(raw: Record<string, unknown>): ParseFunctionEventResult {
  const result = agentFunctionEventSchema.safeParse(raw);
  if (result.success) return { ok: true, event: result.data };
  const { actionGroup, sessionAttributes, promptSessionAttributes } = extractRouting(raw);
  return {
    ok: false,
    issues: formatIssues(result.error.issues),
    routing: {
      ...(actionGroup === undefined ? {} : { actionGroup }),
      ...(typeof raw.function === 'string' ? { function: raw.function } : {}),
      ...(sessionAttributes === undefined ? {} : { sessionAttributes }),
      ...(promptSessionAttributes === undefined ? {} : { promptSessionAttributes }),
    },
  };
}
