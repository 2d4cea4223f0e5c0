/**
 * KASS client library: talk to the KASS agent from an app. `AgentClient` (Classic Bedrock Agent, InvokeAgent) and
 * `HarnessClient` (AgentCore harness, InvokeHarness) are the two engines behind the engine-neutral `ChatEngine`
 * interface; events, errors and sessions are engine-neutral too.
 */
export { AgentClient, type AgentClientOptions, DEFAULT_REQUEST_TIMEOUT_MS } from './agent-client';
export type {
  AgentAnswer,
  AskInput,
  ChatEngine,
  ConfirmationRequest,
  ManualResult,
  ManualReturnControlResults,
  TraceSummary,
  TurnInput,
} from './chat-engine';
export { type ClientTools, parseClientTools } from './client-tools';
export { collectAnswer, summarizeTrace } from './collect';
export {
  AgentAccessDeniedError,
  AgentDependencyError,
  AgentError,
  type AgentErrorOptions,
  AgentModelNotReadyError,
  AgentNotFoundError,
  AgentThrottledError,
  AgentValidationError,
  isAbortError,
  toAgentError,
} from './errors';
export type * from './events';
export { type Footnote, Footnotes, insertMarkers } from './footnotes';
export {
  bedrockGuardrail,
  type GuardrailCheck,
  type GuardrailRef,
  type GuardrailVerdict,
  verdictOf,
} from './guardrail';
export {
  type ClientToolCall,
  type ClientToolResult,
  type ClientToolRunner,
  HarnessClient,
  type HarnessClientOptions,
  harnessSessionId,
  KNOWLEDGE_TOOL_NAME,
} from './harness-client';
export { lambdaToolRunner } from './lambda-tool-runner';
export { sourceUri } from './references';
export {
  FILTER_LIMITS,
  FILTER_OPERATORS,
  type FilterClause,
  type FilterMatch,
  type FilterOperand,
  type FilterOperator,
  type FilterScalar,
  filterLeaf,
  operandOf,
  toRetrievalFilter,
} from './retrieval-filter';
export { backoffDelay, DEFAULT_RETRY, type RetryNotice, type RetryOptions } from './retry';
export {
  describeCall,
  findHandler,
  type ReturnControlContext,
  type ReturnControlHandler,
  type ReturnControlHandlers,
  type ReturnControlOutcome,
  returnControlKey,
} from './return-control';
export { isValidSessionId, newSessionId, SESSION_ID_PATTERN, Session, type SessionOptions } from './session';
