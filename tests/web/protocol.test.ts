import { codeChallenge, jwtExpiryMs } from '../../web/src/auth';
import { ConfigProblem, parseRuntimeConfig } from '../../web/src/config';
import { describeProblem } from '../../web/src/errors';
import { parseFrame, readConversationList, readConversationPage } from '../../web/src/protocol';
import { backoffMs, connectUrl } from '../../web/src/socket';

describe('Function: parseFrame', () => {
  it('reads every frame the WebSocket API sends', () => {
    expect(parseFrame('{"type":"accepted","conversationId":"c1","requestId":"r"}')).toEqual({
      type: 'accepted',
      conversationId: 'c1',
    });
    expect(parseFrame('{"type":"chunk","conversationId":"c1","seq":3,"text":"Hi"}')).toEqual({
      type: 'chunk',
      conversationId: 'c1',
      seq: 3,
      text: 'Hi',
    });
    expect(parseFrame('{"type":"final","conversationId":"c1","answer":"A","citations":[]}')).toEqual({
      type: 'final',
      conversationId: 'c1',
      answer: 'A',
      citations: [],
    });
    const confirmation = parseFrame(
      JSON.stringify({
        type: 'confirmation',
        conversationId: 'c1',
        id: '0f7c2f9e-1d2b-4c1a-9e1f-1234567890ab',
        tool: 'report',
        operation: { method: 'post', path: '/tickets', operationId: 'createTicket' },
        inputs: { parameters: { project: 'ops' }, body: { title: 'VPN', severity: 'high' } },
        prompt: 'Run report createTicket?',
        expiresAt: '2026-03-01T10:10:00.000Z',
      }),
    );
    expect(confirmation).toMatchObject({
      type: 'confirmation',
      operation: 'POST /tickets (createTicket)',
      inputs: [
        ['project', 'ops'],
        ['title', 'VPN'],
        ['severity', 'high'],
      ],
      calls: [{ tool: 'report', operation: 'POST /tickets (createTicket)' }],
    });
    expect(
      parseFrame(
        '{"type":"error","status":400,"error":"The request is invalid","details":["message: must not be empty"]}',
      ),
    ).toEqual({
      type: 'error',
      status: 400,
      error: 'The request is invalid',
      details: ['message: must not be empty'],
    });
  });

  it.each([
    'not json',
    '[]',
    '{"type":"chunk","conversationId":"c","seq":"1","text":"x"}',
    '{"type":"other"}',
    'null',
  ])('ignores %s', (data) => {
    expect(parseFrame(data)).toBeUndefined();
  });

  it('reads a 409 whose body carries the pending confirmation', () => {
    const frame = parseFrame(
      JSON.stringify({
        type: 'error',
        status: 409,
        error: 'waiting',
        confirmation: { id: 'x1', tool: 'report', operation: { function: 'f' } },
      }),
    );
    expect(frame).toMatchObject({ type: 'error', status: 409, confirmation: { id: 'x1', operation: 'f' } });
  });
});

describe('Function: REST bodies', () => {
  it('reads a conversation page and a conversation list, skipping malformed entries', () => {
    expect(
      readConversationPage({
        conversationId: 'c1',
        messages: [
          { role: 'user', content: 'Q', timestamp: 't1' },
          {
            role: 'assistant',
            content: 'A',
            timestamp: 't2',
            toolCalls: [{ action_group: 'report', operation: 'POST /tickets' }],
          },
          { role: 'system', content: 'x' },
        ],
        nextToken: 'n',
      }),
    ).toEqual({
      conversationId: 'c1',
      messages: [
        { role: 'user', content: 'Q', timestamp: 't1', citations: [], toolCalls: [] },
        {
          role: 'assistant',
          content: 'A',
          timestamp: 't2',
          citations: [],
          toolCalls: ['report POST /tickets'],
        },
      ],
      nextToken: 'n',
    });
    expect(
      readConversationList({
        conversations: [{ conversationId: 'c1', title: 'T', updatedAt: 'u' }, { title: 'no id' }],
      }),
    ).toEqual({
      conversations: [{ conversationId: 'c1', title: 'T', updatedAt: 'u' }],
    });
  });
});

describe('Function: parseRuntimeConfig', () => {
  const base = {
    apiUrl: 'https://a.example.com/dev',
    websocketUrl: 'wss://w.example.com/dev',
    auth: { mode: 'api-key' },
  };
  it('reads config.json and normalises the API URL', () => {
    expect(parseRuntimeConfig(base)).toEqual({
      apiUrl: 'https://a.example.com/dev/',
      websocketUrl: 'wss://w.example.com/dev',
      maxMessageChars: 4000,
      auth: { mode: 'api-key' },
    });
    expect(
      parseRuntimeConfig({
        ...base,
        auth: { mode: 'cognito', domain: 'https://p.auth.us-east-1.amazoncognito.com/', clientId: 'c' },
      }).auth,
    ).toEqual({ mode: 'cognito', domain: 'https://p.auth.us-east-1.amazoncognito.com', clientId: 'c' });
  });

  it.each([
    [{ ...base, apiUrl: undefined }, /apiUrl is missing/],
    [{ ...base, websocketUrl: 'https://w.example.com' }, /websocketUrl must start with wss:\/\/ or ws:\/\//],
    [{ ...base, apiUrl: 'javascript:alert(1)' }, /apiUrl must start with https:/],
    [{ ...base, auth: { mode: 'magic' } }, /auth.mode/],
    ['x', /not a JSON object/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseRuntimeConfig(raw)).toThrow(ConfigProblem);
    expect(() => parseRuntimeConfig(raw)).toThrow(message);
  });
});

describe('Function: describeProblem', () => {
  it.each([
    [0, 'Cannot reach the chat service at x', 'retry', /Check your network/],
    [401, 'Unauthorized', 'sign-in', /Sign in again/],
    [403, 'Forbidden', 'sign-in', /Sign in again/],
    [404, 'Conversation not found', 'new-conversation', /Start a new conversation/],
    [429, 'The agent is busy right now; retry in a few seconds', 'retry', /retry in 7 s/],
    [502, 'The agent could not answer this message; try again later', 'retry', /try again later/],
    [400, 'The request is invalid', undefined, /Edit the message/],
  ])('status %d: offers %s', (status, error, action, message) => {
    const problem = describeProblem(status, error, [], 7);
    expect(problem.action).toBe(action);
    expect(problem.message).toMatch(message);
  });
});

describe('WebSocket and sign-in helpers', () => {
  it('puts the credential on $connect as ?token= (and the app user as ?userId=)', () => {
    expect(
      connectUrl('wss://w.example.com/dev', { kind: 'api-key', apiKey: 'k'.repeat(40), userId: 'alice' }),
    ).toBe(`wss://w.example.com/dev?token=${'k'.repeat(40)}&userId=alice`);
    expect(connectUrl('wss://w.example.com/dev', { kind: 'cognito', idToken: 'a.b.c', expiresAtMs: 0 })).toBe(
      'wss://w.example.com/dev?token=a.b.c',
    );
  });

  it('backs off exponentially with jitter, capped at 10 s', () => {
    expect(backoffMs(0, () => 0.5)).toBe(300);
    expect(backoffMs(3, () => 0.5)).toBe(2400);
    expect(backoffMs(20, () => 1)).toBe(12_500);
    expect(backoffMs(20, () => 0)).toBe(7500);
  });

  it('computes the RFC 7636 S256 challenge (appendix B example)', async () => {
    await expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('reads the expiry of an ID token', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_772_360_160 })).toString('base64url');
    expect(jwtExpiryMs(`h.${payload}.s`)).toBe(1_772_360_160_000);
    expect(jwtExpiryMs('garbage')).toBe(0);
  });
});
