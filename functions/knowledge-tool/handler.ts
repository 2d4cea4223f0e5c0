import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { KNOWLEDGE_TOOL_ENV } from '../../contracts/function-env';
import { knowledgeSearchOf } from '../search/search';
import { once } from '../shared/once';
import { logger, tracer } from '../shared/powertools';
import { answerKnowledgeCall } from './knowledge-tool';

/**
 * The `kb___search` gateway target. Environment: KNOWLEDGE_BASE_ID, KNOWLEDGE_BASE_VECTOR_STORE (retries while
 * an Aurora store resumes), and GUARDRAIL_ID / GUARDRAIL_VERSION (the
 * guardrail applied to the query and the passages, as on /search). Its role may only Retrieve from this one
 * knowledge base.
 */
const search = once(() =>
  knowledgeSearchOf(KNOWLEDGE_TOOL_ENV.read(), tracer.captureAWSv3Client(new BedrockAgentRuntimeClient({}))),
);

export const handler = async (args: unknown) => {
  const result = await answerKnowledgeCall(search(), args, (error) =>
    logger.warn('knowledge search failed', { error: (error as { name?: string }).name ?? 'Unknown' }),
  );
  logger.info('knowledge search', { isError: result.isError });
  return result;
};
