import { type IAspect, Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** What the aspect needs of the stage's encryption construct: the key and where to record what it did. */
export interface StageKeyHolder extends IConstruct {
  readonly key: kms.IKey;
  /** Log-destination buckets left on S3-managed keys (S3 server access logging cannot use KMS). */
  readonly logDestinationBuckets: string[];
  noteApplied(type: string): void;
}

/** A value names an AWS-managed key (`alias/aws/sns`, or its ARN): that is what the aspect replaces. */
const isAwsManagedAlias = (stack: Stack, value: unknown): boolean =>
  /alias\/aws\//.test(JSON.stringify(stack.resolve(value)));

/** A key setting the aspect replaces with the stage key: none, or an AWS-managed key. */
export const takesStageKey = (stack: Stack, value: unknown): boolean =>
  value === undefined || isAwsManagedAlias(stack, value);

/** Applies the stage key to every L1 of the types it covers (see `StageEncryption` in encryption.ts). */
export class ApplyStageKey implements IAspect {
  private logDestinations?: Set<string>;

  constructor(private readonly encryption: StageKeyHolder) {}

  visit(node: IConstruct): void {
    const key = this.encryption.key.keyArn;
    const stack = Stack.of(node);
    if (stack !== Stack.of(this.encryption)) return;
    const note = (type: string) => this.encryption.noteApplied(type);

    if (node instanceof s3.CfnBucket) {
      if (this.isLogDestination(node)) {
        this.encryption.logDestinationBuckets.push(node.node.path);
        return;
      }
      node.bucketEncryption = {
        serverSideEncryptionConfiguration: [
          {
            serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key },
            bucketKeyEnabled: true,
          },
        ],
      };
      note('AWS::S3::Bucket');
    } else if (node instanceof dynamodb.CfnTable) {
      node.sseSpecification = { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: key };
      note('AWS::DynamoDB::Table');
    } else if (node instanceof sqs.CfnQueue) {
      node.sqsManagedSseEnabled = undefined;
      node.kmsMasterKeyId = key;
      note('AWS::SQS::Queue');
    } else if (node instanceof sns.CfnTopic) {
      // A topic with a customer-managed key of its own (the alarm topic) keeps it.
      if (!takesStageKey(stack, node.kmsMasterKeyId)) return;
      node.kmsMasterKeyId = key;
      note('AWS::SNS::Topic');
    } else if (node instanceof logs.CfnLogGroup) {
      if (node.kmsKeyId !== undefined) return;
      node.kmsKeyId = key;
      note('AWS::Logs::LogGroup');
    } else if (node instanceof secretsmanager.CfnSecret) {
      if (!takesStageKey(stack, node.kmsKeyId)) return;
      node.kmsKeyId = key;
      note('AWS::SecretsManager::Secret');
    } else if (node instanceof aoss.CfnSecurityPolicy && node.type === 'encryption') {
      const policy =
        typeof node.policy === 'string' ? (JSON.parse(node.policy) as Record<string, unknown>) : undefined;
      if (policy?.AWSOwnedKey !== true) return;
      node.policy = stack.toJsonString({ ...policy, AWSOwnedKey: false, KmsARN: key });
      node.description = 'KASS documents collection: the stage key';
      note('AWS::OpenSearchServerless::SecurityPolicy');
    } else if (node instanceof bedrock.CfnGuardrail) {
      node.kmsKeyArn = key;
      note('AWS::Bedrock::Guardrail');
    } else if (node instanceof bedrock.CfnAgent) {
      node.customerEncryptionKeyArn = key;
      note('AWS::Bedrock::Agent');
    } else if (node instanceof bedrock.CfnDataSource) {
      node.serverSideEncryptionConfiguration = { kmsKeyArn: key };
      note('AWS::Bedrock::DataSource');
    } else if (node instanceof cloudtrail.CfnTrail) {
      node.kmsKeyId = key;
      note('AWS::CloudTrail::Trail');
    } else if (node instanceof s3vectors.CfnVectorBucket) {
      // Fixed when the bucket is created: on an existing store, bump knowledgeBase.vectorStoreGeneration.
      node.encryptionConfiguration = { sseType: 'aws:kms', kmsKeyArn: key };
      note('AWS::S3Vectors::VectorBucket');
    } else if (node instanceof rds.CfnDBCluster) {
      // Fixed when the cluster is created, like the vector bucket's.
      if (node.kmsKeyId !== undefined) return;
      node.storageEncrypted = true;
      node.kmsKeyId = key;
      note('AWS::RDS::DBCluster');
    }
  }

  /** Buckets other buckets deliver server access logs to, and CloudFront standard-log buckets. */
  private isLogDestination(bucket: s3.CfnBucket): boolean {
    const stack = Stack.of(bucket);
    if (!this.logDestinations) {
      this.logDestinations = new Set<string>();
      for (const node of stack.node.findAll()) {
        if (node instanceof s3.CfnBucket) {
          const logging = stack.resolve(node.loggingConfiguration) as
            | { destinationBucketName?: unknown }
            | undefined;
          if (logging?.destinationBucketName)
            this.logDestinations.add(JSON.stringify(logging.destinationBucketName));
        } else if (node instanceof cloudfront.CfnDistribution) {
          const config = stack.resolve(node.distributionConfig) as
            | { logging?: { bucket?: unknown } }
            | undefined;
          const bucketDomain = config?.logging?.bucket as { 'Fn::GetAtt'?: [string, string] } | undefined;
          const id = bucketDomain?.['Fn::GetAtt']?.[0];
          if (id) this.logDestinations.add(JSON.stringify({ Ref: id }));
        }
      }
    }
    return this.logDestinations.has(JSON.stringify(stack.resolve(bucket.ref)));
  }
}
