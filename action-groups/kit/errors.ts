/**
 * Typed tool errors. A handler throws one of these with a message written for the model; `tool.ts` maps it
 * to a status code once, at the edge. Anything else becomes a generic 500 and its detail stays in the logs.
 */

/** Brand that survives duplicated module copies (two bundles, jest module registries), unlike `instanceof`. */
const TOOL_ERROR = Symbol.for('kass.ToolError');

export interface ToolErrorOptions {
  /** The underlying error, for the logs only. */
  readonly cause?: unknown;
}

export abstract class ToolError extends Error {
  readonly [TOOL_ERROR] = true;
  abstract readonly status: number;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** The JSON body the model sees. Only the safe message and fields meant for the model. */
  toBody(): Record<string, unknown> {
    return { error: this.message };
  }
}

/** 400: input the model can fix. `fields` lists each problem as `field: reason`. */
export class InvalidInput extends ToolError {
  readonly status = 400;
  readonly fields: readonly string[];

  constructor(
    fields: readonly string[] | string,
    message = 'Invalid input. Fix these fields and call the tool again.',
    options?: ToolErrorOptions,
  ) {
    super(message, options);
    this.fields = typeof fields === 'string' ? [fields] : [...fields];
  }

  override toBody(): Record<string, unknown> {
    return { error: this.message, fields: this.fields };
  }
}

/** 403: the caller may not do this (no verified identity, or not allowed to see the thing asked for). */
export class Forbidden extends ToolError {
  readonly status = 403;
  constructor(message = 'The caller is not allowed to do this.', options?: ToolErrorOptions) {
    super(message, options);
  }
}

/** 404: the thing asked for does not exist (e.g. "Ticket TCK-9 not found. Check the id with the user."). */
export class NotFound extends ToolError {
  readonly status = 404;
  constructor(message = 'The requested item was not found.', options?: ToolErrorOptions) {
    super(message, options);
  }
}

/** 409: the request conflicts with the current state (duplicate, already closed, version mismatch). */
export class Conflict extends ToolError {
  readonly status = 409;
  constructor(message = 'The request conflicts with the current state.', options?: ToolErrorOptions) {
    super(message, options);
  }
}

/** 502: a dependency answered, but with a failure. */
export class DependencyFailed extends ToolError {
  readonly status = 502;
  constructor(
    message = 'A service this tool depends on failed. Try again later.',
    options?: ToolErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RetryableOptions extends ToolErrorOptions {
  /** Tells the model how long to wait before retrying. */
  readonly retryAfterSeconds?: number;
}

abstract class RetryableError extends ToolError {
  readonly status = 503;
  readonly retryAfterSeconds?: number;

  constructor(message: string, options: RetryableOptions = {}) {
    super(message, options);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  override toBody(): Record<string, unknown> {
    return this.retryAfterSeconds === undefined
      ? { error: this.message }
      : { error: this.message, retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** 503: a dependency is down or timed out. */
export class DependencyUnavailable extends RetryableError {
  constructor(
    message = 'A service this tool depends on is unavailable. Try again later.',
    options?: RetryableOptions,
  ) {
    super(message, options);
  }
}

/** 503: a dependency (or this tool) is rate limiting. */
export class Throttled extends RetryableError {
  constructor(
    message = 'The tool is receiving too many requests. Try again shortly.',
    options?: RetryableOptions,
  ) {
    super(message, options);
  }
}

export const UNEXPECTED_ERROR_MESSAGE = 'The tool failed unexpectedly. Try again later.';

export const isToolError = (err: unknown): err is ToolError =>
  typeof err === 'object' && err !== null && (err as { [TOOL_ERROR]?: unknown })[TOOL_ERROR] === true;

export interface ErrorOutcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** `false` for unknown errors: log them with full detail. */
  readonly expected: boolean;
}

/** Maps any thrown value to a status and a safe body. Never reads `message` of an unknown error. */
export function toErrorOutcome(err: unknown): ErrorOutcome {
  if (isToolError(err)) {
    try {
      return { status: err.status, body: err.toBody(), expected: true };
    } catch {
      // A subclass with a broken toBody falls through to the generic answer.
    }
  }
  return { status: 500, body: { error: UNEXPECTED_ERROR_MESSAGE }, expected: false };
}
