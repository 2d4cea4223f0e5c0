/** What an `AgentError` carries besides its message. */
export interface AgentErrorOptions {
  /** The service's exception name (`ThrottlingException`) or the client's own (`InvalidParameter`). */
  readonly exceptionName: string;
  /** Calls made for the turn when the error was final (1 when it was not retried). */
  readonly attempts?: number;
  readonly requestId?: string;
  readonly httpStatusCode?: number;
  readonly cause?: unknown;
}

/**
 * A failed agent turn. Errors from the call and in-stream exceptions (which arrive as stream members after
 * the call returned) both become one of the subclasses below, with the service's exception name kept.
 */
export class AgentError extends Error {
  readonly exceptionName: string;
  readonly attempts: number;
  readonly requestId?: string;
  readonly httpStatusCode?: number;

  constructor(message: string, options: AgentErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.exceptionName = options.exceptionName;
    this.attempts = options.attempts ?? 1;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.httpStatusCode !== undefined) this.httpStatusCode = options.httpStatusCode;
  }

  /** Whether waiting and calling again can succeed (the client retries these itself first). */
  get retryable(): boolean {
    return false;
  }
}

/** `ThrottlingException`: too many requests or tokens for the model or the agent. */
export class AgentThrottledError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentThrottledError';
  }
  override get retryable(): boolean {
    return true;
  }
}

/** `ModelNotReadyException`: the model is being loaded; it is ready in a moment. */
export class AgentModelNotReadyError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentModelNotReadyError';
  }
  override get retryable(): boolean {
    return true;
  }
}

/** `ValidationException`, or an input the client rejects before calling. */
export class AgentValidationError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentValidationError';
  }
}

/** `AccessDeniedException`: no permission for the agent, or no access to its model. */
export class AgentAccessDeniedError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentAccessDeniedError';
  }
}

/** `ResourceNotFoundException`: wrong agent or alias id, or an agent that is not deployed here. */
export class AgentNotFoundError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentNotFoundError';
  }
}

/** `DependencyFailedException` / `BadGatewayException`: a tool Lambda, the knowledge base or the model failed. */
export class AgentDependencyError extends AgentError {
  constructor(message: string, options: AgentErrorOptions) {
    super(message, options);
    this.name = 'AgentDependencyError';
  }
}

type AgentErrorClass = new (message: string, options: AgentErrorOptions) => AgentError;

/** Service exception names (call errors and in-stream members, normalised to PascalCase). */
const CLASSES: Readonly<Record<string, AgentErrorClass>> = {
  ThrottlingException: AgentThrottledError,
  ModelNotReadyException: AgentModelNotReadyError,
  ValidationException: AgentValidationError,
  AccessDeniedException: AgentAccessDeniedError,
  ResourceNotFoundException: AgentNotFoundError,
  DependencyFailedException: AgentDependencyError,
  BadGatewayException: AgentDependencyError,
  // AgentCore InvokeHarness: the harness runtime or one of its tools failed.
  RuntimeClientError: AgentDependencyError,
};

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** `throttlingException` (stream member) and `ThrottlingException` (error name) name the same thing. */
const pascal = (name: string): string => (name ? name.charAt(0).toUpperCase() + name.slice(1) : name);

/** Whether `error` is the caller's own cancellation (re-thrown as is, never wrapped). */
export function isAbortError(error: unknown): boolean {
  return field(error, 'name') === 'AbortError';
}

/**
 * Wraps an SDK error (or anything thrown) in the matching `AgentError` subclass, keeping the exception name,
 * the request id and the status. An `AgentError` is returned with its attempt count updated.
 */
export function toAgentError(error: unknown, attempts = 1): AgentError {
  if (error instanceof AgentError) {
    if (error.attempts === attempts) return error;
    const Class = error.constructor as AgentErrorClass;
    return new Class(error.message, {
      exceptionName: error.exceptionName,
      attempts,
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      ...(error.httpStatusCode === undefined ? {} : { httpStatusCode: error.httpStatusCode }),
      cause: error.cause,
    });
  }
  const rawName = field(error, 'name');
  const exceptionName = pascal(typeof rawName === 'string' && rawName ? rawName : 'Error');
  const rawMessage = field(error, 'message');
  const message = typeof rawMessage === 'string' && rawMessage ? rawMessage : exceptionName;
  const metadata = field(error, '$metadata');
  const requestId = field(metadata, 'requestId');
  const status = field(metadata, 'httpStatusCode');
  const Class = CLASSES[exceptionName] ?? AgentError;
  return new Class(message, {
    exceptionName,
    attempts,
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof status === 'number' && status !== 200 ? { httpStatusCode: status } : {}),
    cause: error,
  });
}
