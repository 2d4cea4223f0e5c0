import { randomUUID } from 'node:crypto';
import {
  AgentError,
  AgentThrottledError,
  type ChatEngine,
  type Citation,
  newSessionId,
  type PendingReturnControl,
  type ToolCallStep,
  type Usage,
} from '../../client';
import type { AgentStateStore, InvocationStatus } from './agent-state-store';
import { type Caller, sessionAttributesOf } from './caller';
import type { ConfirmationReply, ConfirmationView } from './confirmation-view';
import {
  type ConfirmationMode,
  confirmationView,
  newPendingConfirmation,
  type OperationIdLookup,
  type PendingConfirmation,
  replyText,
  schemaOperationId,
} from './confirmations';
import type { ConversationWriter } from './conversation-store';
import { TurnFailed, TurnThrottled, TurnTimedOut } from './errors';
import { memoryIdFor } from './owner';
import { logger } from './powertools';
import { TurnMeter } from './turn-metrics';

/** What a chat turn needs; the handlers build it once per cold start (tests build their own). */
export interface TurnDeps {
  readonly engine: ChatEngine;
  readonly conversations: ConversationWriter;
  readonly agentState: AgentStateStore;
  /** The InvokeAgent call is aborted after this long (REST: below the 29 s integration timeout). */
  readonly deadlineMs: number;
  /**
   * How long the turn may hold its session: at least its function's timeout (`TURN_LEASE_SECONDS`), so a
   * turn still running always holds it; frees a session a crash left running.
   */
  readonly leaseMs: number;
  /** The agent has SESSION_SUMMARY memory: pass a per-owner memory id. */
  readonly memory: boolean;
  /**
   * Tool confirmations (`CHAT_CONFIRMATIONS`): `ask` ends a turn that needs one with the confirmation pending
   * (the caller answers it in a later request); `deny` denies every one mid-turn, so no write tool ever runs.
   */
  readonly confirmations: ConfirmationMode;
  /** Names operations in confirmation prompts. @default the OpenAPI documents bundled with the function */
  readonly operationIds?: OperationIdLookup;
  /** @default Date.now */
  readonly now?: () => number;
}

interface TurnBase {
  /** The verified caller (derived by the API, never from the request body). */
  readonly caller: Caller;
  readonly channel: 'rest' | 'websocket' | 'discord';
  /** This turn's claim on its session (a UUID). @default a fresh UUID */
  readonly turnId?: string;
}

/** A user message. */
export interface MessageTurn extends TurnBase {
  readonly message: string;
  /** Continue this conversation; a new id (a UUID) when absent. */
  readonly conversationId?: string;
}

/** The user's answer to the conversation's pending confirmation. */
export interface ConfirmationTurn extends TurnBase {
  readonly conversationId: string;
  readonly confirmation: ConfirmationReply;
}

export type TurnRequest = MessageTurn | ConfirmationTurn;

export interface TurnListener {
  /** Each piece of the answer as it arrives, in order (the WebSocket worker posts it as a chunk frame). */
  readonly onText?: (text: string) => Promise<void> | void;
  /** Cancels the turn (e.g. the WebSocket client went away). */
  readonly signal?: AbortSignal;
}

export interface TurnOutcome {
  readonly conversationId: string;
  /** The answer; with `confirmation`, the text the agent wrote before it asked (may be empty). */
  readonly answer: string;
  readonly citations: readonly Citation[];
  readonly toolCalls: readonly ToolCallStep[];
  readonly usage?: Usage;
  readonly latencyMs: number;
  /** The agent waits for the user to confirm a tool call (`ask` mode). */
  readonly confirmation?: ConfirmationView;
}

/** The listener failed (e.g. the WebSocket connection is gone): the turn stops, nothing is stored. */
export class ListenerFailed extends Error {
  constructor(cause: unknown) {
    super('The turn listener failed', { cause });
    this.name = 'ListenerFailed';
  }
}

const errorKind = (error: unknown): string =>
  error instanceof AgentError
    ? error.exceptionName
    : error instanceof TurnFailed
      ? error.kind
      : error instanceof Error
        ? error.name
        : 'Unknown';

/** A `returnControl` the user can answer: every call only asks for a confirmation (a Lambda tool runs it). */
const asksUser = (pending: PendingReturnControl): boolean =>
  pending.inputs.length > 0 && pending.inputs.every((i) => i.invocationType === 'USER_CONFIRMATION');

/** The assistant message stored for a turn that ends with a confirmation: the text so far, then the question. */
const withPrompt = (answer: string, prompt: string): string => (answer ? `${answer}\n\n${prompt}` : prompt);

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
  const now = deps.now ?? Date.now;
  const askedAt = now();
  const meter = new TurnMeter(request.channel, askedAt, now);
  const deadline = AbortSignal.timeout(deps.deadlineMs);
  const signal = listener.signal ? AbortSignal.any([deadline, listener.signal]) : deadline;
  const conversationId = request.conversationId ?? newSessionId();
  const owner = request.caller.userId;
  const token = request.turnId ?? randomUUID();
  const claim = {
    sessionId: conversationId,
    owner,
    token,
    channel: request.channel,
    nowMs: askedAt,
    leaseMs: deps.leaseMs,
  };

  let answering: { pending: PendingConfirmation; confirm: boolean } | undefined;
  if ('confirmation' in request) {
    const pending = await deps.agentState.beginAnswer({ ...claim, confirmationId: request.confirmation.id });
    answering = { pending, confirm: request.confirmation.confirm };
  } else {
    await deps.agentState.begin(claim);
  }
  const question = answering
    ? replyText(answering.pending, answering.confirm)
    : (request as MessageTurn).message;
  // Whether the agent produced anything: from then on an answer to a confirmation is used up.
  let progressed = false;

  const finish = async (status: Exclude<InvocationStatus, 'IN_PROGRESS'>, kind?: string) => {
    const at = now();
    try {
      await deps.agentState.finish({
        sessionId: conversationId,
        owner,
        token,
        status,
        nowMs: at,
        latencyMs: at - askedAt,
        ...(kind ? { errorKind: kind } : {}),
        ...(answering && status !== 'COMPLETED' && !progressed ? { keepConfirmation: true } : {}),
      });
    } catch (error) {
      // The turn's outcome stands; the lease frees the session even without this record.
      logger.warn('could not record the turn status', { conversationId, status, error: errorKind(error) });
    }
  };

  let answer = '';
  const citations: Citation[] = [];
  const toolCalls: ToolCallStep[] = [];
  let usage: Usage | undefined;
  let awaiting: PendingReturnControl | undefined;
  try {
    const events = deps.engine.stream({
      text: answering ? '' : question,
      sessionId: conversationId,
      ...(deps.memory ? { memoryId: memoryIdFor(owner) } : {}),
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
    });
    for await (const event of events) {
      if (event.type !== 'done') progressed = true;
      switch (event.type) {
        case 'text':
          answer += event.text;
          meter.text();
          try {
            await listener.onText?.(event.text);
          } catch (error) {
            throw new ListenerFailed(error);
          }
          break;
        case 'citation':
          citations.push(event.citation);
          break;
        case 'trace':
          if (event.step.kind === 'toolCall') toolCalls.push(event.step);
          if (event.step.kind === 'guardrail') meter.guardrail(event.step.action);
          break;
        case 'confirmation':
          // `deny` mode: the engine asks mid-turn, and the answer is no.
          event.deny();
          break;
        case 'done':
          usage = event.usage;
          if (event.pendingReturnControl) {
            if (deps.confirmations !== 'ask' || !asksUser(event.pendingReturnControl)) {
              throw new TurnFailed('ReturnControlUnsupported');
            }
            awaiting = event.pendingReturnControl;
          }
          break;
        default:
          break;
      }
    }
  } catch (error) {
    if (deadline.aborted && !(error instanceof ListenerFailed)) {
      await finish('TIMED_OUT', 'Deadline');
      meter.end('timed-out', usage);
      throw new TurnTimedOut(Math.round(deps.deadlineMs / 1000));
    }
    if (error instanceof ListenerFailed || listener.signal?.aborted) {
      await finish('CANCELLED', error instanceof ListenerFailed ? 'ListenerFailed' : 'Cancelled');
      meter.end('cancelled', usage);
      throw error;
    }
    if (error instanceof AgentThrottledError) {
      await finish('THROTTLED', error.exceptionName);
      meter.end('throttled', usage);
      throw new TurnThrottled(10, { cause: error });
    }
    await finish('FAILED', errorKind(error));
    meter.end('failed', usage);
    if (error instanceof TurnFailed) throw error;
    throw new TurnFailed(errorKind(error), { cause: error });
  }

  const answeredAt = now();
  let confirmation: ConfirmationView | undefined;
  let stored = answer;
  if (awaiting) {
    const pending = await newPendingConfirmation({
      owner,
      invocationId: awaiting.invocationId,
      inputs: awaiting.inputs,
      nowMs: answeredAt,
      lookup: deps.operationIds ?? schemaOperationId,
    });
    confirmation = confirmationView(pending);
    stored = withPrompt(answer, confirmation.prompt);
    // The pending confirmation first: if it cannot be kept, no message claims that the agent asked.
    try {
      await deps.agentState.finish({
        sessionId: conversationId,
        owner,
        token,
        status: 'AWAITING_CONFIRMATION',
        nowMs: answeredAt,
        latencyMs: answeredAt - askedAt,
        confirmation: pending,
      });
    } catch (error) {
      await finish('FAILED', 'PersistFailed');
      meter.end('failed', usage);
      throw error;
    }
  }
  try {
    await deps.conversations.writeTurn({
      conversationId,
      owner,
      token,
      channel: request.channel,
      question,
      askedAt,
      answer: stored,
      answeredAt,
      citations,
      toolCalls,
      ...(usage ? { usage } : {}),
    });
  } catch (error) {
    // Also withdraws a confirmation stored above: the caller gets an error, not its id.
    await finish('FAILED', 'PersistFailed');
    meter.end('failed', usage);
    throw error;
  }
  if (!confirmation) await finish('COMPLETED');
  meter.end('answered', usage, answeredAt);
  return {
    conversationId,
    answer,
    citations,
    toolCalls,
    ...(usage ? { usage } : {}),
    latencyMs: answeredAt - askedAt,
    ...(confirmation ? { confirmation } : {}),
  };
}
