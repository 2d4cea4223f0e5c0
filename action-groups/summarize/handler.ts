import { bedrockRuntimeClient, documentClient } from '../shared/clients';
import { ConverseTextModel } from '../shared/text-model';
import { toolCallLog } from '../shared/tool-call-log';
import { DynamoConversationStore } from './conversation-store';
import { needs } from './needs';
import { createSummarizeTool } from './tool';

// Cold start: the whole environment (`needs.ts`) read at once, a missing or malformed variable fails the start
// naming every one; clients once per container.
const env = needs.env.read();
const documents = documentClient();

/** Lambda entry of the summarize action group (summarizeConversation, summarizeText). */
export const handler = createSummarizeTool(
  {
    store: new DynamoConversationStore(documents, env.conversationsTable),
    model: new ConverseTextModel(bedrockRuntimeClient(), env.modelId, {
      id: env.guardrailId,
      version: env.guardrailVersion,
    }),
    maxOutputTokens: env.maxOutputTokens,
  },
  { recorder: toolCallLog(env.toolLogsTable, documents) },
);
