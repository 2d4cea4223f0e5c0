import { requireEnv } from '../kit/env';
import type { GuardrailRef } from './text-model';

/** The model and guardrail a tool Lambda was deployed with (MODEL_ID, GUARDRAIL_ID, GUARDRAIL_VERSION). */
export function modelSettingsFromEnv(): { modelId: string; guardrail: GuardrailRef } {
  return {
    modelId: requireEnv('MODEL_ID'),
    guardrail: { id: requireEnv('GUARDRAIL_ID'), version: requireEnv('GUARDRAIL_VERSION') },
  };
}
