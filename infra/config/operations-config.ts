import { z } from 'zod';

/** An IPv4 CIDR block with a /16–/24 mask (room for two AZs of private subnets). */
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/;
const validCidr = (value: string): boolean => {
  const match = CIDR.exec(value);
  return match?.slice(1, 5).every((octet) => Number(octet) <= 255) ?? false;
};

const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must be a ${prefix}-… id`);
const cidr = z.string().refine(validCidr, 'must be an IPv4 CIDR block with a /16-/24 mask');

/**
 * An existing VPC, imported by id without a lookup (`Vpc.fromVpcAttributes`), so synth needs no AWS account:
 * its private subnets (one per AZ, in the same order as `availabilityZones`) and their route tables (the S3 and
 * DynamoDB gateway endpoints are added to them).
 */
const ExistingVpcSchema = z
  .strictObject({
    vpcId: awsId('vpc'),
    /** The VPC's primary CIDR block: the endpoints' security group admits HTTPS from it. */
    cidrBlock: cidr,
    availabilityZones: z
      .array(
        z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an availability zone such as us-east-1a'),
      )
      .min(2, 'at least two (the functions and the endpoints span two AZs)'),
    privateSubnetIds: z.array(awsId('subnet')),
    privateSubnetRouteTableIds: z.array(awsId('rtb')),
  })
  .superRefine((v, ctx) => {
    for (const key of ['privateSubnetIds', 'privateSubnetRouteTableIds'] as const) {
      if (v[key].length !== v.availabilityZones.length) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `needs one entry per availability zone (${v.availabilityZones.length}), in the same order`,
        });
      }
    }
  });

/**
 * Private networking. Off: functions run in Lambda's own network and call AWS over its public endpoints (TLS +
 * SigV4). On: every function runs in private subnets of a two-AZ VPC and reaches AWS through VPC endpoints.
 */
export const NetworkConfigSchema = z
  .strictObject({
    vpc: z.boolean(),
    /** CIDR of the VPC the stack creates (ignored with `existingVpc`). */
    cidr: cidr.default('10.0.0.0/16'),
    /**
     * Functions that call the internet (the code-review tool → GitLab, the Discord worker → discord.com, the
     * WebSocket authorizer in Cognito mode → the pool's public keys). `true`: one NAT gateway in one AZ (about
     * $33 a month plus $0.045 per GB, us-east-1) and they run in the VPC like the others; with `existingVpc` it
     * declares that its private subnets already route to a NAT. `false`: they run outside the VPC (synth warns and
     * names them). No NAT is created when no function needs the internet.
     */
    natGateway: z.boolean().default(true),
    /** Deploy into this VPC instead of creating one. */
    existingVpc: ExistingVpcSchema.optional(),
    /**
     * Create the VPC endpoints the functions need. Turn off only for an existing VPC that already has them (with
     * private DNS): a second endpoint for the same service and private DNS name cannot be created.
     */
    createEndpoints: z.boolean().default(true),
  })
  .superRefine((n, ctx) => {
    if (!n.vpc && n.existingVpc) {
      ctx.addIssue({
        code: 'custom',
        path: ['existingVpc'],
        message: 'network.existingVpc needs network.vpc=true (the functions are placed in it only then)',
      });
    }
    if (!n.createEndpoints && !n.existingVpc) {
      ctx.addIssue({
        code: 'custom',
        path: ['createEndpoints'],
        message:
          'network.createEndpoints=false is only for an existingVpc that has the endpoints already; a VPC the ' +
          'stack creates has no other way to reach AWS',
      });
    }
  })
  .prefault({ vpc: false });

/** Customer-managed encryption: one KMS key per stage (yearly rotation) instead of AWS-owned/managed keys. */
export const EncryptionConfigSchema = z
  .strictObject({
    customerManagedKey: z.boolean(),
    /** Days a deleted key waits before it is gone (7-30); prod keeps data encrypted with it, so keep it long. */
    pendingWindowDays: z.number().int().min(7).max(30).default(30),
  })
  .prefault({ customerManagedKey: false });

/** Where Bedrock model-invocation logs go (prompts and completions: treat them as sensitive data). */
const InvocationLogDestination = z.enum(['s3', 'cloudwatch']);

/** Audit trails: CloudTrail and Bedrock model-invocation logging. */
export const AuditConfigSchema = z
  .strictObject({
    /**
     * A CloudTrail trail of this region's management events and the documents bucket's S3 data events, into a
     * locked-down, versioned log bucket (log-file validation on). Management events: the first trail's copy is
     * free; data events $0.10 per 100,000.
     */
    cloudTrail: z.boolean(),
    /**
     * Bedrock model-invocation logging for the account and region (one setting per region: a second stage in the
     * same account and region overwrites it). Records prompts and completions of every model call.
     */
    modelInvocationLogging: z
      .strictObject({
        enabled: z.boolean(),
        destinations: z
          .array(InvocationLogDestination)
          .min(1, 'name s3, cloudwatch or both')
          .default(['s3', 'cloudwatch']),
      })
      .prefault({ enabled: false }),
    /** Days audit records are kept (trail and invocation-log objects, invocation log group). */
    retentionDays: z.number().int().min(1).max(3653).default(365),
  })
  .prefault({ cloudTrail: false });

/** The stage's CloudWatch dashboard ($3 a month). */
export const DashboardConfigSchema = z.strictObject({ enabled: z.boolean() }).prefault({ enabled: true });

/** Alarm subscribers and thresholds (every alarm notifies the alarm topic). */
export const AlarmsConfigSchema = z.strictObject({
  /** Email addresses subscribed to the alarm topic (each confirms by mail). */
  emails: z.array(z.email('must be an email address')),
  /** HTTPS endpoints (a chat webhook relay, an incident tool) subscribed to the alarm topic. */
  httpsEndpoints: z.array(z.url({ protocol: /^https$/, error: 'must be an https:// URL' })).default([]),
  thresholds: z
    .strictObject({
      /** A tool's failed calls (5xx) in 5 minutes, percent of its calls. */
      toolErrorRatePercent: z.number().min(0.1).max(100).default(5),
      /** The chat REST API's 5XX answers in 5 minutes, percent of its requests. */
      api5xxRatePercent: z.number().min(0.1).max(100).default(1),
      /** p90 of a chat turn (question to complete answer) over 15 minutes, seconds. */
      chatLatencyP90Seconds: z.number().min(1).max(900).default(20),
      /** Least calls in the window before a rate alarm judges (a single failure of a single call is noise). */
      minimumRequests: z.number().int().min(1).max(10000).default(5),
    })
    .prefault({}),
});

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/;

/**
 * The delivery pipeline (a separate stack, `kass-pipeline`): CDK Pipelines from a CodeConnections source →
 * `npm ci && npm test` and synth → deploy each stage of `stages` in order, with a manual approval before those
 * in `approvalBefore`.
 */
export const PipelineConfigSchema = z
  .strictObject({
    enabled: z.boolean(),
    source: z
      .strictObject({
        /** The CodeConnections connection (GitHub, GitLab, Bitbucket), created and authorised in the console. */
        connectionArn: z
          .string()
          .regex(
            CONNECTION_ARN,
            'must be a CodeConnections connection ARN (arn:aws:codeconnections:…:connection/…)',
          ),
        /** `owner/name` of the repository. */
        repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name'),
        branch: z.string().min(1).max(255).default('main'),
      })
      .optional(),
    /** Stages the pipeline deploys, in order. */
    stages: z.array(z.string().min(1)).min(1, 'at least one stage').default(['dev', 'prod']),
    /** Stages that wait for a person to approve in the console before they deploy. */
    approvalBefore: z.array(z.string().min(1)).default(['prod']),
  })
  .superRefine((p, ctx) => {
    if (p.enabled && !p.source) {
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message:
          'pipeline.enabled=true needs pipeline.source { connectionArn, repository, branch } (a CodeConnections ' +
          'connection created and authorised in the console)',
      });
    }
    for (const [i, stage] of p.approvalBefore.entries()) {
      if (!p.stages.includes(stage)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvalBefore', i],
          message: `pipeline.approvalBefore names '${stage}', which is not in pipeline.stages (${p.stages.join(', ')})`,
        });
      }
    }
  })
  .prefault({ enabled: false });

export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;
export type ExistingVpcConfig = z.infer<typeof ExistingVpcSchema>;
export type EncryptionConfig = z.infer<typeof EncryptionConfigSchema>;
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
export type AlarmsConfig = z.infer<typeof AlarmsConfigSchema>;
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
