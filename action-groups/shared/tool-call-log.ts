import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../kit/env';
import { tracer } from '../kit/powertools';
import type { ToolCallRecord, ToolCallRecorder } from '../kit/tool';

/** How long call records are kept (the ToolLogs table's TTL attribute). */
export const TOOL_LOG_RETENTION_DAYS = 30;

/** The ToolLogs item for a call: keyed by session, sorted by time, expiring after the retention period. */
export function toToolLogItem(record: ToolCallRecord, now = Date.now()): Record<string, string | number> {
  return {
    session_id: record.sessionId ?? 'unknown',
    // The operation breaks ties between calls started in the same millisecond.
    timestamp: `${record.startedAt}#${record.operation}`,
    tool: record.tool,
    operation: record.operation,
    route: record.route,
    status: record.status,
    latency_ms: record.latencyMs,
    expires_at: Math.floor(now / 1000) + TOOL_LOG_RETENTION_DAYS * 24 * 3600,
  };
}

/** A recorder that writes each call to the given table. */
export function dynamoToolCallRecorder(client: DynamoDBDocumentClient, tableName: string): ToolCallRecorder {
  return async (record) => {
    await client.send(new PutCommand({ TableName: tableName, Item: toToolLogItem(record) }));
  };
}

let fromEnv: ToolCallRecorder | undefined;

/**
 * The deployed recorder: TOOL_LOGS_TABLE_NAME (set on every tool Lambda by the Tools construct). A tool that
 * already has a DynamoDB document client passes it, so a cold start builds one client, not two.
 */
export function toolCallLogFromEnv(documents?: DynamoDBDocumentClient): ToolCallRecorder {
  fromEnv ??= dynamoToolCallRecorder(
    documents ?? DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({}))),
    requireEnv('TOOL_LOGS_TABLE_NAME'),
  );
  return fromEnv;
}
