import { CONFIRMATION_TTL_MS, type ConfirmationView } from './confirmation-view';

/**
 * The chat API's typed errors. Each carries a message that is safe to show to a client (no SDK text, no
 * stack, no internal names); `toErrorReply` maps them once, for REST responses and WebSocket frames alike.
 * Anything else becomes a generic 500.
 */

/** The body or parameters broke the contract; `details` name the fields. */
export class InvalidRequest extends Error {
  constructor(readonly details: readonly string[]) {
    super('The request is invalid');
    this.name = 'InvalidRequest';
  }
}

/** No caller identity reached the function (API key or Cognito token): a wiring problem, never normal. */
export class Unauthenticated extends Error {
  constructor() {
    super('The request carries no caller identity');
    this.name = 'Unauthenticated';
  }
}

/** The request's API key is valid for API Gateway but names no app of this stage (`chatApi.apiKeys`). */
export class UnknownApiKey extends Error {
  constructor() {
    super('The API key names no configured app');
    this.name = 'UnknownApiKey';
  }
}

/** No conversation with this id belongs to the caller (whether it exists for someone else is not told). */
export class ConversationNotFound extends Error {
  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} not found`);
    this.name = 'ConversationNotFound';
  }
}

/** Another turn of the same conversation is still running (an agent session runs one turn at a time). */
export class ConversationBusy extends Error {
  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} is answering another message`);
    this.name = 'ConversationBusy';
  }
}

/**
 * The conversation has no pending confirmation with this id for the caller: unknown, already answered, or
 * someone else's (which is not told apart).
 */
export class ConfirmationNotFound extends Error {
  constructor(
    readonly conversationId: string,
    readonly confirmationId: string,
  ) {
    super(`Confirmation ${confirmationId} not found in conversation ${conversationId}`);
    this.name = 'ConfirmationNotFound';
  }
}

/** The caller's confirmation exists but can no longer be answered. */
export class ConfirmationExpired extends Error {
  constructor(
    readonly conversationId: string,
    readonly confirmationId: string,
  ) {
    super(`Confirmation ${confirmationId} of conversation ${conversationId} has expired`);
    this.name = 'ConfirmationExpired';
  }
}

/** A new message arrived while the agent waits for the caller to confirm or deny a tool call. */
export class ConfirmationPending extends Error {
  constructor(
    readonly conversationId: string,
    readonly confirmation: ConfirmationView,
  ) {
    super(`Conversation ${conversationId} waits for the answer to confirmation ${confirmation.id}`);
    this.name = 'ConfirmationPending';
  }
}

/**
 * The turn outlived its lease and a newer turn of the same conversation claimed the session: this turn's
 * status and messages are not stored (the newer turn's stand).
 */
export class TurnSuperseded extends Error {
  constructor(
    readonly conversationId: string,
    options?: ErrorOptions,
  ) {
    super(`Conversation ${conversationId} was taken over by a newer turn`, options);
    this.name = 'TurnSuperseded';
  }
}

/**
 * An accepted WebSocket turn never started: the hand-off to the worker failed, or the worker could not take
 * it in time (throttled, concurrency full, the event waited too long). Nothing ran; the client retries.
 */
export class TurnNotStarted extends Error {
  constructor(
    readonly reason: 'dispatch-failed' | 'too-old' | 'dropped',
    options?: ErrorOptions,
  ) {
    super(`The turn did not start (${reason})`, options);
    this.name = 'TurnNotStarted';
  }
}

/** The WebSocket worker stopped in the middle of a turn (timeout, crash): nothing of the turn was stored. */
export class TurnInterrupted extends Error {
  constructor(options?: ErrorOptions) {
    super('The turn stopped before it was stored', options);
    this.name = 'TurnInterrupted';
  }
}

/** Bedrock throttled the turn (or the search) even after the client's retries. */
export class TurnThrottled extends Error {
  constructor(
    readonly retryAfterSeconds = 10,
    options?: ErrorOptions,
    /** What is busy, as the client reads it. */
    readonly subject: 'agent' | 'knowledge base' = 'agent',
  ) {
    super(`The ${subject} is busy`, options);
    this.name = 'TurnThrottled';
  }
}

/** The agent did not finish before the turn's deadline. */
export class TurnTimedOut extends Error {
  constructor(readonly deadlineSeconds: number) {
    super(`The agent did not answer within ${deadlineSeconds} s`);
    this.name = 'TurnTimedOut';
  }
}

/**
 * The agent (or the knowledge base) failed: tool, model, access, misconfiguration. `kind` is the service's
 * exception name, for logs only.
 */
export class TurnFailed extends Error {
  constructor(
    readonly kind: string,
    options?: ErrorOptions,
    readonly subject: 'agent' | 'knowledge base' = 'agent',
  ) {
    super(`The ${subject} could not answer`, options);
    this.name = 'TurnFailed';
  }
}

/** A table the API needs could not be read or written. */
export class StoreUnavailable extends Error {
  constructor(
    readonly store: string,
    options?: ErrorOptions,
  ) {
    super(`The ${store} store is unavailable`, options);
    this.name = 'StoreUnavailable';
  }
}

/** What a client sees for an error: status, a JSON body, extra headers. */
export interface ErrorReply {
  readonly status: number;
  readonly body: { readonly error: string } & Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ErrorContext {
  /** `wss://…` of the WebSocket API, for turns too long for REST. */
  readonly websocketUrl?: string;
}

/** Maps an error to its client reply; unknown errors become a generic 500. */
export function toErrorReply(error: unknown, context: ErrorContext = {}): ErrorReply {
  if (error instanceof InvalidRequest) {
    return { status: 400, body: { error: 'The request is invalid', details: error.details } };
  }
  if (error instanceof Unauthenticated) {
    return { status: 401, body: { error: 'Authenticate with an API key (x-api-key) or a sign-in token' } };
  }
  if (error instanceof UnknownApiKey) {
    return {
      status: 403,
      body: {
        error:
          'This API key is not assigned to an app of this API; ask its operator to add it to chatApi.apiKeys',
      },
    };
  }
  if (error instanceof ConversationNotFound) {
    return { status: 404, body: { error: 'Conversation not found', conversationId: error.conversationId } };
  }
  if (error instanceof ConversationBusy) {
    return {
      status: 409,
      body: {
        error: 'This conversation is still answering a previous message; retry when it is done',
        conversationId: error.conversationId,
      },
      headers: { 'Retry-After': '5' },
    };
  }
  if (error instanceof TurnNotStarted) {
    return {
      status: 503,
      body: {
        error: 'The service was too busy to start your answer, and nothing was run; send your message again.',
        retryable: true,
      },
      headers: { 'Retry-After': '5' },
    };
  }
  if (error instanceof TurnInterrupted) {
    return {
      status: 502,
      body: {
        error: 'Your answer could not be completed and was not stored; send your message again.',
        retryable: true,
      },
    };
  }
  if (error instanceof TurnSuperseded) {
    return {
      status: 409,
      body: {
        error:
          'This answer took too long and a newer message of this conversation has taken its place; it was not stored. Send your message again if you still need it.',
        conversationId: error.conversationId,
      },
    };
  }
  if (error instanceof ConfirmationNotFound) {
    return {
      status: 404,
      body: {
        error:
          'Confirmation not found: it was already answered or does not belong to this conversation; send your message again',
        conversationId: error.conversationId,
        confirmationId: error.confirmationId,
      },
    };
  }
  if (error instanceof ConfirmationExpired) {
    return {
      status: 404,
      body: {
        error: `This confirmation has expired (confirmations can be answered for ${CONFIRMATION_TTL_MS / 60_000} minutes); send your message again`,
        conversationId: error.conversationId,
        confirmationId: error.confirmationId,
      },
    };
  }
  if (error instanceof ConfirmationPending) {
    return {
      status: 409,
      body: {
        error:
          'This conversation is waiting for you to confirm or deny a tool call; answer it first with ' +
          '{"conversationId":…,"confirmation":{"id":…,"confirm":true|false}}',
        conversationId: error.conversationId,
        confirmation: error.confirmation,
      },
    };
  }
  if (error instanceof TurnThrottled) {
    return {
      status: 429,
      body: {
        error: `The ${error.subject} is busy right now; retry in a few seconds`,
        retryAfterSeconds: error.retryAfterSeconds,
      },
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof TurnTimedOut) {
    const url = context.websocketUrl;
    return {
      status: 504,
      body: {
        error: url
          ? `The agent did not answer within ${error.deadlineSeconds} s; use the WebSocket API (${url}) for long turns`
          : `The agent did not answer within ${error.deadlineSeconds} s; try a shorter question or retry later`,
        ...(url ? { websocketUrl: url } : {}),
      },
    };
  }
  if (error instanceof TurnFailed) {
    const what = error.subject === 'agent' ? 'The agent could not answer this message' : 'The search failed';
    return { status: 502, body: { error: `${what}; try again later` } };
  }
  if (error instanceof StoreUnavailable) {
    return {
      status: 503,
      body: { error: 'The service is temporarily unavailable; try again later' },
      headers: { 'Retry-After': '5' },
    };
  }
  return { status: 500, body: { error: 'Internal error; try again later' } };
}
