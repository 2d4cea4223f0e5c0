import { ArnFormat, Aspects, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { accountAdministersTheKey } from './observability';
import { actionsOf, roleStatements } from './role-policies';
import { ApplyStageKey, takesStageKey } from './stage-key-aspect';
import { whenComplete } from './when-complete';

/**
 * Services that use the key on behalf of a principal of the account (the principal's IAM policy decides which
 * resources; the key only adds "and only through this service"), by IAM prefix → the service's endpoint name.
 */
const VIA_SERVICES: Readonly<Record<string, string>> = {
  s3: 's3',
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  sns: 'sns',
  secretsmanager: 'secretsmanager',
  bedrock: 'bedrock',
  aoss: 'aoss',
  s3vectors: 's3vectors',
};

const viaService = (service: string) => `${service}.${Aws.REGION}.amazonaws.com`;

/**
 * What a role needs to read and write data encrypted with the key through a service (the services call KMS with
 * the caller's permissions): named actions only, no wildcard.
 */
const USE_THROUGH_SERVICE = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

export interface StageEncryptionProps {
  readonly stage: string;
  /** Keep the key when the stack is deleted (prod): retained data stays readable. */
  readonly retainData: boolean;
  /** Days a deleted key waits before deletion. */
  readonly pendingWindowDays: number;
}

/** The encryption of each stack: constructs that create encrypted things of their own read it from here. */
const KEYS = new WeakMap<Stack, StageEncryption>();

/**
 * One customer-managed KMS key for the stage (yearly rotation), applied by an aspect to every resource of the
 * stack that would otherwise use an AWS-owned or AWS-managed key: S3 buckets (SSE-KMS with a bucket key, except
 * server-access-log destinations, which S3 log delivery requires to be SSE-S3), DynamoDB tables, SQS queues, SNS
 * topics without a key of their own, log groups, Secrets Manager secrets, the OpenSearch Serverless encryption
 * policy, the guardrail, the agent, knowledge-base data sources and CloudTrail trails. Constructs you do not own,
 * and future ones, are covered the same way (a template test scans for anything left on an AWS key).
 *
 * The key policy names no `*` principal: the account administers the key; principals of the account may use it
 * only through the services above (`kms:ViaService`), and only as their IAM policies allow; services that write on
 * their own are named with a condition on what they write for (CloudWatch Logs by the log group ARN in the
 * encryption context, EventBridge by the rule ARN, CloudFront by the distribution, …). Every role of the stack that
 * uses such a service gets exactly `Decrypt`/`GenerateDataKey`/`DescribeKey` through the services it uses.
 */
export class StageEncryption extends Construct {
  public readonly key: kms.Key;
  /** Resources the aspect encrypted with the key, by CloudFormation type (for the summary and tests). */
  public readonly applied = new Map<string, number>();
  /** S3 buckets left on SSE-S3 because they receive server access logs (an S3 requirement). */
  public readonly logDestinationBuckets: string[] = [];

  /** The stage key of `scope`'s stack, if the stage turned customer-managed encryption on. */
  static of(scope: IConstruct): StageEncryption | undefined {
    return KEYS.get(Stack.of(scope));
  }

  constructor(scope: Construct, id: string, props: StageEncryptionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (KEYS.has(stack)) throw new Error(`${stack.stackName} already has a StageEncryption`);
    KEYS.set(stack, this);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/kass-${props.stage}`,
      description: `KASS ${props.stage}: data, logs, queues, topics, secrets, vectors and Bedrock resources`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(props.pendingWindowDays),
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          accountAdministersTheKey(),
          new iam.PolicyStatement({
            sid: 'AccountUsesTheKeyThroughServices',
            principals: [new iam.AccountRootPrincipal()],
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:DescribeKey',
            ],
            resources: ['*'],
            conditions: {
              StringEquals: {
                'kms:CallerAccount': Aws.ACCOUNT_ID,
                'kms:ViaService': [...new Set(Object.values(VIA_SERVICES))].map(viaService),
              },
            },
          }),
          // DynamoDB, OpenSearch Serverless and Bedrock keep long-lived grants for the resources they encrypt.
          new iam.PolicyStatement({
            sid: 'ServicesHoldGrantsForTheirResources',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
            resources: ['*'],
            conditions: {
              StringEquals: {
                'kms:CallerAccount': Aws.ACCOUNT_ID,
                'kms:ViaService': ['dynamodb', 'aoss', 'bedrock', 'secretsmanager', 'rds', 's3vectors'].map(
                  viaService,
                ),
              },
              Bool: { 'kms:GrantIsForAWSResource': 'true' },
            },
          }),
          new iam.PolicyStatement({
            sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
            principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
            actions: [
              'kms:Encrypt*',
              'kms:Decrypt*',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:Describe*',
            ],
            resources: ['*'],
            conditions: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName: '*',
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              },
            },
          }),
        ],
      }),
    });

    Aspects.of(stack).add(new ApplyStageKey(this));
    whenComplete(this, () => this.grantThroughServices());
  }

  /** Lets `service` (a service principal) use the key for resources matched by `conditions`. */
  allowService(sid: string, service: string, actions: string[], conditions: Record<string, unknown>): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(service)],
        actions,
        resources: ['*'],
        conditions,
      }),
    );
  }

  /**
   * Every role of the stack that calls a service which encrypts with the key gets Decrypt/GenerateDataKey/
   * DescribeKey through exactly the services it calls; services that write into encrypted resources on their own
   * get a key-policy statement limited to this account's resources.
   */
  private grantThroughServices(): void {
    const stack = Stack.of(this);
    const statements = roleStatements(this);
    for (const role of stack.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) {
      const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      const services = new Set<string>();
      for (const statement of statements.get(roleId) ?? []) {
        for (const action of actionsOf(statement)) {
          const service = VIA_SERVICES[action.split(':')[0] ?? ''];
          if (service) services.add(service);
        }
      }
      if (services.size === 0) continue;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'StageKeyThroughServices',
          actions: USE_THROUGH_SERVICE,
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [...services].sort().map(viaService) } },
        }),
      );
    }

    const nodes = stack.node.findAll();
    const fromThisAccount = (service: string, resource: string) => ({
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service, resource, resourceName: '*' }) },
    });
    // EventBridge delivers to encrypted queues (rule targets and their dead-letter queues) as itself.
    if (nodes.some((c) => c instanceof events.CfnRule)) {
      this.allowService(
        'EventBridgeRulesDeliverToQueues',
        'events.amazonaws.com',
        ['kms:Decrypt', 'kms:GenerateDataKey'],
        fromThisAccount('events', 'rule'),
      );
    }
    // CloudFront reads encrypted origin objects through origin access control as itself. The distribution ARN
    // would make the key depend on the distribution, which depends on the bucket and so on the key: any
    // distribution of this account, which must still be granted by the bucket policy.
    if (nodes.some((c) => c instanceof cloudfront.CfnDistribution)) {
      this.allowService('CloudFrontReadsOrigins', 'cloudfront.amazonaws.com', ['kms:Decrypt'], {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudfront',
            region: '',
            resource: 'distribution',
            resourceName: '*',
          }),
        },
      });
    }
    // S3 Vectors indexes vectors in the background as its own service principal (verify on first deploy).
    if (nodes.some((c) => c instanceof s3vectors.CfnVectorBucket)) {
      this.allowService(
        'S3VectorsIndexes',
        'indexing.s3vectors.amazonaws.com',
        ['kms:Decrypt', 'kms:GenerateDataKey'],
        {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 's3vectors', resource: 'bucket', resourceName: '*' }),
          },
        },
      );
    }
    // CloudWatch alarms publish as themselves to topics the aspect puts on the stage key.
    const encryptedTopics = new Set(
      nodes
        .filter((c): c is sns.CfnTopic => c instanceof sns.CfnTopic)
        .filter((t) => takesStageKey(stack, t.kmsMasterKeyId))
        .map((t) => JSON.stringify(stack.resolve(t.ref))),
    );
    const alarmsPublish = nodes
      .filter(
        (c): c is cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm =>
          c instanceof cloudwatch.CfnAlarm || c instanceof cloudwatch.CfnCompositeAlarm,
      )
      .some((a) =>
        ((stack.resolve(a.alarmActions) as unknown[] | undefined) ?? []).some((t) =>
          encryptedTopics.has(JSON.stringify(t)),
        ),
      );
    if (alarmsPublish) {
      this.allowService(
        'CloudWatchAlarmsPublish',
        'cloudwatch.amazonaws.com',
        ['kms:Decrypt', 'kms:GenerateDataKey'],
        {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      );
    }
  }

  /** Records an encrypted resource. */
  noteApplied(type: string): void {
    this.applied.set(type, (this.applied.get(type) ?? 0) + 1);
  }
}
