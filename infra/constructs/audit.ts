import { Aws, CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AuditConfig } from '../config/operations-config';
import { LOG_RETENTION_DAYS } from '../config/stage-config';
import { StageEncryption } from './encryption';
import { KassFunction, type KassFunctionDefaults } from './kass-function';
import { sendServerAccessLogs } from './server-access-logs';

/** Prefix of Bedrock's invocation logs in the audit bucket (CloudTrail writes under `AWSLogs/`). */
export const INVOCATION_LOG_PREFIX = 'bedrock-invocations';

export interface AuditProps {
  readonly stage: string;
  readonly config: AuditConfig;
  /** Prod: the bucket (with object lock) and the log group stay when the stack is deleted. */
  readonly retainData: boolean;
  /** CloudTrail records its object-level events (who read, wrote or deleted which document). */
  readonly documentsBucket: s3.IBucket;
  /** Where the audit bucket's own server access logs go. */
  readonly accessLogBucket: s3.Bucket;
  /** House settings of the model-invocation-logging custom resource's Lambda. */
  readonly functionDefaults: KassFunctionDefaults;
}

/** The shortest CloudWatch retention period that keeps records at least `days`. */
const retentionAtLeast = (days: number): logs.RetentionDays =>
  (LOG_RETENTION_DAYS.find((d) => d >= days) ?? 3653) as logs.RetentionDays;

/**
 * Audit trails (`audit`):
 *
 * - a locked-down log bucket: no public access, SSL only, versioned, server access logs, records expire after
 *   `retentionDays`; in a stage that retains data, S3 Object Lock (governance mode) keeps every record for that
 *   long — no one without `s3:BypassGovernanceRetention` can delete or overwrite it;
 * - `cloudTrail`: a trail of this region's management events (global services included) and the documents
 *   bucket's S3 data events (reads, writes, deletes), with log-file integrity validation;
 * - `modelInvocationLogging`: Bedrock model-invocation logging for the region to the bucket and/or a log group,
 *   set by a custom resource (there is no CloudFormation resource for it). The records hold prompts and
 *   completions: only the account's administrators should read them.
 */
export class Audit extends Construct {
  public readonly logBucket: s3.Bucket;
  public readonly trail?: cloudtrail.Trail;
  public readonly invocationLogGroup?: logs.LogGroup;
  public readonly invocationLogging?: CustomResource;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    const { config } = props;
    const encryption = StageEncryption.of(this);
    const retention = Duration.days(config.retentionDays);

    this.logBucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      lifecycleRules: [
        { id: 'expire-audit-records', expiration: retention, noncurrentVersionExpiration: Duration.days(1) },
      ],
      ...(props.retainData
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: s3.ObjectLockRetention.governance(retention),
          }
        : {}),
    });
    sendServerAccessLogs(this.logBucket, props.accessLogBucket, 'audit-log-bucket/');

    if (config.cloudTrail) {
      // Named, so the bucket policy can name it without depending on it.
      const trailName = `kass-${props.stage}-audit`;
      const trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${Aws.ACCOUNT_ID}:trail/${trailName}`;
      this.trail = new cloudtrail.Trail(this, 'Trail', {
        trailName,
        bucket: this.logBucket,
        isMultiRegionTrail: false,
        includeGlobalServiceEvents: true,
        enableFileValidation: true,
        managementEvents: cloudtrail.ReadWriteType.ALL,
      });
      this.trail.addS3EventSelector([{ bucket: props.documentsBucket }], {
        readWriteType: cloudtrail.ReadWriteType.ALL,
        includeManagementEvents: false,
      });
      // CloudTrail's grant (added by the trail) names no trail: only this one may write here.
      this.logBucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyThisTrailWrites',
          effect: iam.Effect.DENY,
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [this.logBucket.arnForObjects('AWSLogs/*')],
          conditions: {
            StringNotEquals: {
              'aws:SourceArn': trailArn,
            },
          },
        }),
      );
      // The stage key encrypts the log files: CloudTrail may use it for this trail only.
      const fromThisTrail = { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': trailArn };
      encryption?.allowService(
        'CloudTrailEncryptsLogs',
        'cloudtrail.amazonaws.com',
        ['kms:GenerateDataKey*'],
        {
          StringEquals: fromThisTrail,
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
          },
        },
      );
      encryption?.allowService('CloudTrailDescribesKey', 'cloudtrail.amazonaws.com', ['kms:DescribeKey'], {
        StringEquals: fromThisTrail,
      });
    }

    if (config.modelInvocationLogging.enabled) {
      const logging = this.modelInvocationLogging(props, encryption);
      this.invocationLogging = logging.resource;
      if (logging.logGroup) this.invocationLogGroup = logging.logGroup;
    }
  }

  /** Bedrock invocation logging for the region: destinations, the role Bedrock writes with, the custom resource. */
  private modelInvocationLogging(
    props: AuditProps,
    encryption: StageEncryption | undefined,
  ): { resource: CustomResource; logGroup?: logs.LogGroup } {
    const destinations = new Set(props.config.modelInvocationLogging.destinations);
    const fromBedrockOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
    };
    const properties: Record<string, string> = {};
    const dependencies: Construct[] = [];
    let logGroup: logs.LogGroup | undefined;

    if (destinations.has('s3')) {
      this.logBucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'BedrockWritesInvocationLogs',
          principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [this.logBucket.arnForObjects(`${INVOCATION_LOG_PREFIX}/*`)],
          conditions: fromBedrockOfThisAccount,
        }),
      );
      encryption?.allowService(
        'BedrockWritesInvocationLogs',
        'bedrock.amazonaws.com',
        ['kms:GenerateDataKey'],
        fromBedrockOfThisAccount,
      );
      properties.S3BucketName = this.logBucket.bucketName;
      properties.S3KeyPrefix = INVOCATION_LOG_PREFIX;
      if (this.logBucket.policy) dependencies.push(this.logBucket.policy);
    }

    if (destinations.has('cloudwatch')) {
      logGroup = new logs.LogGroup(this, 'ModelInvocations', {
        retention: retentionAtLeast(props.config.retentionDays),
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      const role = new iam.Role(this, 'InvocationLogsRole', {
        description: 'Bedrock model-invocation logging: writes the records to their log group',
        assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions(fromBedrockOfThisAccount),
        inlinePolicies: {
          WriteInvocationLogs: new iam.PolicyDocument({
            statements: [
              new iam.PolicyStatement({
                actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                resources: [logGroup.logGroupArn],
              }),
            ],
          }),
        },
      });
      properties.LogGroupName = logGroup.logGroupName;
      properties.RoleArn = role.roleArn;
      dependencies.push(logGroup, role);
    }

    const fn = new KassFunction(this, 'LoggingConfiguration', {
      ...props.functionDefaults,
      entry: 'functions/bedrock-logging/handler.ts',
      description:
        'Custom resource: sets Bedrock model-invocation logging for the region (none in CloudFormation)',
      serviceName: 'kass-bedrock-logging',
      settings: { memoryMb: 256, timeoutSeconds: 300 },
    });
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'bedrock:PutModelInvocationLoggingConfiguration',
          'bedrock:GetModelInvocationLoggingConfiguration',
          'bedrock:DeleteModelInvocationLoggingConfiguration',
        ],
        // The logging configuration is a setting of the account and region, not a resource with an ARN.
        resources: ['*'],
      }),
    );
    if (properties.RoleArn) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [properties.RoleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        }),
      );
    }
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords and Bedrock Put/Get/DeleteModelInvocationLoggingConfiguration ' +
        'have no resource-level permissions (the logging configuration is a setting of the region).',
    });

    const resource = new CustomResource(this, 'ModelInvocationLogging', {
      serviceToken: fn.function.functionArn,
      resourceType: 'Custom::ModelInvocationLogging',
      properties,
    });
    for (const dependency of dependencies) resource.node.addDependency(dependency);
    return { resource, ...(logGroup ? { logGroup } : {}) };
  }
}
