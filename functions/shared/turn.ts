import { randomUUID } from 'node:crypto';
import {
  AgentThrottledError,
  type CollectedTurn,
  collectTurn,
  type PendingReturnControl,
  type ToolCallStep,
} from '../../client';
import { newSessionId } from '../../contracts/ids';
import { sessionAttributesOf } from './caller';
import { replyText } from './confirmations';
import { TurnFailed, TurnThrottled, TurnTimedOut } from './errors';
import { memoryIdFor } from './owner';
import { type TurnEnd, TurnMeter } from './turn-metrics';
import { answer, askUser, errorKind, finish } from './turn-settle';
import {
  type ClaimedTurn,
  type Failure,
  ListenerFailed,
  type TurnDeps,
  type TurnListener,
  type TurnOutcome,
  type TurnRequest,
  type TurnResult,
  type TurnState,
} from './turn-types';

export {
  type ConfirmationTurn,
  ListenerFailed,
  type MessageTurn,
  type TurnDeps,
  type TurnListener,
  type TurnOutcome,
  type TurnRequest,
} from './turn-types';

/** How each recorded failure ends the turn's metrics. */
const TURN_ENDS: Readonly<Record<Failure['status'], TurnEnd>> = {
  TIMED_OUT: 'timed-out',
  CANCELLED: 'cancelled',
  THROTTLED: 'throttled',
  FAILED: 'failed',
};

/** A `returnControl` the user can answer: every call only asks for a confirmation (a Lambda tool runs it). */
const asksUser = (pending: PendingReturnControl): boolean =>
  pending.inputs.length > 0 && pending.inputs.every((i) => i.invocationType === 'USER_CONFIRMATION');
/**
 * One chat turn: claims the session for the owner (Agent State), runs the agent with a deadline, streams
 * text to the listener, and only after a complete answer writes the question and the answer to the
 * Conversations table. A throttle, a timeout or any failure stores no message; the Agent State records the
 * last invocation's status either way.
 *
 * Tool confirmations (see `confirmations.ts`): in `deny` mode they are denied mid-turn, so the agent never runs
 * a write. In `ask` mode a turn that reaches one ends there: the pending invocation is stored (Agent State,
 * status `AWAITING_CONFIRMATION`) before the turn's messages, whose answer ends with the prompt, and the
 * outcome carries the confirmation. A `ConfirmationTurn` answers it: InvokeAgent on the same session with the
 * invocation id and `confirmationState` CONFIRM or DENY for every call, stored as a user message ("Yes, run …"
 * / "No, do not run …") and the agent's answer. An answer that fails before the agent produced anything
 * leaves the confirmation in place (it can be sent again); otherwise it is used up.
 */
export async function runTurn(
  deps: TurnDeps,
  request: TurnRequest,
  listener: TurnListener = {},
): Promise<TurnOutcome> {
  let state: TurnState = { phase: 'claimed', turn: await claim(deps, request, listener) };
  while (state.phase !== 'settled') state = await next(state);
  return state.outcome;
}

/** The transition out of each state. */
function next(state: Exclude<TurnState, { phase: 'settled' }>): Promise<TurnState> {
  switch (state.phase) {
    case 'claimed':
      return run(state.turn);
    case 'ran':
      return state.result.awaiting ? askUser(state.turn, state.result, state.result.awaiting) : answer(state);
    case 'awaiting-confirmation':
      return answer(state);
  }
}

/** Claims the session: a new message, or the answer to the session's pending confirmation. */
async function claim(deps: TurnDeps, request: TurnRequest, listener: TurnListener): Promise<ClaimedTurn> {
  const now = deps.now ?? Date.now;
  const askedAt = now();
  const conversationId = request.conversationId ?? newSessionId();
  const owner = request.caller.userId;
  const token = request.turnId ?? randomUUID();
  const lease = { sessionId: conversationId, owner, token, channel: request.channel, nowMs: askedAt };
  const meter = new TurnMeter(request.channel, askedAt, now);
  const base = { deps, request, listener, now, conversationId, owner, token, askedAt, meter };
  if ('confirmation' in request) {
    const pending = await deps.agentState.beginAnswer({
      ...lease,
      leaseMs: deps.leaseMs,
      confirmationId: request.confirmation.id,
    });
    const { confirm } = request.confirmation;
    return { ...base, question: replyText(pending, confirm), answering: { pending, confirm } };
  }
  await deps.agentState.begin({ ...lease, leaseMs: deps.leaseMs });
  return { ...base, question: request.message };
}

/** Runs the agent within the deadline; a failure is recorded (Agent State) and thrown as the API's error. */
async function run(turn: ClaimedTurn): Promise<TurnState> {
  const { deps, listener } = turn;
  const deadline = AbortSignal.timeout(deps.deadlineMs);
  const signal = listener.signal ? AbortSignal.any([deadline, listener.signal]) : deadline;
  // Whether the agent produced anything: from then on an answer to a confirmation is used up.
  let progressed = false;
  let collected: CollectedTurn;
  try {
    collected = await collectTurn(deps.engine.stream(turnInput(turn, signal)), {
      onEvent: async (event) => {
        if (event.type !== 'done') progressed = true;
        if (event.type === 'trace' && event.step.kind === 'guardrail')
          turn.meter.guardrail(event.step.action);
        if (event.type !== 'text') return;
        turn.meter.text();
        try {
          await listener.onText?.(event.text);
        } catch (error) {
          throw new ListenerFailed(error);
        }
      },
    });
  } catch (error) {
    const failure = failureOf(error, deadline, turn);
    await finish(turn, failure.status, failure.kind, progressed);
    turn.meter.end(TURN_ENDS[failure.status]);
    throw failure.error;
  }
  const awaiting = collected.done?.pending;
  if (awaiting && (deps.confirmations !== 'ask' || !asksUser(awaiting))) {
    const error = new TurnFailed('ReturnControlUnsupported');
    await finish(turn, 'FAILED', errorKind(error), progressed);
    turn.meter.end('failed', collected.done?.usage);
    throw error;
  }
  const usage = collected.done?.usage;
  const result: TurnResult = {
    answer: collected.text,
    citations: collected.citations,
    toolCalls: collected.steps.filter((step): step is ToolCallStep => step.kind === 'toolCall'),
    ...(usage ? { usage } : {}),
    answeredAt: turn.now(),
    ...(awaiting ? { awaiting } : {}),
    progressed,
  };
  return { phase: 'ran', turn, result };
}

/** What the engine is asked: the question (or the answer to the pending confirmation), as the caller. */
function turnInput(turn: ClaimedTurn, signal: AbortSignal) {
  const { deps, request, answering, conversationId } = turn;
  return {
    text: answering ? '' : turn.question,
    sessionId: conversationId,
    ...(deps.memory ? { memoryId: memoryIdFor(turn.owner) } : {}),
    // The only way identity reaches the tools: attributes the API sets on every call (see kit/caller.ts).
    sessionAttributes: sessionAttributesOf(request.caller, conversationId, request.channel),
    deferConfirmations: deps.confirmations === 'ask',
    ...(answering
      ? {
          returnControlResults: {
            invocationId: answering.pending.invocationId,
            results: answering.pending.inputs.map((input) => ({
              input,
              confirmation: answering.confirm ? ('CONFIRM' as const) : ('DENY' as const),
            })),
          },
        }
      : {}),
    signal,
  };
}

/** How a run that threw is recorded, and the error the caller gets. */
function failureOf(error: unknown, deadline: AbortSignal, turn: ClaimedTurn): Failure {
  if (deadline.aborted && !(error instanceof ListenerFailed)) {
    return {
      status: 'TIMED_OUT',
      kind: 'Deadline',
      error: new TurnTimedOut(Math.round(turn.deps.deadlineMs / 1000)),
    };
  }
  if (error instanceof ListenerFailed || turn.listener.signal?.aborted) {
    return {
      status: 'CANCELLED',
      kind: error instanceof ListenerFailed ? 'ListenerFailed' : 'Cancelled',
      error,
    };
  }
  if (error instanceof AgentThrottledError) {
    return { status: 'THROTTLED', kind: error.exceptionName, error: new TurnThrottled(10, { cause: error }) };
  }
  const kind = errorKind(error);
  return {
    status: 'FAILED',
    kind,
    error: error instanceof TurnFailed ? error : new TurnFailed(kind, { cause: error }),
  };
}
