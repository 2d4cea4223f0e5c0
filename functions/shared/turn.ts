import {
  AgentError,
  AgentThrottledError,
  type ChatEngine,
  type Citation,
  newSessionId,
  type ToolCallStep,
  type Usage,
} from '../../client';
import type { AgentStateStore, InvocationStatus } from './agent-state-store';
import type { ConversationWriter } from './conversation-store';
import { TurnFailed, TurnThrottled, TurnTimedOut } from './errors';
import { memoryIdFor, type Owner } from './owner';
import { logger } from './powertools';

/** What a chat turn needs; the handlers build it once per cold start (tests build their own). */
export interface TurnDeps {
  readonly engine: ChatEngine;
  readonly conversations: ConversationWriter;
  readonly agentState: AgentStateStore;
  /** The InvokeAgent call is aborted after this long (REST: below the 29 s integration timeout). */
  readonly deadlineMs: number;
  /** How long the turn may hold its session (the function timeout): frees a session a crash left running. */
  readonly leaseMs: number;
  /** The agent has SESSION_SUMMARY memory: pass a per-owner memory id. */
  readonly memory: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface TurnRequest {
  readonly owner: Owner;
  readonly message: string;
  /** Continue this conversation; a new id (a UUID) when absent. */
  readonly conversationId?: string;
  readonly channel: 'rest' | 'websocket';
}

export interface TurnListener {
  /** Each piece of the answer as it arrives, in order (the WebSocket worker posts it as a chunk frame). */
  readonly onText?: (text: string) => Promise<void> | void;
  /** Cancels the turn (e.g. the WebSocket client went away). */
  readonly signal?: AbortSignal;
}

export interface TurnOutcome {
  readonly conversationId: string;
  readonly answer: string;
  readonly citations: readonly Citation[];
  readonly toolCalls: readonly ToolCallStep[];
  readonly usage?: Usage;
  readonly latencyMs: number;
}

/** The listener failed (e.g. the WebSocket connection is gone): the turn stops, nothing is stored. */
export class ListenerFailed extends Error {
  constructor(cause: unknown) {
    super('The turn listener failed', { cause });
    this.name = 'ListenerFailed';
  }
}

const errorKind = (error: unknown): string =>
  error instanceof AgentError ? error.exceptionName : error instanceof Error ? error.name : 'Unknown';

/**
 * One chat turn: claims the session for the owner (Agent State), runs the agent with a deadline, streams
 * text to the listener, and only after a complete answer writes the question and the answer to the
 * Conversations table. A throttle, a timeout or any failure stores no message; the Agent State records the
 * last invocation's status either way. Tool confirmations are denied (the chat API cannot ask the user
 * mid-turn), so the agent never runs a write without a confirmation.
 */
export async function runTurn(
  deps: TurnDeps,
  request: TurnRequest,
  listener: TurnListener = {},
): Promise<TurnOutcome> {
  const now = deps.now ?? Date.now;
  const askedAt = now();
  const deadline = AbortSignal.timeout(deps.deadlineMs);
  const signal = listener.signal ? AbortSignal.any([deadline, listener.signal]) : deadline;
  const conversationId = request.conversationId ?? newSessionId();
  const { owner } = request;

  await deps.agentState.begin({
    sessionId: conversationId,
    owner,
    channel: request.channel,
    nowMs: askedAt,
    leaseMs: deps.leaseMs,
  });

  const finish = async (status: Exclude<InvocationStatus, 'IN_PROGRESS'>, kind?: string) => {
    const at = now();
    try {
      await deps.agentState.finish({
        sessionId: conversationId,
        owner,
        status,
        nowMs: at,
        latencyMs: at - askedAt,
        ...(kind ? { errorKind: kind } : {}),
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
  try {
    const events = deps.engine.stream({
      text: request.message,
      sessionId: conversationId,
      ...(deps.memory ? { memoryId: memoryIdFor(owner) } : {}),
      // Tools see who asks and in which conversation (the summarize tool reads `conversationId`).
      sessionAttributes: { userId: owner, conversationId, channel: request.channel },
      signal,
    });
    for await (const event of events) {
      switch (event.type) {
        case 'text':
          answer += event.text;
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
          break;
        case 'confirmation':
          event.deny();
          break;
        case 'done':
          usage = event.usage;
          if (event.pendingReturnControl) throw new TurnFailed('ReturnControlUnsupported');
          break;
        default:
          break;
      }
    }
  } catch (error) {
    if (deadline.aborted && !(error instanceof ListenerFailed)) {
      await finish('TIMED_OUT', 'Deadline');
      throw new TurnTimedOut(Math.round(deps.deadlineMs / 1000));
    }
    if (error instanceof ListenerFailed || listener.signal?.aborted) {
      await finish('CANCELLED', error instanceof ListenerFailed ? 'ListenerFailed' : 'Cancelled');
      throw error;
    }
    if (error instanceof AgentThrottledError) {
      await finish('THROTTLED', error.exceptionName);
      throw new TurnThrottled(10, { cause: error });
    }
    await finish('FAILED', errorKind(error));
    if (error instanceof TurnFailed) throw error;
    throw new TurnFailed(errorKind(error), { cause: error });
  }

  const answeredAt = now();
  try {
    await deps.conversations.writeTurn({
      conversationId,
      owner,
      channel: request.channel,
      question: request.message,
      askedAt,
      answer,
      answeredAt,
      citations,
      toolCalls,
      ...(usage ? { usage } : {}),
    });
  } catch (error) {
    await finish('FAILED', 'PersistFailed');
    throw error;
  }
  await finish('COMPLETED');
  return {
    conversationId,
    answer,
    citations,
    toolCalls,
    ...(usage ? { usage } : {}),
    latencyMs: answeredAt - askedAt,
  };
}
