import fc from 'fast-check';
import { EventBridgeJobPublisher } from '../../../functions/discord/event-publisher';
import {
  createInteractionsHandler,
  PUBLISH_TIMEOUT_MS,
} from '../../../functions/discord/interactions-handler';
import { DiscordJob } from '../../../functions/discord/job';
import { discordPublicKey } from '../../../functions/discord/signature';
import {
  DISCORD,
  discordKeys,
  type InteractionFixture,
  interactionFixture,
  signedEvent,
} from '../../support/discord';
import { type EventBridgeServer, startEventBridgeServer } from '../../support/eventbridge-server';
import { setEnv } from '../../support/invoke-agent-server';

const keys = discordKeys();
const BUS = 'kass-test-discord-bus';
/** Discord's deadline for the first answer. */
const DISCORD_DEADLINE_MS = 3_000;

type Json = Record<string, unknown>;

describe('Discord interactions endpoint (EventBridge served locally, the agent unreachable)', () => {
  let bus: EventBridgeServer;
  let restoreEnv: () => void;

  beforeEach(async () => {
    bus = await startEventBridgeServer();
    restoreEnv = setEnv({
      ...bus.env(),
      // Nothing may call the agent from here; if something did, it would fail (nothing listens on port 9).
      AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
  afterEach(async () => {
    restoreEnv();
    await bus.close();
  });

  const endpoint = (overrides: { maxQuestionChars?: number; publishTimeoutMs?: number } = {}) =>
    createInteractionsHandler({
      publicKey: discordPublicKey(keys.publicKeyHex),
      applicationId: DISCORD.applicationId,
      guildIds: new Set([DISCORD.guildId]),
      maxQuestionChars: overrides.maxQuestionChars ?? 4000,
      publisher: new EventBridgeJobPublisher(BUS),
      ...(overrides.publishTimeoutMs ? { publishTimeoutMs: overrides.publishTimeoutMs } : {}),
    });

  const send = async (body: Json, overrides: Parameters<typeof endpoint>[0] = {}) => {
    const started = performance.now();
    const result = await endpoint(overrides)(signedEvent(body, { privateKey: keys.privateKey }));
    return {
      status: result.statusCode,
      body: JSON.parse(result.body) as Json,
      ms: performance.now() - started,
    };
  };

  /** The jobs on the bus, parsed with the worker's own schema. */
  const jobs = () =>
    bus.entries.map((e) => {
      expect([e.EventBusName, e.Source, e.DetailType]).toEqual([BUS, 'kass.discord', 'Discord interaction']);
      return DiscordJob.parse(JSON.parse(e.Detail));
    });

  it('defers /ask (type 5) within the deadline and puts exactly one job on the bus', async () => {
    // Act
    const reply = await send(interactionFixture('slash-ask'));
    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ type: 5 });
    expect(reply.ms).toBeLessThan(DISCORD_DEADLINE_MS);
    expect(jobs()).toEqual([
      {
        kind: 'ask',
        command: 'slash',
        interactionId: '1178500000000000001',
        applicationId: DISCORD.applicationId,
        token: interactionFixture('slash-ask').token,
        receivedAtMs: expect.any(Number),
        userId: DISCORD.userId,
        guildId: DISCORD.guildId,
        channelId: DISCORD.channelId,
        ephemeral: false,
        question: 'How do I reset the VPN client?',
      },
    ]);
  });

  it('defers a private /ask as an ephemeral response', async () => {
    const ask = interactionFixture('slash-ask');
    ask.data.options = [...(ask.data.options ?? []), { name: 'private', type: 5, value: true }];
    const reply = await send(ask);
    expect(reply.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(jobs()[0]).toMatchObject({ ephemeral: true });
  });

  it('defers "Ask KASS" on a message with that message as the question', async () => {
    const reply = await send(interactionFixture('message-command'));
    expect(reply.body).toEqual({ type: 5 });
    expect(jobs()).toEqual([
      expect.objectContaining({
        kind: 'ask',
        command: 'message',
        question: 'Does anyone know why the staging deploy needs a VPN?',
        userId: DISCORD.userId,
      }),
    ]);
  });

  it('removes the buttons at once (type 7) and hands the asker’s click to the worker', async () => {
    const reply = await send(interactionFixture('confirm-button'));
    expect(reply.body).toEqual({ type: 7, data: { components: [] } });
    expect(jobs()).toEqual([
      expect.objectContaining({
        kind: 'confirm',
        confirmationId: '0f8e6c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b',
        confirm: true,
        userId: DISCORD.userId,
        ephemeral: false,
      }),
    ]);
  });

  it('tells anyone but the asker that only the asker can confirm, and starts nothing', async () => {
    const click = interactionFixture('confirm-button');
    click.member.user.id = DISCORD.otherUserId;
    const reply = await send(click);
    expect(reply.body).toEqual({
      type: 4,
      data: {
        content: 'Only the person who asked can confirm or cancel this.',
        allowed_mentions: { parse: [] },
        flags: 64,
      },
    });
    expect(bus.entries).toEqual([]);
  });

  it.each([
    ['a server that is not configured', (i: Json) => (i.guild_id = '1098765432100000000')],
    ['a DM (no server)', (i: Json) => delete i.guild_id],
  ])('refuses %s with an ephemeral notice and starts nothing', async (_name, mutate) => {
    const ask = interactionFixture('slash-ask');
    mutate(ask);
    const reply = await send(ask);
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect(bus.entries).toEqual([]);
  });

  it.each([
    [
      'a blank question',
      (i: InteractionFixture) => (i.data.options = [{ name: 'question', type: 3, value: '   ' }]),
      'Ask a question after /ask.',
    ],
    [
      'an unknown command',
      (i: InteractionFixture) => (i.data.name = 'weather'),
      'I do not know that command.',
    ],
    [
      'an unknown button',
      (i: InteractionFixture) => {
        i.type = 3;
        i.data = { component_type: 2, custom_id: 'something:else' };
      },
      'This button is no longer active.',
    ],
  ])('answers %s with an ephemeral notice', async (_name, mutate, text) => {
    const ask = interactionFixture('slash-ask');
    mutate(ask);
    const reply = await send(ask);
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(String((reply.body.data as Json).content)).toContain(text);
    expect(bus.entries).toEqual([]);
  });

  it('refuses a question above the limit, naming the limit', async () => {
    const ask = interactionFixture('slash-ask');
    ask.data.options = [{ name: 'question', type: 3, value: 'x'.repeat(101) }];
    const reply = await send(ask, { maxQuestionChars: 100 });
    expect((reply.body.data as Json).content).toBe(
      'That is 101 characters; I can take questions of up to 100. Shorten it and ask again.',
    );
    expect(bus.entries).toEqual([]);
  });

  it('answers 401 to an interaction signed for this key but addressed to another application', async () => {
    const ask = interactionFixture('slash-ask');
    ask.application_id = '1178412345678900000';
    expect((await send(ask)).status).toBe(401);
    expect(bus.entries).toEqual([]);
  });

  it('answers 400 to a signed body that is not an interaction', async () => {
    expect((await send({ hello: 'world' })).status).toBe(400);
  });

  it(`answers within its budget with an apology when the bus does not answer (gives up after ${PUBLISH_TIMEOUT_MS} ms)`, async () => {
    // Prepare
    bus.mode = 'hang';
    // Act
    const reply = await send(interactionFixture('slash-ask'));
    // Assess
    expect(reply.ms).toBeLessThan(DISCORD_DEADLINE_MS);
    expect(reply.body).toEqual({
      type: 4,
      data: {
        content:
          'Sorry, I could not start on that right now. Please try again in a moment. (ref `1178500000000000001`)',
        allowed_mentions: { parse: [] },
        flags: 64,
      },
    });
  });

  it('apologises at once, and hands nothing off, for a job the worker could not read (a token with a space)', async () => {
    const ask = interactionFixture('slash-ask');
    ask.token = 'not a token';
    const reply = await send(ask);
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(bus.entries).toEqual([]);
  });

  it('apologises when the bus refuses the event (FailedEntryCount)', async () => {
    bus.mode = 'refuse';
    const reply = await send(interactionFixture('slash-ask'));
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64 } });
  });

  it('answers every signed command within the deadline and hands each off once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 4000 }).filter((q) => q.trim().length > 0),
        fc.boolean(),
        async (question, isPrivate) => {
          // Prepare
          const before = bus.entries.length;
          const ask = interactionFixture('slash-ask');
          ask.data.options = [
            { name: 'question', type: 3, value: question },
            { name: 'private', type: 5, value: isPrivate },
          ];
          // Act
          const reply = await send(ask);
          // Assess
          expect(reply.ms).toBeLessThan(DISCORD_DEADLINE_MS);
          expect(reply.body).toEqual(isPrivate ? { type: 5, data: { flags: 64 } } : { type: 5 });
          expect(bus.entries.length).toBe(before + 1);
          expect(jobs().at(-1)).toMatchObject({ question: question.trim(), ephemeral: isPrivate });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Discord interactions endpoint: the deployed handler reads its environment', () => {
  it('answers a signed PING from the environment the construct sets', async () => {
    const restore = setEnv({
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_APPLICATION_ID: DISCORD.applicationId,
      DISCORD_GUILD_IDS: DISCORD.guildId,
      MAX_MESSAGE_CHARS: '4000',
      EVENT_BUS_NAME: BUS,
      AWS_REGION: 'us-east-1',
    });
    try {
      const { handler } = await import('../../../functions/discord/interactions-handler');
      const result = await handler(signedEvent(interactionFixture('ping'), { privateKey: keys.privateKey }));
      expect([result.statusCode, JSON.parse(result.body)]).toEqual([200, { type: 1 }]);
    } finally {
      restore();
    }
  });
});
