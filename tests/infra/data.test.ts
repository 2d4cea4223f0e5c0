import { Match, Template } from 'aws-cdk-lib/assertions';
import { TABLE_KEYS } from '../../contracts/tables';
import { Data } from '../../infra/constructs/data';
import { testStack } from '../support/cdk';

const build = (retainData: boolean) => {
  const stack = testStack();
  new Data(stack, 'Data', { retainData });
  return Template.fromStack(stack);
};

describe('Class: Data', () => {
  let dev: Template;
  let prod: Template;
  beforeAll(() => {
    dev = build(false);
    prod = build(true);
  });

  it('creates three on-demand, encrypted tables with point-in-time recovery', () => {
    dev.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const table of Object.values(dev.findResources('AWS::DynamoDB::Table'))) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('keys Conversations by conversation_id + timestamp with the user_id GSI, TTL and a stream', () => {
    const c = TABLE_KEYS.conversations;
    dev.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: c.partitionKey, KeyType: 'HASH' },
        { AttributeName: c.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'user_id-index',
          KeySchema: [
            { AttributeName: 'user_id', KeyType: 'HASH' },
            { AttributeName: 'created_at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('indexes Tickets by reporter and by status, newest first by createdAt', () => {
    dev.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'ticketId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: 'reporter-index' }),
        Match.objectLike({ IndexName: 'status-index' }),
      ]),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('gives ToolLogs a TTL so call records expire', () => {
    dev.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'session_id', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it('retains and protects tables in prod only', () => {
    for (const t of Object.values(prod.findResources('AWS::DynamoDB::Table'))) {
      expect(t).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
    }
    for (const t of Object.values(dev.findResources('AWS::DynamoDB::Table'))) {
      expect(t.DeletionPolicy).toBe('Delete');
      expect(t.Properties.DeletionProtectionEnabled).toBe(false);
    }
  });
});
