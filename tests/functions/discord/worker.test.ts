import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { decide, Interaction } from '../../../functions/discord/interactions';
import type { DiscordJob } from '../../../functions/discord/job';
import { createWorker, turnDeadlineMs } from '../../../functions/discord/worker';
import { workerDepsFromEnv } from '../../../functions/discord/worker-handler';
import { DISCORD, type InteractionFixture, interactionFixture } from '../../support/discord';
import { type DiscordApiServer, startDiscordApiServer } from '../../support/discord-api-server';
import { citation, frame, setEnv } from '../../support/invoke-agent-server';
import { countItems, TABLES, useChatWorld } from '../chat/support/chat-world';
import { ASK_FRAMES, answered, CREATED_FRAMES, INVOCATION_ID } from '../chat/support/confirmation-frames';

/**
 * The Discord worker as deployed (dependencies from the environment the construct sets: the same turn code,
 * tables and agent client as the chat API), with DynamoDB served by dynalite, InvokeAgent by the local HTTP/2
 * wire-format server and Discord's REST API by a local HTTP server.
 */

const DISCORD_TABLE = 'kass-test-Discord';
const CONVERSATION = `discord-${DISCORD.channelId}-${DISCORD.userId}`;
const OWNER = `discord:${DISCORD.userId}`;

/** The job the interactions function makes of a fixture (`patch` edits the interaction first). */
function jobOf(
  name: Parameters<typeof interactionFixture>[0],
  patch: (i: InteractionFixture) => void = () => undefined,
): DiscordJob {
  const interaction = interactionFixture(name);
  patch(interaction);
  const decision = decide(
    Interaction.parse(interaction),
    { applicationId: DISCORD.applicationId, guildIds: new Set([DISCORD.guildId]), maxQuestionChars: 4000 },
    Date.now(),
  );
  if (!decision.job) throw new Error(`no job for ${name}`);
  return decision.job;
}

/** An /ask with its own interaction id and question. */
const ask = (
  id: string,
  question = 'How do I reset the VPN client?',
  channelId: string = DISCORD.channelId,
) =>
  jobOf('slash-ask', (i) => {
    i.id = id;
    i.channel_id = channelId;
    i.data.options = [{ name: 'question', type: 3, value: question }];
  });

/** The EventBridge event that carries a job. */
const eventOf = (detail: DiscordJob) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Discord interaction',
  source: 'kass.discord',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail,
});

describe('Discord worker: agent turn → interaction webhook', () => {
  const world = useChatWorld();
  let discord: DiscordApiServer;
  let restoreEnv: () => void;

  beforeEach(async () => {
    discord = await startDiscordApiServer();
    await world.ddb.createTables([{ name: DISCORD_TABLE, partitionKey: 'pk' }]);
    restoreEnv = setEnv({
      DISCORD_API_BASE_URL: discord.baseUrl,
      DISCORD_TABLE_NAME: DISCORD_TABLE,
      RATE_LIMIT_QUESTIONS: '3',
      RATE_LIMIT_WINDOW_SECONDS: '3600',
      MAX_MESSAGES_PER_ANSWER: '4',
      AGENT_DEADLINE_SECONDS: '60',
    });
  });
  afterEach(async () => {
    restoreEnv();
    await discord.close();
    await world.ddb.deleteTables([DISCORD_TABLE]);
    expect(world.agent.pending()).toBe(0);
  });

  const worker = (patch: Partial<ReturnType<typeof workerDepsFromEnv>> = {}) =>
    createWorker({ ...workerDepsFromEnv(), ...patch });
  const record = async (interactionId: string) =>
    (
      await world.doc.send(
        new GetCommand({ TableName: DISCORD_TABLE, Key: { pk: `interaction#${interactionId}` } }),
      )
    ).Item;

  it('edits the deferred response with the answer and its sources, mentions off, and stores the turn', async () => {
    // Prepare
    world.agent.enqueue({
      frames: [
        frame.text('Reinstall the client, '),
        frame.text('then sign in again.', [
          citation('then sign in again.', { start: 22, end: 41 }, [
            { uri: 's3://kass-docs/documents/raw/vpn.md' },
          ]),
        ]),
      ],
    });
    const job = ask('1178500000000000101');
    // Act
    await worker()(eventOf(job));
    // Assess
    expect(discord.messages()).toEqual([
      {
        method: 'PATCH',
        path: `/webhooks/${DISCORD.applicationId}/${job.token}/messages/@original`,
        body: {
          content: 'Reinstall the client, then sign in again. [1]\n\n**Sources**\n[1] `vpn.md`',
          allowed_mentions: { parse: [] },
          flags: 4,
        },
      },
    ]);
    const [request] = world.agent.requests;
    expect(request?.sessionId).toBe(CONVERSATION);
    expect(request?.body.inputText).toBe('How do I reset the VPN client?');
    expect(request?.body.sessionState?.sessionAttributes).toEqual({
      userId: OWNER,
      app: 'discord',
      conversationId: CONVERSATION,
      channel: 'discord',
    });
    const stored = await world.scan(TABLES.conversations);
    expect(stored.map((i) => [i.role, i.user_id, i.channel, i.conversation_id])).toEqual([
      ['user', OWNER, 'discord', CONVERSATION],
      ['assistant', OWNER, 'discord', CONVERSATION],
    ]);
    const item = await record(job.interactionId);
    expect(item).toMatchObject({
      status: 'ANSWERED',
      user_id: DISCORD.userId,
      guild_id: DISCORD.guildId,
      channel_id: DISCORD.channelId,
      conversation_id: CONVERSATION,
    });
    // TTL in epoch seconds, a day ahead.
    const nowSeconds = Date.now() / 1000;
    expect(item?.expires_at).toBeGreaterThan(nowSeconds + 86_000);
    expect(item?.expires_at).toBeLessThan(nowSeconds + 87_000);
  });

  it('gives a Discord user listed in chatApi.operators the operator role, and nobody else', async () => {
    // Prepare
    world.agent.enqueue(
      { frames: [frame.text('Here are all tickets.')] },
      { frames: [frame.text('Yours.')] },
    );
    const identity = { apiKeyApps: {}, operatorGroups: [], operatorUserIds: [OWNER] };
    // Act
    await worker({ identity })(eventOf(ask('1178500000000000111')));
    await worker()(eventOf(ask('1178500000000000112')));
    // Assess
    expect(world.agent.requests.map((r) => r.body.sessionState?.sessionAttributes?.roles)).toEqual([
      'operator',
      undefined,
    ]);
  });

  it('splits a long answer into follow-ups of at most 2,000 characters, every one without mentions', async () => {
    // Prepare: 4,500 characters of paragraphs, with mentions the agent was tricked into writing
    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Step ${i + 1}: @everyone ${'check the tunnel settings and restart the client. '.repeat(3)}`,
    );
    const answer = paragraphs.join('\n\n');
    expect(answer.length).toBeGreaterThan(4000);
    world.agent.enqueue({ frames: [frame.text(answer)] });
    const job = ask('1178500000000000102');
    // Act
    await worker()(eventOf(job));
    // Assess
    const messages = discord.messages();
    expect(messages.map((m) => m.method)).toEqual(['PATCH', 'POST', 'POST']);
    expect(messages.slice(1).every((m) => m.path === `/webhooks/${DISCORD.applicationId}/${job.token}`)).toBe(
      true,
    );
    for (const m of messages) {
      expect(String(m.body.content).length).toBeLessThanOrEqual(2000);
      expect(m.body.allowed_mentions).toEqual({ parse: [] });
    }
    const posted = messages.map((m) => m.body.content).join('\n\n');
    expect(posted.replace(/\s+/g, ' ')).toBe(answer.replace(/\s+/g, ' ').trim());
  });

  it('keeps a private answer private: follow-ups carry the ephemeral flag', async () => {
    world.agent.enqueue({ frames: [frame.text('x '.repeat(1500))] });
    const job = { ...ask('1178500000000000103'), ephemeral: true };
    await worker()(eventOf(job));
    expect(discord.messages().map((m) => [m.method, m.body.flags])).toEqual([
      ['PATCH', 4],
      ['POST', 68],
    ]);
  });

  it('posts once when the same event is delivered twice, one after the other or at the same time', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Reinstall the client.')] });
    const event = eventOf(ask('1178500000000000104'));
    const run = worker();
    // Act
    await run(event);
    await run(event);
    await Promise.all([run(event), run(event)]);
    // Assess
    expect(world.agent.requests).toHaveLength(1);
    expect(discord.messages()).toHaveLength(1);
    expect(await countItems(world, TABLES.conversations)).toBe(2);
  });

  it('answers an agent failure with a short apology and a reference, and stores nothing', async () => {
    // Prepare
    world.agent.enqueue({
      frames: [
        frame.exception('dependencyFailedException', 'Lambda arn:aws:lambda:…:report failed: KeyError'),
      ],
    });
    const job = ask('1178500000000000105');
    // Act
    await worker()(eventOf(job));
    // Assess
    expect(discord.messages()).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        body: {
          content:
            'Sorry, something went wrong on my side and I could not answer. Please try again in a moment. (ref `1178500000000000105`)',
          allowed_mentions: { parse: [] },
          flags: 4,
        },
      }),
    ]);
    expect(await countItems(world, TABLES.conversations)).toBe(0);
    expect(await record(job.interactionId)).toMatchObject({ status: 'FAILED' });
  });

  it('stops without posting anything more when the interaction token has expired (401, code 50027)', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('x '.repeat(1500))] });
    discord.enqueue({ status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } });
    const job = ask('1178500000000000106');
    // Act
    await expect(worker()(eventOf(job))).resolves.toBeUndefined();
    // Assess: one refused edit; no follow-up, no apology
    expect(discord.requests).toHaveLength(1);
    expect(await record(job.interactionId)).toMatchObject({ status: 'TOKEN_EXPIRED' });
    // The turn itself is stored: the user can still find it.
    expect(await countItems(world, TABLES.conversations)).toBe(2);
  });

  it('does not start a turn whose token expires before an answer could be posted', async () => {
    // Prepare: received 14 min 50 s ago
    const job = { ...ask('1178500000000000107'), receivedAtMs: Date.now() - (14 * 60 + 50) * 1000 };
    // Act
    await worker()(eventOf(job));
    // Assess
    expect(world.agent.requests).toHaveLength(0);
    expect(discord.requests).toHaveLength(0);
  });

  it('ends the turn in time to post: the agent deadline shrinks to what the function has left', async () => {
    // Prepare: the function has 16.5 s left, 15 s are kept for posting → the agent gets 1.5 s; it takes longer
    world.agent.enqueue({ frames: [frame.pause(60_000), frame.text('too late')] });
    const started = Date.now();
    const context = { getRemainingTimeInMillis: () => 16_500 } as unknown as Context;
    // Act
    await worker()(eventOf(ask('1178500000000000108')), context);
    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(discord.messages()[0]?.body.content).toBe(
      'That took longer than I can wait (2 s). Try a narrower question. (ref `1178500000000000108`)',
    );
  });

  it.each([
    {
      name: 'its configured deadline',
      configured: 60_000,
      token: 600_000,
      lambda: 300_000,
      expected: 60_000,
    },
    { name: 'the token’s time left', configured: 600_000, token: 100_000, lambda: 700_000, expected: 85_000 },
    {
      name: 'the function’s time left',
      configured: 600_000,
      token: 800_000,
      lambda: 200_000,
      expected: 185_000,
    },
    {
      name: 'its configured deadline without a Lambda context',
      configured: 240_000,
      token: 900_000,
      lambda: undefined,
      expected: 240_000,
    },
  ])('caps the agent turn at $name (less the posting margin)', ({ configured, token, lambda, expected }) => {
    expect(turnDeadlineMs(configured, token, lambda)).toBe(expected);
  });

  it('answers the question over the rate limit politely and does not call the agent', async () => {
    // Prepare: 3 questions per hour
    world.agent.enqueue(
      { frames: [frame.text('One.')] },
      { frames: [frame.text('Two.')] },
      { frames: [frame.text('Three.')] },
    );
    const run = worker();
    // Act
    for (const id of ['201', '202', '203', '204'])
      await run(eventOf(ask(`1178500000000000${id}`, `Question ${id}?`)));
    // Assess
    expect(world.agent.requests).toHaveLength(3);
    const last = discord.messages().at(-1);
    expect(last?.body.content).toMatch(
      /^You have asked 3 questions in the last hour, which is my limit\. Please ask again in about \d+ (second|minute)s?\.$/,
    );
    expect(await record('1178500000000000204')).toMatchObject({ status: 'RATE_LIMITED' });
  });

  it('waits out a 429 from Discord (Retry-After) and posts once', async () => {
    world.agent.enqueue({ frames: [frame.text('Reinstall the client.')] });
    discord.enqueue({
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.05, global: false },
      headers: { 'Retry-After': '1' },
    });
    await worker()(eventOf(ask('1178500000000000109')));
    expect(discord.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(discord.messages()[1]?.body.content).toBe('Reinstall the client.');
  });

  it('keeps one conversation per user and channel; a thread starts another', async () => {
    world.agent.enqueue(
      { frames: [frame.text('First.')] },
      { frames: [frame.text('Second.')] },
      { frames: [frame.text('In the thread.')] },
    );
    const run = worker();
    await run(eventOf(ask('1178500000000000110', 'First?')));
    await run(eventOf(ask('1178500000000000111', 'Second?')));
    await run(eventOf(ask('1178500000000000112', 'Thread?', '1178500000000000999')));
    expect(world.agent.requests.map((r) => r.sessionId)).toEqual([
      CONVERSATION,
      CONVERSATION,
      `discord-1178500000000000999-${DISCORD.userId}`,
    ]);
  });

  describe('write tools: confirmation buttons', () => {
    /** The click on a button of the posted confirmation. */
    const click = (id: string, confirm: boolean, userId: string = DISCORD.userId) => {
      const components = discord.messages()[0]?.body.components as { components: { custom_id: string }[] }[];
      const customId = components[0]?.components[confirm ? 0 : 1]?.custom_id ?? '';
      return jobOf('confirm-button', (i) => {
        i.id = id;
        i.data.custom_id = customId;
        i.member.user.id = userId;
      });
    };

    it('shows Confirm / Cancel, and a click by the asker runs the tool and posts the answer', async () => {
      // Prepare
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: CREATED_FRAMES });
      const run = worker();
      // Act
      await run(eventOf(ask('1178500000000000120', 'Open a ticket: VPN drops every 10 minutes, high')));
      const confirm = click('1178500000000000121', true);
      await run(eventOf(confirm));
      // Assess
      const [question, answer] = discord.messages();
      expect(question?.body.content).toMatch(
        /^I can open a ticket for that\.\n\n\*\*Confirm\?\*\* Run report createTicket/,
      );
      expect(question?.body.components).toEqual([
        {
          type: 1,
          components: [
            expect.objectContaining({ label: 'Confirm', style: 3 }),
            expect.objectContaining({ label: 'Cancel', style: 4 }),
          ],
        },
      ]);
      expect(answer).toEqual({
        method: 'POST',
        path: `/webhooks/${DISCORD.applicationId}/${confirm.token}`,
        body: {
          content: '✅ **Confirmed.**\nCreated ticket TCK-1042.',
          allowed_mentions: { parse: [] },
          flags: 4,
        },
      });
      expect(world.agent.requests[1]?.body.sessionState?.invocationId).toBe(INVOCATION_ID);
      expect(world.agent.requests[1]?.body.sessionState?.returnControlInvocationResults).toEqual(
        answered('CONFIRM'),
      );
      expect(await countItems(world, TABLES.conversations)).toBe(4);
    });

    it('a second click on the same confirmation runs nothing and posts nothing', async () => {
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: CREATED_FRAMES });
      const run = worker();
      await run(eventOf(ask('1178500000000000130')));
      await run(eventOf(click('1178500000000000131', true)));
      const second = click('1178500000000000132', false);
      await run(eventOf(second));
      expect(world.agent.requests).toHaveLength(2);
      expect(discord.messages()).toHaveLength(2);
      expect(await record(second.interactionId)).toMatchObject({ status: 'ALREADY_DECIDED' });
    });

    it('a click made for another user (past the interactions check) runs nothing', async () => {
      world.agent.enqueue({ frames: ASK_FRAMES });
      const run = worker();
      await run(eventOf(ask('1178500000000000140')));
      const forged = { ...click('1178500000000000141', true), userId: DISCORD.otherUserId };
      await run(eventOf(forged));
      expect(world.agent.requests).toHaveLength(1);
      expect(discord.messages()).toHaveLength(1);
    });

    it('shows the pending confirmation again instead of answering a new question', async () => {
      world.agent.enqueue({ frames: ASK_FRAMES });
      const run = worker();
      await run(eventOf(ask('1178500000000000150')));
      await run(eventOf(ask('1178500000000000151', 'And the other thing?')));
      expect(world.agent.requests).toHaveLength(1);
      const again = discord.messages()[1];
      expect(again?.body.content).toMatch(/^I am still waiting for your answer to the action below/);
      expect(again?.body.components).toHaveLength(1);
    });

    it('refuses every write in deny mode: the agent hears DENY and the answer has no buttons', async () => {
      world.agent.enqueue({ frames: ASK_FRAMES }, { frames: [frame.text(' I did not open it.')] });
      const deps = workerDepsFromEnv();
      await createWorker({ ...deps, turn: { ...deps.turn, confirmations: 'deny' } })(
        eventOf(ask('1178500000000000160')),
      );
      expect(world.agent.requests[1]?.body.sessionState?.returnControlInvocationResults).toEqual(
        answered('DENY'),
      );
      expect(discord.messages()).toEqual([
        expect.objectContaining({
          body: {
            content: 'I can open a ticket for that. I did not open it.',
            allowed_mentions: { parse: [] },
            flags: 4,
          },
        }),
      ]);
    });
  });

  it('ignores an event that is not a Discord job', async () => {
    await expect(worker()({ source: 'aws.s3', detail: {} })).resolves.toBeUndefined();
    expect(discord.requests).toHaveLength(0);
  });
});
