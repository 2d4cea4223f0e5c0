import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Caller } from './caller';
import type { AgentApiEvent } from './event';
import type { AgentFunctionEvent, AgentFunctionResponse } from './function-details';
import type { GatewayToolResult } from './gateway/call';
import type { IdentityVerifier } from './gateway/identity';
import type { AgentApiResponse } from './response';
import type { OperationInput } from './validate';

/** The kit's public types: what a tool definition declares and what its handlers get and return. */

/** What a handler gets besides its input. Only the kit knows the Bedrock event envelope. */
export interface ToolContext {
  readonly operationId: string;
  readonly sessionId: string;
  /**
   * Copies of the event's maps. Changes are sent back in the response, so a handler can remember a value for
   * the session (`sessionAttributes`) or the turn (`promptSessionAttributes`). Values must be strings.
   */
  readonly sessionAttributes: Record<string, string>;
  readonly promptSessionAttributes: Record<string, string>;
  readonly agent: AgentApiEvent['agent'];
  /**
   * The verified caller, read once from the session attributes the chat API sets (`callerOf`); undefined
   * when the session names none. The only identity a tool may trust; never take it from parameters.
   */
  readonly caller: Caller | undefined;
  /** The user's utterance for this turn: context only, never the tool input. */
  readonly inputText: string;
  readonly logger: Logger;
  readonly lambdaContext?: Context;
}

const WITH_STATUS: unique symbol = Symbol.for('kass.withStatus');

/** A handler result with a status other than 200 (e.g. 201 or 202). */
export interface WithStatus<T> {
  readonly [WITH_STATUS]: true;
  readonly status: number;
  readonly body: T;
}

/** Returns `body` with `status` instead of 200: `return withStatus(201, ticket)`. */
export const withStatus = <T>(status: number, body: T): WithStatus<T> => ({
  [WITH_STATUS]: true,
  status,
  body,
});

export const isWithStatus = (value: unknown): value is WithStatus<unknown> =>
  typeof value === 'object' && value !== null && (value as { [WITH_STATUS]?: unknown })[WITH_STATUS] === true;

/** One operation's handler: typed input in, typed output (or `withStatus(...)`) out. */
export type OperationHandler<I = OperationInput, O = unknown> = (
  input: I,
  ctx: ToolContext,
) => Promise<O | WithStatus<O>>;

/** Any map from operationId to handler; generated `<Group>Operations` types satisfy it. */
export type OperationsShape<Ops> = { [K in keyof Ops]: (input: never, ctx: ToolContext) => Promise<unknown> };

export type UntypedOperations = Record<string, OperationHandler>;

export interface ToolDefinition<Ops extends OperationsShape<Ops> = UntypedOperations> {
  /** The action-group name (`report`). A different `actionGroup` in the event is allowed (console renames). */
  readonly name: string;
  /** The OpenAPI document's text: `import schema from '../../schemas/report.yaml'`. */
  readonly schema: string;
  /** Handlers keyed by operationId. A missing one answers 501; `missingHandlers()` lets a test forbid that. */
  readonly operations: Partial<NoInfer<Ops>>;
  /** @default 20_000 */
  readonly maxBodyChars?: number;
  /** Stores one record per call (the ToolLogs table in the cloud). Failures never change the answer. */
  readonly recorder?: ToolCallRecorder;
  /**
   * Checks the identity assertion of AgentCore gateway calls (see `gateway/identity.ts`).
   * @default KMS VerifyMac with the key in IDENTITY_KEY_ARN; without that variable gateway calls carry no identity
   */
  readonly identityVerifier?: IdentityVerifier;
}

/** What the kit reports about each call: no payloads, only routing, outcome and timing. */
export interface ToolCallRecord {
  readonly tool: string;
  readonly operation: string;
  readonly route: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly sessionId?: string;
  /** ISO-8601 time the call started. */
  readonly startedAt: string;
}

/** A port that persists call records. */
export type ToolCallRecorder = (record: ToolCallRecord) => Promise<void>;

/** Either contract response: OpenAPI (§2.1) or function details (§2.2), matching the event's kind. */
export type AgentToolResponse = AgentApiResponse | AgentFunctionResponse;

/** Whether a tool's answer is the OpenAPI-shaped one. */
export const isApiResponse = (response: AgentToolResponse): response is AgentApiResponse =>
  'httpStatusCode' in response.response;

/**
 * The Lambda handler `defineTool` returns. It never throws and always returns a contract response: the
 * OpenAPI shape for an OpenAPI event (anything with an `apiPath`, and anything malformed), the
 * function-details shape for a function call (`function` and no `apiPath`), and for an AgentCore gateway call
 * (the gateway's keys in `context.clientContext.custom`, whatever the event holds) a {@link GatewayToolResult}.
 */
export interface ToolHandler {
  (raw: AgentApiEvent, context?: Context): Promise<AgentApiResponse>;
  (raw: AgentFunctionEvent, context?: Context): Promise<AgentFunctionResponse>;
  (raw: unknown): Promise<AgentToolResponse>;
  (raw: unknown, context: Context | undefined): Promise<AgentToolResponse | GatewayToolResult>;
  /**
   * Answers `args` as an AgentCore gateway call, always in the gateway's shape: a context without the gateway's
   * keys is a malformed call (error result). The Lambda entry itself routes by the context.
   */
  readonly gateway: (args: unknown, context: Context) => Promise<GatewayToolResult>;
  readonly definition: ToolDefinition<UntypedOperations>;
}
