import { HarnessClient } from '../../../client/harness-client';
import { ownerOfApp } from '../../../functions/shared/owner';
import { DynamoConnectionStore } from '../../../functions/websocket/connection-store';
import type { ServerFrame } from '../../../functions/websocket/events';
import { createMessageHandler } from '../../../functions/websocket/message-handler';
import type { ConnectionPoster, TurnJob } from '../../../functions/websocket/turn-job';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import {
  answer,
  harness,
  type InvokeHarnessServer,
  startInvokeHarnessServer,
} from '../../support/invoke-harness-server';
import { perSuite } from '../../support/lifecycle';
import { APP, TABLES, useChatWorld } from '../chat/support/chat-world';
import { worldWorker } from './support/worker';

/** The WebSocket turn worker on the AgentCore engine: the same worker, a HarnessClient over the InvokeHarness fake. */

const HARNESS = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/kass_test-AbCdEf1234';
const CONNECTION = 'L0SM9cOFvHcCIhw=';
const OWNER = ownerOfApp(APP);
const CONVERSATION = '0e5a7c3b-6d1f-4b2a-8c9e-7f6a5b4c3d2e';

class RecordingPoster implements ConnectionPoster {
  readonly frames: ServerFrame[] = [];
  async post(_endpoint: string, _connectionId: string, f: ServerFrame): Promise<'sent'> {
    this.frames.push(f);
    return 'sent';
  }
}

const sendMessage = (body: unknown) => {
  const event = getTestEvent<{ body: string }>({ eventsPath: 'apigw', filename: 'websocket-send-message' });
  event.body = JSON.stringify(body);
  return event;
};

describe('WebSocket chat on the AgentCore engine', () => {
  const world = useChatWorld();
  const fake = perSuite<{ server: InvokeHarnessServer; restore: () => void }>(
    async () => {
      const server = await startInvokeHarnessServer();
      return { server, restore: setEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: server.url }) };
    },
    async ({ server, restore }) => {
      restore();
      await server.close();
    },
  );
  let jobs: TurnJob[];

  beforeEach(async () => {
    jobs = [];
    await new DynamoConnectionStore(world.doc, TABLES.connections).put(
      { connectionId: CONNECTION, caller: { userId: OWNER, app: APP, roles: [] } },
      Date.now(),
    );
  });

  const ingress = () =>
    createMessageHandler({
      connections: new DynamoConnectionStore(world.doc, TABLES.connections),
      dispatcher: { dispatch: async (job) => void jobs.push(job) },
      maxMessageChars: 4000,
      newConversationId: () => CONVERSATION,
    });

  const worker = (poster: ConnectionPoster, engine: HarnessClient) =>
    worldWorker(world, poster, { engine, deadlineMs: 60_000 });

  it('streams the harness text deltas as chunks in order, then the final frame', async () => {
    fake.server.enqueue({ frames: answer('The runbook ', 'covers ', 'installing the client.') });
    const poster = new RecordingPoster();
    await ingress()(sendMessage({ action: 'sendMessage', message: 'Summarize the VPN runbook.' }));
    await worker(poster, new HarnessClient({ harnessArn: HARNESS }))(jobs[0]);
    expect(poster.frames).toEqual([
      { type: 'chunk', conversationId: CONVERSATION, seq: 0, text: 'The runbook ' },
      { type: 'chunk', conversationId: CONVERSATION, seq: 1, text: 'covers ' },
      { type: 'chunk', conversationId: CONVERSATION, seq: 2, text: 'installing the client.' },
      {
        type: 'final',
        conversationId: CONVERSATION,
        answer: 'The runbook covers installing the client.',
        citations: [],
      },
    ]);
    expect(fake.server.requests[0]?.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(
      CONVERSATION,
    );
  });

  it('with the output guardrail, posts the checked answer as one chunk', async () => {
    fake.server.enqueue({ frames: answer('Mail ', 'ana@example.com.') });
    const poster = new RecordingPoster();
    const engine = new HarnessClient({
      harnessArn: HARNESS,
      outputGuardrail: async (_source, text) => ({
        blocked: false,
        intervened: true,
        text: text.replace(/\S+@\S+/, '{EMAIL}'),
      }),
    });
    await ingress()(sendMessage({ action: 'sendMessage', message: 'Who to mail?' }));
    await worker(poster, engine)(jobs[0]);
    expect(poster.frames).toEqual([
      { type: 'chunk', conversationId: CONVERSATION, seq: 0, text: 'Mail {EMAIL}' },
      { type: 'final', conversationId: CONVERSATION, answer: 'Mail {EMAIL}', citations: [] },
    ]);
  });

  it('posts a confirmation frame for a write; the confirm frame runs it and streams the answer', async () => {
    fake.server.enqueue(
      {
        frames: [
          harness.messageStart(),
          harness.toolUseStart(0, 'tu-5', 'report___createTicket'),
          harness.toolUseInput(0, '{"title":"VPN drops"}'),
          harness.blockStop(0),
          harness.messageStop('tool_use'),
        ],
      },
      { frames: answer('Created TCK-5.') },
    );
    const runner = jest.fn(async () => ({ isError: false, text: '{"ticketId":"TCK-5"}' }));
    const engine = new HarnessClient({
      harnessArn: HARNESS,
      toolRunner: runner,
      signIdentity: async () => 'p.m',
    });
    const asking = new RecordingPoster();
    const answering = new RecordingPoster();
    await ingress()(sendMessage({ action: 'sendMessage', message: 'Open a ticket' }));
    await worker(asking, engine)(jobs[0]);
    const confirmation = asking.frames.at(-1) as { type: string; id: string; tool: string };
    expect(confirmation).toMatchObject({
      type: 'confirmation',
      tool: 'report',
      operation: { function: 'createTicket' },
    });
    expect(runner).not.toHaveBeenCalled();
    await ingress()(
      sendMessage({
        action: 'sendMessage',
        conversationId: CONVERSATION,
        confirmation: { id: confirmation.id, confirm: true },
      }),
    );
    await worker(answering, engine)(jobs[1]);
    expect(runner).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'report___createTicket', input: { title: 'VPN drops' } }),
      { sessionId: CONVERSATION, identityToken: 'p.m' },
    );
    expect(answering.frames.at(-1)).toEqual({
      type: 'final',
      conversationId: CONVERSATION,
      answer: 'Created TCK-5.',
      citations: [],
    });
  });
});
