import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Sends `bucket`'s S3 server access logs to `logBucket` under `prefix`, wired on the L1 with an explicit
 * delivery policy (`logging.s3.amazonaws.com`, only from this bucket and account), so the template is the same
 * whether or not the `serverAccessLogsUseBucketPolicy` feature flag is set.
 */
export function sendServerAccessLogs(bucket: s3.Bucket, logBucket: s3.Bucket, prefix: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: logBucket.bucketName,
    logFilePrefix: prefix,
  };
  logBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsPolicy',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logBucket.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
      },
    }),
  );
}
