import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AgentClient } from '../../../client';
import { chatDepsFromEnv, createChatHandler, handler } from '../../../functions/chat/handler';
import { CONFIRMATION_TTL_MS } from '../../../functions/shared/confirmation-view';
import { ownerOfApp } from '../../../functions/shared/owner';
import { getTestEvent } from '../../support/events';
import { frame, setEnv } from '../../support/invoke-agent-server';
import {
  AGENT_ID,
  ALIAS_ID,
  API_KEY,
  API_KEY_ID,
  APP,
  type ChatWorld,
  countItems,
  OTHER_KEY,
  TABLES,
  useChatWorld,
} from './support/chat-world';
import {
  ASK_FRAMES,
  answered,
  CONFIRMATION_VIEW,
  CREATE_TICKET_INPUT,
  CREATED_FRAMES,
  INVOCATION_ID,
  PROMPT,
  TEXT_BEFORE_PROMPT,
} from './support/confirmation-frames';

type Body = Record<string, unknown>;
type Confirmation = { id: string; expiresAt: string } & Body;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const OWN_KEY = { id: API_KEY_ID, value: API_KEY };

const chatEvent = (body: unknown, key: { id: string; value: string } = OWN_KEY) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat' });
  event.body = JSON.stringify(body);
  event.requestContext.identity.apiKeyId = key.id;
  event.requestContext.identity.apiKey = key.value;
  event.headers['x-api-key'] = key.value;
  return event;
};

const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Body;

/** Messages of a conversation, oldest first. */
async function messages(world: ChatWorld) {
  const items = await world.scan(TABLES.conversations);
  return items
    .sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)))
    .map((i) => ({ role: i.role, content: i.content }));
}

describe('Handler: POST /chat tool confirmations', () => {
  const world = useChatWorld();
  const owner = ownerOfApp(APP);

  afterEach(() => {
    expect(world.agent.pending()).toBe(0);
  });

  /** Asks for something that needs a confirmation; returns the conversation id and the confirmation. */
  async function ask(send = handler) {
    world.agent.enqueue({ frames: ASK_FRAMES });
    const result = await send(chatEvent({ message: 'Please open a ticket: my VPN drops every 10 minutes.' }));
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    return { conversationId: body.conversationId as string, confirmation: body.confirmation as Confirmation };
  }

  describe('when the agent asks to confirm a write tool (ask mode)', () => {
    it('answers with the text so far and the confirmation, and keeps the pending invocation for its owner', async () => {
      // Prepare
      world.agent.enqueue({ frames: ASK_FRAMES });
      const before = Date.now();
      // Act
      const result = await handler(
        chatEvent({ message: 'Please open a ticket: my VPN drops every 10 minutes.' }),
      );
      // Assess
      expect(result.statusCode).toBe(200);
      const body = parse(result);
      expect(body).toEqual({
        answer: TEXT_BEFORE_PROMPT,
        citations: [],
        conversationId: expect.stringMatching(UUID),
        confirmation: {
          ...CONFIRMATION_VIEW,
          id: expect.stringMatching(UUID),
          expiresAt: expect.any(String),
        },
      });
      const confirmation = body.confirmation as Confirmation;
      const expiresAt = Date.parse(confirmation.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + CONFIRMATION_TTL_MS);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + CONFIRMATION_TTL_MS);
      const [state] = await world.scan(TABLES.agentState);
      expect(state).toMatchObject({
        session_id: body.conversationId,
        user_id: owner,
        status: 'AWAITING_CONFIRMATION',
        pending_confirmation: {
          id: confirmation.id,
          owner,
          invocation_id: INVOCATION_ID,
          inputs: [
            {
              kind: 'api',
              actionGroup: 'report',
              apiPath: '/tickets',
              httpMethod: 'post',
              invocationType: 'USER_CONFIRMATION',
              parameters: [],
              requestBody: {
                'application/json':
                  CREATE_TICKET_INPUT.apiInvocationInput.requestBody.content['application/json'].properties,
              },
            },
          ],
          expires_at_ms: expiresAt,
        },
      });
      // The question and what the agent said, ending with its question, so summaries make sense.
      expect(await messages(world)).toEqual([
        { role: 'user', content: 'Please open a ticket: my VPN drops every 10 minutes.' },
        { role: 'assistant', content: `${TEXT_BEFORE_PROMPT}\n\n${PROMPT}` },
      ]);
    });

    it('runs the tool on confirm: same session, the invocation id and CONFIRM; stores the turn', async () => {
      // Prepare
      const { conversationId, confirmation } = await ask();
      world.agent.enqueue({ frames: CREATED_FRAMES });
      // Act
      const result = await handler(
        chatEvent({ conversationId, confirmation: { id: confirmation.id, confirm: true } }),
      );
      // Assess
      expect(result.statusCode).toBe(200);
      expect(parse(result)).toEqual({ answer: 'Created ticket TCK-1042.', citations: [], conversationId });
      const second = world.agent.requests[1];
      expect(second).toMatchObject({ agentId: AGENT_ID, agentAliasId: ALIAS_ID, sessionId: conversationId });
      expect(second?.body.inputText).toBeUndefined();
      expect(second?.body.sessionState).toEqual({
        sessionAttributes: { userId: owner, app: APP, conversationId, channel: 'rest' },
        invocationId: INVOCATION_ID,
        returnControlInvocationResults: answered('CONFIRM'),
      });
      expect(await messages(world)).toEqual([
        { role: 'user', content: 'Please open a ticket: my VPN drops every 10 minutes.' },
        { role: 'assistant', content: `${TEXT_BEFORE_PROMPT}\n\n${PROMPT}` },
        {
          role: 'user',
          content:
            'Yes, run report createTicket with title=VPN drops every 10 minutes, severity=high, reporter=alex@example.com.',
        },
        { role: 'assistant', content: 'Created ticket TCK-1042.' },
      ]);
      const answer = (await world.scan(TABLES.conversations)).find(
        (i) => i.content === 'Created ticket TCK-1042.',
      );
      expect(answer?.tool_calls).toEqual([{ action_group: 'report', operation: 'POST /tickets' }]);
      const [state] = await world.scan(TABLES.agentState);
      expect(state).toMatchObject({ status: 'COMPLETED', turns: 2 });
      expect(state?.pending_confirmation).toBeUndefined();
    });

    it('sends DENY on deny and answers with what the agent says then', async () => {
      // Prepare
      const { conversationId, confirmation } = await ask();
      world.agent.enqueue({ frames: [frame.text('All right, I did not open a ticket.')] });
      // Act
      const result = await handler(
        chatEvent({ conversationId, confirmation: { id: confirmation.id, confirm: false } }),
      );
      // Assess
      expect(result.statusCode).toBe(200);
      expect(parse(result)).toEqual({
        answer: 'All right, I did not open a ticket.',
        citations: [],
        conversationId,
      });
      expect(world.agent.requests[1]?.body.sessionState).toMatchObject({
        invocationId: INVOCATION_ID,
        returnControlInvocationResults: answered('DENY'),
      });
      expect((await messages(world)).slice(2)).toEqual([
        {
          role: 'user',
          content:
            'No, do not run report createTicket with title=VPN drops every 10 minutes, severity=high, reporter=alex@example.com.',
        },
        { role: 'assistant', content: 'All right, I did not open a ticket.' },
      ]);
    });

    it('answers a confirmation only once: a replay is 404 and reaches no agent', async () => {
      // Prepare
      const { conversationId, confirmation } = await ask();
      world.agent.enqueue({ frames: CREATED_FRAMES });
      const reply = { conversationId, confirmation: { id: confirmation.id, confirm: true } };
      await handler(chatEvent(reply));
      // Act
      const replay = await handler(chatEvent(reply));
      // Assess
      expect(replay.statusCode).toBe(404);
      expect(world.agent.requests).toHaveLength(2);
      expect(await countItems(world, TABLES.conversations)).toBe(4);
    });

    it('asks again when the agent needs another confirmation after the first', async () => {
      // Prepare
      const { conversationId, confirmation } = await ask();
      world.agent.enqueue({
        frames: [frame.text('Done. '), frame.returnControl('inv-second', [CREATE_TICKET_INPUT])],
      });
      // Act
      const result = await handler(
        chatEvent({ conversationId, confirmation: { id: confirmation.id, confirm: true } }),
      );
      // Assess
      const body = parse(result);
      expect(body).toMatchObject({ answer: 'Done. ', conversationId, confirmation: { prompt: PROMPT } });
      const next = body.confirmation as Confirmation;
      expect(next.id).not.toBe(confirmation.id);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
        status: 'AWAITING_CONFIRMATION',
        pending_confirmation: { id: next.id, invocation_id: 'inv-second' },
      });
    });

    it('refuses a new message while a confirmation is pending (409, naming it), without calling the agent', async () => {
      // Prepare
      const { conversationId, confirmation } = await ask();
      // Act
      const result = await handler(
        chatEvent({ message: 'Actually, what is the VPN address?', conversationId }),
      );
      // Assess
      expect(result.statusCode).toBe(409);
      expect(parse(result)).toEqual({
        error:
          'This conversation is waiting for you to confirm or deny a tool call; answer it first with ' +
          '{"conversationId":…,"confirmation":{"id":…,"confirm":true|false}}',
        conversationId,
        confirmation: { ...CONFIRMATION_VIEW, id: confirmation.id, expiresAt: confirmation.expiresAt },
      });
      expect(world.agent.requests).toHaveLength(1);
    });

    it('keeps the confirmation when the answer fails before the agent took it (429), so it can be sent again', async () => {
      // Prepare
      const send = createChatHandler({
        ...chatDepsFromEnv(),
        engine: new AgentClient({
          agentId: AGENT_ID,
          agentAliasId: ALIAS_ID,
          retry: { sleep: async () => undefined },
        }),
      });
      const { conversationId, confirmation } = await ask(send);
      const throttled = { frames: [frame.exception('throttlingException', 'Rate exceeded')] };
      world.agent.enqueue(throttled, throttled, throttled, throttled, { frames: CREATED_FRAMES });
      const reply = chatEvent({ conversationId, confirmation: { id: confirmation.id, confirm: true } });
      // Act
      const first = await send(reply);
      const stored = await countItems(world, TABLES.conversations);
      const again = await send(reply);
      // Assess
      expect(first.statusCode).toBe(429);
      expect(stored).toBe(2);
      expect(again.statusCode).toBe(200);
      expect(parse(again).answer).toBe('Created ticket TCK-1042.');
      expect(world.agent.requests.slice(1).map((r) => r.body.sessionState?.invocationId)).toEqual(
        Array(5).fill(INVOCATION_ID),
      );
      expect(await countItems(world, TABLES.conversations)).toBe(4);
    });
  });

  describe('when the confirmation cannot be answered', () => {
    it('answers 404 for an expired confirmation, without calling the agent or storing anything', async () => {
      // Prepare
      let clock = Date.now();
      const send = createChatHandler({ ...chatDepsFromEnv(), now: () => clock });
      const { conversationId, confirmation } = await ask(send);
      clock += CONFIRMATION_TTL_MS + 1_000;
      // Act
      const result = await send(
        chatEvent({ conversationId, confirmation: { id: confirmation.id, confirm: true } }),
      );
      // Assess
      expect(result.statusCode).toBe(404);
      expect(parse(result)).toEqual({
        error:
          'This confirmation has expired (confirmations can be answered for 10 minutes); send your message again',
        conversationId,
        confirmationId: confirmation.id,
      });
      expect(world.agent.requests).toHaveLength(1);
      expect(await countItems(world, TABLES.conversations)).toBe(2);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'AWAITING_CONFIRMATION' });
    });

    it('lets a new message through once the confirmation has expired (and drops it)', async () => {
      // Prepare
      let clock = Date.now();
      const send = createChatHandler({ ...chatDepsFromEnv(), now: () => clock });
      const { conversationId } = await ask(send);
      clock += CONFIRMATION_TTL_MS + 1_000;
      world.agent.enqueue({ frames: [frame.text('The VPN address is vpn.example.com.')] });
      // Act
      const result = await send(chatEvent({ message: 'What is the VPN address?', conversationId }));
      // Assess
      expect(result.statusCode).toBe(200);
      const [state] = await world.scan(TABLES.agentState);
      expect(state?.status).toBe('COMPLETED');
      expect(state?.pending_confirmation).toBeUndefined();
    });

    it.each([
      { name: 'another app’s API key', key: OTHER_KEY, userId: undefined, id: undefined },
      { name: 'another user of the same key', key: OWN_KEY, userId: 'sam', id: undefined },
      {
        name: 'an unknown confirmation id',
        key: OWN_KEY,
        userId: undefined,
        id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b',
      },
    ])(
      'answers 404 for $name, without calling the agent or storing anything',
      async ({ key, userId, id }) => {
        // Prepare
        const { conversationId, confirmation } = await ask();
        // Act
        const result = await handler(
          chatEvent(
            {
              conversationId,
              confirmation: { id: id ?? confirmation.id, confirm: true },
              ...(userId ? { userId } : {}),
            },
            key,
          ),
        );
        // Assess
        expect(result.statusCode).toBe(404);
        expect(parse(result)).toEqual({
          error:
            'Confirmation not found: it was already answered or does not belong to this conversation; send your message again',
          conversationId,
          confirmationId: id ?? confirmation.id,
        });
        expect(world.agent.requests).toHaveLength(1);
        expect(await countItems(world, TABLES.conversations)).toBe(2);
        // The owner can still answer it.
        expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
          status: 'AWAITING_CONFIRMATION',
          pending_confirmation: { id: confirmation.id },
        });
      },
    );

    it('answers 404 for a conversation that does not exist', async () => {
      const result = await handler(
        chatEvent({
          conversationId: 'conv-nope',
          confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: false },
        }),
      );
      expect(result.statusCode).toBe(404);
      expect(world.agent.requests).toHaveLength(0);
      expect(await countItems(world, TABLES.agentState)).toBe(0);
    });
  });

  describe('in deny mode (chatApi.chat.confirmations = deny)', () => {
    it('denies the confirmation mid-turn and answers in one request, as before', async () => {
      // Prepare
      const send = createChatHandler({ ...chatDepsFromEnv(), confirmations: 'deny' });
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: [frame.text(' I did not open it.')] });
      // Act
      const result = await send(
        chatEvent({ message: 'Please open a ticket: my VPN drops every 10 minutes.' }),
      );
      // Assess
      expect(result.statusCode).toBe(200);
      const body = parse(result);
      expect(body).toEqual({
        answer: `${TEXT_BEFORE_PROMPT} I did not open it.`,
        citations: [],
        conversationId: body.conversationId,
      });
      expect(world.agent.requests[1]?.body.sessionState).toMatchObject({
        invocationId: INVOCATION_ID,
        returnControlInvocationResults: answered('DENY'),
      });
      const [state] = await world.scan(TABLES.agentState);
      expect(state?.status).toBe('COMPLETED');
      expect(state?.pending_confirmation).toBeUndefined();
    });

    it('reads the mode from CHAT_CONFIRMATIONS and fails fast on anything else', () => {
      const restore = setEnv({ CHAT_CONFIRMATIONS: 'deny' });
      try {
        expect(chatDepsFromEnv().confirmations).toBe('deny');
        process.env.CHAT_CONFIRMATIONS = 'maybe';
        expect(() => chatDepsFromEnv()).toThrow(
          'Environment variable CHAT_CONFIRMATIONS must be one of ask, deny (got "maybe")',
        );
        delete process.env.CHAT_CONFIRMATIONS;
        expect(() => chatDepsFromEnv()).toThrow('Missing environment variable CHAT_CONFIRMATIONS');
      } finally {
        restore();
      }
    });
  });

  it('still refuses calls that need results from the app (USER_CONFIRMATION_AND_RESULT): 502, nothing stored', async () => {
    // Prepare
    const needsResult = {
      apiInvocationInput: {
        ...CREATE_TICKET_INPUT.apiInvocationInput,
        actionInvocationType: 'USER_CONFIRMATION_AND_RESULT',
      },
    };
    world.agent.enqueue({ frames: [frame.returnControl('inv-r', [needsResult])] });
    // Act
    const result = await handler(chatEvent({ message: 'Open a ticket' }));
    // Assess
    expect(result.statusCode).toBe(502);
    expect(await countItems(world, TABLES.conversations)).toBe(0);
    const [state] = await world.scan(TABLES.agentState);
    expect(state).toMatchObject({ status: 'FAILED', last_error: 'ReturnControlUnsupported' });
    expect(state?.pending_confirmation).toBeUndefined();
  });
});
