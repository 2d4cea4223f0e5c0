import { type ErrorReply, KassError, type SafeBody } from '../../contracts/errors';
import { CONFIRMATION_TTL_MS, type ConfirmationView } from './confirmation-view';

/**
 * The chat API's typed errors. Each carries a message for the logs and a reply that is safe to show to a client
 * (no SDK text, no stack, no internal names): its status, body and headers, the same for REST responses and
 * WebSocket frames. Anything else becomes a generic 500 ({@link toErrorReply}).
 */

export interface ErrorContext {
  /** `wss://…` of the WebSocket API, for turns too long for REST. */
  readonly websocketUrl?: string;
}

/** The base of the chat API's errors: the house error base, its reply written for API clients. */
export abstract class ChatApiError extends KassError {
  /** The reply, given what the edge knows (only a timed-out turn uses it). */
  override toReply(_context: ErrorContext = {}): ErrorReply {
    return super.toReply();
  }
}

const retryAfter = (seconds: number) => ({ 'Retry-After': String(seconds) });

/** The body or parameters broke the contract; `details` name the fields. */
export class InvalidRequest extends ChatApiError {
  readonly status = 400;
  constructor(readonly details: readonly string[]) {
    super('The request is invalid');
  }
  override toBody(): SafeBody {
    return { error: 'The request is invalid', details: this.details };
  }
}

/** No caller identity reached the function (API key or Cognito token): a wiring problem, never normal. */
export class Unauthenticated extends ChatApiError {
  readonly status = 401;
  constructor() {
    super('The request carries no caller identity');
  }
  override toBody(): SafeBody {
    return { error: 'Authenticate with an API key (x-api-key) or a sign-in token' };
  }
}

/** The request's API key is valid for API Gateway but names no app of this stage (`chatApi.apiKeys`). */
export class UnknownApiKey extends ChatApiError {
  readonly status = 403;
  constructor() {
    super('The API key names no configured app');
  }
  override toBody(): SafeBody {
    return {
      error:
        'This API key is not assigned to an app of this API; ask its operator to add it to chatApi.apiKeys',
    };
  }
}

/** No conversation with this id belongs to the caller (whether it exists for someone else is not told). */
export class ConversationNotFound extends ChatApiError {
  readonly status = 404;
  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} not found`);
  }
  override toBody(): SafeBody {
    return { error: 'Conversation not found', conversationId: this.conversationId };
  }
}

/** Another turn of the same conversation is still running (an agent session runs one turn at a time). */
export class ConversationBusy extends ChatApiError {
  readonly status = 409;
  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} is answering another message`);
  }
  override toBody(): SafeBody {
    return {
      error: 'This conversation is still answering a previous message; retry when it is done',
      conversationId: this.conversationId,
    };
  }
  override replyHeaders() {
    return retryAfter(5);
  }
}

/**
 * The conversation has no pending confirmation with this id for the caller: unknown, already answered, or
 * someone else's (which is not told apart).
 */
export class ConfirmationNotFound extends ChatApiError {
  readonly status = 404;
  constructor(
    readonly conversationId: string,
    readonly confirmationId: string,
  ) {
    super(`Confirmation ${confirmationId} not found in conversation ${conversationId}`);
  }
  override toBody(): SafeBody {
    return {
      error:
        'Confirmation not found: it was already answered or does not belong to this conversation; send your message again',
      conversationId: this.conversationId,
      confirmationId: this.confirmationId,
    };
  }
}

/** The caller's confirmation exists but can no longer be answered. */
export class ConfirmationExpired extends ChatApiError {
  readonly status = 404;
  constructor(
    readonly conversationId: string,
    readonly confirmationId: string,
  ) {
    super(`Confirmation ${confirmationId} of conversation ${conversationId} has expired`);
  }
  override toBody(): SafeBody {
    return {
      error: `This confirmation has expired (confirmations can be answered for ${CONFIRMATION_TTL_MS / 60_000} minutes); send your message again`,
      conversationId: this.conversationId,
      confirmationId: this.confirmationId,
    };
  }
}

/** A new message arrived while the agent waits for the caller to confirm or deny a tool call. */
export class ConfirmationPending extends ChatApiError {
  readonly status = 409;
  constructor(
    readonly conversationId: string,
    readonly confirmation: ConfirmationView,
  ) {
    super(`Conversation ${conversationId} waits for the answer to confirmation ${confirmation.id}`);
  }
  override toBody(): SafeBody {
    return {
      error:
        'This conversation is waiting for you to confirm or deny a tool call; answer it first with ' +
        '{"conversationId":…,"confirmation":{"id":…,"confirm":true|false}}',
      conversationId: this.conversationId,
      confirmation: this.confirmation,
    };
  }
}

/**
 * The turn outlived its lease and a newer turn of the same conversation claimed the session: this turn's
 * status and messages are not stored (the newer turn's stand).
 */
export class TurnSuperseded extends ChatApiError {
  readonly status = 409;
  constructor(
    readonly conversationId: string,
    options?: ErrorOptions,
  ) {
    super(`Conversation ${conversationId} was taken over by a newer turn`, options);
  }
  override toBody(): SafeBody {
    return {
      error:
        'This answer took too long and a newer message of this conversation has taken its place; it was not stored. Send your message again if you still need it.',
      conversationId: this.conversationId,
    };
  }
}

/**
 * An accepted WebSocket turn never started: the hand-off to the worker failed, or the worker could not take
 * it in time (throttled, concurrency full, the event waited too long). Nothing ran; the client retries.
 */
export class TurnNotStarted extends ChatApiError {
  readonly status = 503;
  constructor(
    readonly reason: 'dispatch-failed' | 'too-old' | 'dropped',
    options?: ErrorOptions,
  ) {
    super(`The turn did not start (${reason})`, options);
  }
  override toBody(): SafeBody {
    return {
      error: 'The service was too busy to start your answer, and nothing was run; send your message again.',
      retryable: true,
    };
  }
  override replyHeaders() {
    return retryAfter(5);
  }
}

/** The WebSocket worker stopped in the middle of a turn (timeout, crash): nothing of the turn was stored. */
export class TurnInterrupted extends ChatApiError {
  readonly status = 502;
  constructor(options?: ErrorOptions) {
    super('The turn stopped before it was stored', options);
  }
  override toBody(): SafeBody {
    return {
      error: 'Your answer could not be completed and was not stored; send your message again.',
      retryable: true,
    };
  }
}

/** Bedrock throttled the turn (or the search) even after the client's retries. */
export class TurnThrottled extends ChatApiError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds = 10,
    options?: ErrorOptions,
    /** What is busy, as the client reads it. */
    readonly subject: 'agent' | 'knowledge base' = 'agent',
  ) {
    super(`The ${subject} is busy`, options);
  }
  override toBody(): SafeBody {
    return {
      error: `The ${this.subject} is busy right now; retry in a few seconds`,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
  override replyHeaders() {
    return retryAfter(this.retryAfterSeconds);
  }
}

/** The agent did not finish before the turn's deadline. */
export class TurnTimedOut extends ChatApiError {
  readonly status = 504;
  constructor(readonly deadlineSeconds: number) {
    super(`The agent did not answer within ${deadlineSeconds} s`);
  }
  /** Names the WebSocket API, where the edge knows it, for turns too long for REST. */
  override toReply(context: ErrorContext = {}): ErrorReply {
    const url = context.websocketUrl;
    const error = url
      ? `The agent did not answer within ${this.deadlineSeconds} s; use the WebSocket API (${url}) for long turns`
      : `The agent did not answer within ${this.deadlineSeconds} s; try a shorter question or retry later`;
    return { status: this.status, body: { error, ...(url ? { websocketUrl: url } : {}) } };
  }
}

/**
 * The agent (or the knowledge base) failed: tool, model, access, misconfiguration. `kind` is the service's
 * exception name, for logs only.
 */
export class TurnFailed extends ChatApiError {
  readonly status = 502;
  constructor(
    readonly kind: string,
    options?: ErrorOptions,
    readonly subject: 'agent' | 'knowledge base' = 'agent',
  ) {
    super(`The ${subject} could not answer`, options);
  }
  override toBody(): SafeBody {
    const what = this.subject === 'agent' ? 'The agent could not answer this message' : 'The search failed';
    return { error: `${what}; try again later` };
  }
}

/** A table the API needs could not be read or written. */
export class StoreUnavailable extends ChatApiError {
  readonly status = 503;
  constructor(
    readonly store: string,
    options?: ErrorOptions,
  ) {
    super(`The ${store} store is unavailable`, options);
  }
  override toBody(): SafeBody {
    return { error: 'The service is temporarily unavailable; try again later' };
  }
  override replyHeaders() {
    return retryAfter(5);
  }
}

export type { ErrorReply };

const INTERNAL: ErrorReply = { status: 500, body: { error: 'Internal error; try again later' } };

/** Maps an error to its client reply; anything that is not a chat API error becomes a generic 500. */
export function toErrorReply(error: unknown, context: ErrorContext = {}): ErrorReply {
  return error instanceof ChatApiError ? error.toReply(context) : INTERNAL;
}
