import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { KassFunction } from '../kass-function';

/**
 * Alarms when a function is throttled: its reserved concurrency (the cost cap, where one is set) or the
 * account's concurrency quota was reached.
 */
export function throttleAlarm(scope: Construct, id: string, f: KassFunction): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription:
      `${f.node.path}: throttled at its reserved concurrency (the cost cap) or at the account's concurrency ` +
      'quota; raise chatApi settings or the Lambda quota if legitimate.',
    metric: f.function.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
