import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Everything the knowledge base indexes lives under this prefix (the data source's inclusion prefix). */
export const DOCUMENTS_PREFIX = 'documents/';

/** Sub-folders `kass sync` uploads into; all of them are below {@link DOCUMENTS_PREFIX}. */
export const DOCUMENT_FOLDERS = {
  excel: `${DOCUMENTS_PREFIX}excel/`,
  pdf: `${DOCUMENTS_PREFIX}pdf/`,
  raw: `${DOCUMENTS_PREFIX}raw/`,
} as const;

/** Prefix of this bucket's server access logs inside the log bucket. */
const ACCESS_LOG_PREFIX = 'documents-bucket/';

export interface DocumentsBucketProps {
  /**
   * Prod: both buckets are kept when the stack is deleted. Dev: they are deleted with the stack, which
   * CloudFormation only does for empty buckets (see the class comment).
   */
  readonly retainData: boolean;
  /** Days after which a replaced or deleted version moves to Glacier Flexible Retrieval. @default 90 */
  readonly noncurrentVersionsToGlacierAfterDays?: number;
  /** Days the server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

/**
 * The documents bucket: the knowledge base's source of truth, laid out as
 *
 * ```
 * documents/excel/   spreadsheets (.xlsx, .xls)
 * documents/pdf/     PDFs
 * documents/raw/     text, Markdown, HTML, CSV, Word
 * ```
 *
 * each file optionally with a `<name>.metadata.json` sidecar beside it. Versioned, SSE-S3, SSL only, no public
 * access, server access logs in a separate bucket, EventBridge notifications on (the ingestion pipeline
 * listens to them). Noncurrent versions move to Glacier; current objects stay in Standard so Bedrock can read
 * them.
 *
 * No `autoDeleteObjects`: it adds a custom-resource Lambda (outside the house Lambda settings) to the stack
 * only to empty buckets on delete. In dev, `kass empty-buckets --stage dev` deletes every object version and
 * delete marker of both buckets before `npx cdk destroy` (CloudFormation deletes only empty buckets; a
 * non-empty one leaves the stack in DELETE_FAILED). Prod retains both and the command refuses it.
 */
export class DocumentsBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  /** The knowledge base's inclusion prefix (`documents/`). */
  public readonly documentsPrefix: string = DOCUMENTS_PREFIX;

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = {
      // Access logs can only be delivered to SSE-S3 buckets; the same key keeps both buckets alike.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    } as const;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogRetentionDays ?? 365),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });
    // No S1 acknowledgement: cdk-nag treats a bucket that receives another bucket's access logs as compliant,
    // and an acknowledgement for a rule that does not fire would hide nothing.

    this.bucket = new s3.Bucket(this, 'Documents', {
      ...common,
      lifecycleRules: [
        {
          id: 'noncurrent-versions-to-glacier',
          noncurrentVersionTransitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(props.noncurrentVersionsToGlacierAfterDays ?? 90),
            },
          ],
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    // Set on the L1: `eventBridgeEnabled: true` on the L2 goes through a Custom::S3BucketNotifications Lambda.
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    // Access logging is wired on the L1 with an explicit delivery policy, so the template is the same whether or
    // not the `serverAccessLogsUseBucketPolicy` feature flag is set (without it the L2 falls back to ACLs).
    cfnBucket.loggingConfiguration = {
      destinationBucketName: this.accessLogBucket.bucketName,
      logFilePrefix: ACCESS_LOG_PREFIX,
    };
    this.accessLogBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsPolicy',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogBucket.arnForObjects(`${ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }
}
