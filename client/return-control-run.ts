import type { InvocationResultMember, SessionState } from '@aws-sdk/client-bedrock-agent-runtime';
import type { ManualReturnControlResults, TurnInput } from './chat-engine';
import { AgentError, AgentValidationError } from './errors';
import type {
  AgentEvent,
  ConfirmationState,
  PendingReturnControl,
  ReturnControlInput,
  ToolResultEvent,
} from './events';
import {
  bodyText,
  type CallAnswer,
  describeCall,
  findHandler,
  MAX_RESULTS_PER_CALL,
  type ReturnControlContext,
  type ReturnControlHandlers,
  toInvocationResult,
} from './return-control';

/** Running return-of-control calls on the caller's side: the app's handlers, or results the caller brings. */

export interface HandlerRun {
  readonly answer: CallAnswer & { readonly sessionAttributes?: Record<string, string> };
  readonly error?: Error;
}

/** Runs the handler of one call. A missing or failing handler answers the agent with a generic failure. */
export async function runHandler(
  handlers: ReturnControlHandlers,
  call: ReturnControlInput,
  context: ReturnControlContext,
): Promise<HandlerRun> {
  const handler = findHandler(handlers, call);
  if (!handler) {
    return {
      answer: {
        status: 501,
        body: JSON.stringify({ error: `The tool ${describeCall(call)} is not available in this app.` }),
        responseState: 'FAILURE',
      },
      error: new Error(`No return-of-control handler for ${describeCall(call)}`),
    };
  }
  try {
    const outcome = await handler(call, context);
    return {
      answer: {
        status: outcome.status ?? 200,
        body: bodyText(outcome.body),
        ...(outcome.responseState ? { responseState: outcome.responseState } : {}),
        ...(outcome.sessionAttributes ? { sessionAttributes: { ...outcome.sessionAttributes } } : {}),
      },
    };
  } catch (error) {
    return {
      answer: {
        status: 500,
        body: JSON.stringify({ error: 'The tool failed on the client. Try again later.' }),
        responseState: 'FAILURE',
      },
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
}

/** The session state that sends results the caller ran itself (`returnControlResults` of a turn). */
export function manualResults(manual: ManualReturnControlResults): SessionState {
  if (manual.results.length === 0 || manual.results.length > MAX_RESULTS_PER_CALL) {
    throw new AgentValidationError(
      `returnControlResults needs 1–${MAX_RESULTS_PER_CALL} results (got ${manual.results.length})`,
      { exceptionName: 'InvalidParameter' },
    );
  }
  return {
    invocationId: manual.invocationId,
    returnControlInvocationResults: manual.results.map((r) =>
      toInvocationResult(r.input, {
        ...(r.status === undefined ? {} : { status: r.status }),
        ...(r.body === undefined ? {} : { body: bodyText(r.body) }),
        ...(r.responseState ? { responseState: r.responseState } : {}),
        ...(r.confirmation ? { confirmation: r.confirmation } : {}),
      }),
    ),
  };
}

/** Confirms and runs the returned calls; yields a confirmation prompt and a result per call. */
export async function* answerReturnControl(
  pending: PendingReturnControl,
  input: TurnInput,
  handlers: ReturnControlHandlers,
  sessionId: string,
): AsyncGenerator<
  AgentEvent,
  { results: InvocationResultMember[]; sessionAttributes: Record<string, string> }
> {
  if (pending.inputs.length > MAX_RESULTS_PER_CALL) {
    throw new AgentError(
      `The agent returned ${pending.inputs.length} calls; InvokeAgent accepts at most ${MAX_RESULTS_PER_CALL} results per call.`,
      { exceptionName: 'TooManyReturnControlInputs' },
    );
  }
  const results: InvocationResultMember[] = [];
  const sessionAttributes: Record<string, string> = {};
  const context: ReturnControlContext = {
    sessionId,
    invocationId: pending.invocationId,
    sessionAttributes: { ...input.sessionAttributes },
    promptSessionAttributes: { ...input.promptSessionAttributes },
  };
  for (const call of pending.inputs) {
    let confirmation: ConfirmationState | undefined;
    if (call.invocationType !== 'RESULT') {
      const decision: { value?: ConfirmationState } = {};
      yield {
        type: 'confirmation',
        invocationId: pending.invocationId,
        input: call,
        confirm: () => {
          decision.value = 'CONFIRM';
        },
        deny: () => {
          decision.value = 'DENY';
        },
      };
      confirmation = decision.value ?? 'DENY';
    }
    const runs = call.invocationType !== 'USER_CONFIRMATION' && confirmation !== 'DENY';
    const { answer, error }: HandlerRun = runs ? await runHandler(handlers, call, context) : { answer: {} };
    const final: CallAnswer = { ...answer, ...(confirmation ? { confirmation } : {}) };
    if (runs && answer.sessionAttributes) Object.assign(sessionAttributes, answer.sessionAttributes);
    const result: ToolResultEvent = {
      type: 'toolResult',
      invocationId: pending.invocationId,
      input: call,
      status: final.body === undefined ? 200 : (final.status ?? 200),
      ...(final.body === undefined ? {} : { body: final.body }),
      ...(confirmation ? { confirmation } : {}),
      ...(error ? { error } : {}),
    };
    yield result;
    results.push(toInvocationResult(call, final));
  }
  return { results, sessionAttributes };
}
