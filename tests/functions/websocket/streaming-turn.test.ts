import { ownerOfApp } from '../../../functions/shared/owner';
import { DynamoConnectionStore } from '../../../functions/websocket/connection-store';
import type { ServerFrame } from '../../../functions/websocket/events';
import { createMessageHandler } from '../../../functions/websocket/message-handler';
import { type ConnectionPoster, TURN_JOB_TYPE, type TurnJob } from '../../../functions/websocket/turn-job';
import { getTestEvent } from '../../support/events';
import { citation, frame } from '../../support/invoke-agent-server';
import { APP, countItems, TABLES, useChatWorld } from '../chat/support/chat-world';
import {
  ASK_FRAMES,
  answered,
  CONFIRMATION_VIEW,
  CREATED_FRAMES,
  INVOCATION_ID,
} from '../chat/support/confirmation-frames';
import { worldWorker } from './support/worker';

type Posted = { endpoint: string; connectionId: string; frame: ServerFrame };

/** PostToConnection stand-in: records every frame in order; `goneAfter` frames, the client is gone. */
class RecordingPoster implements ConnectionPoster {
  readonly posted: Posted[] = [];
  constructor(private readonly goneAfter = Number.POSITIVE_INFINITY) {}
  async post(endpoint: string, connectionId: string, f: ServerFrame): Promise<'sent' | 'gone'> {
    if (this.posted.length >= this.goneAfter) return 'gone';
    this.posted.push({ endpoint, connectionId, frame: f });
    return 'sent';
  }
  get frames(): ServerFrame[] {
    return this.posted.map((p) => p.frame);
  }
}

const CONNECTION = 'L0SM9cOFvHcCIhw=';
const ENDPOINT = 'https://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev';
const OWNER = ownerOfApp(APP);

const sendMessage = (body: unknown) => {
  const event = getTestEvent<{ body: string }>({ eventsPath: 'apigw', filename: 'websocket-send-message' });
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
};

describe('WebSocket chat: sendMessage ingress → turn worker → PostToConnection', () => {
  const world = useChatWorld();
  let jobs: TurnJob[];

  beforeEach(async () => {
    jobs = [];
    await new DynamoConnectionStore(world.doc, TABLES.connections).put(
      { connectionId: CONNECTION, caller: { userId: OWNER, app: APP, roles: [] } },
      Date.now(),
    );
  });
  afterEach(() => {
    expect(world.agent.pending()).toBe(0);
  });

  const ingress = () =>
    createMessageHandler({
      connections: new DynamoConnectionStore(world.doc, TABLES.connections),
      dispatcher: { dispatch: async (job) => void jobs.push(job) },
      maxMessageChars: 4000,
      newConversationId: () => 'conv-ws-1',
    });

  const worker = (poster: ConnectionPoster, deadlineMs = 170_000, confirmations: 'ask' | 'deny' = 'ask') =>
    worldWorker(world, poster, { deadlineMs, confirmations });

  describe('Ingress', () => {
    it('accepts the message on the route response and hands the turn to the worker', async () => {
      // Act
      const result = await ingress()(
        sendMessage({ action: 'sendMessage', message: 'Summarize the VPN runbook for me.' }),
      );
      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body as string)).toEqual({
        type: 'accepted',
        conversationId: 'conv-ws-1',
        requestId: 'Ue2GkHL5IAMFbaw=',
      });
      expect(jobs).toEqual([
        {
          type: TURN_JOB_TYPE,
          connectionId: CONNECTION,
          endpoint: ENDPOINT,
          owner: OWNER,
          app: APP,
          message: 'Summarize the VPN runbook for me.',
          conversationId: 'conv-ws-1',
          requestId: 'Ue2GkHL5IAMFbaw=',
          acceptedAt: expect.any(Number),
          turnId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ]);
    });

    it('continues the conversation the client names', async () => {
      await ingress()(
        sendMessage({ action: 'sendMessage', message: 'And on Linux?', conversationId: 'conv-earlier' }),
      );
      expect(jobs[0]?.conversationId).toBe('conv-earlier');
    });

    it.each([
      { name: 'a frame that is not JSON', body: 'hello', detail: 'body: is not valid JSON' },
      { name: 'an unknown action', body: { action: 'dance' }, detail: 'action: unknown action "dance"' },
      {
        name: 'a missing message',
        body: { action: 'sendMessage' },
        detail: 'message: is required and must be a string',
      },
      {
        name: 'an oversized message',
        body: { action: 'sendMessage', message: 'x'.repeat(4001) },
        detail: 'message: must be at most 4000 characters',
      },
      {
        name: 'an unknown field',
        body: { action: 'sendMessage', message: 'Hi', userId: 'admin' },
        detail: 'body: unknown field(s) userId',
      },
    ])('answers a 400 error frame for $name and starts nothing', async ({ body, detail }) => {
      const result = await ingress()(sendMessage(body));
      expect(result.statusCode).toBe(400);
      const reply = JSON.parse(result.body as string) as { type: string; status: number; details: string[] };
      expect(reply).toMatchObject({ type: 'error', status: 400, error: 'The request is invalid' });
      expect(reply.details[0]).toContain(detail);
      expect(jobs).toEqual([]);
    });

    it('answers 401 for a connection it has no record of', async () => {
      const event = sendMessage({ action: 'sendMessage', message: 'Hi' }) as {
        requestContext?: { connectionId: string };
      };
      (event.requestContext as { connectionId: string }).connectionId = 'unknown-connection';
      const result = await ingress()(event);
      expect(result.statusCode).toBe(401);
      expect(jobs).toEqual([]);
    });
  });

  describe('Worker', () => {
    it('streams the chunks in order, then the final frame, and stores the turn', async () => {
      // Prepare
      world.agent.enqueue({
        frames: [
          frame.text('The runbook '),
          frame.text('covers '),
          frame.text('installing the client.', [
            citation('installing the client.', { start: 19, end: 41 }, [{ uri: 's3://docs/vpn.md' }]),
          ]),
        ],
      });
      const poster = new RecordingPoster();
      await ingress()(sendMessage({ action: 'sendMessage', message: 'Summarize the VPN runbook for me.' }));
      // Act
      await worker(poster)(jobs[0]);
      // Assess
      expect(poster.posted.every((p) => p.endpoint === ENDPOINT && p.connectionId === CONNECTION)).toBe(true);
      expect(poster.frames).toEqual([
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 0, text: 'The runbook ' },
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 1, text: 'covers ' },
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 2, text: 'installing the client.' },
        {
          type: 'final',
          conversationId: 'conv-ws-1',
          answer: 'The runbook covers installing the client.',
          // Citations travel bounded: address, title, a short excerpt (the stored turn keeps them whole).
          citations: [
            {
              uri: 's3://docs/vpn.md',
              title: 'vpn.md',
              excerpt: 'excerpt of s3://docs/vpn.md',
              span: { start: 19, end: 41 },
            },
          ],
        },
      ]);
      const items = await world.scan(TABLES.conversations);
      expect(items.map((i) => [i.role, i.channel, i.user_id])).toEqual(
        expect.arrayContaining([
          ['user', 'websocket', OWNER],
          ['assistant', 'websocket', OWNER],
        ]),
      );
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
        channel: 'websocket',
        status: 'COMPLETED',
      });
    });

    it('posts one 429 error frame after the client’s retries of a throttle, and stores nothing', async () => {
      const throttled = { frames: [frame.exception('throttlingException', 'Rate exceeded')] };
      world.agent.enqueue(throttled, throttled, throttled, throttled);
      const poster = new RecordingPoster();
      await worker(poster)({ ...job(), conversationId: 'conv-ws-throttled' });
      expect(world.agent.requests).toHaveLength(4);
      expect(poster.frames).toEqual([
        {
          type: 'error',
          status: 429,
          error: 'The agent is busy right now; retry in a few seconds',
          retryAfterSeconds: 10,
          conversationId: 'conv-ws-throttled',
        },
      ]);
      expect(await countItems(world, TABLES.conversations)).toBe(0);
    });

    it('stops when the client has gone: no more frames, nothing stored, the turn marked cancelled', async () => {
      world.agent.enqueue({ frames: [frame.text('one '), frame.text('two '), frame.text('three')] });
      const poster = new RecordingPoster(1);
      await worker(poster)(job());
      expect(poster.frames).toEqual([{ type: 'chunk', conversationId: 'conv-ws-1', seq: 0, text: 'one ' }]);
      expect(await countItems(world, TABLES.conversations)).toBe(0);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({
        status: 'CANCELLED',
        last_error: 'ListenerFailed',
      });
    });

    it('refuses another owner’s conversation with a 404 frame, without calling the agent', async () => {
      world.agent.enqueue({ frames: [frame.text('Hello.')] });
      await worker(new RecordingPoster())({ ...job(), owner: 'apikey:someone-else' });
      const poster = new RecordingPoster();
      await worker(poster)(job());
      expect(poster.frames).toEqual([
        { type: 'error', status: 404, error: 'Conversation not found', conversationId: 'conv-ws-1' },
      ]);
      expect(world.agent.requests).toHaveLength(1);
    });

    it('ignores a payload that is not a turn job (no retry, nothing posted)', async () => {
      const poster = new RecordingPoster();
      await worker(poster)({ type: 'something-else' });
      await worker(poster)({ ...job(), endpoint: 'http://evil.example.com/dev' });
      expect(poster.frames).toEqual([]);
    });
  });

  describe('Tool confirmations', () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

    it('streams chunks then a confirmation frame; the confirm frame streams chunks then the final frame', async () => {
      // Prepare
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: CREATED_FRAMES });
      const asking = new RecordingPoster();
      const answering = new RecordingPoster();
      await ingress()(
        sendMessage({ action: 'sendMessage', message: 'Open a ticket: my VPN keeps dropping.' }),
      );
      // Act
      await worker(asking)(jobs[0]);
      const confirmation = asking.frames.at(-1) as { id: string };
      const accepted = await ingress()(
        sendMessage({
          action: 'sendMessage',
          conversationId: 'conv-ws-1',
          confirmation: { id: confirmation.id, confirm: true },
        }),
      );
      await worker(answering)(jobs[1]);
      // Assess
      expect(asking.frames).toEqual([
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 0, text: 'I can open a ticket ' },
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 1, text: 'for that.' },
        {
          type: 'confirmation',
          conversationId: 'conv-ws-1',
          ...CONFIRMATION_VIEW,
          id: expect.stringMatching(UUID),
          expiresAt: expect.any(String),
        },
      ]);
      expect(JSON.parse(accepted.body as string)).toMatchObject({
        type: 'accepted',
        conversationId: 'conv-ws-1',
      });
      expect(jobs[1]).toEqual({
        type: TURN_JOB_TYPE,
        connectionId: CONNECTION,
        endpoint: ENDPOINT,
        owner: OWNER,
        app: APP,
        conversationId: 'conv-ws-1',
        confirmation: { id: confirmation.id, confirm: true },
        requestId: 'Ue2GkHL5IAMFbaw=',
        acceptedAt: expect.any(Number),
        turnId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(answering.frames).toEqual([
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 0, text: 'Created ticket ' },
        { type: 'chunk', conversationId: 'conv-ws-1', seq: 1, text: 'TCK-1042.' },
        { type: 'final', conversationId: 'conv-ws-1', answer: 'Created ticket TCK-1042.', citations: [] },
      ]);
      expect(world.agent.requests[1]?.sessionId).toBe('conv-ws-1');
      expect(world.agent.requests[1]?.body.sessionState).toEqual({
        sessionAttributes: { userId: OWNER, app: APP, conversationId: 'conv-ws-1', channel: 'websocket' },
        invocationId: INVOCATION_ID,
        returnControlInvocationResults: answered('CONFIRM'),
      });
      expect(await countItems(world, TABLES.conversations)).toBe(4);
      expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'COMPLETED', turns: 2 });
    });

    it('answers an unknown confirmation with a 404 error frame, without calling the agent', async () => {
      const poster = new RecordingPoster();
      await worker(poster)({
        type: TURN_JOB_TYPE,
        connectionId: CONNECTION,
        endpoint: ENDPOINT,
        owner: OWNER,
        conversationId: 'conv-ws-1',
        confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: true },
      });
      expect(poster.frames).toEqual([
        {
          type: 'error',
          status: 404,
          error:
            'Confirmation not found: it was already answered or does not belong to this conversation; send your message again',
          conversationId: 'conv-ws-1',
          confirmationId: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b',
        },
      ]);
      expect(world.agent.requests).toHaveLength(0);
    });

    it('keeps today’s behaviour in deny mode: chunks, then the final frame after a DENY', async () => {
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: [frame.text(' I did not open it.')] });
      const poster = new RecordingPoster();
      await worker(poster, 170_000, 'deny')(job());
      expect(poster.frames.map((f) => f.type)).toEqual(['chunk', 'chunk', 'chunk', 'final']);
      expect(poster.frames.at(-1)).toMatchObject({
        answer: 'I can open a ticket for that. I did not open it.',
      });
      expect(world.agent.requests[1]?.body.sessionState?.returnControlInvocationResults).toEqual(
        answered('DENY'),
      );
    });

    it.each([
      {
        name: 'a confirmation without its conversation',
        body: {
          action: 'sendMessage',
          confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: true },
        },
        detail: 'conversationId: is required with confirmation',
      },
      {
        name: 'a message and a confirmation together',
        body: {
          action: 'sendMessage',
          message: 'Hi',
          conversationId: 'conv-ws-1',
          confirmation: { id: '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b', confirm: true },
        },
        detail: 'body: send either message or confirmation, not both',
      },
    ])('refuses $name with a 400 frame and starts nothing', async ({ body, detail }) => {
      const result = await ingress()(sendMessage(body));
      expect(result.statusCode).toBe(400);
      expect((JSON.parse(result.body as string) as { details: string[] }).details[0]).toContain(detail);
      expect(jobs).toEqual([]);
    });
  });
});

function job(): TurnJob {
  return {
    type: TURN_JOB_TYPE,
    connectionId: CONNECTION,
    endpoint: ENDPOINT,
    owner: OWNER,
    message: 'Summarize the VPN runbook for me.',
    conversationId: 'conv-ws-1',
  };
}
