import { CfnOutput } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { Audit } from '../constructs/audit';
import { KassDashboard } from '../constructs/dashboard';
import { StageEncryption } from '../constructs/encryption';
import { HealthAlarms } from '../constructs/health-alarms';
import { KassNetwork } from '../constructs/network';

/** What must exist before any function or data resource: functions and resources created later find them. */
export interface StageFoundations {
  readonly network?: KassNetwork;
  readonly encryption?: StageEncryption;
}

/** The stage key and the VPC, when the stage turns them on (create them first in the stack). */
export function stageFoundations(scope: Construct, config: StageConfig): StageFoundations {
  const encryption = config.encryption.customerManagedKey
    ? new StageEncryption(scope, 'Encryption', {
        stage: config.stage,
        retainData: config.retainData,
        pendingWindowDays: config.encryption.pendingWindowDays,
      })
    : undefined;
  const network = config.network.vpc
    ? new KassNetwork(scope, 'Network', {
        stage: config.stage,
        config: config.network,
        logRetentionDays: config.logRetentionDays,
        retainData: config.retainData,
      })
    : undefined;
  return { ...(encryption ? { encryption } : {}), ...(network ? { network } : {}) };
}

export interface OperationsProps {
  readonly config: StageConfig;
  /** The topic every alarm notifies (`Observability.alarmTopic`). */
  readonly alarmTopic: sns.Topic;
  /** The documents bucket: CloudTrail records its object-level (data) events. */
  readonly documentsBucket: s3.IBucket;
  /** Where the audit log bucket sends its own server access logs. */
  readonly accessLogBucket: s3.Bucket;
  readonly foundations: StageFoundations;
}

export interface Operations {
  readonly alarms: HealthAlarms;
  readonly dashboard?: KassDashboard;
  readonly audit?: Audit;
}

/**
 * The operations layer, built last (and completed from the finished stack at synth): alarm subscribers, the
 * health alarms and the composite, the dashboard, the audit trail, and the outputs an operator looks for.
 */
export function composeOperations(scope: Construct, props: OperationsProps): Operations {
  const { config } = props;
  for (const url of config.alarms.httpsEndpoints) {
    props.alarmTopic.addSubscription(
      new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }),
    );
  }
  const alarms = new HealthAlarms(scope, 'HealthAlarms', {
    stage: config.stage,
    topic: props.alarmTopic,
    thresholds: config.alarms.thresholds,
  });
  const dashboard = config.dashboard.enabled
    ? new KassDashboard(scope, 'Dashboard', { stage: config.stage, healthAlarms: alarms })
    : undefined;
  if (dashboard) {
    new CfnOutput(scope, 'DashboardUrl', {
      value: dashboard.url,
      description: `CloudWatch dashboard kass-${config.stage}`,
    });
  }
  const audit =
    config.audit.cloudTrail || config.audit.modelInvocationLogging.enabled
      ? new Audit(scope, 'Audit', {
          stage: config.stage,
          config: config.audit,
          retainData: config.retainData,
          documentsBucket: props.documentsBucket,
          accessLogBucket: props.accessLogBucket,
          functionDefaults: {
            logLevel: config.lambda.logLevel,
            logRetentionDays: config.logRetentionDays,
            retainLogs: config.retainData,
          },
        })
      : undefined;

  const { network, encryption } = props.foundations;
  if (network) {
    new CfnOutput(scope, 'VpcId', { value: network.vpc.vpcId, description: 'The VPC the functions run in' });
  }
  if (encryption) {
    new CfnOutput(scope, 'StageKeyArn', {
      value: encryption.key.keyArn,
      description: 'The stage’s customer-managed KMS key',
    });
  }
  if (audit?.trail) {
    new CfnOutput(scope, 'AuditTrailArn', { value: audit.trail.trailArn });
    new CfnOutput(scope, 'AuditLogBucketName', { value: audit.logBucket.bucketName });
  }
  if (audit?.invocationLogGroup) {
    new CfnOutput(scope, 'ModelInvocationLogGroupName', { value: audit.invocationLogGroup.logGroupName });
  }
  return { alarms, ...(dashboard ? { dashboard } : {}), ...(audit ? { audit } : {}) };
}
