import { ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import {
  awsErrorKind,
  awsErrorName,
  isConditionalCheckFailed,
  isRetryableAwsError,
  isThrottlingError,
} from '../../contracts/aws-errors';

const meta = { $metadata: { httpStatusCode: 400 } };
const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: {}, ...extra });

describe('Module: contracts/aws-errors', () => {
  it.each([
    [new ThrottlingException({ message: 'slow down', ...meta }), 'throttled'],
    [named('ProvisionedThroughputExceededException'), 'throttled'],
    [named('SomeNewError', { $retryable: { throttling: true } }), 'throttled'],
    [named('SomeOtherError', { $metadata: { httpStatusCode: 429 } }), 'throttled'],
    [named('ServiceQuotaExceededException'), 'quota'],
    [named('ModelNotReadyException', { $metadata: { httpStatusCode: 429 } }), 'unavailable'],
    [named('InternalServerException', { $fault: 'server' }), 'unavailable'],
    [named('Whatever', { $metadata: { httpStatusCode: 503 } }), 'unavailable'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unavailable'],
    [new ResourceNotFoundException({ message: 'Requested resource not found', ...meta }), 'not-found'],
    [named('AccessDeniedException'), 'access-denied'],
    [named('UnrecognizedClientException'), 'access-denied'],
    [named('ValidationException'), 'invalid'],
    [named('ConditionalCheckFailedException', { $fault: 'client' }), 'rejected'],
  ])('classifies %p as %s', (error, kind) => {
    expect(awsErrorKind(error)).toBe(kind);
  });

  it('leaves what is not an AWS or network error unclassified (a bug)', () => {
    expect(awsErrorKind(new TypeError('x is undefined'))).toBeUndefined();
    expect(awsErrorKind('boom')).toBeUndefined();
    expect(awsErrorName(new TypeError('x'))).toBeUndefined();
  });

  it('tells what waiting can fix', () => {
    expect(isRetryableAwsError(named('ThrottlingException'))).toBe(true);
    expect(isRetryableAwsError(named('ServiceQuotaExceededException'))).toBe(true);
    expect(isRetryableAwsError(named('AccessDeniedException'))).toBe(false);
    expect(isThrottlingError(named('ValidationException'))).toBe(false);
  });

  it('recognises a failed DynamoDB condition by name', () => {
    expect(isConditionalCheckFailed(named('ConditionalCheckFailedException'))).toBe(true);
    expect(isConditionalCheckFailed(undefined)).toBe(false);
  });
});
