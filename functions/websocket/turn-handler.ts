import type { Context } from 'aws-lambda';
import { intEnv } from '../shared/env';
import { TurnNotStarted, toErrorReply } from '../shared/errors';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { ListenerFailed, runTurn, type TurnDeps, type TurnOutcome } from '../shared/turn';
import { turnDepsFromEnv } from '../shared/turn-env';
import { ManagementApiPoster } from './aws-adapters';
import type { ServerFrame } from './events';
import { chunkFrames, finalFrames } from './frames';
import { type ConnectionPoster, TurnJob } from './turn-job';

export interface TurnHandlerDeps extends TurnDeps {
  readonly poster: ConnectionPoster;
  /**
   * A job accepted longer ago than this does not run (the client is told to retry): the worker was
   * throttled or at its concurrency cap. @default 30_000
   */
  readonly maxStartDelayMs?: number;
}

/** The client disconnected: the turn stops (nothing is stored) and nothing more is posted. */
export class ConnectionGone extends Error {
  constructor(readonly connectionId: string) {
    super(`Connection ${connectionId} is gone`);
    this.name = 'ConnectionGone';
  }
}

export const DEFAULT_MAX_START_DELAY_MS = 30_000;

/**
 * The WebSocket turn worker (invoked asynchronously by the `sendMessage` ingress): runs the turn (a message or
 * the answer to a pending confirmation) and posts `{type:'chunk',seq,text}` frames in order as the agent
 * streams, then the final frames (`frames.ts`: every frame within API Gateway's 128 KB), or
 * `{type:'confirmation',…}` when the agent waits for the user to confirm a tool call. A turn that fails posts
 * one `{type:'error',status,error}` frame (429 for a throttle, 404 for a conversation of someone else or an
 * unknown or expired confirmation, 504 past the deadline). A job that waited too long to start runs nothing
 * and posts a retryable 503. Once the turn is stored, nothing is ever reported as failed: a frame that cannot
 * be delivered is logged, and the client can read the turn with GET /conversations/{id}. It never throws: a
 * retry would answer twice.
 */
export function createTurnHandler(deps: TurnHandlerDeps) {
  const now = deps.now ?? Date.now;
  const maxStartDelayMs = deps.maxStartDelayMs ?? DEFAULT_MAX_START_DELAY_MS;
  return async (raw: unknown, context?: Context): Promise<void> => {
    if (context) logger.addContext(context);
    const parsed = TurnJob.safeParse(raw);
    if (!parsed.success) {
      logger.error('not a turn job', { issues: parsed.error.issues.length });
      return;
    }
    const job = parsed.data;
    const post = (frame: ServerFrame) => deps.poster.post(job.endpoint, job.connectionId, frame);
    const postError = async (error: unknown): Promise<void> => {
      const reply = toErrorReply(error);
      try {
        await post({
          type: 'error',
          status: reply.status,
          ...reply.body,
          conversationId: job.conversationId,
        });
      } catch (postError) {
        logger.warn('could not post the error frame', { error: (postError as Error).name });
      }
    };

    if (job.acceptedAt !== undefined && now() - job.acceptedAt > maxStartDelayMs) {
      logger.warn('turn waited too long to start; the client is told to retry', {
        conversationId: job.conversationId,
        waitedMs: now() - job.acceptedAt,
      });
      await postError(new TurnNotStarted('too-old'));
      return;
    }

    let seq = 0;
    const base = {
      caller: { userId: job.owner, ...(job.app ? { app: job.app } : {}), roles: job.roles ?? [] },
      conversationId: job.conversationId,
      channel: 'websocket',
      ...(job.turnId ? { turnId: job.turnId } : {}),
    } as const;
    let outcome: TurnOutcome;
    try {
      outcome = await runTurn(
        deps,
        'confirmation' in job
          ? { ...base, confirmation: job.confirmation }
          : { ...base, message: job.message },
        {
          onText: async (text) => {
            for (const frame of chunkFrames(job.conversationId, seq, text)) {
              seq++;
              if ((await post(frame)) === 'gone') throw new ConnectionGone(job.connectionId);
            }
          },
        },
      );
    } catch (error) {
      if (error instanceof ListenerFailed && error.cause instanceof ConnectionGone) {
        logger.info('client disconnected during the turn', { conversationId: job.conversationId });
        return;
      }
      logFailure('websocket turn failed', error, { conversationId: job.conversationId });
      await postError(error);
      return;
    }

    // The turn is stored: from here on nothing is reported as failed.
    const frames: ServerFrame[] = outcome.confirmation
      ? [{ type: 'confirmation', conversationId: outcome.conversationId, ...outcome.confirmation }]
      : finalFrames(outcome.conversationId, outcome.answer, outcome.citations);
    try {
      for (const frame of frames) if ((await post(frame)) === 'gone') break;
    } catch (error) {
      logger.warn('could not deliver the last frames; the turn is stored', {
        conversationId: outcome.conversationId,
        error: (error as Error).name,
      });
    }
    logger.info(outcome.confirmation ? 'websocket turn awaits a confirmation' : 'websocket turn answered', {
      conversationId: outcome.conversationId,
      latencyMs: outcome.latencyMs,
      chunks: seq,
      frames: frames.length,
    });
  };
}

export function workerDepsFromEnv(): TurnHandlerDeps {
  return {
    ...turnDepsFromEnv(),
    poster: new ManagementApiPoster(),
    maxStartDelayMs: intEnv('TURN_MAX_START_DELAY_SECONDS') * 1000,
  };
}

const live = once(() => createTurnHandler(workerDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
