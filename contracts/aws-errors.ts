import { fieldOf, stringFieldOf } from './json';

/**
 * How the project tells AWS SDK v3 errors apart: by the service's exception name first, then by what the SDK
 * says about the failure (`$retryable.throttling`, `$fault`, the HTTP status) and by network error codes.
 * Every layer maps these kinds to its own typed errors and messages; the names are listed here only.
 */

/** Exception names of "too many requests" across the services KASS calls (DynamoDB, Bedrock, SNS, API Gateway, …). */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** A quota (tokens per minute, concurrent jobs) is used up: waiting helps, like throttling. */
export const QUOTA_ERROR_NAMES: ReadonlySet<string> = new Set(['ServiceQuotaExceededException']);

/** The service (or the model behind it) failed or timed out on its side: retrying later can succeed. */
export const UNAVAILABLE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ModelNotReadyException',
  'ModelTimeoutException',
]);

/** The resource the call names does not exist (a wrong table, agent, secret or key). */
export const NOT_FOUND_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'NotFound',
  'NotFoundException',
  'NoSuchKey',
  'NoSuchBucket',
  'ParameterNotFound',
]);

/** The caller may not do this, or its credentials are not recognised. */
export const ACCESS_DENIED_ERROR_NAMES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'UnauthorizedOperation',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
]);

/** The request itself is wrong (a bad parameter or expression). */
export const INVALID_REQUEST_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterException',
  'BadRequestException',
]);

/** Node.js network error codes of a connection that failed or broke. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What kind of failure an error is; `undefined` for anything that is not an AWS or network error. */
export type AwsErrorKind =
  | 'throttled'
  | 'quota'
  | 'unavailable'
  | 'not-found'
  | 'access-denied'
  | 'invalid'
  | 'rejected';

/** The error's `name` (`ThrottlingException`), or `''` when it has none. */
export const errorNameOf = (error: unknown): string => stringFieldOf(error, 'name') ?? '';

const httpStatusOf = (error: unknown): unknown => fieldOf(fieldOf(error, '$metadata'), 'httpStatusCode');

/** An error raised by an AWS SDK client: a modelled service error or one with response metadata. */
export const isAwsError = (error: unknown): boolean => {
  const fault = fieldOf(error, '$fault');
  return (
    error instanceof Error &&
    (fault === 'client' || fault === 'server' || fieldOf(error, '$metadata') !== undefined)
  );
};

/** The exception name when `error` is an AWS error, e.g. `ConditionalCheckFailedException`. */
export const awsErrorName = (error: unknown): string | undefined => {
  const name = errorNameOf(error);
  return isAwsError(error) && name !== '' ? name : undefined;
};

/** Throttled: by name, by the SDK's own retry classification, or by HTTP 429. */
export const isThrottlingError = (error: unknown): boolean =>
  THROTTLING_ERROR_NAMES.has(errorNameOf(error)) ||
  fieldOf(fieldOf(error, '$retryable'), 'throttling') === true ||
  (httpStatusOf(error) === 429 && !UNAVAILABLE_ERROR_NAMES.has(errorNameOf(error)));

/** A connection that failed or broke (a Node.js network error code). */
export const isNetworkError = (error: unknown): boolean => {
  const code = fieldOf(error, 'code');
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
};

/** The service failed on its side or could not be reached: by name, network code, server fault or 5xx. */
export const isUnavailableError = (error: unknown): boolean => {
  const status = httpStatusOf(error);
  return (
    UNAVAILABLE_ERROR_NAMES.has(errorNameOf(error)) ||
    isNetworkError(error) ||
    fieldOf(error, '$fault') === 'server' ||
    (typeof status === 'number' && status >= 500)
  );
};

/** A DynamoDB condition that did not hold (a conditional write or check refused). */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  errorNameOf(error) === 'ConditionalCheckFailedException';

/**
 * The kind of an AWS or network error. Names decide first (so `ModelNotReadyException`, HTTP 429, is
 * `unavailable`, not `throttled`); an AWS error of no known name is `rejected`.
 */
export function awsErrorKind(error: unknown): AwsErrorKind | undefined {
  const name = errorNameOf(error);
  if (QUOTA_ERROR_NAMES.has(name)) return 'quota';
  if (NOT_FOUND_ERROR_NAMES.has(name)) return 'not-found';
  if (ACCESS_DENIED_ERROR_NAMES.has(name)) return 'access-denied';
  if (INVALID_REQUEST_ERROR_NAMES.has(name)) return 'invalid';
  if (isThrottlingError(error)) return 'throttled';
  if (isUnavailableError(error)) return 'unavailable';
  if (isAwsError(error)) return 'rejected';
  return undefined;
}

/** Waiting and calling again can succeed: throttled, a quota used up, or the service unavailable. */
export const isRetryableAwsError = (error: unknown): boolean => {
  const kind = awsErrorKind(error);
  return kind === 'throttled' || kind === 'quota' || kind === 'unavailable';
};
