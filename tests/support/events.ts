import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { AgentApiEvent } from '../../action-groups/kit/event';
import type { AgentFunctionEvent, AgentFunctionResponse } from '../../action-groups/kit/function-details';
import type { AgentApiResponse } from '../../action-groups/kit/response';
import { type AgentToolResponse, isApiResponse } from '../../action-groups/kit/tool';

/**
 * Loads a real-format event from `tests/events/<eventsPath>/<filename>.json`. Each call returns a fresh
 * object, so a test can patch it freely.
 */
export function getTestEvent<T = Record<string, unknown>>({
  eventsPath,
  filename,
}: {
  eventsPath: string;
  filename: string;
}): T {
  const file = path.join(__dirname, '..', 'events', eventsPath, `${filename}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The SQS event `tests/events/sqs/<filename>.json` (a fresh copy). */
export const sqsTestEvent = (filename: string): SQSEvent =>
  getTestEvent<SQSEvent>({ eventsPath: 'sqs', filename });

/** The first record of the SQS event `tests/events/sqs/<filename>.json`. */
export function firstSqsRecord(filename: string): SQSRecord {
  const record = sqsTestEvent(filename).Records[0];
  if (!record) throw new Error(`${filename} has no record`);
  return record;
}

/** The Bedrock OpenAPI action-group event `tests/events/bedrock-agent/<filename>.json` (a fresh copy). */
export const agentApiTestEvent = (filename: string): AgentApiEvent =>
  getTestEvent<AgentApiEvent>({ eventsPath: 'bedrock-agent', filename });

/** The answer as an OpenAPI response; fails the test when the tool answered in function shape. */
export function apiResponse(response: AgentToolResponse): AgentApiResponse {
  if (!isApiResponse(response))
    throw new Error(`expected an OpenAPI response, got ${JSON.stringify(response)}`);
  return response;
}

/** The answer as a function-details response; fails the test when the tool answered in OpenAPI shape. */
export function functionResponse(response: AgentToolResponse): AgentFunctionResponse {
  if (isApiResponse(response))
    throw new Error(`expected a function response, got ${JSON.stringify(response)}`);
  return response;
}

/** The Bedrock function-details event `tests/events/bedrock-agent/<filename>.json` (a fresh copy). */
export const agentFunctionTestEvent = (filename: string): AgentFunctionEvent =>
  getTestEvent<AgentFunctionEvent>({ eventsPath: 'bedrock-agent', filename });
