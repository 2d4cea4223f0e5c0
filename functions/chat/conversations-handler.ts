import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type IdentitySettings, identitySettingsFromEnv, restCaller } from '../shared/caller';
import { documentClient } from '../shared/clients';
import { type ConversationReader, DynamoConversationReader } from '../shared/conversation-store';
import { intEnv, listEnv, requireEnv } from '../shared/env';
import { errorResponse, jsonResponse } from '../shared/http';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { conversationQuery, parseOrInvalid } from '../shared/requests';

export interface ConversationsHandlerDeps {
  readonly reader: ConversationReader;
  readonly identity: IdentitySettings;
  readonly allowedOrigins: readonly string[];
}

/**
 * GET /conversations/{conversationId}[?userId=…][&nextToken=…] → `{conversationId, messages, nextToken?}`,
 * oldest first, for the conversation's owner only (404 for anyone else: existence is not revealed).
 */
export function createConversationsHandler(deps: ConversationsHandlerDeps) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    try {
      const params = parseOrInvalid(conversationQuery, {
        conversationId: event.pathParameters?.conversationId,
        ...(event.queryStringParameters ?? {}),
      });
      const { userId: owner } = restCaller(event, deps.identity, params.userId);
      const page = await deps.reader.read(params.conversationId, owner, {
        ...(params.nextToken ? { nextToken: params.nextToken } : {}),
      });
      return jsonResponse(200, page, event, deps.allowedOrigins);
    } catch (error) {
      logFailure('conversation read failed', error);
      return errorResponse(error, event, deps.allowedOrigins);
    }
  };
}

export function conversationsDepsFromEnv(): ConversationsHandlerDeps {
  return {
    reader: new DynamoConversationReader(
      documentClient(),
      requireEnv('CONVERSATIONS_TABLE_NAME'),
      intEnv('PAGE_SIZE'),
    ),
    identity: identitySettingsFromEnv(),
    allowedOrigins: listEnv('ALLOWED_ORIGINS'),
  };
}

const live = once(() => createConversationsHandler(conversationsDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: APIGatewayProxyEvent, context?: Context) => live()(event, context);
