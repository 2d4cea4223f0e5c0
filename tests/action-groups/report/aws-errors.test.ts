import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { AuthorizationErrorException, NotFoundException } from '@aws-sdk/client-sns';
import {
  DependencyFailed,
  DependencyUnavailable,
  InvalidInput,
  toErrorOutcome,
} from '../../../action-groups/kit/errors';
import { toDependencyError } from '../../../action-groups/report/aws-errors';
import { awsErrorName, isThrottlingError } from '../../../contracts/aws-errors';

const meta = { $metadata: { httpStatusCode: 400, requestId: 'REQ-123' } };
const SECRET = 'arn:aws:dynamodb:us-east-1:123456789012:table/kass-tickets-XYZ';
const LABELS = { service: 'The ticket database' };

describe('Function: toDependencyError', () => {
  it.each([
    new ProvisionedThroughputExceededException({ message: `Throughput exceeded for ${SECRET}`, ...meta }),
    new ThrottlingException({ message: `Rate of requests exceeds ${SECRET}`, ...meta }),
    new RequestLimitExceeded({ message: SECRET, ...meta }),
  ])('maps throttling ($name) to a 503 with a safe message', (err) => {
    // Act
    const mapped = toDependencyError(err, LABELS);

    // Assess
    expect(isThrottlingError(err)).toBe(true);
    expect(mapped).toBeInstanceOf(DependencyUnavailable);
    const outcome = toErrorOutcome(mapped);
    expect(outcome.status).toBe(503);
    expect(outcome.body).toEqual({
      error: 'The ticket database is busy right now. Wait a few seconds and call the tool again.',
      retryAfterSeconds: 5,
    });
    expect(JSON.stringify(outcome.body)).not.toContain('arn:aws');
    expect((mapped as Error).cause).toBe(err);
  });

  it('maps a server fault to a retryable 503', () => {
    // Act
    const mapped = toDependencyError(
      new InternalServerError({ message: SECRET, $metadata: { httpStatusCode: 500 } }),
      LABELS,
    );

    // Assess
    expect(toErrorOutcome(mapped)).toMatchObject({ status: 503, body: { retryAfterSeconds: 30 } });
  });

  it('maps a network error to a retryable 503', () => {
    // Prepare
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });

    // Act / Assess
    expect(toDependencyError(err, LABELS)).toBeInstanceOf(DependencyUnavailable);
  });

  it.each([
    new ResourceNotFoundException({ message: `Requested resource not found: ${SECRET}`, ...meta }),
    new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta }),
    new AuthorizationErrorException({ message: `User is not authorized on ${SECRET}`, ...meta }),
    new NotFoundException({ message: 'Topic does not exist', ...meta }),
  ])('maps another AWS error ($name) to a 502 without its message', (err) => {
    // Act
    const mapped = toDependencyError(err, LABELS);

    // Assess
    expect(mapped).toBeInstanceOf(DependencyFailed);
    const outcome = toErrorOutcome(mapped);
    expect(outcome.status).toBe(502);
    expect(JSON.stringify(outcome.body)).not.toMatch(/arn:aws|not found|authorized|conditional/i);
  });

  it('returns tool errors and bugs unchanged (bugs become a logged 500 at the edge)', () => {
    // Prepare
    const toolError = new InvalidInput('x: bad');
    const bug = new TypeError("Cannot read properties of undefined (reading 'Items')");

    // Act / Assess
    expect(toDependencyError(toolError, LABELS)).toBe(toolError);
    expect(toDependencyError(bug, LABELS)).toBe(bug);
    expect(awsErrorName(bug)).toBeUndefined();
  });
});
