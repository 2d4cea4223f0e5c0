import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { newSessionId } from '../../client';
import { documentClient } from '../shared/clients';
import { intEnv, requireEnv } from '../shared/env';
import { InvalidRequest, TurnNotStarted, toErrorReply, Unauthenticated } from '../shared/errors';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { chatInputOf, parseOrInvalid, socketMessage } from '../shared/requests';
import { LambdaTurnDispatcher } from './aws-adapters';
import { type ConnectionStore, DynamoConnectionStore } from './connection-store';
import { managementEndpoint, type ServerFrame, WebSocketEvent, type WebSocketResult } from './events';
import { TURN_JOB_TYPE, type TurnDispatcher } from './turn-job';

export interface MessageHandlerDeps {
  readonly connections: ConnectionStore;
  readonly dispatcher: TurnDispatcher;
  readonly maxMessageChars: number;
  /** @default a UUID */
  readonly newConversationId?: () => string;
  /** @default Date.now */
  readonly now?: () => number;
}

const frame = (statusCode: number, body: ServerFrame): WebSocketResult => ({
  statusCode,
  body: JSON.stringify(body),
});

const errorFrame = (error: unknown): WebSocketResult => {
  const reply = toErrorReply(error);
  return frame(reply.status, { type: 'error', status: reply.status, ...reply.body });
};

function parseBody(event: WebSocketEvent): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequest(['body: is not valid JSON; send {"action":"sendMessage","message":"…"}']);
  }
}

/**
 * The `sendMessage` (and `$default`) route: validates the frame (`message`, or `confirmation` answering a
 * pending tool confirmation of `conversationId`), looks up the connection's caller, picks the conversation id
 * and hands the turn to the worker asynchronously, stamped with the time it was accepted and the turn's
 * claim id. Its return value is the route response the client receives at once: `{type:'accepted',
 * conversationId}` or `{type:'error',status,error,details?}`; when the hand-off itself fails (Lambda throttles
 * the invoke), a 503 `retryable` error frame, so an accepted turn is never lost silently. Whether a
 * confirmation id is known is checked by the worker (it owns the Agent State access), which answers an
 * unknown or expired one with a 404 error frame.
 */
export function createMessageHandler(deps: MessageHandlerDeps) {
  const schema = socketMessage(deps.maxMessageChars);
  return async (raw: unknown, context?: Context): Promise<WebSocketResult> => {
    if (context) logger.addContext(context);
    const parsed = WebSocketEvent.safeParse(raw);
    if (!parsed.success) {
      logger.error('not a WebSocket event', { issues: parsed.error.issues.length });
      return frame(400, { type: 'error', status: 400, error: 'Not a WebSocket message' });
    }
    const event = parsed.data;
    const { connectionId, requestId } = event.requestContext;
    try {
      const body = parseBody(event);
      const action = (body as { action?: unknown } | null)?.action;
      if (action !== 'sendMessage') {
        throw new InvalidRequest([
          `action: unknown action ${JSON.stringify(action ?? null)}; send {"action":"sendMessage","message":"…","conversationId"?:"…"} or {"action":"sendMessage","conversationId":"…","confirmation":{"id":"…","confirm":true|false}}`,
        ]);
      }
      const input = chatInputOf(parseOrInvalid(schema, body));
      const connection = await deps.connections.get(connectionId);
      if (!connection) throw new Unauthenticated();
      const conversationId = input.conversationId ?? (deps.newConversationId ?? newSessionId)();
      const { caller } = connection;
      try {
        await deps.dispatcher.dispatch({
          type: TURN_JOB_TYPE,
          connectionId,
          endpoint: managementEndpoint(event),
          owner: caller.userId,
          ...(caller.app ? { app: caller.app } : {}),
          ...(caller.roles.length > 0 ? { roles: [...caller.roles] } : {}),
          conversationId,
          ...('confirmation' in input ? { confirmation: input.confirmation } : { message: input.message }),
          ...(requestId ? { requestId } : {}),
          acceptedAt: (deps.now ?? Date.now)(),
          turnId: randomUUID(),
        });
      } catch (error) {
        throw new TurnNotStarted('dispatch-failed', { cause: error });
      }
      logger.info('turn accepted', {
        connectionId,
        conversationId,
        kind: 'confirmation' in input ? 'confirmation' : 'message',
      });
      return frame(200, { type: 'accepted', conversationId, ...(requestId ? { requestId } : {}) });
    } catch (error) {
      logFailure('sendMessage rejected', error, { connectionId });
      return errorFrame(error);
    }
  };
}

export function messageDepsFromEnv(): MessageHandlerDeps {
  return {
    connections: new DynamoConnectionStore(documentClient(), requireEnv('CONNECTIONS_TABLE_NAME')),
    dispatcher: new LambdaTurnDispatcher(requireEnv('TURN_FUNCTION_NAME')),
    maxMessageChars: intEnv('MAX_MESSAGE_CHARS'),
  };
}

const live = once(() => createMessageHandler(messageDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
