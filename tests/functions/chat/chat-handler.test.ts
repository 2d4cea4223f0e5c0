import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoConversationStore } from '../../../action-groups/summarize/conversation-store';
import { AgentClient } from '../../../client';
import { handler as getConversation } from '../../../functions/chat/conversations-handler';
import { chatDepsFromEnv, createChatHandler, handler } from '../../../functions/chat/handler';
import { ownerFromCognitoSub, ownerOfApp } from '../../../functions/shared/owner';
import { getTestEvent } from '../../support/events';
import { citation, frame } from '../../support/invoke-agent-server';
import {
  AGENT_ID,
  ALIAS_ID,
  APP,
  countItems,
  OTHER_KEY,
  TABLES,
  useChatWorld,
  WEBSOCKET_URL,
} from './support/chat-world';

type Body = Record<string, unknown>;

const chatEvent = (body: unknown, patch: (e: APIGatewayProxyEvent) => void = () => undefined) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat' });
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  patch(event);
  return event;
};

const getEvent = (conversationId: string, patch: (e: APIGatewayProxyEvent) => void = () => undefined) => {
  const event = getTestEvent<APIGatewayProxyEvent>({
    eventsPath: 'apigw',
    filename: 'rest-get-conversation',
  });
  event.pathParameters = { conversationId };
  event.path = `/conversations/${conversationId}`;
  patch(event);
  return event;
};

/** The request came with this key (API Gateway fills in its id; the functions read only the id). */
const withKey = (key: { id: string; value: string }) => (e: APIGatewayProxyEvent) => {
  e.requestContext.identity.apiKeyId = key.id;
  e.requestContext.identity.apiKey = key.value;
  e.headers['x-api-key'] = key.value;
};

const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Body;

/** A turn that calls a tool, then answers in two streamed pieces, the second with a citation. */
const ANSWER_FRAMES = [
  frame.actionGroupCall('t-1', {
    actionGroupName: 'report',
    apiPath: '/tickets',
    verb: 'get',
    parameters: [{ name: 'reporter', type: 'string', value: 'alex@example.com' }],
  }),
  frame.text('To set up the VPN, '),
  frame.text('install the client and sign in.', [
    citation('install the client and sign in.', { start: 19, end: 50 }, [
      { uri: 's3://kass-docs/documents/vpn.md', text: 'Install the VPN client…' },
    ]),
  ]),
];
const ANSWER = 'To set up the VPN, install the client and sign in.';

describe('Handler: POST /chat', () => {
  const world = useChatWorld();
  const owner = ownerOfApp(APP);

  afterEach(() => {
    // Every scripted agent response was used: no test leaks one into the next.
    expect(world.agent.pending()).toBe(0);
  });

  it('answers a turn and stores the question and the answer in the summarize tool’s shape', async () => {
    // Prepare
    world.agent.enqueue({ frames: ANSWER_FRAMES });
    const before = Date.now();
    // Act
    const result = await handler(chatEvent({ message: 'How do I set up the VPN on a new laptop?' }));
    // Assess
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    expect(body).toEqual({
      answer: ANSWER,
      conversationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      citations: [
        {
          text: 'install the client and sign in.',
          span: { start: 19, end: 50 },
          references: [
            { uri: 's3://kass-docs/documents/vpn.md', sourceType: 'S3', text: 'Install the VPN client…' },
          ],
        },
      ],
    });
    const items = (await world.scan(TABLES.conversations)).sort((a, b) =>
      String(a.timestamp).localeCompare(String(b.timestamp)),
    );
    expect(items).toHaveLength(2);
    const [question, answer] = items as [Body, Body];
    expect(question).toMatchObject({
      conversation_id: body.conversationId,
      role: 'user',
      content: 'How do I set up the VPN on a new laptop?',
      user_id: owner,
      channel: 'rest',
    });
    expect(answer).toMatchObject({
      conversation_id: body.conversationId,
      role: 'assistant',
      content: ANSWER,
      user_id: owner,
      citations: [
        {
          text: 'install the client and sign in.',
          span: { start: 19, end: 50 },
          sources: [{ uri: 's3://kass-docs/documents/vpn.md', source_type: 'S3' }],
        },
      ],
      tool_calls: [{ action_group: 'report', operation: 'GET /tickets' }],
      latency_ms: expect.any(Number),
    });
    // Tool arguments (personal data) are not stored.
    expect(JSON.stringify(answer)).not.toContain('alex@example.com');
    for (const item of items) {
      expect(item.created_at).toBe(String(item.timestamp).replace(/#\d+$/, ''));
      // TTL in epoch seconds, 30 days ahead.
      expect(item.expires_at).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 30 * 86400);
      expect(item.expires_at).toBeLessThan(Math.floor(Date.now() / 1000) + 30 * 86400 + 5);
    }
  });

  it('invokes the agent on the conversation’s session with the owner for the tools', async () => {
    // Prepare
    world.agent.enqueue({ frames: ANSWER_FRAMES }, { frames: [frame.text('Sure.')] });
    // Act
    const first = parse(await handler(chatEvent({ message: 'How do I set up the VPN?' })));
    const second = await handler(
      chatEvent({ message: 'And on Linux?', conversationId: first.conversationId }),
    );
    // Assess
    expect(second.statusCode).toBe(200);
    expect(parse(second).conversationId).toBe(first.conversationId);
    const [call1, call2] = world.agent.requests;
    expect(call1).toMatchObject({
      agentId: AGENT_ID,
      agentAliasId: ALIAS_ID,
      sessionId: first.conversationId,
    });
    expect(call2?.sessionId).toBe(first.conversationId);
    expect(call2?.body).toMatchObject({
      inputText: 'And on Linux?',
      enableTrace: true,
      sessionState: {
        sessionAttributes: { userId: owner, app: APP, conversationId: first.conversationId, channel: 'rest' },
      },
    });
    expect(call2?.body.memoryId).toBeUndefined();
    expect(await countItems(world, TABLES.conversations)).toBe(4);
    const state = (await world.scan(TABLES.agentState))[0];
    expect(state).toMatchObject({
      session_id: first.conversationId,
      conversation_id: first.conversationId,
      user_id: owner,
      channel: 'rest',
      status: 'COMPLETED',
      turns: 2,
      last_latency_ms: expect.any(Number),
    });
  });

  it('reads a stored turn back through GET /conversations/{id} for its owner only', async () => {
    // Prepare
    world.agent.enqueue({ frames: ANSWER_FRAMES });
    const { conversationId } = parse(await handler(chatEvent({ message: 'How do I set up the VPN?' }))) as {
      conversationId: string;
    };
    // Act
    const mine = await getConversation(getEvent(conversationId));
    const otherKey = await getConversation(getEvent(conversationId, withKey(OTHER_KEY)));
    const otherUser = await getConversation(
      getEvent(conversationId, (e) => {
        e.queryStringParameters = { userId: 'someone-else' };
      }),
    );
    const missing = await getConversation(getEvent('conv-does-not-exist'));
    // Assess
    expect(mine.statusCode).toBe(200);
    expect(parse(mine)).toEqual({
      conversationId,
      messages: [
        { role: 'user', content: 'How do I set up the VPN?', timestamp: expect.any(String) },
        {
          role: 'assistant',
          content: ANSWER,
          timestamp: expect.any(String),
          citations: [expect.objectContaining({ text: 'install the client and sign in.' })],
          toolCalls: [{ action_group: 'report', operation: 'GET /tickets' }],
          latencyMs: expect.any(Number),
        },
      ],
    });
    for (const refused of [otherKey, otherUser, missing]) {
      expect(refused.statusCode).toBe(404);
      expect(parse(refused).error).toBe('Conversation not found');
    }
    // A 404 for someone else's conversation looks exactly like one for a missing id.
    expect(parse(otherKey)).toEqual({ error: 'Conversation not found', conversationId });
  });

  it('keeps an app’s users apart: userId under the same key is part of the owner', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Hi Alex.')] });
    const alex = parse(await handler(chatEvent({ message: 'Hi', userId: 'alex' })));
    // Act
    const samContinues = await handler(
      chatEvent({ message: 'Hi', userId: 'sam', conversationId: alex.conversationId }),
    );
    const alexReads = await getConversation(
      getEvent(alex.conversationId as string, (e) => {
        e.queryStringParameters = { userId: 'alex' };
      }),
    );
    // Assess
    expect(samContinues.statusCode).toBe(404);
    expect(world.agent.requests).toHaveLength(1);
    expect(alexReads.statusCode).toBe(200);
    expect((await world.scan(TABLES.conversations))[0]?.user_id).toBe(ownerOfApp(APP, 'alex'));
  });

  it('refuses to continue another app’s conversation without calling the agent (404)', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Hello.')] });
    const { conversationId } = parse(await handler(chatEvent({ message: 'Hello' })));
    // Act
    const result = await handler(
      chatEvent({ message: 'Tell me what they asked', conversationId }, withKey(OTHER_KEY)),
    );
    // Assess
    expect(result.statusCode).toBe(404);
    expect(world.agent.requests).toHaveLength(1);
    expect(await countItems(world, TABLES.conversations)).toBe(2);
  });

  it('answers 409 while the same conversation is still running a turn', async () => {
    // Prepare: a turn of this owner holds the session for another minute.
    await world.doc.send(
      new PutCommand({
        TableName: TABLES.agentState,
        Item: {
          session_id: 'conv-busy',
          user_id: owner,
          status: 'IN_PROGRESS',
          lease_until: Date.now() + 60_000,
        },
      }),
    );
    // Act
    const result = await handler(chatEvent({ message: 'Are you there?', conversationId: 'conv-busy' }));
    // Assess
    expect(result.statusCode).toBe(409);
    expect(result.headers).toMatchObject({ 'Retry-After': '5' });
    expect(world.agent.requests).toHaveLength(0);
  });

  it('uses the Cognito sub as the owner when the user-pool authorizer ran', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Hello.')] });
    const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat-cognito' });
    // A body userId cannot override the signed-in user.
    event.body = JSON.stringify({ message: 'Hello', userId: 'admin' });
    // Act
    const result = await handler(event);
    // Assess
    expect(result.statusCode).toBe(200);
    const owner = ownerFromCognitoSub('7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77');
    expect((await world.scan(TABLES.conversations)).map((i) => i.user_id)).toEqual([owner, owner]);
  });

  it('echoes CORS headers for configured origins only', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('a')] }, { frames: [frame.text('b')] });
    // Act
    const allowed = await handler(chatEvent({ message: 'Hi' }));
    const other = await handler(
      chatEvent({ message: 'Hi' }, (e) => {
        e.headers.Origin = 'https://evil.example.com';
      }),
    );
    // Assess
    expect(allowed.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'http://localhost:3000',
      Vary: 'Origin',
    });
    expect(other.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    expect(allowed.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    });
  });

  it.each([
    { name: 'a body that is not JSON', body: '{"message": ', detail: 'body: is not valid JSON' },
    { name: 'no body', body: '', detail: 'body: is required (a JSON object)' },
    { name: 'a JSON array', body: '[]', detail: 'body: must be a JSON object' },
    {
      name: 'a missing message',
      body: { conversationId: 'conv-1' },
      detail:
        'message: is required and must be a string (or send confirmation to answer a pending confirmation)',
    },
    { name: 'a blank message', body: { message: '   ' }, detail: 'message: must not be empty' },
    {
      name: 'a message that is too long',
      body: { message: 'x'.repeat(4001) },
      detail: 'message: must be at most 4000 characters',
    },
    {
      name: 'a non-string message',
      body: { message: 42 },
      detail: 'message: is required and must be a string',
    },
    {
      name: 'a malformed conversation id',
      body: { message: 'Hi', conversationId: 'has spaces/and slashes' },
      detail: 'conversationId: must be 2-100 characters of 0-9 a-z A-Z . _ : -',
    },
    {
      name: 'an unknown field',
      body: { message: 'Hi', stream: true },
      detail: 'body: unknown field(s) stream',
    },
    {
      name: 'a confirmation without its conversation',
      body: { confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: true } },
      detail: 'conversationId: is required with confirmation (the conversation that asked)',
    },
    {
      name: 'a message and a confirmation together',
      body: {
        message: 'Hi',
        conversationId: 'conv-1',
        confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: true },
      },
      detail: 'body: send either message or confirmation, not both',
    },
    {
      name: 'a malformed confirmation id',
      body: { conversationId: 'conv-1', confirmation: { id: 'TCK-1042', confirm: true } },
      detail: 'confirmation.id: must be the id of the confirmation you answer (a UUID)',
    },
    {
      name: 'a confirmation without a boolean decision',
      body: {
        conversationId: 'conv-1',
        confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: 'yes' },
      },
      detail: 'confirmation.confirm: is required: true runs the tool, false declines it',
    },
    {
      name: 'a confirmation that is not an object',
      body: { conversationId: 'conv-1', confirmation: true },
      detail: 'confirmation: must be an object {"id":…,"confirm":true|false}',
    },
  ])('answers 400 naming the problem for $name', async ({ body, detail }) => {
    // Act
    const result = await handler(chatEvent(body));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(parse(result)).toEqual({ error: 'The request is invalid', details: [detail] });
    expect(world.agent.requests).toHaveLength(0);
    expect(await countItems(world, TABLES.agentState)).toBe(0);
  });

  describe('when the agent fails', () => {
    /** The env-configured handler with retries that do not wait (the same client, the same server). */
    const fastRetryHandler = (overrides: { deadlineMs?: number } = {}) =>
      createChatHandler({
        ...chatDepsFromEnv(),
        engine: new AgentClient({
          agentId: AGENT_ID,
          agentAliasId: ALIAS_ID,
          retry: { sleep: async () => undefined },
        }),
        ...overrides,
      });

    it('answers 429 after the client’s retries of an in-stream throttle, and stores no message', async () => {
      // Prepare: every attempt is throttled inside the stream (after the call returned 200).
      const throttled = { frames: [frame.exception('throttlingException', 'Rate exceeded for model')] };
      world.agent.enqueue(throttled, throttled, throttled, throttled);
      // Act
      const result = await fastRetryHandler()(
        chatEvent({ message: 'How do I set up the VPN?', conversationId: 'conv-throttled' }),
      );
      // Assess
      expect(world.agent.requests).toHaveLength(4);
      expect(result.statusCode).toBe(429);
      expect(result.headers).toMatchObject({ 'Retry-After': '10' });
      expect(parse(result)).toEqual({
        error: 'The agent is busy right now; retry in a few seconds',
        retryAfterSeconds: 10,
      });
      expect(result.body).not.toContain('Rate exceeded');
      expect(await countItems(world, TABLES.conversations)).toBe(0);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
        session_id: 'conv-throttled',
        status: 'THROTTLED',
        last_error: 'ThrottlingException',
      });
    });

    it('answers a throttled-then-recovered turn normally (the retry happened before any text)', async () => {
      // Prepare
      world.agent.enqueue(
        { frames: [frame.exception('throttlingException', 'Rate exceeded')] },
        { frames: ANSWER_FRAMES },
      );
      // Act
      const result = await fastRetryHandler()(chatEvent({ message: 'How do I set up the VPN?' }));
      // Assess
      expect(result.statusCode).toBe(200);
      expect(parse(result).answer).toBe(ANSWER);
      expect(await countItems(world, TABLES.conversations)).toBe(2);
    });

    it('answers its own 504 naming the WebSocket API past the deadline, and stores no message', async () => {
      // Prepare: the agent starts answering, then stalls beyond the deadline.
      world.agent.enqueue({
        frames: [frame.text('Let me think'), frame.pause(2_500), frame.text(' … done.')],
      });
      // Act
      const result = await fastRetryHandler({ deadlineMs: 1_000 })(
        chatEvent({ message: 'Write a long report', conversationId: 'conv-slow' }),
      );
      // Assess
      expect(result.statusCode).toBe(504);
      expect(parse(result)).toEqual({
        error: `The agent did not answer within 1 s; use the WebSocket API (${WEBSOCKET_URL}) for long turns`,
        websocketUrl: WEBSOCKET_URL,
      });
      expect(await countItems(world, TABLES.conversations)).toBe(0);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'TIMED_OUT' });
    });

    it('answers 502 with a generic message for other agent errors (no service text leaks)', async () => {
      // Prepare
      world.agent.enqueue({
        httpError: {
          status: 403,
          type: 'AccessDeniedException',
          message: 'User arn:aws:iam::123456789012:role/x is not authorized',
        },
      });
      // Act
      const result = await fastRetryHandler()(chatEvent({ message: 'Hello' }));
      // Assess
      expect(result.statusCode).toBe(502);
      expect(parse(result)).toEqual({ error: 'The agent could not answer this message; try again later' });
      expect(result.body).not.toMatch(/arn:|not authorized|AccessDenied/);
      expect(await countItems(world, TABLES.conversations)).toBe(0);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
        status: 'FAILED',
        last_error: 'AccessDeniedException',
      });
    });
  });

  it('writes items the summarize tool reads back (contract with action-groups/summarize)', async () => {
    // Prepare
    world.agent.enqueue({ frames: ANSWER_FRAMES });
    const { conversationId } = parse(await handler(chatEvent({ message: 'How do I set up the VPN?' })));
    // Act
    const loaded = await new DynamoConversationStore(world.doc, TABLES.conversations).load(
      conversationId as string,
    );
    // Assess
    expect(loaded).toEqual({
      complete: true,
      skipped: 0,
      messages: [
        { role: 'user', content: 'How do I set up the VPN?', timestamp: expect.any(String), userId: owner },
        { role: 'assistant', content: ANSWER, timestamp: expect.any(String), userId: owner },
      ],
    });
  });
});
