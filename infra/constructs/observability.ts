import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { KassFunction } from './kass-function';

export interface ObservabilityProps {
  /** Email addresses subscribed to the alarm topic. */
  readonly emails: readonly string[];
}

/**
 * The operations topic every alarm notifies, and the Lambda alarms (errors, throttles) for functions that
 * register. Alarms of other constructs (DLQ depth, API 5XX) take `alarmTopic` from here.
 */
export class Observability extends Construct {
  public readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'KASS alarms',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    for (const email of props.emails)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
  }

  /** Errors and Throttles alarms for a function, notifying the alarm topic. */
  watchFunction(name: string, fn: KassFunction): void {
    const alarm = (metric: cloudwatch.Metric, kind: string) =>
      new cloudwatch.Alarm(this, `${name}${kind}`, {
        alarmDescription: `KASS ${name}: ${kind.toLowerCase()} in the last 5 minutes`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm(fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 'Errors');
    alarm(fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 'Throttles');
  }
}
