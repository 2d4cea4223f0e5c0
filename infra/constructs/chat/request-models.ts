import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { ChatApiConfig } from '../../config/chat-config';
import { CONFIRMATION_ID_PATTERN, CONVERSATION_ID_PATTERN, USER_ID_PATTERN } from './request-contract';

/**
 * POST /chat: a message, or the answer to a tool confirmation of a named conversation: exactly one of the
 * two (draft-4 `oneOf`, which request validation evaluates; a body with both matches both and fails).
 */
export function chatRequestModel(api: apigw.RestApi, limits: ChatApiConfig['limits']): apigw.Model {
  return api.addModel('ChatRequest', {
    contentType: 'application/json',
    description: 'POST /chat body: {message} or {conversationId, confirmation}',
    schema: {
      schema: apigw.JsonSchemaVersion.DRAFT4,
      title: 'ChatRequest',
      type: apigw.JsonSchemaType.OBJECT,
      additionalProperties: false,
      properties: {
        message: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: limits.maxMessageChars },
        conversationId: { type: apigw.JsonSchemaType.STRING, pattern: CONVERSATION_ID_PATTERN },
        userId: { type: apigw.JsonSchemaType.STRING, pattern: USER_ID_PATTERN },
        confirmation: {
          type: apigw.JsonSchemaType.OBJECT,
          required: ['id', 'confirm'],
          additionalProperties: false,
          properties: {
            id: { type: apigw.JsonSchemaType.STRING, pattern: CONFIRMATION_ID_PATTERN },
            confirm: { type: apigw.JsonSchemaType.BOOLEAN },
          },
        },
      },
      oneOf: [{ required: ['message'] }, { required: ['confirmation', 'conversationId'] }],
    },
  });
}

/** POST /search: a query, an optional result count and filter. */
export function searchRequestModel(api: apigw.RestApi, limits: ChatApiConfig['limits']): apigw.Model {
  return api.addModel('SearchRequest', {
    contentType: 'application/json',
    description: 'POST /search body',
    schema: {
      schema: apigw.JsonSchemaVersion.DRAFT4,
      title: 'SearchRequest',
      type: apigw.JsonSchemaType.OBJECT,
      required: ['query'],
      additionalProperties: false,
      properties: {
        query: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: limits.maxQueryChars },
        top: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: limits.maxSearchResults },
        // The filter grammar is recursive (andAll/orAll); the Lambda validates it in full.
        filter: { type: apigw.JsonSchemaType.OBJECT },
        // HYBRID on a store without a text index is answered by the Lambda with a clear 400.
        searchType: { type: apigw.JsonSchemaType.STRING, enum: ['SEMANTIC', 'HYBRID'] },
      },
    },
  });
}
