import type { Context } from 'aws-lambda';
import { toErrorReply } from '../shared/errors';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { ListenerFailed, runTurn, type TurnDeps } from '../shared/turn';
import { turnDepsFromEnv } from '../shared/turn-env';
import { ManagementApiPoster } from './aws-adapters';
import type { ServerFrame } from './events';
import { type ConnectionPoster, TurnJob } from './turn-job';

export interface TurnHandlerDeps extends TurnDeps {
  readonly poster: ConnectionPoster;
}

/** The client disconnected: the turn stops (nothing is stored) and nothing more is posted. */
export class ConnectionGone extends Error {
  constructor(readonly connectionId: string) {
    super(`Connection ${connectionId} is gone`);
    this.name = 'ConnectionGone';
  }
}

/**
 * The WebSocket turn worker (invoked asynchronously by the `sendMessage` ingress): runs the turn (a message or
 * the answer to a pending confirmation) and posts `{type:'chunk',seq,text}` frames in order as the agent
 * streams, then `{type:'final',answer,citations,conversationId}`, or `{type:'confirmation',id,tool,operation,
 * inputs,prompt,expiresAt,conversationId}` when the agent waits for the user to confirm a tool call; a failure
 * posts one `{type:'error',status,error}` frame (429 for a throttle, 404 for a conversation of someone else or
 * an unknown or expired confirmation, 504 past the deadline). It never throws: a retry would answer twice.
 */
export function createTurnHandler(deps: TurnHandlerDeps) {
  return async (raw: unknown, context?: Context): Promise<void> => {
    if (context) logger.addContext(context);
    const parsed = TurnJob.safeParse(raw);
    if (!parsed.success) {
      logger.error('not a turn job', { issues: parsed.error.issues.length });
      return;
    }
    const job = parsed.data;
    const post = (frame: ServerFrame) => deps.poster.post(job.endpoint, job.connectionId, frame);
    let seq = 0;
    const base = { owner: job.owner, conversationId: job.conversationId, channel: 'websocket' } as const;
    try {
      const outcome = await runTurn(
        deps,
        'confirmation' in job
          ? { ...base, confirmation: job.confirmation }
          : { ...base, message: job.message },
        {
          onText: async (text) => {
            const sent = await post({ type: 'chunk', conversationId: job.conversationId, seq: seq++, text });
            if (sent === 'gone') throw new ConnectionGone(job.connectionId);
          },
        },
      );
      await post(
        outcome.confirmation
          ? { type: 'confirmation', conversationId: outcome.conversationId, ...outcome.confirmation }
          : {
              type: 'final',
              conversationId: outcome.conversationId,
              answer: outcome.answer,
              citations: outcome.citations,
            },
      );
      logger.info(outcome.confirmation ? 'websocket turn awaits a confirmation' : 'websocket turn answered', {
        conversationId: outcome.conversationId,
        latencyMs: outcome.latencyMs,
        chunks: seq,
      });
    } catch (error) {
      if (error instanceof ListenerFailed && error.cause instanceof ConnectionGone) {
        logger.info('client disconnected during the turn', { conversationId: job.conversationId });
        return;
      }
      logFailure('websocket turn failed', error, { conversationId: job.conversationId });
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
    }
  };
}

export function workerDepsFromEnv(): TurnHandlerDeps {
  return {
    // The deadline plus the margin the config keeps before the function timeout.
    ...turnDepsFromEnv((deadlineMs) => deadlineMs + 5_000),
    poster: new ManagementApiPoster(),
  };
}

const live = once(() => createTurnHandler(workerDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
