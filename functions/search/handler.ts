import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { VECTOR_STORE_ENV, VECTOR_STORES } from '../../client/vector-stores';
import { choiceEnv, intEnv, listEnv, requireEnv } from '../shared/env';
import { errorResponse, jsonResponse, parseJsonBody } from '../shared/http';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger, tracer } from '../shared/powertools';
import { parseOrInvalid, searchRequest } from '../shared/requests';
import { BedrockKnowledgeSearch, type KnowledgeSearch, SEARCH_TYPES } from './search';

/** Results when the request names no `top`. */
export const DEFAULT_TOP = 5;

/** Time kept back from the Lambda's deadline for the response, when retrying a busy or resuming store. */
const RESPONSE_MARGIN_MS = 1500;

export interface SearchHandlerDeps {
  readonly search: KnowledgeSearch;
  readonly maxQueryChars: number;
  readonly maxResults: number;
  readonly allowedOrigins: readonly string[];
}

/** The /search body: the shared search request plus `searchType` (what the store can do is checked later). */
export const searchBody = (limits: { maxQueryChars: number; maxResults: number }) =>
  z.extend(searchRequest(limits), {
    searchType: z.optional(z.enum(SEARCH_TYPES, { error: 'must be SEMANTIC or HYBRID' })),
  });

/** POST /search `{query, top?, filter?, searchType?}` → `{query, results: [{rank, score, text, uri, …}]}`, best first. */
export function createSearchHandler(deps: SearchHandlerDeps) {
  const schema = searchBody({ maxQueryChars: deps.maxQueryChars, maxResults: deps.maxResults });
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    try {
      const body = parseOrInvalid(schema, parseJsonBody(event));
      const top = Math.min(body.top ?? DEFAULT_TOP, deps.maxResults);
      const result = await deps.search.search({
        query: body.query,
        top,
        ...(body.filter ? { filter: body.filter } : {}),
        ...(body.searchType ? { searchType: body.searchType } : {}),
        ...(context
          ? { budgetMs: Math.max(context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS, 0) }
          : {}),
      });
      logger.info('search answered', {
        results: result.results.length,
        top,
        filtered: body.filter !== undefined,
        searchType: body.searchType ?? 'default',
      });
      return jsonResponse(200, { query: body.query, ...result }, event, deps.allowedOrigins);
    } catch (error) {
      logFailure('search failed', error);
      return errorResponse(error, event, deps.allowedOrigins);
    }
  };
}

export function searchDepsFromEnv(): SearchHandlerDeps {
  const guardrailId = process.env.GUARDRAIL_ID;
  const guardrailVersion = process.env.GUARDRAIL_VERSION;
  return {
    search: new BedrockKnowledgeSearch(tracer.captureAWSv3Client(new BedrockAgentRuntimeClient({})), {
      knowledgeBaseId: requireEnv('KNOWLEDGE_BASE_ID'),
      vectorStore: choiceEnv(VECTOR_STORE_ENV, VECTOR_STORES),
      ...(guardrailId && guardrailVersion ? { guardrail: { guardrailId, guardrailVersion } } : {}),
    }),
    maxQueryChars: intEnv('MAX_QUERY_CHARS'),
    maxResults: intEnv('MAX_SEARCH_RESULTS'),
    allowedOrigins: listEnv('ALLOWED_ORIGINS'),
  };
}

const live = once(() => createSearchHandler(searchDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: APIGatewayProxyEvent, context?: Context) => live()(event, context);
