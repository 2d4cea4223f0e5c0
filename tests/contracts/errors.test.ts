import { DependencyFailed, InvalidInput, toErrorOutcome } from '../../action-groups/kit/errors';
import { AgentNotFoundError, AgentThrottledError, toAgentError } from '../../client/errors';
import { isKassError, KassError, replyOf } from '../../contracts/errors';
import { ConversationBusy, InvalidRequest, TurnTimedOut, toErrorReply } from '../../functions/shared/errors';

const FALLBACK = { status: 500, body: { error: 'generic' } };

describe('Module: contracts/errors (one error base)', () => {
  it('is the base of the tool errors, the chat API errors and the client errors', () => {
    const errors = [
      new InvalidInput('x: bad'),
      new DependencyFailed(),
      new ConversationBusy('c-1'),
      new InvalidRequest(['body: bad']),
      new AgentThrottledError('Rate exceeded for arn:aws:bedrock:…', {
        exceptionName: 'ThrottlingException',
      }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(KassError);
      expect(isKassError(error)).toBe(true);
      expect(typeof error.status).toBe('number');
      expect(error.toReply().body.error).toEqual(expect.any(String));
    }
    expect(isKassError(new Error('plain'))).toBe(false);
  });

  it('answers each with its own status, safe body and headers', () => {
    expect(new ConversationBusy('c-1').toReply()).toEqual({
      status: 409,
      body: {
        error: 'This conversation is still answering a previous message; retry when it is done',
        conversationId: 'c-1',
      },
      headers: { 'Retry-After': '5' },
    });
    expect(toErrorReply(new TurnTimedOut(25), { websocketUrl: 'wss://x' })).toMatchObject({
      status: 504,
      body: { websocketUrl: 'wss://x' },
    });
    expect(toErrorOutcome(new InvalidInput('x: bad'))).toMatchObject({ status: 400, expected: true });
  });

  it('never shows a client error its service message', () => {
    const error = toAgentError(
      Object.assign(new Error('Agent ABC123 of account 123456789012 not found'), {
        name: 'ResourceNotFoundException',
      }),
    );
    expect(error).toBeInstanceOf(AgentNotFoundError);
    expect(error.toReply()).toEqual({
      status: 404,
      body: { error: 'The agent was not found.', exceptionName: 'ResourceNotFoundException' },
    });
  });

  it('falls back for anything else, and for a subclass whose body fails', () => {
    class Broken extends KassError {
      readonly status = 418;
      override toBody(): never {
        throw new Error('broken');
      }
    }
    expect(replyOf(new Error('secret detail'), FALLBACK)).toEqual({ reply: FALLBACK, expected: false });
    expect(replyOf(new Broken('x'), FALLBACK)).toEqual({ reply: FALLBACK, expected: false });
    expect(replyOf(new DependencyFailed(), FALLBACK).expected).toBe(true);
  });
});
