import type {
  AgentEvent,
  AgentFile,
  Citation,
  FailureStep,
  GuardrailStep,
  KnowledgeBaseStep,
  PendingReturnControl,
  ReturnControlInput,
  ToolCallStep,
  Usage,
} from './events';
import type { ReturnControlHandlers } from './return-control';

/** One user turn. */
export interface TurnInput {
  /** The user's message. Ignored by the engine when `returnControlResults` answers a pending call. */
  readonly text: string;
  /**
   * Continues this conversation (2–100 of `0-9 a-z A-Z . _ : -`). A new id is made when absent; `done` and
   * `ask` report it.
   */
  readonly sessionId?: string;
  /** Per-end-user key of the agent's long-term (session summary) memory. */
  readonly memoryId?: string;
  /** Reaches the tools (action-group Lambdas and return-of-control handlers). */
  readonly sessionAttributes?: Readonly<Record<string, string>>;
  /** Fills `$prompt_session_attributes$` in the agent's prompt. */
  readonly promptSessionAttributes?: Readonly<Record<string, string>>;
  /** Ends the session after this turn (and summarises it into memory, if enabled). */
  readonly endSession?: boolean;
  /**
   * Runs returned tool calls and continues the turn with their results. Without handlers, a turn that
   * returns control ends with `done.pendingReturnControl`; answer it with `returnControlResults`.
   */
  readonly returnControlHandlers?: ReturnControlHandlers;
  /** Answers the pending calls of the previous turn yourself (one result per call, at most 5). */
  readonly returnControlResults?: ManualReturnControlResults;
  /**
   * Ends the turn at a confirmation request instead of yielding `confirmation` events: `done.pendingReturnControl`
   * holds the calls, and a later turn (even in another process) answers them with `returnControlResults` whose
   * results carry `confirmation`. For apps that must ask a user who is not waiting on this stream (an HTTP API).
   * @default false
   */
  readonly deferConfirmations?: boolean;
  /** Asks for trace events (needed for usage totals and trace steps). @default the engine's setting */
  readonly trace?: boolean;
  /** Streams the final answer in pieces rather than one chunk. @default the engine's setting */
  readonly streamFinalResponse?: boolean;
  /** Cancels the turn (the stream ends with an AbortError). */
  readonly signal?: AbortSignal;
}

/** Results for a pending `returnControl`, in the order of its inputs. */
export interface ManualReturnControlResults {
  readonly invocationId: string;
  readonly results: readonly ManualResult[];
}

export interface ManualResult {
  readonly input: ReturnControlInput;
  readonly status?: number;
  /** A string is sent as is; anything else as JSON. Omit for a confirmation-only answer. */
  readonly body?: unknown;
  readonly responseState?: 'FAILURE' | 'REPROMPT';
  readonly confirmation?: 'CONFIRM' | 'DENY';
}

/** A request to confirm one tool call, for `ask` callers. */
export interface ConfirmationRequest {
  readonly invocationId: string;
  readonly input: ReturnControlInput;
}

export interface AskInput extends TurnInput {
  /** Decides confirmation prompts (true = confirm). @default every prompt is denied */
  readonly onConfirmation?: (request: ConfirmationRequest) => Promise<boolean>;
}

/** The trace of a turn, condensed. */
export interface TraceSummary {
  readonly rationales: readonly string[];
  readonly toolCalls: readonly ToolCallStep[];
  /** Tool outputs in call order (the agent's observations). */
  readonly toolOutputs: readonly string[];
  readonly knowledgeBaseLookups: readonly KnowledgeBaseStep[];
  /** Guardrail assessments that intervened. */
  readonly guardrailInterventions: readonly GuardrailStep[];
  readonly failures: readonly FailureStep[];
}

/** What `ask` returns: the whole turn, collected. */
export interface AgentAnswer {
  readonly text: string;
  readonly citations: readonly Citation[];
  readonly trace: TraceSummary;
  readonly usage: Usage;
  readonly sessionId: string;
  readonly memoryId?: string;
  readonly files: readonly AgentFile[];
  /** Tool calls still waiting for an answer (no handlers were given, or confirmations were deferred). */
  readonly pendingReturnControl?: PendingReturnControl;
}

/**
 * The engine seam: apps and the CLI talk to this, not to an SDK. `AgentClient` (Classic Bedrock Agents) is
 * the first implementation; an AgentCore engine can implement it later with the same events.
 */
export interface ChatEngine {
  /** Runs one turn, yielding events as they arrive; the last one is `done`. Errors are `AgentError`s. */
  stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined>;
  /** Runs one turn and collects it. */
  ask(input: AskInput): Promise<AgentAnswer>;
}
