import { type App, type CfnElement, type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseMessage } from '../../functions/ingest/ingest';
import { DEV_KNOWLEDGE_BASE, KnowledgeBaseConfigSchema } from '../../infra/config/knowledge-config';
import { DocumentsBucket } from '../../infra/constructs/documents-bucket';
import { Ingestion, SCHEDULED_SYNC_MESSAGE } from '../../infra/constructs/ingestion';
import { KnowledgeBase } from '../../infra/constructs/knowledge-base';
import { assumableByServiceOfTestAccount, denyInsecureTransport, testApp, testStack } from '../support/cdk';

type Resource = { Type: string; Properties: Record<string, unknown> };

function build(options: { batchWindowSeconds?: number; topic?: boolean } = {}) {
  const app = testApp();
  const stack = testStack(app);
  const config = KnowledgeBaseConfigSchema.parse({
    ...DEV_KNOWLEDGE_BASE,
    ingestion: { batchWindowSeconds: options.batchWindowSeconds ?? 60 },
  });
  const docs = new DocumentsBucket(stack, 'Docs', { retainData: false });
  const kb = new KnowledgeBase(stack, 'Kb', { stage: 'dev', config, documentsBucket: docs.bucket });
  const topic = options.topic === false ? undefined : new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  const ingestion = new Ingestion(stack, 'Ingestion', {
    documentsBucket: docs.bucket,
    documentsPrefix: docs.documentsPrefix,
    knowledgeBase: kb,
    config: config.ingestion,
    function: {
      settings: { memoryMb: 256, timeoutSeconds: 45 },
      logLevel: 'INFO',
      logRetentionDays: 14,
      retainLogs: false,
    },
    alarmTopic: topic,
  });
  const template = Template.fromStack(stack);
  const id = (c: IConstruct) => stack.getLogicalId((c.node.defaultChild ?? c) as CfnElement);
  const resource = (c: IConstruct) => template.toJSON().Resources[id(c)] as Resource;
  return { app, stack, docs, kb, topic, ingestion, template, id, resource };
}

/**
 * Violations left after acknowledgements, as `cdk synth` reports them: validateScope honours bare ids only,
 * while the CDK validation framework also drops findings acknowledged as `AwsSolutions::<rule>` on the
 * resource or an ancestor (the form KassFunction uses).
 */
function unacknowledged(app: App, report: PolicyValidationPluginReport): string[] {
  const qualifiedAcks = (path: string): string[] => {
    const acks: string[] = [];
    let node: IConstruct | undefined = app.node.findAll().find((c) => c.node.path === path);
    for (; node; node = node.node.scope) {
      for (const entry of node.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          acks.push(...Object.keys(entry.data as object));
      }
    }
    return acks;
  };
  return report.violations.flatMap((v) =>
    v.violatingResources
      .filter((r) => !qualifiedAcks(r.constructPath ?? '').includes(`AwsSolutions::${v.ruleName}`))
      .map((r) => `${v.ruleName} ${r.constructPath}`),
  );
}

describe('Class: Ingestion', () => {
  let built: ReturnType<typeof build>;
  let queueArn: unknown;
  let dlqArn: unknown;
  beforeAll(() => {
    built = build();
    queueArn = { 'Fn::GetAtt': [built.id(built.ingestion.queue), 'Arn'] };
    dlqArn = { 'Fn::GetAtt': [built.id(built.ingestion.deadLetterQueue), 'Arn'] };
  });

  describe('Queues', () => {
    it('keeps dead letters 14 days, encrypted and SSL-only', () => {
      expect(built.resource(built.ingestion.deadLetterQueue).Properties).toEqual({
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      });
      built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: built.id(built.ingestion.deadLetterQueue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([denyInsecureTransport('sqs:*')]),
        },
      });
    });

    it('encrypts the work queue, requires SSL and redrives to the DLQ after 10 receives', () => {
      expect(built.resource(built.ingestion.queue).Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: dlqArn, maxReceiveCount: 10 },
      });
      built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: built.id(built.ingestion.queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([denyInsecureTransport('sqs:*')]),
        },
      });
    });

    it('holds messages at least 6× the function timeout plus the batching window', () => {
      const timeout = built.resource(built.ingestion.function.function).Properties.Timeout as number;
      const visibility = built.resource(built.ingestion.queue).Properties.VisibilityTimeout as number;
      expect(timeout).toBe(45);
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout + 60);
    });
  });

  describe('Function', () => {
    it('is a house Lambda fed by the queue in batches, with partial batch responses and two at a time', () => {
      built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: queueArn,
        FunctionName: { Ref: built.id(built.ingestion.function.function) },
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 60,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
      expect(built.resource(built.ingestion.function.function).Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    });

    it('falls back to batches of 10 without a batching window (the SQS limit)', () => {
      const noWindow = build({ batchWindowSeconds: 0 });
      const mapping = Object.values(noWindow.template.findResources('AWS::Lambda::EventSourceMapping'))[0];
      expect(mapping?.Properties.BatchSize).toBe(10);
      expect(mapping?.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
    });

    it('gets only the knowledge-base and data-source ids as its own environment', () => {
      const env = (
        built.resource(built.ingestion.function.function).Properties.Environment as { Variables: object }
      ).Variables;
      const own = Object.keys(env).filter((k) => !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS');
      expect(own.sort()).toEqual(['DATA_SOURCE_ID', 'KNOWLEDGE_BASE_ID']);
      expect(env).toMatchObject({
        KNOWLEDGE_BASE_ID: { 'Fn::GetAtt': [built.id(built.kb.knowledgeBase), 'KnowledgeBaseId'] },
        DATA_SOURCE_ID: { 'Fn::GetAtt': [built.id(built.kb.dataSource), 'DataSourceId'] },
      });
    });

    it('may only start, get and list ingestion jobs of this knowledge base', () => {
      // Prepare
      const policies = Object.values(built.template.findResources('AWS::IAM::Policy'));
      const bedrock = policies
        .flatMap(
          (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
        )
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('bedrock:')));
      // Assess
      expect(bedrock).toEqual([
        {
          Effect: 'Allow',
          Action: ['bedrock:StartIngestionJob', 'bedrock:GetIngestionJob', 'bedrock:ListIngestionJobs'],
          Resource: { 'Fn::GetAtt': [built.id(built.kb.knowledgeBase), 'KnowledgeBaseArn'] },
        },
      ]);
    });
  });

  describe('Triggers', () => {
    it('routes Object Created / Object Deleted under documents/ of the bucket into the queue', () => {
      expect(built.resource(built.ingestion.rule).Properties).toMatchObject({
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created', 'Object Deleted'],
          detail: {
            bucket: { name: [{ Ref: built.id(built.docs.bucket) }] },
            object: { key: [{ prefix: 'documents/' }] },
          },
        },
        Targets: [
          {
            Arn: queueArn,
            Id: 'Target0',
            DeadLetterConfig: { Arn: dlqArn },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          },
        ],
      });
      built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: built.id(built.ingestion.queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: {
                ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [built.id(built.ingestion.rule), 'Arn'] } },
              },
            }),
          ]),
        },
      });
    });

    it('schedules a daily sync into the same queue with retries and the same DLQ', () => {
      expect(built.resource(built.ingestion.schedule).Properties).toEqual({
        Description: expect.stringContaining('Daily knowledge-base sync'),
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: queueArn,
          RoleArn: { 'Fn::GetAtt': [built.id(built.ingestion.scheduleRole), 'Arn'] },
          Input: JSON.stringify(SCHEDULED_SYNC_MESSAGE),
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: dlqArn },
        },
      });
    });

    it('sends a message the ingest Lambda recognises as a scheduled sync (contract)', () => {
      const input = built.resource(built.ingestion.schedule).Properties.Target as { Input: string };
      expect(parseMessage({ messageId: 'm-1', body: input.Input })).toEqual({
        kind: 'scheduled-sync',
        messageId: 'm-1',
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
    });

    it('gives the schedule a role that only the scheduler of this account assumes and that only sends messages', () => {
      const role = built.resource(built.ingestion.scheduleRole).Properties as {
        AssumeRolePolicyDocument: { Statement: unknown[] };
        Policies: { PolicyDocument: { Statement: unknown[] } }[];
        ManagedPolicyArns?: unknown;
      };
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        assumableByServiceOfTestAccount(
          'scheduler.amazonaws.com',
          ':scheduler:us-east-1:123456789012:schedule-group/default',
        ),
      ]);
      // The DLQ is there because the scheduler writes dead letters with the schedule's role.
      expect(role.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [queueArn, dlqArn] },
      ]);
      expect(role.ManagedPolicyArns).toBeUndefined();
      const attached = Object.values(built.template.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p.Properties.Roles).includes(built.id(built.ingestion.scheduleRole)),
      );
      expect(attached).toEqual([]);
    });
  });

  describe('Alarm', () => {
    it('alarms to the topic as soon as one message is visible in the DLQ', () => {
      expect(built.resource(built.ingestion.deadLetterAlarm).Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [built.id(built.ingestion.deadLetterQueue), 'QueueName'] },
          },
        ],
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: built.id(built.topic as sns.Topic) }],
      });
    });

    it('has no action without a topic', () => {
      const quiet = build({ topic: false });
      expect(quiet.resource(quiet.ingestion.deadLetterAlarm).Properties.AlarmActions).toBeUndefined();
    });
  });

  describe('cdk-nag', () => {
    it('reports no unacknowledged AwsSolutions finding for bucket + knowledge base + ingestion', () => {
      const report = new AwsSolutionsChecks(built.app, { verbose: true }).validateScope(built.app);
      expect(unacknowledged(built.app, report)).toEqual([]);
    });

    it('adds no custom resource to the stack', () => {
      const types = Object.values(built.template.toJSON().Resources).map((r) => (r as Resource).Type);
      expect(types.filter((t) => t.startsWith('Custom::'))).toEqual([]);
      expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(1);
    });

    it('needs no acknowledgement of its own', () => {
      const own = built.ingestion.node
        .findAll()
        .filter((c) => !c.node.path.includes('/Function/'))
        .flatMap((c) =>
          c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
        );
      expect(own).toEqual([]);
    });
  });
});
