import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { KassFunction } from '../kass-function';

/** Exactly these actions on the table itself (no index or stream wildcards). */
export function grantTable(f: KassFunction, table: dynamodb.ITable, actions: string[]): void {
  f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
}

/**
 * What storing a turn needs (`DynamoConversationWriter`): PutItem on Conversations only inside a
 * TransactWriteItems, and ConditionCheckItem on Agent State (the turn must still hold its session).
 */
export function grantTurnWrites(
  f: KassFunction,
  conversations: dynamodb.ITable,
  agentState: dynamodb.ITable,
): void {
  f.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [conversations.tableArn],
      conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] } },
    }),
  );
  grantTable(f, agentState, ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem']);
}
