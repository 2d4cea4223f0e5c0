import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  dynamoToolCallRecorder,
  TOOL_LOG_RETENTION_DAYS,
  toToolLogItem,
} from '../../../action-groups/shared/tool-call-log';
import { TABLE_KEYS } from '../../../contracts/tables';

const record = {
  tool: 'report',
  operation: 'createTicket',
  route: 'POST /tickets',
  status: 201,
  latencyMs: 42,
  sessionId: 'sess-1',
  startedAt: '2026-11-27T10:00:00.000Z',
};

describe('Function: toToolLogItem', () => {
  it('uses the ToolLogs keys and a TTL in epoch seconds in the future', () => {
    // Prepare
    const now = Date.UTC(2026, 10, 27, 10, 0, 0);
    // Act
    const item = toToolLogItem(record, now);
    // Assess
    const keys = TABLE_KEYS.toolLogs;
    expect(item[keys.partitionKey]).toBe('sess-1');
    expect(item[keys.sortKey]).toBe('2026-11-27T10:00:00.000Z#createTicket');
    expect(item[keys.ttl]).toBe(now / 1000 + TOOL_LOG_RETENTION_DAYS * 86400);
    expect(Number.isInteger(item[keys.ttl])).toBe(true);
  });
});

describe('Function: dynamoToolCallRecorder', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => ddb.reset());

  it('puts one item per call into the table', async () => {
    ddb.on(PutCommand).resolves({});
    const recorder = dynamoToolCallRecorder(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'ToolLogs');
    await recorder(record);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'ToolLogs',
      Item: expect.objectContaining({ session_id: 'sess-1', status: 201, tool: 'report' }),
    });
  });
});
