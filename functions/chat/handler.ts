import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type IdentitySettings, identitySettingsFromEnv, restCaller } from '../shared/caller';
import { intEnv, listEnv } from '../shared/env';
import { errorResponse, jsonResponse, parseJsonBody } from '../shared/http';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { chatInputOf, chatRequest, parseOrInvalid } from '../shared/requests';
import { runTurn, type TurnDeps } from '../shared/turn';
import { turnDepsFromEnv } from '../shared/turn-env';

export interface ChatHandlerDeps extends TurnDeps {
  readonly identity: IdentitySettings;
  readonly maxMessageChars: number;
  readonly allowedOrigins: readonly string[];
  /** Named in the 504 reply, for turns too long for REST. */
  readonly websocketUrl?: string;
}

/**
 * POST /chat `{message, conversationId?, userId?}` → `{answer, citations, conversationId}`, or, when the agent
 * asks the user to confirm a tool call first (`CHAT_CONFIRMATIONS=ask`), `{answer, citations, conversationId,
 * confirmation: {id, tool, operation, inputs, prompt, expiresAt}}`. The caller answers with
 * `{conversationId, confirmation: {id, confirm}}` and gets the same two shapes back.
 *
 * The turn runs with a deadline below API Gateway's 29 s integration timeout, so a slow agent gets this
 * function's own 504 JSON naming the WebSocket API, never a bare gateway timeout. Nothing is stored unless
 * the answer is complete.
 */
export function createChatHandler(deps: ChatHandlerDeps) {
  const schema = chatRequest(deps.maxMessageChars);
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    try {
      const body = parseOrInvalid(schema, parseJsonBody(event));
      // `userId` is the app's own user id (API-key mode); with Cognito the token decides alone.
      const caller = restCaller(event, deps.identity, body.userId);
      const outcome = await runTurn(deps, { caller, channel: 'rest', ...chatInputOf(body) });
      logger.info(outcome.confirmation ? 'chat turn awaits a confirmation' : 'chat turn answered', {
        conversationId: outcome.conversationId,
        latencyMs: outcome.latencyMs,
        citations: outcome.citations.length,
        toolCalls: outcome.toolCalls.length,
        ...(body.confirmation ? { answered: body.confirmation.confirm ? 'CONFIRM' : 'DENY' } : {}),
      });
      return jsonResponse(
        200,
        {
          answer: outcome.answer,
          citations: outcome.citations,
          conversationId: outcome.conversationId,
          ...(outcome.confirmation ? { confirmation: outcome.confirmation } : {}),
        },
        event,
        deps.allowedOrigins,
      );
    } catch (error) {
      logFailure('chat turn failed', error);
      return errorResponse(error, event, deps.allowedOrigins, {
        ...(deps.websocketUrl ? { websocketUrl: deps.websocketUrl } : {}),
      });
    }
  };
}

/** The deployed dependencies, from the environment the ChatApi construct sets. */
export function chatDepsFromEnv(): ChatHandlerDeps {
  return {
    ...turnDepsFromEnv(),
    identity: identitySettingsFromEnv(),
    maxMessageChars: intEnv('MAX_MESSAGE_CHARS'),
    allowedOrigins: listEnv('ALLOWED_ORIGINS'),
    ...(process.env.WEBSOCKET_URL ? { websocketUrl: process.env.WEBSOCKET_URL } : {}),
  };
}

const live = once(() => createChatHandler(chatDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: APIGatewayProxyEvent, context?: Context) => live()(event, context);
