import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createDiscordRegister, tokenFromSecret, usage } from '../../cli/commands/discord-register';
import { main } from '../../cli/main';
import { StackOutputs } from '../../cli/stack-outputs';
import { COMMANDS } from '../../functions/discord/commands';
import { captureIo } from '../support/cli-io';
import { DISCORD } from '../support/discord';
import { useDiscordApiServer } from '../support/discord-api-server';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kass/dev/discord-bot-token-AbCdEf';
const BOT_TOKEN = 'MTE3ODQxMjM0NTY3ODkwMTIzNA.GhIjKl.test-bot-token-value-0123456789abcdef';
const URL = 'https://d1sc0rd7ab.execute-api.us-east-1.amazonaws.com/dev/interactions';

describe('Command: kass discord register (local Discord API)', () => {
  const discord = useDiscordApiServer();
  const cloudFormation = mockClient(CloudFormationClient);
  const secrets = mockClient(SecretsManagerClient);
  let io = captureIo();

  beforeEach(() => {
    io = captureIo();
    cloudFormation.reset();
    secrets.reset();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'kass-dev' }).resolves({
      Stacks: [
        {
          StackName: 'kass-dev',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'DiscordApplicationId', OutputValue: DISCORD.applicationId },
            { OutputKey: 'DiscordBotTokenSecretArn', OutputValue: SECRET_ARN },
            { OutputKey: 'DiscordInteractionsUrl', OutputValue: URL },
          ],
        },
      ],
    });
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: JSON.stringify({ token: BOT_TOKEN, placeholder: 'generated-by-cloudformation' }),
    });
  });

  const register = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    createDiscordRegister({
      env: { KASS_DISCORD_API_BASE_URL: discord.baseUrl, ...env },
      stackOutputs: (stage) =>
        new StackOutputs(stage, {}, async () => new CloudFormationClient({ region: 'us-east-1' })),
      secrets: async () => new SecretsManagerClient({ region: 'us-east-1' }),
      sleep: async () => undefined,
    })(argv, io);

  it('registers the commands globally with the token from the secret and prints the URL to paste', async () => {
    // Act
    const code = await register([]);
    // Assess
    expect(code).toBe(0);
    expect(discord.requests).toHaveLength(1);
    const [put] = discord.requests;
    expect([put?.method, put?.path, put?.headers.authorization]).toEqual([
      'PUT',
      `/api/v10/applications/${DISCORD.applicationId}/commands`,
      `Bot ${BOT_TOKEN}`,
    ]);
    expect(put?.body).toEqual(COMMANDS);
    expect(io.out()).toMatch(
      new RegExp(
        `^Registered 2 commands globally for application ${DISCORD.applicationId}:\\n` +
          '  /ask \\(id \\d+\\)\\n  "Ask KASS" \\(message command, id \\d+\\)\\n',
      ),
    );
    expect(io.out()).toContain(
      `Interactions endpoint URL (Developer Portal → General Information → Interactions Endpoint URL):\n  ${URL}\n`,
    );
    expect(io.out() + io.err()).not.toContain(BOT_TOKEN);
  });

  it('registers in one server with --guild (without the global-only context fields)', async () => {
    const code = await register(['--guild', DISCORD.guildId]);
    expect(code).toBe(0);
    const [put] = discord.requests;
    expect(put?.path).toBe(
      `/api/v10/applications/${DISCORD.applicationId}/guilds/${DISCORD.guildId}/commands`,
    );
    for (const command of (put?.body ?? []) as Record<string, unknown>[]) {
      expect(command).not.toHaveProperty('contexts');
      expect(command).not.toHaveProperty('integration_types');
    }
    expect(io.out()).toContain(`in server ${DISCORD.guildId}`);
  });

  it('uses --token instead of the secret', async () => {
    await register(['--token', 'explicit-bot-token-0123456789']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(discord.requests[0]?.headers.authorization).toBe('Bot explicit-bot-token-0123456789');
  });

  it('says how to store the token while the secret is still empty, and calls nothing', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"","placeholder":"x"}' });
    const code = await main(['discord', 'register'], io, {
      'discord register': {
        args: '',
        summary: '',
        load: async () => ({
          usage,
          run: (argv, cliIo) =>
            createDiscordRegister({
              env: { KASS_DISCORD_API_BASE_URL: discord.baseUrl },
              stackOutputs: (stage) =>
                new StackOutputs(stage, {}, async () => new CloudFormationClient({ region: 'us-east-1' })),
              secrets: async () => new SecretsManagerClient({ region: 'us-east-1' }),
            })(argv, cliIo),
        }),
      },
    });
    expect(code).toBe(1);
    expect(io.err()).toContain(`holds no bot token yet`);
    expect(io.err()).toContain(`aws secretsmanager put-secret-value --secret-id ${SECRET_ARN}`);
    expect(discord.requests).toHaveLength(0);
  });

  it.each([
    [401, 0, 'Discord refused the bot token (401)'],
    [403, 50001, 'is not installed in server'],
    [404, 10002, `Discord does not know application ${DISCORD.applicationId}`],
    [400, 50035, 'Discord rejected the command definitions (400): {"0":{"name"'],
  ])('explains a %i from Discord', async (status, code, message) => {
    discord.enqueue({
      status,
      body: {
        message: 'error',
        code,
        ...(status === 400 ? { errors: { 0: { name: { _errors: [] } } } } : {}),
      },
    });
    await expect(register(status === 403 ? ['--guild', DISCORD.guildId] : [])).rejects.toThrow(message);
  });

  it('waits out a 429 and registers', async () => {
    discord.enqueue({ status: 429, body: { retry_after: 0.5, global: false, message: 'rate limited' } });
    expect(await register([])).toBe(0);
    expect(discord.requests).toHaveLength(2);
  });

  it('still registers when the URL cannot be read, and says where it is', async () => {
    const code = await createDiscordRegister({
      env: { KASS_DISCORD_API_BASE_URL: discord.baseUrl },
      stackOutputs: (stage) =>
        new StackOutputs(
          stage,
          {},
          async () => ({ send: async () => Promise.reject(new Error('no network')) }) as never,
        ),
    })(['--application-id', DISCORD.applicationId, '--token', 'explicit-bot-token-0123456789'], io);
    expect(code).toBe(0);
    expect(io.err()).toContain('It is the stack output DiscordInteractionsUrl of kass-dev.');
  });

  it.each([
    [['--guild', '12'], /--guild must be a server id/],
    [['--application-id', 'abc', '--token', 'x'.repeat(30)], /is not a Discord id/],
    [['--api-base-url', 'http://discord.com/api/v10'], /--api-base-url: .*https/],
  ])('refuses %j as a usage error', async (argv, message) => {
    await expect(register(argv)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
  });

  it('prints its help', async () => {
    expect(await register(['--help'])).toBe(0);
    expect(io.out()).toBe(usage);
  });
});

describe('Function: tokenFromSecret', () => {
  it.each([
    ['{"token":"abcdefghijklmnopqrstuvwxyz"}', 'abcdefghijklmnopqrstuvwxyz'],
    ['  abcdefghijklmnopqrstuvwxyz\n', 'abcdefghijklmnopqrstuvwxyz'],
  ])('reads %j', (value, token) => {
    expect(tokenFromSecret(value, 's')).toBe(token);
  });

  it.each([
    ['{"token":"secretvalue0123456789', 'secretvalue0123456789'],
    ['{"token":"secret value with spaces 0123"}', 'secret value'],
    ['', undefined],
  ])('refuses %j without quoting it', (value, secret) => {
    let message = '';
    try {
      tokenFromSecret(value, 's');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^the secret s /);
    if (secret) expect(message).not.toContain(secret);
  });
});
