import { DEV_CHAT_API, PROD_CHAT_API } from './chat-config';
import { DEV_KNOWLEDGE_BASE, PROD_KNOWLEDGE_BASE } from './knowledge-config';
import type { StageConfigInput } from './stage-config';

/**
 * Per-stage settings. Edit here (or add a stage) and select it with `-c stage=<name>`.
 * Everything is validated by `StageConfigSchema` at synth, so a typo fails with the key and the reason.
 */
const dev: StageConfigInput = {
  stage: 'dev',
  agent: {
    model: 'claude-sonnet-4-5',
    inferenceGeo: 'us',
    idleSessionTtlMinutes: 10,
    memory: { enabled: false, storageDays: 30, maxRecentSessions: 20 },
    instructionFile: 'infra/config/agent-instruction.md',
    toolExecution: 'lambda',
  },
  lambda: {
    defaults: { memoryMb: 512, timeoutSeconds: 30 },
    // Map-reduce summaries and chunked reviews make several model calls per request.
    tools: { summarize: { timeoutSeconds: 120 }, 'code-review': { timeoutSeconds: 120 } },
    logLevel: 'INFO',
  },
  logRetentionDays: 14,
  retainData: false,
  tools: {
    // Dev only: the Bedrock console's test chat sends no userId; it acts as an operator (see README, Identity).
    unidentifiedCalls: 'operator',
    report: { notificationEmails: [], notificationWebhooks: [] },
    summarize: { model: 'claude-haiku-4-5', maxOutputTokens: 1024 },
    codeReview: {
      gitlabBaseUrl: 'https://gitlab.com',
      projectAllowlist: [],
      tokenSecretName: 'kass/dev/gitlab-token',
      model: 'claude-sonnet-4-5',
      maxDiffChars: 120000,
    },
  },
  knowledgeBase: DEV_KNOWLEDGE_BASE,
  chatApi: DEV_CHAT_API,
  // On: enabled true plus applicationId, publicKey and guildIds of the Discord application (README, Discord bot).
  discord: { enabled: false },
  alarms: { emails: [] },
  tags: { project: 'kass', stage: 'dev' },
};

const prod: StageConfigInput = {
  ...dev,
  stage: 'prod',
  agent: {
    ...dev.agent,
    idleSessionTtlMinutes: 30,
    memory: { enabled: true, storageDays: 30, maxRecentSessions: 20 },
  },
  lambda: {
    defaults: { memoryMb: 1024, timeoutSeconds: 60 },
    // Cost caps on the tools that call models (dev leaves them off: new accounts have only 10 in total).
    tools: {
      summarize: { timeoutSeconds: 180, reservedConcurrency: 10 },
      'code-review': { timeoutSeconds: 180, reservedConcurrency: 5 },
    },
    logLevel: 'INFO',
  },
  logRetentionDays: 90,
  retainData: true,
  tools: {
    ...dev.tools,
    unidentifiedCalls: 'refuse',
    codeReview: { ...dev.tools.codeReview, tokenSecretName: 'kass/prod/gitlab-token' },
  },
  knowledgeBase: PROD_KNOWLEDGE_BASE,
  chatApi: PROD_CHAT_API,
  discord: {
    enabled: false,
    worker: { memoryMb: 1024, timeoutSeconds: 300, agentDeadlineSeconds: 240, reservedConcurrency: 10 },
    rateLimit: { questions: 10, windowSeconds: 60 },
  },
  // The page on CloudFront, signing people in with Cognito (the hosted UI).
  web: { enabled: true },
  tags: { project: 'kass', stage: 'prod' },
};

/** A developer's agent whose tools run on the developer's machine (`kass chat --local-tools`). */
const local: StageConfigInput = {
  ...dev,
  stage: 'local',
  agent: { ...dev.agent, toolExecution: 'return-control' },
  tools: {
    ...dev.tools,
    codeReview: { ...dev.tools.codeReview, tokenSecretName: 'kass/local/gitlab-token' },
  },
  tags: { project: 'kass', stage: 'local' },
};

export const STAGES: Readonly<Record<string, StageConfigInput>> = { dev, prod, local };
