import { DiscordApi, DiscordApiError, retryAfterMs } from '../../../functions/discord/discord-api';
import { NO_MENTIONS } from '../../../functions/discord/messages';
import { useDiscordApiServer } from '../../support/discord-api-server';

const APP = '1178412345678901234';
const TOKEN = 'aW50ZXJhY3Rpb246MTE3ODUwMDAwMDAwMDAwMDAwMTpzZWNyZXQtdG9rZW4';
const MESSAGE = { content: 'Hello', allowed_mentions: NO_MENTIONS };

describe('Class: DiscordApi (local Discord server)', () => {
  const discord = useDiscordApiServer();
  const waits: number[] = [];
  const api = (options: Partial<ConstructorParameters<typeof DiscordApi>[0]> = {}) =>
    new DiscordApi({
      baseUrl: discord.baseUrl,
      sleep: async (ms) => void waits.push(ms),
      ...options,
    });
  beforeEach(() => {
    waits.length = 0;
  });

  it('edits the original response and posts follow-ups on the interaction webhook', async () => {
    await api().editOriginal(APP, TOKEN, MESSAGE);
    await api().followUp(APP, TOKEN, MESSAGE);
    expect(discord.requests.map((r) => [r.method, r.path, r.headers['content-type'], r.body])).toEqual([
      ['PATCH', `/api/v10/webhooks/${APP}/${TOKEN}/messages/@original`, 'application/json', MESSAGE],
      ['POST', `/api/v10/webhooks/${APP}/${TOKEN}`, 'application/json', MESSAGE],
    ]);
    expect(discord.requests[0]?.headers['user-agent']).toMatch(/^DiscordBot \(/);
    expect(discord.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('waits the 429’s retry_after (fractional seconds) and repeats the call', async () => {
    discord.enqueue({
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 1.25, global: false },
    });
    await api().followUp(APP, TOKEN, MESSAGE);
    expect(waits).toEqual([1250]);
    expect(discord.requests).toHaveLength(2);
  });

  it('reads Retry-After when the body has no retry_after', () => {
    expect(retryAfterMs(new Headers({ 'Retry-After': '3' }), {})).toBe(3000);
    expect(retryAfterMs(new Headers(), undefined)).toBeUndefined();
  });

  it('gives up on a 429 that asks for longer than the caller can wait', async () => {
    discord.enqueue({ status: 429, body: { retry_after: 60 } });
    await expect(api().followUp(APP, TOKEN, MESSAGE)).rejects.toMatchObject({ status: 429 });
    expect(discord.requests).toHaveLength(1);
  });

  it('retries an edit after a 5xx but never a follow-up (it may have been posted)', async () => {
    discord.enqueue({ status: 502 }, () => undefined, { status: 502 });
    await api().editOriginal(APP, TOKEN, MESSAGE);
    await expect(api().followUp(APP, TOKEN, MESSAGE)).rejects.toMatchObject({ status: 502 });
    expect(discord.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'POST']);
  });

  it('times out a request that gets no answer, naming neither the URL nor the token', async () => {
    discord.enqueue({ status: 204, delayMs: 2_000 });
    const error = await api({ requestTimeoutMs: 100 })
      .followUp(APP, TOKEN, MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect((error as DiscordApiError).status).toBe(0);
    expect(JSON.stringify({ m: (error as Error).message, c: String((error as Error).cause) })).not.toContain(
      TOKEN,
    );
  });

  it.each([
    [401, 50027, true],
    [404, 10015, true],
    [404, 10008, false],
    [403, 50001, false],
  ])('HTTP %i code %i: token expired = %s', async (status, code, expired) => {
    discord.enqueue({ status, body: { message: 'error', code } });
    const error = (await api()
      .editOriginal(APP, TOKEN, MESSAGE)
      .catch((e: unknown) => e)) as DiscordApiError;
    expect([error.status, error.code, error.tokenExpired]).toEqual([status, code, expired]);
    expect(error.message).not.toContain(TOKEN);
  });

  it('registers commands with the bot token, globally or in one server', async () => {
    const commands = [{ type: 1, name: 'ask', description: 'Ask' }];
    const global = await api().putCommands(APP, 'bot-token-value', commands);
    await api().putCommands(APP, 'bot-token-value', commands, '1098765432109876543');
    expect(global).toEqual([{ id: expect.stringMatching(/^\d+$/), name: 'ask', type: 1 }]);
    expect(discord.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['PUT', `/api/v10/applications/${APP}/commands`, 'Bot bot-token-value'],
      ['PUT', `/api/v10/applications/${APP}/guilds/1098765432109876543/commands`, 'Bot bot-token-value'],
    ]);
  });

  it('refuses a plain-http base URL other than localhost, and ids that are not snowflakes', async () => {
    expect(() => new DiscordApi({ baseUrl: 'http://discord.com/api/v10' })).toThrow(/https/);
    await expect(api().editOriginal('../../x', TOKEN, MESSAGE)).rejects.toThrow(/17-20 digits/);
  });
});
