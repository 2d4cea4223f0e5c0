import { DependencyFailed, DependencyUnavailable, isToolError } from '../kit/errors';

/**
 * Maps AWS SDK v3 errors to tool errors with fixed, safe messages: the SDK's own message (table names, ARNs,
 * request ids) goes to the logs through `cause`, never to the model. Throttling and server or network faults
 * are retryable (503); any other AWS error is a failure (502). Anything that is not an AWS or network error
 * is returned unchanged: it is a bug and the kit answers 500 and logs it in full.
 */

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);

const UNAVAILABLE = new Set([
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: unknown };
}

const shapeOf = (err: unknown): SdkErrorShape =>
  typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};

export const isThrottlingError = (err: unknown): boolean => {
  const e = shapeOf(err);
  return (
    (typeof e.name === 'string' && THROTTLING.has(e.name)) ||
    e.$retryable?.throttling === true ||
    e.$metadata?.httpStatusCode === 429
  );
};

const isUnavailableError = (err: unknown): boolean => {
  const e = shapeOf(err);
  const status = e.$metadata?.httpStatusCode;
  return (
    (typeof e.name === 'string' && UNAVAILABLE.has(e.name)) ||
    (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) ||
    e.$fault === 'server' ||
    (typeof status === 'number' && status >= 500)
  );
};

/** An error raised by an AWS SDK client (a modelled service error or one with response metadata). */
const isAwsError = (err: unknown): boolean => {
  const e = shapeOf(err);
  return (
    err instanceof Error && (e.$fault === 'client' || e.$fault === 'server' || e.$metadata !== undefined)
  );
};

/** The error name when it is an AWS error, e.g. `ConditionalCheckFailedException`. */
export const awsErrorName = (err: unknown): string | undefined => {
  const name = shapeOf(err).name;
  return isAwsError(err) && typeof name === 'string' ? name : undefined;
};

export interface DependencyLabels {
  /** What the model is told is busy, e.g. "The ticket database". */
  readonly service: string;
}

/** The tool error for `err`, or `err` itself when it is not from AWS or the network (a bug). */
export function toDependencyError(err: unknown, labels: DependencyLabels): unknown {
  if (isToolError(err)) return err;
  if (isThrottlingError(err)) {
    return new DependencyUnavailable(
      `${labels.service} is busy right now. Wait a few seconds and call the tool again.`,
      { cause: err, retryAfterSeconds: 5 },
    );
  }
  if (isUnavailableError(err)) {
    return new DependencyUnavailable(`${labels.service} is not reachable right now. Try again in a minute.`, {
      cause: err,
      retryAfterSeconds: 30,
    });
  }
  if (isAwsError(err)) {
    return new DependencyFailed(
      `${labels.service} rejected the request. Try again later; if it keeps failing, tell the user the ticket system has a problem.`,
      { cause: err },
    );
  }
  return err;
}
