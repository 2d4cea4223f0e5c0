import { DynamoAgentStateStore } from '../../../functions/shared/agent-state-store';
import { DynamoConnectionStore } from '../../../functions/websocket/connection-store';
import type { ServerFrame } from '../../../functions/websocket/events';
import { createMessageHandler } from '../../../functions/websocket/message-handler';
import { type ConnectionPoster, TURN_JOB_TYPE } from '../../../functions/websocket/turn-job';
import { getTestEvent } from '../../support/events';
import { TABLES, useChatWorld } from '../chat/support/chat-world';
import { worldWorker } from './support/worker';

/**
 * Accepted WebSocket turns are never silently dropped, and nothing runs late: when the worker cannot take a
 * turn (the hand-off fails, the event waited too long, Lambda gave up on it) the client gets an error frame
 * that says to retry.
 */

const CONNECTION = 'L0SM9cOFvHcCIhw=';
const ENDPOINT = 'https://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev';
const OWNER = 'app:web-app:user:alex';

class RecordingPoster implements ConnectionPoster {
  readonly frames: ServerFrame[] = [];
  async post(_e: string, _c: string, f: ServerFrame): Promise<'sent' | 'gone'> {
    this.frames.push(f);
    return 'sent';
  }
}

const sendMessage = (body: unknown) => {
  const event = getTestEvent<{ body: string }>({ eventsPath: 'apigw', filename: 'websocket-send-message' });
  event.body = JSON.stringify(body);
  return event;
};

/** The retryable error frame of a turn that never ran (of `conversationId`, when given). */
const retryFrame = (conversationId?: string) =>
  expect.objectContaining({
    type: 'error',
    status: 503,
    retryable: true,
    error: expect.stringMatching(/send (your|the) message again/i),
    ...(conversationId ? { conversationId } : {}),
  });

describe('WebSocket turns are never silently dropped', () => {
  const world = useChatWorld();

  beforeEach(async () => {
    await new DynamoConnectionStore(world.doc, TABLES.connections).put(
      { connectionId: CONNECTION, caller: { userId: OWNER, app: 'web-app', roles: [] } },
      Date.now(),
    );
  });

  const worker = (poster: ConnectionPoster) => worldWorker(world, poster);

  it('answers a retry error frame on the route response when the hand-off to the worker fails', async () => {
    // Prepare: Lambda refuses the asynchronous invoke (throttled)
    const ingress = createMessageHandler({
      connections: new DynamoConnectionStore(world.doc, TABLES.connections),
      dispatcher: {
        dispatch: async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        },
      },
      maxMessageChars: 4000,
    });

    // Act
    const result = await ingress(sendMessage({ action: 'sendMessage', message: 'Hello?' }));

    // Assess
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body as string)).toEqual(retryFrame());
  });

  it('stamps the job with the time it was accepted', async () => {
    const jobs: unknown[] = [];
    const ingress = createMessageHandler({
      connections: new DynamoConnectionStore(world.doc, TABLES.connections),
      dispatcher: { dispatch: async (job) => void jobs.push(job) },
      maxMessageChars: 4000,
    });
    const before = Date.now();
    await ingress(sendMessage({ action: 'sendMessage', message: 'Hello?' }));
    expect((jobs[0] as { acceptedAt: number }).acceptedAt).toBeGreaterThanOrEqual(before);
  });

  it('does not run a turn that waited too long before the worker got it: a retry frame, no agent call', async () => {
    // Prepare: the job was accepted 45 s ago (throttled worker, full concurrency)
    const poster = new RecordingPoster();
    const job = {
      type: TURN_JOB_TYPE,
      connectionId: CONNECTION,
      endpoint: ENDPOINT,
      owner: OWNER,
      conversationId: 'conv-stale',
      message: 'Hello?',
      acceptedAt: Date.now() - 45_000,
    };

    // Act
    await worker(poster)(job);

    // Assess
    expect(poster.frames).toEqual([retryFrame('conv-stale')]);
    expect(world.agent.requests).toHaveLength(0);
    expect(await world.scan(TABLES.agentState)).toEqual([]);
  });

  it('tells the client to retry when Lambda gives up on the turn event (on-failure destination)', async () => {
    // Prepare: the record Lambda sends to an on-failure destination for an event that aged out
    const { createTurnFailureHandler } = await import('../../../functions/websocket/turn-failure-handler');
    const poster = new RecordingPoster();
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: 'b6a8c1d5-0000-4c3a-9e0b-2f6a8c1d5e77',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:kass-dev-TurnFunction:$LATEST',
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 0,
      },
      requestPayload: {
        type: TURN_JOB_TYPE,
        connectionId: CONNECTION,
        endpoint: ENDPOINT,
        owner: OWNER,
        conversationId: 'conv-dropped',
        message: 'Hello?',
        acceptedAt: Date.now() - 70_000,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: null,
    };

    // Act
    await createTurnFailureHandler({
      poster,
      agentState: new DynamoAgentStateStore(world.doc, TABLES.agentState, 30),
    })(record);

    // Assess
    expect(poster.frames).toEqual([retryFrame('conv-dropped')]);
  });
});

describe('WebSocket turn failure notifier', () => {
  const world = useChatWorld();
  const record = (condition: string, turnId?: string) => ({
    version: '1.0',
    requestContext: { requestId: 'r-1', condition, approximateInvokeCount: 1 },
    requestPayload: {
      type: TURN_JOB_TYPE,
      connectionId: CONNECTION,
      endpoint: ENDPOINT,
      owner: OWNER,
      conversationId: 'conv-crashed',
      message: 'Hello?',
      ...(turnId ? { turnId } : {}),
    },
    responsePayload: { errorType: 'Sandbox.Timedout' },
  });
  const notifier = async (poster: RecordingPoster) => {
    const { createTurnFailureHandler } = await import('../../../functions/websocket/turn-failure-handler');
    return createTurnFailureHandler({
      poster,
      agentState: new DynamoAgentStateStore(world.doc, TABLES.agentState, 30),
    });
  };

  it('tells the client of a worker that stopped mid-turn that nothing was stored and to send again', async () => {
    const poster = new RecordingPoster();
    await (await notifier(poster))(record('RetriesExhausted'));
    expect(poster.frames).toEqual([
      expect.objectContaining({
        type: 'error',
        status: 502,
        retryable: true,
        conversationId: 'conv-crashed',
        error: expect.stringMatching(/not stored; send your message again/),
      }),
    ]);
  });

  it('stays silent about a turn that was stored before the failure (a stored turn is never reported failed)', async () => {
    // Prepare: the Agent State shows this very turn completed
    const turnId = '33333333-3333-4333-8333-333333333333';
    const store = new DynamoAgentStateStore(world.doc, TABLES.agentState, 30);
    const claim = { sessionId: 'conv-crashed', owner: OWNER, channel: 'websocket' as const, token: turnId };
    await store.begin({ ...claim, nowMs: Date.now(), leaseMs: 60_000 });
    await store.finish({ ...claim, status: 'COMPLETED', nowMs: Date.now(), latencyMs: 1 });
    const poster = new RecordingPoster();

    // Act
    await (await notifier(poster))(record('RetriesExhausted', turnId));

    // Assess
    expect(poster.frames).toEqual([]);
  });

  it('ignores a record that is not a failed turn invocation', async () => {
    const poster = new RecordingPoster();
    await (await notifier(poster))({ hello: 'world' });
    await (await notifier(poster))({ ...record('EventAgeExceeded'), requestPayload: { type: 'other' } });
    expect(poster.frames).toEqual([]);
  });
});
