import type { LoggingConfig } from '@aws-sdk/client-bedrock';
import * as z from 'zod/mini';
import type { CustomResourceOutcome, CustomResourceRequest } from '../shared/cfn-response';

/** One setting per account and region, so one physical id. */
export const PHYSICAL_ID = 'bedrock-model-invocation-logging';

/** What the stack asks for (the custom resource's properties; CloudFormation passes strings). */
export const LoggingProperties = z
  .object({
    S3BucketName: z.optional(z.string().check(z.minLength(3))),
    S3KeyPrefix: z.optional(z.string()),
    LogGroupName: z.optional(z.string().check(z.minLength(1))),
    /** The role Bedrock assumes to write to the log group. */
    RoleArn: z.optional(
      z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, 'must be an IAM role ARN')),
    ),
  })
  .check(
    z.refine((p) => Boolean(p.S3BucketName || p.LogGroupName), 'S3BucketName or LogGroupName is required'),
    z.refine((p) => !p.LogGroupName || Boolean(p.RoleArn), 'RoleArn is required with LogGroupName'),
  );
export type LoggingProperties = z.infer<typeof LoggingProperties>;

/** Bedrock's logging API, as the handler uses it. */
export interface InvocationLoggingPort {
  get(): Promise<LoggingConfig | undefined>;
  put(config: LoggingConfig): Promise<void>;
  delete(): Promise<void>;
}

/**
 * The configuration for the stack's destinations: text prompts and completions (what KASS sends); images,
 * embeddings and video off (large, and not sent by KASS). Bodies over 100 KB go to the bucket when there is one.
 */
export function loggingConfigFor(p: LoggingProperties): LoggingConfig {
  const s3 = p.S3BucketName
    ? { bucketName: p.S3BucketName, ...(p.S3KeyPrefix ? { keyPrefix: p.S3KeyPrefix } : {}) }
    : undefined;
  return {
    ...(s3 ? { s3Config: s3 } : {}),
    ...(p.LogGroupName && p.RoleArn
      ? {
          cloudWatchConfig: {
            logGroupName: p.LogGroupName,
            roleArn: p.RoleArn,
            ...(s3 ? { largeDataDeliveryS3Config: s3 } : {}),
          },
        }
      : {}),
    textDataDeliveryEnabled: true,
    imageDataDeliveryEnabled: false,
    embeddingDataDeliveryEnabled: false,
    videoDataDeliveryEnabled: false,
  };
}

/** Whether the region's current configuration is the one this stack set (same bucket or same log group). */
export function isOurs(current: LoggingConfig | undefined, p: LoggingProperties): boolean {
  if (!current) return false;
  return (
    (p.S3BucketName !== undefined && current.s3Config?.bucketName === p.S3BucketName) ||
    (p.LogGroupName !== undefined && current.cloudWatchConfig?.logGroupName === p.LogGroupName)
  );
}

/** Errors worth another try: Bedrock checks the destinations with the new role and bucket policy, which IAM and S3
 * make visible within seconds to a minute. */
const RETRYABLE = new Set(['ValidationException', 'AccessDeniedException', 'ThrottlingException']);

export interface ApplyOptions {
  /** Stop retrying at this time (ms since epoch): the answer must reach CloudFormation before the timeout. */
  readonly deadline: number;
  /** @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Create/Update: put the configuration (retrying while Bedrock cannot yet see the new role or bucket policy).
 * Delete: remove it only if it is still this stack's (another stage in the account and region may have set its
 * own since). Every outcome is an answer for CloudFormation: nothing throws.
 */
export async function applyInvocationLogging(
  request: CustomResourceRequest,
  port: InvocationLoggingPort,
  options: ApplyOptions,
): Promise<CustomResourceOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const parsed = LoggingProperties.safeParse(request.ResourceProperties);
  if (!parsed.success) {
    return {
      status: 'FAILED',
      physicalResourceId: request.PhysicalResourceId ?? PHYSICAL_ID,
      reason: `Invalid properties: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  }
  const props = parsed.data;

  if (request.RequestType === 'Delete') {
    try {
      const current = await port.get();
      if (!isOurs(current, props)) {
        return {
          status: 'SUCCESS',
          physicalResourceId: request.PhysicalResourceId ?? PHYSICAL_ID,
          reason: 'Model invocation logging now belongs to another configuration; left as it is.',
        };
      }
      await port.delete();
      return { status: 'SUCCESS', physicalResourceId: request.PhysicalResourceId ?? PHYSICAL_ID };
    } catch (error) {
      return {
        status: 'FAILED',
        physicalResourceId: request.PhysicalResourceId ?? PHYSICAL_ID,
        reason:
          `Could not remove Bedrock model invocation logging (${describe(error)}). Remove it with ` +
          '`aws bedrock delete-model-invocation-logging-configuration`, then retry the delete.',
      };
    }
  }

  const config = loggingConfigFor(props);
  let delay = 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await port.put(config);
      return {
        status: 'SUCCESS',
        physicalResourceId: PHYSICAL_ID,
        data: {
          Destinations: [props.S3BucketName ? 's3' : '', props.LogGroupName ? 'cloudwatch' : '']
            .filter(Boolean)
            .join(','),
        },
      };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (!RETRYABLE.has(name) || now() + delay > options.deadline) {
        return {
          status: 'FAILED',
          physicalResourceId: request.PhysicalResourceId ?? PHYSICAL_ID,
          reason: `PutModelInvocationLoggingConfiguration failed after ${attempt} attempt(s): ${describe(error)}`,
        };
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
