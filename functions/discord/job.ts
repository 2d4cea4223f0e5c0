import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { CONFIRMATION_ID_PATTERN } from '../shared/confirmation-view';
import { DISCORD_EVENT_DETAIL_TYPE, DISCORD_EVENT_SOURCE } from './contract';

/** Discord ids (snowflakes). */
export const SNOWFLAKE = /^\d{17,20}$/;

const snowflake = z.string().check(z.regex(SNOWFLAKE));

const common = {
  /** The interaction's id: the idempotency key of the work. */
  interactionId: snowflake,
  applicationId: snowflake,
  /** The interaction token: authorises the webhook calls for 15 minutes. Never logged. */
  token: z.string().check(z.minLength(1), z.maxLength(1000), z.regex(/^[\x21-\x7e]+$/)),
  /** When the interactions function received it (epoch ms): the token expires 15 minutes later. */
  receivedAtMs: z.number().check(z.int(), z.positive()),
  /** Who asked (or clicked). */
  userId: snowflake,
  guildId: snowflake,
  /** The channel, or the thread, the interaction came from. */
  channelId: snowflake,
  /** The answer is visible to the asker only. */
  ephemeral: z.boolean(),
};

/**
 * The work the interactions function hands to the worker through EventBridge: a question (`/ask` or the
 * "Ask KASS" message command), or the click on a confirmation button.
 */
export const DiscordJob = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ask'),
    ...common,
    command: z.enum(['slash', 'message']),
    question: z.string().check(z.minLength(1), z.maxLength(25_000)),
  }),
  z.strictObject({
    kind: z.literal('confirm'),
    ...common,
    confirmationId: z.string().check(z.regex(CONFIRMATION_ID_PATTERN)),
    confirm: z.boolean(),
  }),
]);
export type DiscordJob = z.infer<typeof DiscordJob>;
export type AskJob = Extract<DiscordJob, { kind: 'ask' }>;
export type ConfirmJob = Extract<DiscordJob, { kind: 'confirm' }>;

/** The EventBridge event the worker receives (only the fields it reads). */
export const DiscordJobEvent = z.object({
  source: z.literal(DISCORD_EVENT_SOURCE),
  'detail-type': z.literal(DISCORD_EVENT_DETAIL_TYPE),
  detail: DiscordJob,
});

/** Port: hands a job to the worker without waiting for it. */
export interface JobPublisher {
  publish(job: DiscordJob, signal: AbortSignal): Promise<void>;
}

/**
 * The conversation of a user in a channel or thread: `discord-<channel id>-<user id>` (at most 49 characters
 * of digits and dashes, a valid agent session id). Per user, because a conversation has one owner; per
 * channel or thread, so a thread starts a new conversation and the channel keeps its own.
 */
export const conversationIdOf = (job: Pick<DiscordJob, 'channelId' | 'userId'>): string =>
  `discord-${job.channelId}-${job.userId}`;

/** The owner of a Discord user's conversations (the `userId` session attribute the tools see). */
export const discordOwner = (userId: string): string => `discord:${userId}`;

/** The `app` session attribute of Discord turns (tools see which front end a caller came through). */
export const DISCORD_APP = 'discord';
