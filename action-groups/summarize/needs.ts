import { int } from '../../contracts/env';
import { modelVars, settingVar, tableVar, toolNeeds } from '../../contracts/tool-needs';

/**
 * What the summarize tool needs: the Conversations table (Query on one conversation's key, no index), its
 * answer budget and the model it writes with (`tools.summarize` in the stage config), with the guardrail; a
 * longer timeout than the stage default, and a concurrency cap where the stage reserves one.
 */
export const needs = toolNeeds({
  settings: 'summarize',
  // Map-reduce summaries make several model calls per request; each call costs tokens, hence the cap.
  lambda: { timeoutSeconds: 180, reservedConcurrency: 10 },
  variables: {
    conversationsTable: tableVar('CONVERSATIONS_TABLE_NAME', 'conversations', ['dynamodb:Query']),
    /** Most tokens of each model answer. */
    maxOutputTokens: settingVar(
      int('MAX_OUTPUT_TOKENS', {
        problem: (raw) => `Environment variable MAX_OUTPUT_TOKENS must be a positive integer (got "${raw}").`,
      }),
      'maxOutputTokens',
    ),
    ...modelVars('model'),
  },
});
