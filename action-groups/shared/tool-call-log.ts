import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ToolLogItem } from '../../contracts/tables';
import { HOUSE_TOOL_ENV } from '../../contracts/tool-needs';
import type { ToolCallRecord, ToolCallRecorder } from '../kit/tool';
import { documentClient } from './clients';

/** How long call records are kept (the ToolLogs table's TTL attribute). */
export const TOOL_LOG_RETENTION_DAYS = 30;

/** The ToolLogs item for a call: keyed by session, sorted by time, expiring after the retention period. */
export function toToolLogItem(record: ToolCallRecord, now = Date.now()): ToolLogItem {
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

/**
 * The deployed recorder: one ToolLogs item per call in `tableName` (TOOL_LOGS_TABLE_NAME, set on every tool
 * Lambda by the Tools construct). A tool that already has a DynamoDB document client passes it, so a cold
 * start builds one client, not two.
 */
export function toolCallLog(
  tableName: string,
  documents: DynamoDBDocumentClient = documentClient(),
): ToolCallRecorder {
  return dynamoToolCallRecorder(documents, tableName);
}

/** The recorder of a tool without a `needs.ts`: the table from the house tool variables. */
export function toolCallLogFromEnv(documents?: DynamoDBDocumentClient): ToolCallRecorder {
  return toolCallLog(HOUSE_TOOL_ENV.read().toolLogsTable, documents);
}
