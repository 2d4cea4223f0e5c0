/**
 * The engine-neutral vocabulary of a chat turn: what `ChatEngine.stream` yields and `ChatEngine.ask` returns.
 * Nothing here names the Bedrock SDK, so a second engine (AgentCore) can produce the same events.
 */

/** A document the answer or a knowledge-base lookup used. */
export interface Reference {
  /** Where the document lives: `s3://…`, a web URL, a custom document id, … (absent if the source has none). */
  readonly uri?: string;
  /** The source kind as the engine names it (`S3`, `WEB`, `CONFLUENCE`, `CUSTOM`, …). */
  readonly sourceType?: string;
  /** The retrieved passage. */
  readonly text?: string;
  /** The document's metadata attributes (sidecar `metadataAttributes`, plus the engine's own keys). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A part of the answer and the documents that support it. */
export interface Citation {
  /** The generated text the citation covers. */
  readonly text: string;
  /** Character offsets of that text in the answer, as the engine reports them. */
  readonly span?: { readonly start: number; readonly end: number };
  readonly references: readonly Reference[];
}

/** Token counts of the model calls of a turn (from the trace; zero when tracing is off). */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Model invocations counted. */
  readonly modelCalls: number;
}

/** Which part of the agent's work a trace step comes from. */
export type TracePhase =
  | 'preProcessing'
  | 'orchestration'
  | 'postProcessing'
  | 'routing'
  | 'guardrail'
  | 'failure'
  | 'customOrchestration';

interface StepBase {
  readonly phase: TracePhase;
  /** Groups the steps of one reasoning step (input, model call, observation). */
  readonly traceId?: string;
  /** Set when a collaborator agent produced the step. */
  readonly collaboratorName?: string;
}

/** The model's stated reasoning for its next action. */
export interface RationaleStep extends StepBase {
  readonly kind: 'rationale';
  readonly text: string;
}

/** The agent calls a tool (an action group operation or function). */
export interface ToolCallStep extends StepBase {
  readonly kind: 'toolCall';
  readonly actionGroup: string;
  /** OpenAPI tools: the template path and the method (as sent by the engine). */
  readonly apiPath?: string;
  readonly httpMethod?: string;
  /** Function-details tools: the function name. */
  readonly function?: string;
  /** Path, query and function parameters by name (values as strings, as the engine sends them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Request-body properties by name, if the operation has a body. */
  readonly body?: Readonly<Record<string, string>>;
  /** `LAMBDA` or `RETURN_CONTROL`. */
  readonly execution?: string;
}

/** What a tool returned to the agent (the observation). */
export interface ToolOutputStep extends StepBase {
  readonly kind: 'toolOutput';
  /** The action group of the matching call, when it was seen. */
  readonly actionGroup?: string;
  readonly output: string;
}

/** A knowledge-base search and the documents it found. */
export interface KnowledgeBaseStep extends StepBase {
  readonly kind: 'knowledgeBase';
  readonly knowledgeBaseId?: string;
  readonly query: string;
  readonly references: readonly Reference[];
}

/** A guardrail assessment of the input or the output. */
export interface GuardrailStep extends StepBase {
  readonly kind: 'guardrail';
  /** `INTERVENED` or `NONE`. */
  readonly action: string;
  /** One line per finding, e.g. `content VIOLENCE (HIGH): BLOCKED`, `pii EMAIL: ANONYMIZED`. */
  readonly assessments: readonly string[];
}

/** The agent failed (a tool error it could not recover from, a model error, …). */
export interface FailureStep extends StepBase {
  readonly kind: 'failure';
  readonly reason: string;
  readonly code?: number;
}

/** Tokens of one model call. */
export interface UsageStep extends StepBase {
  readonly kind: 'usage';
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** One normalised trace step. */
export type TraceStep =
  | RationaleStep
  | ToolCallStep
  | ToolOutputStep
  | KnowledgeBaseStep
  | GuardrailStep
  | FailureStep
  | UsageStep;

/** One `{name, type, value}` argument of a tool call handed back to the app. */
export interface ToolArgument {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** How the app must answer a returned tool call. */
export type InvocationType = 'RESULT' | 'USER_CONFIRMATION' | 'USER_CONFIRMATION_AND_RESULT';

interface ReturnControlInputBase {
  readonly actionGroup: string;
  readonly invocationType: InvocationType;
  /** Multi-agent setups: the agent that asked, and its collaborator name. */
  readonly agentId?: string;
  readonly collaboratorName?: string;
  /** AgentCore: the harness's id of this call (its `toolResult` answers it). */
  readonly toolUseId?: string;
}

/** An OpenAPI operation the app must run (or confirm). */
export interface ApiCall extends ReturnControlInputBase {
  readonly kind: 'api';
  readonly apiPath: string;
  readonly httpMethod: string;
  readonly parameters: readonly ToolArgument[];
  /** Body properties by media type (`application/json`). */
  readonly requestBody?: Readonly<Record<string, readonly ToolArgument[]>>;
}

/** A function-details function the app must run (or confirm). */
export interface FunctionCall extends ReturnControlInputBase {
  readonly kind: 'function';
  readonly function: string;
  readonly parameters: readonly ToolArgument[];
}

export type ReturnControlInput = ApiCall | FunctionCall;

/** A tool call that waits for the app's answer. */
export interface PendingReturnControl {
  readonly invocationId: string;
  readonly inputs: readonly ReturnControlInput[];
}

/** A user's answer to a confirmation prompt. */
export type ConfirmationState = 'CONFIRM' | 'DENY';

/** A file the agent produced (code interpreter). */
export interface AgentFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

/** A piece of the answer. Concatenate the `text` of all text events for the whole answer. */
export interface TextEvent {
  readonly type: 'text';
  readonly text: string;
}

/** A citation for text yielded before it (the engine sends it with the chunk it covers). */
export interface CitationEvent {
  readonly type: 'citation';
  readonly citation: Citation;
}

export interface TraceEvent {
  readonly type: 'trace';
  readonly step: TraceStep;
}

/**
 * The agent handed tool calls back to the app. With handlers the engine runs them and continues the turn
 * (`handled: true`); without (or with `deferConfirmations` and a call to confirm), the turn ends and
 * `done.pendingReturnControl` holds the calls to answer.
 */
export interface ReturnControlEvent extends PendingReturnControl {
  readonly type: 'returnControl';
  readonly handled: boolean;
}

/**
 * The agent asks the user to confirm a tool call. Call `confirm()` or `deny()` before asking for the next
 * event (an unanswered request is denied).
 */
export interface ConfirmationEvent {
  readonly type: 'confirmation';
  readonly invocationId: string;
  readonly input: ReturnControlInput;
  confirm(): void;
  deny(): void;
}

/** A returned tool call was answered: run by a handler, confirmed or denied. */
export interface ToolResultEvent {
  readonly type: 'toolResult';
  readonly invocationId: string;
  readonly input: ReturnControlInput;
  /** The HTTP status sent back (function tools: 200, or 500 on failure). */
  readonly status: number;
  /** The body sent back to the agent (absent for a confirmation-only answer). */
  readonly body?: string;
  readonly confirmation?: ConfirmationState;
  /** The handler's error, for the app only; the agent gets a generic failure body. */
  readonly error?: Error;
}

export interface FilesEvent {
  readonly type: 'files';
  readonly files: readonly AgentFile[];
}

/** The turn ended. */
export interface DoneEvent {
  readonly type: 'done';
  readonly sessionId: string;
  readonly memoryId?: string;
  readonly usage: Usage;
  /** Tool calls the app still has to answer (no handlers were given, or confirmations were deferred). */
  readonly pendingReturnControl?: PendingReturnControl;
}

/** Everything `ChatEngine.stream` yields. */
export type AgentEvent =
  | TextEvent
  | CitationEvent
  | TraceEvent
  | ReturnControlEvent
  | ConfirmationEvent
  | ToolResultEvent
  | FilesEvent
  | DoneEvent;
