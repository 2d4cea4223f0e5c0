import {
  Conflict,
  DependencyFailed,
  DependencyUnavailable,
  InvalidInput,
  isToolError,
  NotFound,
  Throttled,
  toErrorOutcome,
} from '../../../action-groups/kit/errors';

describe('Function: toErrorOutcome', () => {
  it.each([
    {
      name: 'InvalidInput',
      error: new InvalidInput(['title: is required']),
      status: 400,
      body: {
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: ['title: is required'],
      },
    },
    {
      name: 'InvalidInput with one field',
      error: new InvalidInput('priority: must be low, medium or high'),
      status: 400,
      body: {
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: ['priority: must be low, medium or high'],
      },
    },
    {
      name: 'NotFound',
      error: new NotFound('Ticket TCK-9 not found.'),
      status: 404,
      body: { error: 'Ticket TCK-9 not found.' },
    },
    {
      name: 'NotFound default',
      error: new NotFound(),
      status: 404,
      body: { error: 'The requested item was not found.' },
    },
    {
      name: 'Conflict',
      error: new Conflict('Ticket TCK-9 is already closed.'),
      status: 409,
      body: { error: 'Ticket TCK-9 is already closed.' },
    },
    {
      name: 'DependencyFailed',
      error: new DependencyFailed(undefined, { cause: new Error('secret detail') }),
      status: 502,
      body: { error: 'A service this tool depends on failed. Try again later.' },
    },
    {
      name: 'DependencyUnavailable',
      error: new DependencyUnavailable(undefined, { retryAfterSeconds: 30 }),
      status: 503,
      body: {
        error: 'A service this tool depends on is unavailable. Try again later.',
        retryAfterSeconds: 30,
      },
    },
    {
      name: 'Throttled without retry hint',
      error: new Throttled(),
      status: 503,
      body: { error: 'The tool is receiving too many requests. Try again shortly.' },
    },
  ])('maps $name to its status and safe body', ({ error, status, body }) => {
    // Act
    const outcome = toErrorOutcome(error);

    // Assess
    expect(outcome).toEqual({ status, body, expected: true });
  });

  it.each([
    { name: 'an Error', thrown: new Error('ECONNREFUSED 10.0.0.12 password=hunter2') },
    { name: 'a TypeError', thrown: new TypeError("Cannot read properties of undefined (reading 'x')") },
    { name: 'a string', thrown: 'boom' },
    { name: 'an object', thrown: { message: 'internal' } },
    { name: 'undefined', thrown: undefined },
  ])('maps $name to a generic 500 without its message', ({ thrown }) => {
    // Act
    const outcome = toErrorOutcome(thrown);

    // Assess
    expect(outcome).toEqual({
      status: 500,
      body: { error: 'The tool failed unexpectedly. Try again later.' },
      expected: false,
    });
  });

  it('keeps the cause for the logs and the class name', () => {
    // Prepare
    const cause = new Error('upstream 500');

    // Act
    const error = new DependencyFailed('GitLab failed.', { cause });

    // Assess
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('DependencyFailed');
    expect(isToolError(error)).toBe(true);
    expect(isToolError(new Error('x'))).toBe(false);
    expect(JSON.stringify(toErrorOutcome(error).body)).not.toContain('upstream');
  });
});
