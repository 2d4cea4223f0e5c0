import { z } from 'zod';

/**
 * Discord interaction tokens live 15 minutes; the worker must have posted by then. Its timeout stays below
 * 780 s (15 minutes minus a 2-minute margin) and `maxEventAge` is derived from what is left.
 */
export const INTERACTION_TOKEN_SECONDS = 15 * 60;
export const MAX_WORKER_TIMEOUT_SECONDS = INTERACTION_TOKEN_SECONDS - 2 * 60 - 1;

/** Seconds the worker keeps after the agent's deadline to edit the response and send follow-ups. */
export const DISCORD_POST_MARGIN_SECONDS = 15;

/** Discord ids are snowflakes: 17-20 digits. */
const SNOWFLAKE = /^\d{17,20}$/;

const snowflake = (key: string) => z.string().regex(SNOWFLAKE, `${key} must be a Discord id (17-20 digits)`);

/** `https://host[/path]`, or `http://localhost|127.0.0.1[:port][/path]` for a local stand-in. */
const API_BASE_URL =
  /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)(\/[\w./-]*)?$/;

export const DiscordConfigSchema = z
  .strictObject({
    /** Deploy the bot (interactions API, event bus, worker, tables, secret). */
    enabled: z.boolean(),
    /** The application's id (Developer Portal → General Information → Application ID). */
    applicationId: snowflake('applicationId').optional(),
    /**
     * The application's Ed25519 public key (General Information → Public Key), 64 hex characters. Public by
     * design: the interactions function gets it in its environment.
     */
    publicKey: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'publicKey must be the 64 hex characters of the Public Key')
      .transform((k) => k.toLowerCase())
      .optional(),
    /**
     * Servers (guild ids) whose members may ask. Interactions from any other server or from DMs are refused:
     * whoever installs the application elsewhere cannot reach the knowledge base through it.
     */
    guildIds: z.array(snowflake('guildIds entries')).default([]),
    /**
     * Secrets Manager name of the bot token (created empty by the stack; `kass discord register` reads it).
     * @default kass/<stage>/discord-bot-token
     */
    botTokenSecretName: z
      .string()
      .regex(/^[\w/+=.@-]{1,512}$/, 'botTokenSecretName must be a valid Secrets Manager name')
      .optional(),
    /** Discord's REST API (tests and staging point it at a local server). */
    apiBaseUrl: z
      .string()
      .regex(API_BASE_URL, 'apiBaseUrl must be an https:// URL (http:// only for localhost)')
      .default('https://discord.com/api/v10'),
    /** Stage throttle of the interactions API (all traffic comes from Discord's servers). */
    throttle: z
      .strictObject({
        rateLimit: z.number().positive().max(10000),
        burstLimit: z.number().int().min(1).max(5000),
      })
      .default({ rateLimit: 50, burstLimit: 100 }),
    /** The interactions function: verifies, answers within Discord's 3 s and hands off. */
    ingress: z
      .strictObject({
        memoryMb: z.number().int().min(128).max(10240),
      })
      .default({ memoryMb: 512 }),
    /** The worker: runs the agent turn and posts the answer through the interaction webhook. */
    worker: z
      .strictObject({
        memoryMb: z.number().int().min(128).max(10240),
        timeoutSeconds: z
          .number()
          .int()
          .min(30, 'worker.timeoutSeconds must be at least 30')
          .max(
            MAX_WORKER_TIMEOUT_SECONDS,
            `worker.timeoutSeconds must be below 780 (at most ${MAX_WORKER_TIMEOUT_SECONDS}): the interaction token expires after 15 minutes`,
          ),
        agentDeadlineSeconds: z.number().int().min(5, 'worker.agentDeadlineSeconds must be at least 5'),
        /** The cost cap: at most this many agent turns from Discord at once. */
        reservedConcurrency: z
          .number()
          .int()
          .min(1, 'worker.reservedConcurrency must be at least 1 (0 would switch the worker off)')
          .max(1000),
      })
      .default({ memoryMb: 512, timeoutSeconds: 300, agentDeadlineSeconds: 240, reservedConcurrency: 2 }),
    /** Questions one Discord user may ask per window; more are answered with a polite "wait N s". */
    rateLimit: z
      .strictObject({
        questions: z.number().int().min(1).max(1000),
        windowSeconds: z.number().int().min(10).max(86400),
      })
      .default({ questions: 5, windowSeconds: 60 }),
    /**
     * Write tools (`x-requireConfirmation: ENABLED`): `buttons` shows Confirm / Cancel under the answer and
     * only the user who asked can press them; `deny` declines every write, so Discord can only read.
     */
    confirmations: z
      .enum(['buttons', 'deny'], { error: () => 'confirmations must be buttons or deny' })
      .default('buttons'),
    /** An answer longer than this many messages of 2,000 characters is trimmed (the rest stays stored). */
    maxMessagesPerAnswer: z.number().int().min(1).max(10).default(4),
  })
  .superRefine((c, ctx) => {
    if (!c.enabled) return;
    if (!c.applicationId) {
      ctx.addIssue({
        code: 'custom',
        path: ['applicationId'],
        message: 'applicationId is required when discord.enabled is true (Developer Portal → Application ID)',
      });
    }
    if (!c.publicKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicKey'],
        message: 'publicKey is required when discord.enabled is true (Developer Portal → Public Key)',
      });
    }
    if (c.guildIds.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['guildIds'],
        message:
          'guildIds must list the server ids whose members may use the bot (right-click the server → Copy Server ID)',
      });
    }
    const maxDeadline = c.worker.timeoutSeconds - DISCORD_POST_MARGIN_SECONDS;
    if (c.worker.agentDeadlineSeconds > maxDeadline) {
      ctx.addIssue({
        code: 'custom',
        path: ['worker', 'agentDeadlineSeconds'],
        message: `worker.agentDeadlineSeconds must be at most worker.timeoutSeconds - ${DISCORD_POST_MARGIN_SECONDS} (${maxDeadline}): the worker needs time to post the answer`,
      });
    }
  })
  .prefault({ enabled: false });

export type DiscordConfig = z.infer<typeof DiscordConfigSchema>;
export type DiscordConfigInput = z.input<typeof DiscordConfigSchema>;

/**
 * The Discord settings of a stage whose bot is on, with everything the constructs need. Synth fails earlier
 * (the schema) when one is missing; this narrows the type.
 */
export interface EnabledDiscordConfig extends DiscordConfig {
  readonly enabled: true;
  readonly applicationId: string;
  readonly publicKey: string;
}

export function enabledDiscord(config: DiscordConfig): EnabledDiscordConfig | undefined {
  if (!config.enabled || !config.applicationId || !config.publicKey) return undefined;
  return config as EnabledDiscordConfig;
}
