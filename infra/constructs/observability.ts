import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { KassFunction } from './kass-function';

/** Key administration without use: the actions CDK's own key-admin grant lists, plus on-demand rotation. */
const KEY_ADMINISTRATION = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The first statement of every KASS key policy: the account administers the key (IAM decides who), no use. */
export const accountAdministersTheKey = (): iam.PolicyStatement =>
  new iam.PolicyStatement({
    sid: 'AccountAdministersTheKey',
    principals: [new iam.AccountRootPrincipal()],
    actions: KEY_ADMINISTRATION,
    resources: ['*'],
  });

export interface ObservabilityProps {
  /** Email addresses subscribed to the alarm topic. */
  readonly emails: readonly string[];
  /** Keep the alarm topic's key when the stack is deleted (prod). @default false */
  readonly retainData?: boolean;
}

/**
 * The operations topic every alarm notifies, and the Lambda alarms (errors, throttles) for functions that
 * register. Alarms of other constructs (DLQ depth, API 5XX) take `alarmTopic` from here.
 *
 * CloudWatch publishes alarm notifications as the `cloudwatch.amazonaws.com` service, which cannot use the
 * AWS-managed `alias/aws/sns` key (its policy cannot name other services), so an alarm on a topic encrypted with
 * it never arrives. The topic is encrypted with its own customer-managed key instead, whose policy lets
 * CloudWatch alarms of this account and region (and nothing else) use it, and the topic policy lets them publish.
 */
export class Observability extends Construct {
  public readonly alarmTopic: sns.Topic;
  /** The alarm topic's key (rotated yearly; about $1 a month). */
  public readonly alarmKey: kms.Key;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromAlarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarms },
    };

    this.alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'KASS alarm topic: lets CloudWatch alarms of this account publish encrypted notifications',
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
      // The account administers the key (IAM policies decide who) but nothing in it encrypts or decrypts with
      // it; CloudWatch alarms get exactly the two calls SNS makes for an encrypted publish, only on behalf of
      // this account's alarms. Test delivery with `aws cloudwatch set-alarm-state` (it goes through CloudWatch).
      policy: new iam.PolicyDocument({
        statements: [
          accountAdministersTheKey(),
          new iam.PolicyStatement({
            sid: 'CloudWatchAlarmsPublish',
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
            conditions: fromAlarmsOfThisAccount,
          }),
        ],
      }),
    });

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'KASS alarms',
      enforceSSL: true,
      masterKey: this.alarmKey,
    });
    // The topic policy replaces SNS's default one (enforceSSL adds it), so CloudWatch needs an explicit grant.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: fromAlarmsOfThisAccount,
      }),
    );
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
