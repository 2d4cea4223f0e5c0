import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { DynamoAgentStateStore, type TurnStatusReader } from '../shared/agent-state-store';
import { documentClient } from '../shared/clients';
import { intEnv, requireEnv } from '../shared/env';
import { TurnInterrupted, TurnNotStarted, toErrorReply } from '../shared/errors';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { ManagementApiPoster } from './aws-adapters';
import { type ConnectionPoster, TurnJob } from './turn-job';

/**
 * What Lambda sends an on-failure destination for an asynchronous invocation it gave up on
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
const InvocationRecord = z.object({
  requestContext: z.object({ condition: z.string(), approximateInvokeCount: z.optional(z.number()) }),
  requestPayload: z.unknown(),
});

export interface TurnFailureDeps {
  readonly poster: ConnectionPoster;
  readonly agentState: TurnStatusReader;
}

/** Statuses of a turn that stored its messages (the client can read them with GET /conversations/{id}). */
const STORED = new Set(['COMPLETED', 'AWAITING_CONFIRMATION']);

/**
 * The on-failure destination of the WebSocket turn worker's asynchronous invocations: Lambda gave up on a
 * turn event (it waited past the maximum event age while the worker was throttled or at its concurrency cap,
 * or the worker crashed). The client of that turn gets a retryable error frame instead of silence; nothing
 * runs late, because Lambda never delivers the event again. A turn that did complete (its claim in Agent
 * State shows it stored) is left alone: a stored turn is never reported as failed.
 */
export function createTurnFailureHandler(deps: TurnFailureDeps) {
  return async (raw: unknown, context?: Context): Promise<void> => {
    if (context) logger.addContext(context);
    const record = InvocationRecord.safeParse(raw);
    const job = record.success ? TurnJob.safeParse(record.data.requestPayload) : undefined;
    if (!record.success || !job?.success) {
      logger.error('not a failed turn invocation record');
      return;
    }
    const turn = job.data;
    const condition = record.data.requestContext.condition;
    if (turn.turnId) {
      const last = await deps.agentState.turnOf(turn.conversationId);
      if (last?.token === turn.turnId && last.status !== undefined && STORED.has(last.status)) {
        logger.info('failed invocation of a turn that was stored; nothing to tell', { condition });
        return;
      }
    }
    logger.warn('turn event given up by Lambda; the client is told to retry', {
      conversationId: turn.conversationId,
      condition,
    });
    // EventAgeExceeded: the worker never got the event (throttled, concurrency full). Otherwise the worker ran
    // and failed (timeout, crash) before storing anything.
    const reply = toErrorReply(
      condition === 'EventAgeExceeded' ? new TurnNotStarted('dropped') : new TurnInterrupted(),
    );
    const sent = await deps.poster.post(turn.endpoint, turn.connectionId, {
      type: 'error',
      status: reply.status,
      ...reply.body,
      conversationId: turn.conversationId,
    });
    if (sent === 'gone') logger.info('the client of the dropped turn is gone', { condition });
  };
}

export function turnFailureDepsFromEnv(): TurnFailureDeps {
  return {
    poster: new ManagementApiPoster(),
    agentState: new DynamoAgentStateStore(
      documentClient(),
      requireEnv('AGENT_STATE_TABLE_NAME'),
      intEnv('CONVERSATION_TTL_DAYS'),
    ),
  };
}

const live = once(() => createTurnFailureHandler(turnFailureDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
