import type { ChatEngine, Citation, PendingReturnControl, ToolCallStep, Usage } from '../../client';
import type { AgentStateStore, InvocationStatus } from './agent-state-store';
import type { Caller } from './caller';
import type { ConfirmationReply, ConfirmationView } from './confirmation-view';
import type { ConfirmationMode, OperationIdLookup, PendingConfirmation } from './confirmations';
import type { ConversationWriter } from './conversation-store';
import type { TurnMeter } from './turn-metrics';

/* What a chat turn is made of: its inputs, its outcome and the states `turn.ts` moves it through. */

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

export interface TurnBase {
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

/**
 * A turn's state: claim → run → settle. A turn whose agent asks the user to confirm a tool call (`ask` mode)
 * settles through one more state, `awaiting-confirmation`; a `ConfirmationTurn` is the same machine, claiming
 * the session to answer that confirmation.
 */
export type TurnState =
  | { readonly phase: 'claimed'; readonly turn: ClaimedTurn }
  | { readonly phase: 'ran'; readonly turn: ClaimedTurn; readonly result: TurnResult }
  | {
      readonly phase: 'awaiting-confirmation';
      readonly turn: ClaimedTurn;
      readonly result: TurnResult;
      readonly pending: PendingConfirmation;
    }
  | { readonly phase: 'settled'; readonly outcome: TurnOutcome };

/** A turn that holds its session for its owner under its own token. */
export interface ClaimedTurn {
  readonly deps: TurnDeps;
  readonly request: TurnRequest;
  readonly listener: TurnListener;
  readonly now: () => number;
  readonly conversationId: string;
  readonly owner: string;
  readonly token: string;
  readonly askedAt: number;
  /** What the user said: the message, or their answer to the pending confirmation as a sentence. */
  readonly question: string;
  /** The pending confirmation this turn answers, and the answer. */
  readonly answering?: { readonly pending: PendingConfirmation; readonly confirm: boolean };
  /** The turn's metrics (latency, first token, tokens, guardrail, outcome), published once when it ends. */
  readonly meter: TurnMeter;
}

/** What the agent produced. */
export interface TurnResult {
  readonly answer: string;
  readonly citations: readonly Citation[];
  readonly toolCalls: readonly ToolCallStep[];
  readonly usage?: Usage;
  readonly answeredAt: number;
  /** The agent waits for the user to confirm these calls. */
  readonly awaiting?: PendingReturnControl;
  /** Whether the agent produced anything (an answer to a confirmation is then used up, even if storing fails). */
  readonly progressed: boolean;
}

/** How a failed run is recorded and what the caller gets instead. */
export interface Failure {
  readonly status: Exclude<InvocationStatus, 'IN_PROGRESS' | 'COMPLETED' | 'AWAITING_CONFIRMATION'>;
  readonly kind: string;
  readonly error: unknown;
}
