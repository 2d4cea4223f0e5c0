import {
  AgentAccessDeniedError,
  AgentDependencyError,
  AgentError,
  AgentModelNotReadyError,
  AgentNotFoundError,
  AgentThrottledError,
  AgentValidationError,
  toAgentError,
} from '../../client';

describe('Function: toAgentError', () => {
  it.each([
    { name: 'ThrottlingException', Class: AgentThrottledError, retryable: true },
    { name: 'throttlingException', Class: AgentThrottledError, retryable: true },
    { name: 'ModelNotReadyException', Class: AgentModelNotReadyError, retryable: true },
    { name: 'ValidationException', Class: AgentValidationError, retryable: false },
    { name: 'AccessDeniedException', Class: AgentAccessDeniedError, retryable: false },
    { name: 'ResourceNotFoundException', Class: AgentNotFoundError, retryable: false },
    { name: 'DependencyFailedException', Class: AgentDependencyError, retryable: false },
    { name: 'BadGatewayException', Class: AgentDependencyError, retryable: false },
    { name: 'ServiceQuotaExceededException', Class: AgentError, retryable: false },
    { name: 'InternalServerException', Class: AgentError, retryable: false },
  ])('maps $name to $Class.name and keeps the exception name', ({ name, Class, retryable }) => {
    // Prepare
    const sdkError = Object.assign(new Error('service says no'), {
      name,
      $metadata: { requestId: 'req-1', httpStatusCode: 400 },
    });
    // Act
    const error = toAgentError(sdkError, 2);
    // Assess
    expect(error).toBeInstanceOf(Class);
    expect(error.exceptionName).toBe(name.charAt(0).toUpperCase() + name.slice(1));
    expect(error).toMatchObject({
      message: 'service says no',
      attempts: 2,
      requestId: 'req-1',
      httpStatusCode: 400,
    });
    expect(error.retryable).toBe(retryable);
    expect(error.cause).toBe(sdkError);
  });

  it('wraps anything thrown and updates the attempts of an AgentError', () => {
    expect(toAgentError('boom')).toMatchObject({
      name: 'AgentError',
      exceptionName: 'Error',
      message: 'Error',
    });
    const throttled = new AgentThrottledError('slow down', { exceptionName: 'ThrottlingException' });
    const again = toAgentError(throttled, 3);
    expect(again).toBeInstanceOf(AgentThrottledError);
    expect(again.attempts).toBe(3);
    expect(toAgentError(again, 3)).toBe(again);
  });
});
