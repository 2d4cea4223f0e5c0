import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import {
  ASK_COMMAND,
  ASK_MESSAGE_COMMAND,
  CommandType,
  PRIVATE_OPTION,
  parseConfirmButtonId,
  QUESTION_OPTION,
} from './commands';
import { type DiscordJob, SNOWFLAKE } from './job';
import { EPHEMERAL, noMentions } from './messages';

/** Interaction types (Discord API). */
export const InteractionType = {
  ping: 1,
  applicationCommand: 2,
  messageComponent: 3,
  autocomplete: 4,
  modalSubmit: 5,
} as const;

/** Interaction callback types used here. */
export const ResponseType = {
  pong: 1,
  channelMessage: 4,
  deferredChannelMessage: 5,
  updateMessage: 7,
  autocompleteResult: 8,
} as const;

const snowflake = z.string().check(z.regex(SNOWFLAKE));
const user = z.object({ id: snowflake });

const option = z.object({ name: z.string(), type: z.number(), value: z.optional(z.unknown()) });

/** The fields of an interaction KASS reads (Discord sends many more; they are ignored). */
export const Interaction = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number(),
  token: z.string(),
  guild_id: z.optional(snowflake),
  channel_id: z.optional(snowflake),
  member: z.optional(z.object({ user })),
  user: z.optional(user),
  data: z.optional(
    z.object({
      name: z.optional(z.string()),
      type: z.optional(z.number()),
      options: z.optional(z.array(option)),
      target_id: z.optional(snowflake),
      resolved: z.optional(
        z.object({
          messages: z.optional(z.record(z.string(), z.object({ content: z.optional(z.string()) }))),
        }),
      ),
      custom_id: z.optional(z.string()),
    }),
  ),
  message: z.optional(z.object({ flags: z.optional(z.number()) })),
});
export type Interaction = z.infer<typeof Interaction>;

/** What the interactions function answers Discord (the body of its 200). */
export interface InteractionResponse {
  readonly type: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface IngressSettings {
  readonly applicationId: string;
  /** Servers whose members may ask. */
  readonly guildIds: ReadonlySet<string>;
  /** Longest question (characters). */
  readonly maxQuestionChars: number;
}

/** The answer to an interaction and, for real work, the job to hand to the worker. */
export interface IngressDecision {
  readonly response: InteractionResponse;
  readonly job?: DiscordJob;
  /** For logs: what the interaction was. */
  readonly kind: string;
}

/** An ephemeral notice, answered at once (no work). */
const notice = (content: string): InteractionResponse => ({
  type: ResponseType.channelMessage,
  data: { ...noMentions(content), flags: EPHEMERAL },
});

const optionValue = (interaction: Interaction, name: string): unknown =>
  interaction.data?.options?.find((o) => o.name === name)?.value;

/**
 * Decides how to answer a verified interaction: PING → PONG; `/ask` and "Ask KASS" → a deferred response
 * (type 5) and an `ask` job; a confirmation button → the message without its buttons (type 7) and a
 * `confirm` job, or a notice when someone other than the asker presses it. Anything that cannot be worked on
 * gets an ephemeral notice and no job. Pure: the handler publishes the job and sends the response.
 */
export function decide(interaction: Interaction, settings: IngressSettings, nowMs: number): IngressDecision {
  if (interaction.type === InteractionType.ping)
    return { response: { type: ResponseType.pong }, kind: 'ping' };
  if (interaction.type === InteractionType.autocomplete) {
    return {
      response: { type: ResponseType.autocompleteResult, data: { choices: [] } },
      kind: 'autocomplete',
    };
  }
  const userId = interaction.member?.user.id ?? interaction.user?.id;
  const guildId = interaction.guild_id;
  const channelId = interaction.channel_id;
  if (!guildId || !settings.guildIds.has(guildId) || !userId || !channelId) {
    return {
      response: notice(
        'KASS answers in the servers it was set up for, not here. Ask in one of those servers.',
      ),
      kind: 'refused-context',
    };
  }
  const base: JobBase = {
    interactionId: interaction.id,
    applicationId: interaction.application_id,
    token: interaction.token,
    receivedAtMs: nowMs,
    userId,
    guildId,
    channelId,
  };
  if (interaction.type === InteractionType.applicationCommand)
    return decideQuestion(interaction, settings, base);
  if (interaction.type === InteractionType.messageComponent) return decideButton(interaction, base);
  return { response: notice('KASS does not handle this kind of interaction.'), kind: 'unsupported' };
}

/** What every job carries: the interaction, who sent it and where. */
interface JobBase {
  readonly interactionId: string;
  readonly applicationId: string;
  readonly token: string;
  readonly receivedAtMs: number;
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
}

/** The question of `/ask` or of "Ask KASS" on a message, or undefined for another command. */
function questionOf(
  interaction: Interaction,
): { question: string; ephemeral: boolean; command: 'slash' | 'message' } | undefined {
  const data = interaction.data;
  if (data?.name === ASK_COMMAND && (data.type ?? CommandType.chatInput) === CommandType.chatInput) {
    const value = optionValue(interaction, QUESTION_OPTION);
    return {
      question: typeof value === 'string' ? value.trim() : '',
      ephemeral: optionValue(interaction, PRIVATE_OPTION) === true,
      command: 'slash',
    };
  }
  if (data?.name === ASK_MESSAGE_COMMAND && data.type === CommandType.message) {
    const target = data.target_id ? data.resolved?.messages?.[data.target_id] : undefined;
    return { question: (target?.content ?? '').trim(), ephemeral: false, command: 'message' };
  }
  return undefined;
}

/** `/ask` and "Ask KASS": a deferred response and an `ask` job, or a notice for what cannot be asked. */
function decideQuestion(interaction: Interaction, settings: IngressSettings, base: JobBase): IngressDecision {
  const asked = questionOf(interaction);
  if (!asked) {
    return {
      response: notice(
        'I do not know that command. An operator can refresh them with `kass discord register`.',
      ),
      kind: 'unknown-command',
    };
  }
  const { question, ephemeral, command } = asked;
  if (!question) {
    return {
      response: notice(
        command === 'message'
          ? 'That message has no text I can read, so there is nothing to ask about.'
          : 'Ask a question after /ask.',
      ),
      kind: 'empty-question',
    };
  }
  if (question.length > settings.maxQuestionChars) {
    return {
      response: notice(
        `That is ${question.length} characters; I can take questions of up to ${settings.maxQuestionChars}. Shorten it and ask again.`,
      ),
      kind: 'long-question',
    };
  }
  return {
    response: {
      type: ResponseType.deferredChannelMessage,
      ...(ephemeral ? { data: { flags: EPHEMERAL } } : {}),
    },
    job: { kind: 'ask', ...base, ephemeral, command, question },
    kind: `ask-${command}`,
  };
}

/** A confirmation button: the message without its buttons and a `confirm` job, for the asker only. */
function decideButton(interaction: Interaction, base: JobBase): IngressDecision {
  const button = parseConfirmButtonId(interaction.data?.custom_id ?? '');
  if (!button) return { response: notice('This button is no longer active.'), kind: 'unknown-component' };
  if (button.askerId !== base.userId) {
    return {
      response: notice('Only the person who asked can confirm or cancel this.'),
      kind: 'confirm-not-asker',
    };
  }
  return {
    // The buttons go at once: a second click cannot start a second decision.
    response: { type: ResponseType.updateMessage, data: { components: [] } },
    job: {
      kind: 'confirm',
      ...base,
      ephemeral: ((interaction.message?.flags ?? 0) & EPHEMERAL) !== 0,
      confirmationId: button.confirmationId,
      confirm: button.confirm,
    },
    kind: button.confirm ? 'confirm' : 'cancel',
  };
}
