import { z } from 'zod';
import { AGENT_ENGINES, AgentCoreConfigSchema } from './agentcore-config';
import { ChatApiConfigSchema } from './chat-config';
import { DiscordConfigSchema } from './discord-config';
import { KnowledgeBaseConfigSchema } from './knowledge-config';
import {
  AlarmsConfigSchema,
  AuditConfigSchema,
  DashboardConfigSchema,
  EncryptionConfigSchema,
  NetworkConfigSchema,
  PipelineConfigSchema,
} from './operations-config';
import { WebConfigSchema } from './web-config';

/** Agent models KASS knows how to wire (foundation model + cross-region inference profile). */
export const AGENT_MODELS = [
  'claude-sonnet-4-5',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-3-5-sonnet-v2',
] as const;
export type AgentModel = (typeof AGENT_MODELS)[number];

/** Models that Bedrock lists as LEGACY: still selectable for accounts that have them, with a synth warning. */
export const LEGACY_MODELS: readonly AgentModel[] = ['claude-3-5-sonnet-v2'];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const modelKey = z.enum(AGENT_MODELS, {
  error: () => `must be one of ${AGENT_MODELS.join(', ')} (Claude 3.x/3.5 ids are Legacy on Bedrock)`,
});

const logRetentionDays = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be a CloudWatch retention period: ${LOG_RETENTION_DAYS.join(', ')}`,
});

export const LambdaSettingsSchema = z.strictObject({
  /** Memory in MB; more memory also buys CPU. */
  memoryMb: z.number().int().min(128).max(10240),
  timeoutSeconds: z.number().int().min(1).max(900),
  /** Reserved concurrency: a cost cap for functions that call models. Needs account headroom (new accounts have 10). */
  reservedConcurrency: z.number().int().min(1).max(1000).optional(),
});

export const StageConfigSchema = z
  .strictObject({
    /** Stage name: part of the stack name and of resource names an operator sees. */
    stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lower-case letters, digits or dashes'),
    /** AWS account/region to deploy to; unset means the CLI's current credentials and region. */
    env: z
      .strictObject({
        account: z
          .string()
          .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
          .optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
          .optional(),
      })
      .default({}),
    agent: z.strictObject({
      model: modelKey,
      /** Geography of the cross-region inference profile (`us.`, `eu.`, `apac.`, `global.`). */
      inferenceGeo: z.enum(['us', 'eu', 'apac', 'global']),
      idleSessionTtlMinutes: z.number().int().min(1).max(60),
      memory: z.strictObject({
        enabled: z.boolean(),
        storageDays: z.number().int().min(1).max(365),
        maxRecentSessions: z.number().int().min(1).max(50),
      }),
      /** Instruction file, relative to the repository root. */
      instructionFile: z.string().min(1),
      /**
       * `lambda`: Bedrock calls the tool Lambdas. `return-control`: the agent hands each tool call back to the
       * caller (`kass chat --local-tools` runs the local handlers), for iterating on a tool without redeploying.
       */
      toolExecution: z.enum(['lambda', 'return-control']),
      /**
       * `classic`: a Bedrock Agent (InvokeAgent). `agentcore`: an AgentCore gateway over the same tool Lambdas and a
       * harness with the same model and instruction (InvokeHarness), for accounts that cannot create Classic agents.
       */
      engine: z
        .enum(AGENT_ENGINES, { error: () => `must be one of ${AGENT_ENGINES.join(', ')}` })
        .default('classic'),
      /** Settings only the `agentcore` engine reads. */
      agentcore: AgentCoreConfigSchema.prefault({}),
    }),
    lambda: z.strictObject({
      defaults: LambdaSettingsSchema,
      /**
       * Per-tool overrides (by action-group name) over the defaults and what the tool's `needs.ts` asks for
       * (`lambda`: e.g. a longer timeout for a tool that calls a model).
       */
      tools: z.record(z.string(), LambdaSettingsSchema.partial()).default({}),
      /**
       * Reserve the concurrency caps tools declare in their `needs.ts` (a cost cap on tools that call models).
       * Off by default: new accounts have a Lambda quota of 10 in total. @default false
       */
      reserveToolConcurrency: z.boolean().default(false),
      logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    }),
    logRetentionDays,
    /** Keep data (tables, buckets, logs) when the stack is deleted; on for prod. */
    retainData: z.boolean(),
    tools: z.strictObject({
      /**
       * Tool calls whose session names no caller (no `userId` session attribute: a direct InvokeAgent from a
       * script, the Bedrock console's test chat). `refuse`: report and summarize answer 403. `operator`: they
       * run as an operator (every ticket visible); only for stages where whoever can call InvokeAgent with IAM
       * is trusted as an operator anyway (such a caller can set any session attribute). @default 'refuse'
       */
      unidentifiedCalls: z
        .enum(['refuse', 'operator'], { error: () => 'tools.unidentifiedCalls must be refuse or operator' })
        .default('refuse'),
      report: z.strictObject({
        notificationEmails: z.array(z.email('must be an email address')),
        notificationWebhooks: z.array(z.url({ protocol: /^https$/, error: 'must be an https:// URL' })),
      }),
      summarize: z.strictObject({
        /** A fast model for summaries (called through Converse, not the agent). */
        model: modelKey,
        maxOutputTokens: z.number().int().min(64).max(8192),
      }),
      codeReview: z.strictObject({
        gitlabBaseUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
        /** Projects the tool may read, by numeric id or full path (group/project). */
        projectAllowlist: z.array(z.string().min(1)),
        /** Secrets Manager secret name that holds the GitLab token (created empty by the stack). */
        tokenSecretName: z.string().regex(/^[\w/+=.@-]{1,512}$/, 'must be a valid Secrets Manager name'),
        model: modelKey,
        maxDiffChars: z.number().int().min(1000).max(400000),
      }),
    }),
    knowledgeBase: KnowledgeBaseConfigSchema,
    chatApi: ChatApiConfigSchema,
    /** The Discord bot (`/ask` and the "Ask KASS" message command); off unless a stage turns it on. */
    discord: DiscordConfigSchema,
    /** The web chat page (`web/`) on CloudFront. @default off (`kass web` serves it locally either way) */
    web: WebConfigSchema.prefault({ enabled: false }),
    /** Who hears about alarms (DLQ depth, Lambda errors and throttles, API 5XX, …) and their thresholds. */
    alarms: AlarmsConfigSchema,
    /** The stage's CloudWatch dashboard. @default on */
    dashboard: DashboardConfigSchema,
    /** Every function in private subnets of a VPC, AWS reached through VPC endpoints. @default off */
    network: NetworkConfigSchema,
    /** One customer-managed KMS key for the stage's data, logs and Bedrock resources. @default off */
    encryption: EncryptionConfigSchema,
    /** CloudTrail trail and Bedrock model-invocation logging. @default off */
    audit: AuditConfigSchema,
    /** The CDK Pipelines delivery pipeline (stack `kass-pipeline`). @default off */
    pipeline: PipelineConfigSchema,
    tags: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((c, ctx) => {
    // A browser page in API-key mode would need a key in the browser: a prod stage signs people in instead.
    if (c.web.enabled && !c.chatApi.cognito.enabled && (c.stage === 'prod' || c.retainData)) {
      ctx.addIssue({
        code: 'custom',
        path: ['web', 'enabled'],
        message:
          'web.enabled=true needs chatApi.cognito.enabled=true in this stage (prod, or retainData=true): a hosted ' +
          'page in API-key mode would hand every visitor the key. Turn Cognito on, or web off.',
      });
    }
  });

export type StageConfig = z.infer<typeof StageConfigSchema>;
export type StageConfigInput = z.input<typeof StageConfigSchema>;
export type AgentConfig = StageConfig['agent'];
export type LambdaSettings = z.infer<typeof LambdaSettingsSchema>;
