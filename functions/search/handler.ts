import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { intEnv, listEnv, requireEnv } from '../shared/env';
import { errorResponse, jsonResponse, parseJsonBody } from '../shared/http';
import { logFailure } from '../shared/log';
import { once } from '../shared/once';
import { logger, tracer } from '../shared/powertools';
import { parseOrInvalid, searchRequest } from '../shared/requests';
import { BedrockKnowledgeSearch, type KnowledgeSearch } from './search';

/** Results when the request names no `top`. */
export const DEFAULT_TOP = 5;

export interface SearchHandlerDeps {
  readonly search: KnowledgeSearch;
  readonly maxQueryChars: number;
  readonly maxResults: number;
  readonly allowedOrigins: readonly string[];
}

/** POST /search `{query, top?, filter?}` → `{query, results: [{rank, score, text, uri, …}]}`, best first. */
export function createSearchHandler(deps: SearchHandlerDeps) {
  const schema = searchRequest({ maxQueryChars: deps.maxQueryChars, maxResults: deps.maxResults });
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    try {
      const body = parseOrInvalid(schema, parseJsonBody(event));
      const top = Math.min(body.top ?? DEFAULT_TOP, deps.maxResults);
      const result = await deps.search.search({
        query: body.query,
        top,
        ...(body.filter ? { filter: body.filter } : {}),
      });
      logger.info('search answered', {
        results: result.results.length,
        top,
        filtered: body.filter !== undefined,
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
