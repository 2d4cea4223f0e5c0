import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { VECTOR_STORE_ENV, VECTOR_STORES } from '../../client/vector-stores';
import { BedrockKnowledgeSearch } from '../search/search';
import { choiceEnv, requireEnv } from '../shared/env';
import { once } from '../shared/once';
import { logger, tracer } from '../shared/powertools';
import { answerKnowledgeCall } from './knowledge-tool';

/**
 * The `kb___search` gateway target. Environment: KNOWLEDGE_BASE_ID, KNOWLEDGE_BASE_VECTOR_STORE (retries while
 * an Aurora store resumes), and GUARDRAIL_ID / GUARDRAIL_VERSION (the
 * guardrail applied to the query and the passages, as on /search). Its role may only Retrieve from this one
 * knowledge base.
 */
const search = once(() => {
  const guardrailId = process.env.GUARDRAIL_ID;
  const guardrailVersion = process.env.GUARDRAIL_VERSION;
  return new BedrockKnowledgeSearch(tracer.captureAWSv3Client(new BedrockAgentRuntimeClient({})), {
    knowledgeBaseId: requireEnv('KNOWLEDGE_BASE_ID'),
    vectorStore: choiceEnv(VECTOR_STORE_ENV, VECTOR_STORES),
    ...(guardrailId && guardrailVersion ? { guardrail: { guardrailId, guardrailVersion } } : {}),
  });
});

export const handler = async (args: unknown) => {
  const result = await answerKnowledgeCall(search(), args, (error) =>
    logger.warn('knowledge search failed', { error: (error as { name?: string }).name ?? 'Unknown' }),
  );
  logger.info('knowledge search', { isError: result.isError });
  return result;
};
