import { requireEnv } from '../kit/env';
import { modelSettingsFromEnv } from '../shared/model-env';
import type { GuardrailRef } from '../shared/text-model';

/** What the summarize Lambda is deployed with (set by `infra/constructs/tool-resources.ts`). */
export interface SummarizeSettings {
  /** CONVERSATIONS_TABLE_NAME */
  readonly conversationsTable: string;
  /** MAX_OUTPUT_TOKENS: most tokens of each model answer. */
  readonly maxOutputTokens: number;
  /** MODEL_ID */
  readonly modelId: string;
  /** GUARDRAIL_ID and GUARDRAIL_VERSION */
  readonly guardrail: GuardrailRef;
}

/** Reads the settings at cold start; a missing or malformed variable fails the start with its name. */
export function summarizeSettingsFromEnv(): SummarizeSettings {
  const raw = requireEnv('MAX_OUTPUT_TOKENS');
  const maxOutputTokens = Number(raw);
  if (!Number.isInteger(maxOutputTokens) || maxOutputTokens < 1) {
    throw new Error(`Environment variable MAX_OUTPUT_TOKENS must be a positive integer (got "${raw}").`);
  }
  return {
    conversationsTable: requireEnv('CONVERSATIONS_TABLE_NAME'),
    maxOutputTokens,
    ...modelSettingsFromEnv(),
  };
}
