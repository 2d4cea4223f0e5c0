import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type IdentitySettings, identitySettingsFromEnv, restCaller } from '../shared/caller';
import { documentClient } from '../shared/clients';
import {
  type ConversationLister,
  conversationListQuery,
  DynamoConversationLister,
} from '../shared/conversation-list';
import { listEnv, requireEnv } from '../shared/env';
import { errorResponse, jsonResponse } from '../shared/http';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { parseOrInvalid } from '../shared/requests';

export interface ListConversationsHandlerDeps {
  readonly lister: ConversationLister;
  readonly identity: IdentitySettings;
  readonly allowedOrigins: readonly string[];
}

/**
 * GET /conversations[?userId=…][&limit=…][&nextToken=…] → `{conversations: [{conversationId, title,
 * updatedAt}], nextToken?}`, newest first: the caller's own conversations only (the owner comes from the API
 * key or the Cognito token, exactly as for GET /conversations/{id}).
 */
export function createListConversationsHandler(deps: ListConversationsHandlerDeps) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    try {
      const params = parseOrInvalid(conversationListQuery, event.queryStringParameters ?? {});
      const { userId: owner } = restCaller(event, deps.identity, params.userId);
      const list = await deps.lister.list(owner, {
        ...(params.nextToken ? { nextToken: params.nextToken } : {}),
        ...(params.limit ? { limit: Number(params.limit) } : {}),
      });
      return jsonResponse(200, list, event, deps.allowedOrigins);
    } catch (error) {
      logFailure('conversation list failed', error);
      return errorResponse(error, event, deps.allowedOrigins);
    }
  };
}

export function listConversationsDepsFromEnv(): ListConversationsHandlerDeps {
  return {
    lister: new DynamoConversationLister(
      documentClient(),
      requireEnv('CONVERSATIONS_TABLE_NAME'),
      requireEnv('CONVERSATIONS_USER_INDEX'),
    ),
    identity: identitySettingsFromEnv(),
    allowedOrigins: listEnv('ALLOWED_ORIGINS'),
  };
}

const live = once(() => createListConversationsHandler(listConversationsDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: APIGatewayProxyEvent, context?: Context) => live()(event, context);
