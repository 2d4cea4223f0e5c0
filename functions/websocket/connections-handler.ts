import type { Context } from 'aws-lambda';
import { parseRoles } from '../../action-groups/kit/caller';
import { documentClient } from '../shared/clients';
import { intEnv, requireEnv } from '../shared/env';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { type ConnectionStore, DynamoConnectionStore } from './connection-store';
import { WebSocketEvent, type WebSocketResult } from './events';

export interface ConnectionsHandlerDeps {
  readonly store: ConnectionStore;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * `$connect`: records the connection and its caller (owner, app, roles: the authorizer's context, which only
 * the authorizer can set); `$disconnect`: removes the record. A `$connect` without an owner is refused (it
 * cannot happen behind the authorizer).
 */
export function createConnectionsHandler(deps: ConnectionsHandlerDeps) {
  return async (raw: unknown, context?: Context): Promise<WebSocketResult> => {
    if (context) logger.addContext(context);
    const parsed = WebSocketEvent.safeParse(raw);
    if (!parsed.success) {
      logger.error('not a WebSocket event', { issues: parsed.error.issues.length });
      return { statusCode: 400 };
    }
    const { requestContext } = parsed.data;
    const { connectionId } = requestContext;
    try {
      if (requestContext.eventType === 'CONNECT') {
        const context = requestContext.authorizer ?? {};
        const { owner, app, roles } = context;
        if (typeof owner !== 'string' || owner.length === 0) {
          logger.error('$connect without an owner in the authorizer context', { connectionId });
          return { statusCode: 403 };
        }
        const caller = {
          userId: owner,
          ...(typeof app === 'string' && app.length > 0 ? { app } : {}),
          roles: parseRoles(typeof roles === 'string' ? roles : undefined),
        };
        await deps.store.put({ connectionId, caller }, (deps.now ?? Date.now)());
        logger.info('connected', { connectionId });
        return { statusCode: 200 };
      }
      if (requestContext.eventType === 'DISCONNECT') {
        await deps.store.delete(connectionId);
        logger.info('disconnected', { connectionId });
        return { statusCode: 200 };
      }
      return { statusCode: 400 };
    } catch (error) {
      logger.error('connection record failed', { connectionId, error: error as Error });
      return { statusCode: 500 };
    }
  };
}

export function connectionsDepsFromEnv(): ConnectionsHandlerDeps {
  return {
    store: new DynamoConnectionStore(
      documentClient(),
      requireEnv('CONNECTIONS_TABLE_NAME'),
      intEnv('CONNECTION_TTL_HOURS'),
    ),
  };
}

const live = once(() => createConnectionsHandler(connectionsDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
