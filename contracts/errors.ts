/**
 * The base of the project's typed errors: the kit's `ToolError` (answers to the model), the chat API's errors
 * (answers to apps and browsers) and the client's `AgentError` (what an app sees of a failed turn). Each carries
 * an HTTP-ish `status` and a body that is safe to show outside: a message written for the reader and named
 * fields, never the cause, a stack or an SDK's text (those stay in the logs through `cause`). Each edge maps an
 * error once, through {@link KassError.toReply}; anything that is not one of these is a generic failure there.
 */

/** Brand that survives duplicated module copies (two bundles, jest module registries), unlike `instanceof`. */
const KASS_ERROR = Symbol.for('kass.error');

/** A body safe to show outside: always an `error` message, plus fields meant for the reader. */
export type SafeBody = { readonly error: string } & Readonly<Record<string, unknown>>;

/** What an edge answers for an error: status, safe body and extra headers (e.g. `Retry-After`). */
export interface ErrorReply {
  readonly status: number;
  readonly body: SafeBody;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface KassErrorOptions {
  /** The underlying error, for the logs only. */
  readonly cause?: unknown;
}

export abstract class KassError extends Error {
  /** 400 fixable input, 401/403 identity, 404 absent, 409 conflict, 429 busy, 5xx a failure behind the edge. */
  abstract readonly status: number;

  constructor(message: string, options: KassErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** The body a caller outside may see. @default `{ error: message }` */
  toBody(): SafeBody {
    return { error: this.message };
  }

  /** Extra response headers. @default none */
  replyHeaders(): Readonly<Record<string, string>> | undefined {
    return undefined;
  }

  /** Status, safe body and headers, as every edge answers them. */
  toReply(): ErrorReply {
    const headers = this.replyHeaders();
    return { status: this.status, body: this.toBody(), ...(headers ? { headers } : {}) };
  }
}
Object.defineProperty(KassError.prototype, KASS_ERROR, { value: true });

/** Whether `error` is a {@link KassError} (from any copy of this module). */
export const isKassError = (error: unknown): error is KassError =>
  typeof error === 'object' && error !== null && (error as { [KASS_ERROR]?: unknown })[KASS_ERROR] === true;

/**
 * The reply for `error`: its own when it is a {@link KassError} whose `toReply` works, else `fallback` (an
 * unknown error: its message is never read). `expected` is false for the fallback: log those in full.
 */
export function replyOf(error: unknown, fallback: ErrorReply): { reply: ErrorReply; expected: boolean } {
  if (isKassError(error)) {
    try {
      return { reply: error.toReply(), expected: true };
    } catch {
      // A subclass with a broken toBody falls through to the generic answer.
    }
  }
  return { reply: fallback, expected: false };
}
