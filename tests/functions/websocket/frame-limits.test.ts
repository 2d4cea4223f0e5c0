import type { ServerFrame } from '../../../functions/websocket/events';
import { type ConnectionPoster, TURN_JOB_TYPE, type TurnJob } from '../../../functions/websocket/turn-job';
import { citation, frame } from '../../support/invoke-agent-server';
import { TABLES, useChatWorld } from '../chat/support/chat-world';
import { worldWorker } from './support/worker';

/** PostToConnection's payload limit: 128 KB (API Gateway WebSocket message size), counted in bytes. */
const LIMIT_BYTES = 128 * 1024;

/**
 * PostToConnection as API Gateway enforces it: a payload over 128 KB is refused (HTTP 413,
 * PayloadTooLargeException) and never reaches the client. Records what was delivered, with its byte size.
 */
class LimitedPoster implements ConnectionPoster {
  readonly delivered: { frame: ServerFrame; bytes: number }[] = [];
  refused = 0;
  async post(_endpoint: string, _connectionId: string, f: ServerFrame): Promise<'sent' | 'gone'> {
    const bytes = Buffer.byteLength(JSON.stringify(f), 'utf8');
    if (bytes > LIMIT_BYTES) {
      this.refused++;
      throw Object.assign(new Error('Message too long'), {
        name: 'PayloadTooLargeException',
        $metadata: { httpStatusCode: 413 },
      });
    }
    this.delivered.push({ frame: f, bytes });
    return 'sent';
  }
  get frames(): ServerFrame[] {
    return this.delivered.map((d) => d.frame);
  }
}

const OWNER = 'app:web-app:user:alex';
const job = (conversationId: string): TurnJob => ({
  type: TURN_JOB_TYPE,
  connectionId: 'L0SM9cOFvHcCIhw=',
  endpoint: 'https://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev',
  owner: OWNER,
  message: 'Summarise every runbook.',
  conversationId,
});

/** `count` citations of one generated sentence each, every reference carrying `excerptChars` of text. */
function manyCitations(count: number, excerptChars: number, uriChars = 60) {
  return Array.from({ length: count }, (_, i) =>
    citation(`Sentence ${i}.`, { start: 0, end: 10 }, [
      {
        uri: `s3://kass-docs/documents/${'d'.repeat(Math.max(0, uriChars - 30))}/runbook-${i}.md`,
        text: `Excerpt ${i} é€ ${'x'.repeat(excerptChars)}`,
      },
    ]),
  );
}

describe('WebSocket frames fit API Gateway’s 128 KB message limit', () => {
  const world = useChatWorld();

  const worker = (poster: ConnectionPoster) => worldWorker(world, poster);

  const citationsDelivered = (frames: readonly ServerFrame[]): unknown[] =>
    frames.flatMap((f) => ('citations' in f && Array.isArray(f.citations) ? f.citations : []));

  it('delivers a 200 KB citation set: every frame ≤ 128 KB, no error frame, the turn stored', async () => {
    // Prepare: 100 citations of 2 KB each (about 200 KB of citation text)
    const citations = manyCitations(100, 2_000);
    expect(Buffer.byteLength(JSON.stringify(citations))).toBeGreaterThan(200_000);
    world.agent.enqueue({ frames: [frame.text('Here is everything.', citations)] });
    const poster = new LimitedPoster();

    // Act
    await worker(poster)(job('conv-cite-200k'));

    // Assess
    expect(poster.refused).toBe(0);
    expect(poster.delivered.every((d) => d.bytes <= LIMIT_BYTES)).toBe(true);
    expect(poster.frames.map((f) => f.type)).not.toContain('error');
    expect(poster.frames.at(-1)).toMatchObject({ type: 'final', conversationId: 'conv-cite-200k' });
    expect(citationsDelivered(poster.frames)).toHaveLength(100);
    expect(citationsDelivered(poster.frames)[7]).toMatchObject({
      uri: expect.stringContaining('runbook-7.md'),
      excerpt: expect.stringMatching(/^Excerpt 7 é€ x+/),
    });
    expect((await world.scan(TABLES.conversations)).map((i) => i.role).sort()).toEqual(['assistant', 'user']);
  });

  it('splits a citation set too large for one frame over several, all ≤ 128 KB, none lost', async () => {
    // Prepare: 1,500 citations with long addresses: even bounded, far more than 128 KB
    world.agent.enqueue({ frames: [frame.text('Everything.', manyCitations(1_500, 500, 400))] });
    const poster = new LimitedPoster();

    // Act
    await worker(poster)(job('conv-cite-split'));

    // Assess
    expect(poster.refused).toBe(0);
    expect(poster.delivered.length).toBeGreaterThan(2);
    expect(poster.delivered.every((d) => d.bytes <= LIMIT_BYTES)).toBe(true);
    expect(poster.frames.map((f) => f.type)).not.toContain('error');
    expect(poster.frames.at(-1)?.type).toBe('final');
    expect(citationsDelivered(poster.frames)).toHaveLength(1_500);
  });

  it('splits an answer piece over 128 KB into several chunk frames that join back to it', async () => {
    // Prepare: one streamed piece of 300 KB (multi-byte characters count as several bytes)
    const text = 'Ünïcödé answer. '.repeat(20_000);
    world.agent.enqueue({ frames: [frame.text(text)] });
    const poster = new LimitedPoster();

    // Act
    await worker(poster)(job('conv-long-answer'));

    // Assess
    expect(poster.refused).toBe(0);
    expect(poster.delivered.every((d) => d.bytes <= LIMIT_BYTES)).toBe(true);
    const chunks = poster.frames.filter(
      (f): f is Extract<ServerFrame, { type: 'chunk' }> => f.type === 'chunk',
    );
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    expect(poster.frames.map((f) => f.type)).not.toContain('error');
    expect(poster.frames.at(-1)?.type).toBe('final');
  });

  it('never reports a stored, completed turn as failed when the final frame cannot be delivered', async () => {
    // Prepare: posting the final frame fails (e.g. a network fault); other frames go through
    world.agent.enqueue({ frames: [frame.text('Stored answer.')] });
    const poster: ConnectionPoster & { frames: ServerFrame[] } = {
      frames: [],
      async post(_e, _c, f) {
        if (f.type === 'final') throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
        this.frames.push(f);
        return 'sent';
      },
    };

    // Act
    await worker(poster)(job('conv-stored'));

    // Assess: the turn is stored and completed; no error frame follows it
    expect(poster.frames.map((f) => f.type)).toEqual(['chunk']);
    expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'COMPLETED' });
    expect(await world.scan(TABLES.conversations)).toHaveLength(2);
  });
});
