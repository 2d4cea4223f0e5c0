import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_ENV } from '../../contracts/function-env';
import type { KnowledgeBaseConfig } from '../config/knowledge-config';
import { deadLetterAlarm } from './dead-letter-alarm';
import { KassFunction, type KassFunctionProps } from './kass-function';

/** The body the daily schedule sends; `functions/ingest` recognises it by `type`. */
export const SCHEDULED_SYNC_MESSAGE = {
  type: 'kass.scheduled-sync',
  // Placeholders EventBridge Scheduler fills in per invocation.
  scheduledTime: '<aws.scheduler.scheduled-time>',
  executionId: '<aws.scheduler.execution-id>',
} as const;

/** Receives before a message moves to the DLQ: about an hour of retries behind a running ingestion job. */
const MAX_RECEIVE_COUNT = 10;
/** Lower bound of the retry interval (the visibility timeout): an ingestion job rarely finishes faster. */
const MIN_VISIBILITY_SECONDS = 300;

/** The ids the ingest Lambda needs; the `KnowledgeBase` construct provides them. */
export interface IngestionTarget {
  readonly knowledgeBaseId: string;
  readonly knowledgeBaseArn: string;
  readonly dataSourceId: string;
}

export interface IngestionProps {
  readonly documentsBucket: s3.IBucket;
  /** Only object events under this prefix start a sync. */
  readonly documentsPrefix: string;
  readonly knowledgeBase: IngestionTarget;
  readonly config: KnowledgeBaseConfig['ingestion'];
  /** House Lambda settings of the ingest function (memory, timeout, logging). */
  readonly function: Pick<KassFunctionProps, 'settings' | 'logLevel' | 'logRetentionDays' | 'retainLogs'>;
  /** Where the DLQ alarm notifies. @default - the alarm has no action */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Automatic sync: S3 `Object Created`/`Object Deleted` under the documents prefix → EventBridge → SQS → the
 * ingest Lambda, which turns each batch into at most one StartIngestionJob. A daily schedule puts a "scheduled
 * sync" message into the same queue. A job that is already running makes the Lambda fail the batch, so SQS
 * redelivers it after the visibility timeout and a following job picks up the change; after
 * {@link MAX_RECEIVE_COUNT} receives it lands in the DLQ, which alarms (and the daily sync still catches up).
 */
export class Ingestion extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly function: KassFunction;
  public readonly rule: events.Rule;
  public readonly schedule: scheduler.CfnSchedule;
  public readonly scheduleRole: iam.Role;
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // AWS guidance: at least 6× the function timeout plus the batching window, so a message is not redelivered
    // while a slow invocation still holds it. It is also the retry interval behind a running job.
    const timeoutSeconds = props.function.settings.timeoutSeconds;
    const visibilitySeconds = Math.max(
      6 * timeoutSeconds + config.batchWindowSeconds,
      MIN_VISIBILITY_SECONDS,
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilitySeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.function = new KassFunction(this, 'Function', {
      ...props.function,
      entry: 'functions/ingest/handler.ts',
      description: 'Starts a knowledge-base ingestion job for a batch of document changes',
      serviceName: 'kass-ingest',
      environment: INGEST_ENV.environment({
        knowledgeBaseId: props.knowledgeBase.knowledgeBaseId,
        dataSourceId: props.knowledgeBase.dataSourceId,
      }),
    });
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:StartIngestionJob', 'bedrock:GetIngestionJob', 'bedrock:ListIngestionJobs'],
        resources: [props.knowledgeBase.knowledgeBaseArn],
      }),
    );
    this.function.function.addEventSource(
      new lambdaEventSources.SqsEventSource(this.queue, {
        // SQS allows batches above 10 only with a batching window.
        batchSize: config.batchWindowSeconds > 0 ? 100 : 10,
        maxBatchingWindow:
          config.batchWindowSeconds > 0 ? Duration.seconds(config.batchWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        // The minimum: at most two invocations race for the one job a data source may run.
        maxConcurrency: 2,
      }),
    );

    this.rule = new events.Rule(this, 'DocumentChanges', {
      description: `Document changes under ${props.documentsPrefix} start a knowledge-base sync`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created', 'Object Deleted'],
        detail: {
          bucket: { name: [props.documentsBucket.bucketName] },
          object: { key: [{ prefix: props.documentsPrefix }] },
        },
      },
    });
    this.rule.addTarget(
      new eventTargets.SqsQueue(this.queue, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    // An own role instead of an L2 grant: the L2 adds GetQueueAttributes/GetQueueUrl the scheduler never uses.
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'EventBridge Scheduler: sends the daily sync message to the ingestion queue',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      }),
      inlinePolicies: {
        SendSyncMessage: new iam.PolicyDocument({
          statements: [
            // The scheduler writes its dead letters with this role too.
            new iam.PolicyStatement({
              actions: ['sqs:SendMessage'],
              resources: [this.queue.queueArn, this.deadLetterQueue.queueArn],
            }),
          ],
        }),
      },
    });

    this.schedule = new scheduler.CfnSchedule(this, 'DailySync', {
      description: 'Daily knowledge-base sync (catches anything the object events missed)',
      scheduleExpression: config.dailySyncSchedule,
      scheduleExpressionTimezone: config.scheduleTimezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.queue.queueArn,
        roleArn: this.scheduleRole.roleArn,
        input: JSON.stringify(SCHEDULED_SYNC_MESSAGE),
        retryPolicy: { maximumRetryAttempts: 20, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      'Document changes or sync triggers reached the ingestion DLQ: inspect the messages, fix the cause, redrive.',
    );
    if (props.alarmTopic)
      this.deadLetterAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
  }
}
