import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { bedrockGuardrail } from '../../client/guardrail';
import { requireEnv } from '../shared/env';
import { once } from '../shared/once';
import { logger, tracer } from '../shared/powertools';
import { decide, type HookDecision } from './hook';

/** Environment: GUARDRAIL_ID, GUARDRAIL_VERSION (the numbered version the Classic agent would use). */
const check = once(() =>
  bedrockGuardrail(tracer.captureAWSv3Client(new BedrockRuntimeClient({})), {
    guardrailId: requireEnv('GUARDRAIL_ID'),
    guardrailVersion: requireEnv('GUARDRAIL_VERSION'),
  }),
);

/** The harness `beforeInvocation` Lambda hook: the guardrail on the user's input. */
export const handler = async (event: unknown): Promise<HookDecision> => {
  const decision = await decide(event, check(), (error) =>
    logger.error('input guardrail check failed; denied', { error }),
  );
  // Never the text: only whether it passed.
  logger.info('input guardrail', { decision: decision.decision });
  return decision;
};
