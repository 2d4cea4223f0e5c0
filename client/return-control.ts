import type {
  InvocationInputMember,
  InvocationResultMember,
  ReturnControlPayload,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type {
  ConfirmationState,
  InvocationType,
  PendingReturnControl,
  ReturnControlInput,
  ToolArgument,
} from './events';

/** What a return-of-control handler gets besides the call. */
export interface ReturnControlContext {
  readonly sessionId: string;
  readonly invocationId: string;
  readonly sessionAttributes: Readonly<Record<string, string>>;
  readonly promptSessionAttributes: Readonly<Record<string, string>>;
}

/** A handler's answer: the status and body sent back to the agent. */
export interface ReturnControlOutcome {
  /** HTTP status for OpenAPI tools. @default 200 */
  readonly status?: number;
  /** A string is sent as is; anything else as JSON. */
  readonly body: unknown;
  /** Tells the agent the call failed (`FAILURE`) or to ask again (`REPROMPT`). */
  readonly responseState?: 'FAILURE' | 'REPROMPT';
  /** Session attributes to send with the results (e.g. what a tool remembered for the session). */
  readonly sessionAttributes?: Readonly<Record<string, string>>;
}

/** Runs one returned tool call on the app's side. */
export type ReturnControlHandler = (
  input: ReturnControlInput,
  context: ReturnControlContext,
) => Promise<ReturnControlOutcome>;

/**
 * Handlers for returned tool calls, looked up in this order:
 * 1. `"<actionGroup> <METHOD> <apiPath>"` (OpenAPI; method upper case, template path), e.g. `report GET /tickets`
 *    — or `"<actionGroup>.<function>"` for function-details tools;
 * 2. `"<actionGroup>"`: every call of that action group;
 * 3. `"*"`: any call.
 * Keying by operationId needs the OpenAPI document; `cli/local-tools.ts` resolves it per action group.
 */
export type ReturnControlHandlers = Readonly<Record<string, ReturnControlHandler>>;

/** The most specific handler key of a returned call (see `ReturnControlHandlers`). */
export function returnControlKey(input: ReturnControlInput): string {
  return input.kind === 'api'
    ? `${input.actionGroup} ${input.httpMethod.toUpperCase()} ${input.apiPath}`
    : `${input.actionGroup}.${input.function}`;
}

/** The handler for `input`, or undefined. */
export function findHandler(
  handlers: ReturnControlHandlers,
  input: ReturnControlInput,
): ReturnControlHandler | undefined {
  return handlers[returnControlKey(input)] ?? handlers[input.actionGroup] ?? handlers['*'];
}

/** Short label for messages: `report GET /tickets` or `summarize.summarizeConversation`. */
export const describeCall = returnControlKey;

const toArguments = (params: readonly { name?: string; type?: string; value?: string }[] | undefined) =>
  (params ?? []).map(
    (p): ToolArgument => ({ name: p.name ?? '', type: p.type ?? 'string', value: p.value ?? '' }),
  );

const invocationTypeOf = (value: string | undefined): InvocationType =>
  value === 'USER_CONFIRMATION' || value === 'USER_CONFIRMATION_AND_RESULT' ? value : 'RESULT';

/** The engine-neutral form of one SDK invocation input (undefined for an unknown member). */
function toInput(member: InvocationInputMember): ReturnControlInput | undefined {
  const api = member.apiInvocationInput;
  if (api) {
    const body = api.requestBody?.content;
    return {
      kind: 'api',
      actionGroup: api.actionGroup ?? '',
      apiPath: api.apiPath ?? '',
      httpMethod: api.httpMethod ?? '',
      parameters: toArguments(api.parameters),
      ...(body
        ? {
            requestBody: Object.fromEntries(
              Object.entries(body).map(([mediaType, props]) => [mediaType, toArguments(props.properties)]),
            ),
          }
        : {}),
      invocationType: invocationTypeOf(api.actionInvocationType),
      ...(api.agentId ? { agentId: api.agentId } : {}),
      ...(api.collaboratorName ? { collaboratorName: api.collaboratorName } : {}),
    };
  }
  const fn = member.functionInvocationInput;
  if (fn) {
    return {
      kind: 'function',
      actionGroup: fn.actionGroup ?? '',
      function: fn.function ?? '',
      parameters: toArguments(fn.parameters),
      invocationType: invocationTypeOf(fn.actionInvocationType),
      ...(fn.agentId ? { agentId: fn.agentId } : {}),
      ...(fn.collaboratorName ? { collaboratorName: fn.collaboratorName } : {}),
    };
  }
  return undefined;
}

/** The engine-neutral form of a `returnControl` event. */
export function toPendingReturnControl(payload: ReturnControlPayload): PendingReturnControl {
  return {
    invocationId: payload.invocationId ?? '',
    inputs: (payload.invocationInputs ?? []).flatMap((m) => {
      const input = toInput(m);
      return input ? [input] : [];
    }),
  };
}

/** How one returned call was answered, before it is put in the service's shape. */
export interface CallAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly responseState?: 'FAILURE' | 'REPROMPT';
  readonly confirmation?: ConfirmationState;
}

/**
 * One `returnControlInvocationResults` member: an `apiResult` (body under `application/json`, as in the
 * user guide's OpenAPI example) or a `functionResult` (body under `TEXT`). `actionGroup` and the routing
 * fields are echoed from the call, as the service requires.
 */
export function toInvocationResult(input: ReturnControlInput, answer: CallAnswer): InvocationResultMember {
  const common = {
    actionGroup: input.actionGroup,
    ...(answer.responseState ? { responseState: answer.responseState } : {}),
    ...(answer.confirmation ? { confirmationState: answer.confirmation } : {}),
    ...(input.agentId ? { agentId: input.agentId } : {}),
  };
  if (input.kind === 'api') {
    return {
      apiResult: {
        ...common,
        apiPath: input.apiPath,
        httpMethod: input.httpMethod,
        ...(answer.body === undefined
          ? {}
          : {
              httpStatusCode: answer.status ?? 200,
              responseBody: { 'application/json': { body: answer.body } },
            }),
      },
    };
  }
  return {
    functionResult: {
      ...common,
      function: input.function,
      ...(answer.body === undefined ? {} : { responseBody: { TEXT: { body: answer.body } } }),
    },
  };
}

/** The most results one InvokeAgent call accepts. */
export const MAX_RESULTS_PER_CALL = 5;

/** A handler's body as the text sent to the agent. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body) ?? 'null';
  } catch {
    return JSON.stringify({ error: 'The tool result could not be serialised.' });
  }
}
