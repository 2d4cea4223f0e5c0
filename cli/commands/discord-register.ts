import { parseArgs } from 'node:util';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type EnvSource, processEnv } from '../../contracts/env';
import { COMMANDS, CommandType } from '../../functions/discord/commands';
import { DiscordApi, DiscordApiError, type RegisteredCommand } from '../../functions/discord/discord-api';
import type { CliIo } from '../io';
import { CliError, StackOutputs } from '../stack-outputs';

const DEFAULT_API = 'https://discord.com/api/v10';
const SNOWFLAKE = /^\d{17,20}$/;

export const usage = `Usage: kass discord register [--guild <id>] [options]

Registers the bot's application commands with Discord (/ask <question> [private], and "Ask KASS" on a
message's Apps menu), replacing the application's previous set, then prints the interactions endpoint URL
to paste in the Developer Portal (General Information → Interactions Endpoint URL).

Options:
  --guild <id>             Register in one server only: there they appear at once (use it while testing).
                           Without it the commands are global (every server that installed the app).
  --stage <name>           Stack kass-<stage> whose outputs name the application, the token secret and the
                           URL (default: dev)
  --application-id <id>    Application id (default: $KASS_DISCORD_APPLICATION_ID, else the stack output
                           DiscordApplicationId)
  --token <token>          Bot token (default: $KASS_DISCORD_BOT_TOKEN, else the secret below). Prefer the
                           secret: a flag lands in shell history.
  --secret-id <id>         Secret holding the bot token as {"token":"…"} or plain text (default:
                           $KASS_DISCORD_BOT_TOKEN_SECRET, else the stack output DiscordBotTokenSecretArn)
  --api-base-url <url>     Discord's API (default: $KASS_DISCORD_API_BASE_URL, else ${DEFAULT_API})
  -h, --help               Show this help

AWS: the standard configuration (AWS_PROFILE or credentials, AWS_REGION) reads the stack outputs and the
secret (secretsmanager:GetSecretValue); AWS_ENDPOINT_URL_SECRETS_MANAGER points the client elsewhere.

Exit status: 0 registered, 1 Discord or AWS refused (the message says what to fix), 2 usage error.
`;

/** Overrides for tests: the environment, the stack-output reader, the Secrets Manager client, Discord's timing. */
export interface DiscordRegisterOverrides {
  readonly env?: EnvSource;
  readonly stackOutputs?: (stage: string) => StackOutputs;
  readonly secrets?: () => Promise<SecretsManagerClient>;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The token of a secret value: `{"token":"…"}` or the token itself. Messages never contain the value. */
export function tokenFromSecret(value: string | undefined, secretId: string): string {
  const text = (value ?? '').trim();
  let token: unknown = text;
  if (text.startsWith('{')) {
    try {
      token = (JSON.parse(text) as { token?: unknown }).token;
    } catch {
      throw new CliError(`the secret ${secretId} is not valid JSON; store it as {"token":"<bot token>"}`);
    }
  }
  if (typeof token !== 'string' || token.trim() === '') {
    throw new CliError(
      `the secret ${secretId} holds no bot token yet. Store it (Developer Portal → Bot → Reset Token):\n` +
        `  aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"token":"<bot token>"}'`,
    );
  }
  if (!/^[\x21-\x7e]{20,200}$/.test(token.trim())) {
    throw new CliError(`the secret ${secretId} does not hold a bot token (printable characters, no spaces)`);
  }
  return token.trim();
}

async function readSecret(
  secretId: string,
  factory: (() => Promise<SecretsManagerClient>) | undefined,
): Promise<string> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = factory ? await factory() : new sdk.SecretsManagerClient({});
  try {
    const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    return tokenFromSecret(out.SecretString, secretId);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'ResourceNotFoundException') {
      throw new CliError(
        `the secret ${secretId} does not exist in this account/region (check --secret-id, AWS_REGION)`,
      );
    }
    if (name === 'AccessDeniedException') {
      throw new CliError(
        `access denied reading ${secretId}: your credentials need secretsmanager:GetSecretValue on it`,
      );
    }
    if (name === 'CredentialsProviderError') {
      throw new CliError(
        'no AWS credentials found to read the bot token; configure a profile, or pass --token',
      );
    }
    throw new CliError(`could not read the secret ${secretId} (${name}); pass --token instead`);
  }
}

/** What to tell the operator when Discord refuses the registration. */
function explain(error: DiscordApiError, target: { applicationId: string; guild?: string }): CliError {
  const where = target.guild ? `server ${target.guild}` : 'all servers (global)';
  switch (error.status) {
    case 0:
      return new CliError(
        'Discord did not answer in time; check the network or --api-base-url and try again',
      );
    case 400:
      return new CliError(
        `Discord rejected the command definitions (400): ${JSON.stringify(error.details ?? {}).slice(0, 1500)}`,
      );
    case 401:
      return new CliError(
        'Discord refused the bot token (401). Reset it in the Developer Portal (Bot → Reset Token) and store ' +
          'the new one in the secret, or pass --token.',
      );
    case 403:
      return new CliError(
        target.guild
          ? `Discord refused (403): application ${target.applicationId} is not installed in server ${target.guild} ` +
              'with the applications.commands scope. Install it (OAuth2 → URL Generator → applications.commands) first.'
          : `Discord refused (403): the token does not belong to application ${target.applicationId}.`,
      );
    case 404:
      return new CliError(
        `Discord does not know application ${target.applicationId}${target.guild ? ` or server ${target.guild}` : ''} (404): check --application-id${target.guild ? ' and --guild' : ''}.`,
      );
    case 429:
      return new CliError('Discord is rate-limiting command registration; wait a minute and run it again');
    default:
      return new CliError(
        `Discord failed to register the commands for ${where} (${error.message}); try again`,
      );
  }
}

const describe = (c: RegisteredCommand): string =>
  c.type === CommandType.message ? `"${c.name}" (message command, id ${c.id})` : `/${c.name} (id ${c.id})`;

export function createDiscordRegister(overrides: DiscordRegisterOverrides = {}) {
  return async (argv: string[], io: CliIo): Promise<number> => {
    const { values } = parseArgs({
      args: argv,
      options: {
        guild: { type: 'string' },
        stage: { type: 'string', default: 'dev' },
        'application-id': { type: 'string' },
        token: { type: 'string' },
        'secret-id': { type: 'string' },
        'api-base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    if (values.guild !== undefined && !SNOWFLAKE.test(values.guild)) {
      throw new CliError(
        '--guild must be a server id (17-20 digits: right-click the server → Copy Server ID)',
        2,
      );
    }
    const env = overrides.env ?? processEnv();
    const baseUrl = values['api-base-url'] ?? env.KASS_DISCORD_API_BASE_URL ?? DEFAULT_API;
    let api: DiscordApi;
    try {
      api = new DiscordApi({ baseUrl, ...(overrides.sleep ? { sleep: overrides.sleep } : {}) });
    } catch (error) {
      throw new CliError(`--api-base-url: ${(error as Error).message}`, 2);
    }

    const outputs = overrides.stackOutputs?.(values.stage) ?? new StackOutputs(values.stage, env);
    const applicationId = await outputs.resolve({
      flagValue: values['application-id'],
      flagName: '--application-id',
      envVar: 'KASS_DISCORD_APPLICATION_ID',
      output: 'DiscordApplicationId',
    });
    if (!SNOWFLAKE.test(applicationId)) {
      throw new CliError(`the application id "${applicationId}" is not a Discord id (17-20 digits)`, 2);
    }
    let token = values.token ?? env.KASS_DISCORD_BOT_TOKEN;
    if (!token) {
      const secretId = await outputs.resolve({
        flagValue: values['secret-id'],
        flagName: '--secret-id (or --token)',
        envVar: 'KASS_DISCORD_BOT_TOKEN_SECRET',
        output: 'DiscordBotTokenSecretArn',
      });
      token = await readSecret(secretId, overrides.secrets);
    }

    // Guild commands take no install contexts (those apply to global commands only).
    const commands = values.guild
      ? COMMANDS.map(({ integration_types: _types, contexts: _contexts, ...rest }) => rest)
      : COMMANDS;
    let registered: RegisteredCommand[];
    try {
      registered = await api.putCommands(applicationId, token, commands, values.guild);
    } catch (error) {
      if (error instanceof DiscordApiError) {
        throw explain(error, { applicationId, ...(values.guild ? { guild: values.guild } : {}) });
      }
      throw error;
    }
    io.stdout.write(
      `Registered ${registered.length} command${registered.length === 1 ? '' : 's'} ` +
        `${values.guild ? `in server ${values.guild}` : 'globally'} for application ${applicationId}:\n` +
        registered.map((c) => `  ${describe(c)}\n`).join(''),
    );
    if (!values.guild) {
      io.stdout.write(
        'Global commands can take a few minutes to show; use --guild <server id> while testing.\n',
      );
    }

    let url: string | undefined;
    try {
      url = await outputs.resolve({
        flagValue: undefined,
        flagName: 'KASS_DISCORD_INTERACTIONS_URL',
        envVar: 'KASS_DISCORD_INTERACTIONS_URL',
        output: 'DiscordInteractionsUrl',
      });
    } catch (error) {
      io.stderr.write(
        `kass discord register: the interactions URL is unknown (${(error as Error).message})\n` +
          `It is the stack output DiscordInteractionsUrl of kass-${values.stage}.\n`,
      );
    }
    if (url) {
      io.stdout.write(
        `\nInteractions endpoint URL (Developer Portal → General Information → Interactions Endpoint URL):\n  ${url}\n`,
      );
    }
    return 0;
  };
}

export const run = createDiscordRegister();
