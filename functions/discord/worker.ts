import type { Context } from 'aws-lambda';
import { type IdentitySettings, rolesOf } from '../shared/caller';
import { ConfirmationNotFound, ConfirmationPending, ConversationBusy } from '../shared/errors';
import { logFailure } from '../shared/log';
import { logger } from '../shared/powertools';
import { runTurn, type TurnDeps, type TurnOutcome } from '../shared/turn';
import { DiscordApiError, type OutgoingMessage } from './discord-api';
import type { InteractionLedger, InteractionStatus, RateLimit } from './interaction-ledger';
import { conversationIdOf, DISCORD_APP, type DiscordJob, DiscordJobEvent, discordOwner } from './job';
import { EPHEMERAL, NO_MENTIONS, SUPPRESS_EMBEDS } from './messages';
import { type RenderedMessage, renderAnswer } from './render';
import { apologyFor, rateLimitedReply, WAITING_FOR_CONFIRMATION } from './replies';

/** Interaction tokens are valid this long after Discord sent the interaction. */
export const INTERACTION_TOKEN_MS = 15 * 60 * 1000;
/** Time kept after the agent's deadline to post the answer (and what the token must still have to start). */
export const POST_MARGIN_MS = 15_000;
/** A turn shorter than this is not worth starting: the token would expire before the answer. */
export const MIN_TURN_MS = 10_000;

/**
 * How long the agent may take: the configured deadline, cut so that the answer is posted before the
 * interaction token expires and before the function times out (each less the posting margin).
 */
export function turnDeadlineMs(configuredMs: number, tokenLeftMs: number, lambdaLeftMs?: number): number {
  return Math.min(
    configuredMs,
    tokenLeftMs - POST_MARGIN_MS,
    ...(lambdaLeftMs === undefined ? [] : [lambdaLeftMs - POST_MARGIN_MS]),
  );
}

/** Port: the interaction webhook (Discord's REST API). */
export interface InteractionWebhook {
  editOriginal(applicationId: string, token: string, message: Partial<OutgoingMessage>): Promise<void>;
  followUp(applicationId: string, token: string, message: OutgoingMessage): Promise<void>;
}

export interface WorkerDeps {
  /** The stage's agent turn (built like the chat API's, see `turn-env.ts`). */
  readonly turn: TurnDeps;
  /** Who is an operator (`chatApi.operators`): a Discord user listed as `discord:<id>` gets the role. */
  readonly identity: IdentitySettings;
  readonly ledger: InteractionLedger;
  readonly webhook: InteractionWebhook;
  readonly rateLimit: RateLimit;
  readonly maxMessagesPerAnswer: number;
  /** How long an attempt holds an interaction when the Lambda context does not say. @default 300000 */
  readonly leaseMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Sends an answer: for a question, the first message replaces the deferred response (PATCH @original, which
 * is safe to repeat) and the rest are follow-ups; for a button click every message is a follow-up (the
 * message with the buttons was already updated). Embeds are suppressed, mentions disabled, and follow-ups of a
 * private answer are private too.
 */
async function post(webhook: InteractionWebhook, job: DiscordJob, messages: readonly RenderedMessage[]) {
  const shape = (m: RenderedMessage, flags: number): OutgoingMessage => ({
    content: m.content,
    allowed_mentions: NO_MENTIONS,
    ...(m.components ? { components: m.components } : {}),
    flags,
  });
  const followUpFlags = SUPPRESS_EMBEDS | (job.ephemeral ? EPHEMERAL : 0);
  let rest = messages;
  if (job.kind === 'ask') {
    const [first, ...others] = messages;
    if (first) await webhook.editOriginal(job.applicationId, job.token, shape(first, SUPPRESS_EMBEDS));
    rest = others;
  }
  for (const message of rest)
    await webhook.followUp(job.applicationId, job.token, shape(message, followUpFlags));
}

/**
 * The Discord worker (EventBridge → Lambda). For each job, once (the interaction id is claimed with a
 * conditional write, so a redelivered event posts nothing): counts the question against the user's rate
 * limit, runs the agent turn through the same code as the chat API (owner `discord:<user id>`, channel
 * `discord`, the channel's or thread's conversation), renders the answer and posts it through the
 * interaction webhook before the token's 15 minutes run out. Failures become a short apology with a
 * reference; an expired token is logged and left. It never throws for a job it could read: a retry would
 * run the turn again.
 */
export function createWorker(deps: WorkerDeps) {
  const now = deps.now ?? Date.now;
  return async (raw: unknown, context?: Context): Promise<void> => {
    if (context) logger.addContext(context);
    const parsed = DiscordJobEvent.safeParse(raw);
    if (!parsed.success) {
      logger.error('not a Discord job', { issues: parsed.error.issues.length });
      return;
    }
    const job = parsed.data.detail;
    const conversationId = conversationIdOf(job);
    const fields = { interactionId: job.interactionId, kind: job.kind, conversationId, guildId: job.guildId };
    const startedAt = now();
    const tokenLeftMs = job.receivedAtMs + INTERACTION_TOKEN_MS - startedAt;
    if (tokenLeftMs < POST_MARGIN_MS + MIN_TURN_MS) {
      logger.warn('interaction token expires before an answer could be posted; skipped', {
        ...fields,
        ageMs: startedAt - job.receivedAtMs,
      });
      return;
    }

    let status: Exclude<InteractionStatus, 'IN_PROGRESS'> = 'FAILED';
    let claimed = false;
    try {
      const lambdaLeftMs = context?.getRemainingTimeInMillis?.();
      const claim = await deps.ledger.claim({
        interactionId: job.interactionId,
        kind: job.kind,
        userId: job.userId,
        guildId: job.guildId,
        channelId: job.channelId,
        conversationId,
        nowMs: startedAt,
        leaseMs: (lambdaLeftMs ?? deps.leaseMs ?? 300_000) + 5_000,
      });
      if (claim === 'duplicate') {
        logger.info('interaction already handled; nothing posted', fields);
        return;
      }
      claimed = true;

      if (job.kind === 'ask') {
        const rate = await deps.ledger.takeQuestion(job.userId, startedAt);
        if (!rate.allowed) {
          await post(deps.webhook, job, [
            { content: rateLimitedReply(deps.rateLimit, rate.retryAfterSeconds) },
          ]);
          status = 'RATE_LIMITED';
          logger.info('question over the rate limit', {
            ...fields,
            retryAfterSeconds: rate.retryAfterSeconds,
          });
          return;
        }
      }

      const deadlineMs = turnDeadlineMs(deps.turn.deadlineMs, tokenLeftMs, lambdaLeftMs);
      const owner = discordOwner(job.userId);
      const caller = { userId: owner, app: DISCORD_APP, roles: rolesOf(owner, [], deps.identity) };
      const base = { caller, channel: 'discord', conversationId } as const;
      let outcome: TurnOutcome;
      try {
        outcome = await runTurn(
          { ...deps.turn, deadlineMs },
          job.kind === 'ask'
            ? { ...base, message: job.question }
            : { ...base, confirmation: { id: job.confirmationId, confirm: job.confirm } },
        );
      } catch (error) {
        if (job.kind === 'ask' && error instanceof ConfirmationPending) {
          await post(
            deps.webhook,
            job,
            renderAnswer({
              answer: WAITING_FOR_CONFIRMATION,
              citations: [],
              confirmation: { view: error.confirmation, askerId: job.userId },
              maxMessages: deps.maxMessagesPerAnswer,
            }),
          );
          status = 'AWAITING_CONFIRMATION';
          return;
        }
        // A second click on the same confirmation (before its buttons were gone): the first one decides.
        if (
          job.kind === 'confirm' &&
          (error instanceof ConversationBusy || error instanceof ConfirmationNotFound)
        ) {
          status = 'ALREADY_DECIDED';
          logger.info('confirmation already being answered; nothing posted', fields);
          return;
        }
        throw error;
      }

      await post(
        deps.webhook,
        job,
        renderAnswer({
          answer: outcome.answer,
          citations: outcome.citations,
          ...(outcome.confirmation
            ? { confirmation: { view: outcome.confirmation, askerId: job.userId } }
            : {}),
          ...(job.kind === 'confirm'
            ? { heading: job.confirm ? '✅ **Confirmed.**' : '✖️ **Cancelled.**' }
            : {}),
          maxMessages: deps.maxMessagesPerAnswer,
        }),
      );
      status = outcome.confirmation ? 'AWAITING_CONFIRMATION' : 'ANSWERED';
      logger.info('discord turn answered', {
        ...fields,
        latencyMs: outcome.latencyMs,
        citations: outcome.citations.length,
        awaitsConfirmation: outcome.confirmation !== undefined,
      });
    } catch (error) {
      if (error instanceof DiscordApiError && error.tokenExpired) {
        status = 'TOKEN_EXPIRED';
        logger.warn('interaction token expired; the answer could not be posted', fields);
        return;
      }
      logFailure('discord turn failed', error, fields);
      try {
        await post(deps.webhook, job, [{ content: apologyFor(error, job.interactionId) }]);
      } catch (postError) {
        logger.warn('could not post the apology', {
          ...fields,
          error: postError instanceof DiscordApiError ? postError.message : 'unknown',
        });
      }
    } finally {
      if (claimed) await finish(deps.ledger, job.interactionId, status, now, fields);
    }
  };
}

async function finish(
  ledger: InteractionLedger,
  interactionId: string,
  status: Exclude<InteractionStatus, 'IN_PROGRESS'>,
  now: () => number,
  fields: Record<string, unknown>,
): Promise<void> {
  try {
    await ledger.finish(interactionId, status, now());
  } catch (error) {
    logger.warn('could not record the interaction outcome', {
      ...fields,
      status,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
