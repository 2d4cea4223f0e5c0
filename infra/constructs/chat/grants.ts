import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { KassFunction } from '../kass-function';

/** Exactly these actions on the table itself (no index or stream wildcards). */
export function grantTable(f: KassFunction, table: dynamodb.ITable, actions: string[]): void {
  f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
}
