import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../kit/powertools';
import { ConverseTextModel } from '../shared/text-model';
import { toolCallLogFromEnv } from '../shared/tool-call-log';
import { DynamoConversationStore } from './conversation-store';
import { summarizeSettingsFromEnv } from './settings';
import { createSummarizeTool } from './tool';

// Cold start: settings and clients once per container. Clients use the standard SDK configuration (region,
// credentials, retries, AWS_ENDPOINT_URL_*), traced by X-Ray.
const settings = summarizeSettingsFromEnv();
const dynamo = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
const bedrock = tracer.captureAWSv3Client(new BedrockRuntimeClient({}));

/** Lambda entry of the summarize action group (summarizeConversation, summarizeText). */
export const handler = createSummarizeTool(
  {
    store: new DynamoConversationStore(dynamo, settings.conversationsTable),
    model: new ConverseTextModel(bedrock, settings.modelId, settings.guardrail),
    maxOutputTokens: settings.maxOutputTokens,
  },
  { recorder: toolCallLogFromEnv(dynamo) },
);
