import * as path from 'node:path';
import { Annotations, App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { processEnv } from '../contracts/env';
import { checkChunkingLock, readChunkingLock, writeChunkingLock } from './config/chunking-lock';
import { ConfigError } from './config/config-error';
import { loadGuardrailPolicy } from './config/guardrail-policy';
import { checkInferenceRegion } from './config/inference-geographies';
import { CONFIG_CONTEXT_KEY, loadStageConfig, parseConfigOverrides } from './config/load-config';
import type { StageConfig } from './config/stage-config';
import { checkVectorStoreLock, readVectorStoreLock, writeVectorStoreLock } from './config/vector-store-lock';
import { REPO_ROOT } from './constructs/kass-function';
import { discoverTools } from './constructs/tool-discovery';
import { KassStack } from './stacks/kass-stack';
import { addPipelineStack } from './stacks/pipeline-stack';

export interface BuildAppOptions {
  /** Stage name; `-c stage=<name>` when run by the CDK CLI. @default 'dev' */
  readonly stage?: string;
  /** Where the cloud assembly goes. @default - the CDK CLI's choice, or `cdk.out` */
  readonly outdir?: string;
  /** Extra CDK context (tests pass `aws:cdk:bundling-stacks: []` to skip bundling). */
  readonly context?: Record<string, unknown>;
  /** Run cdk-nag as a validation plugin (any finding fails synth). @default true */
  readonly nag?: boolean;
  /**
   * Record a stage's first chunking and vector-store settings (and new generations) in
   * `knowledge/chunking.lock.json` and `knowledge/vector-store.lock.json` (the synth commands do; tests only
   * check). @default false
   */
  readonly recordLocks?: boolean;
  /**
   * The region an environment-agnostic stage deploys to: the CDK CLI's CDK_DEFAULT_REGION (the profile's
   * region). Checked against the inference profile's geography, like a stage's `env.region`.
   * @default - none: only `env.region` is checked
   */
  readonly targetRegion?: string;
}

export const CHUNKING_LOCK_FILE = path.join(REPO_ROOT, 'knowledge', 'chunking.lock.json');
export const VECTOR_STORE_LOCK_FILE = path.join(REPO_ROOT, 'knowledge', 'vector-store.lock.json');

/**
 * Chunking and parsing cannot change once a data source exists: fail synth on a change, record a stage's first
 * use. A new vector store replaces the knowledge base: returns the warning synth shows.
 */
function guardChunking(config: StageConfig, record: boolean): string | undefined {
  const lock = readChunkingLock(CHUNKING_LOCK_FILE);
  const check = checkChunkingLock(config.stage, config.knowledgeBase, lock);
  if (check.status === 'mismatch') throw new ConfigError('knowledge/chunking.lock.json', [check.message]);
  if (check.status !== 'ok' && record)
    writeChunkingLock(CHUNKING_LOCK_FILE, { ...lock, [config.stage]: check.entry });
  return check.status === 'store-changed' ? check.message : undefined;
}

/** Id of the synth warning that the knowledge base is replaced (a new vector store). */
export const KNOWLEDGE_BASE_REPLACED_WARNING = 'kass:knowledgeBaseReplaced';

/** Context key that turns CDK's built-in CloudFormation validation on (`-c kass:cfnValidate=true`). */
export const CFN_VALIDATE_CONTEXT = 'kass:cfnValidate';

/** Context values arrive as booleans from code and as strings from `cdk -c`. */
const isTrue = (value: unknown): boolean => value === true || value === 'true';

/** Settings fixed at vector-store creation cannot change without a new generation: fail synth, or record. */
function guardVectorStore(config: StageConfig, record: boolean): void {
  const lock = readVectorStoreLock(VECTOR_STORE_LOCK_FILE);
  const check = checkVectorStoreLock(config.stage, config.knowledgeBase, lock);
  if (check.status === 'mismatch') throw new ConfigError('knowledge/vector-store.lock.json', [check.message]);
  if (check.status !== 'ok' && record)
    writeVectorStoreLock(VECTOR_STORE_LOCK_FILE, { ...lock, [config.stage]: check.entry });
}

/** Stack name of a stage: what `kass` commands look up to find the agent, bucket and knowledge base. */
export const stackNameOf = (stage: string): string => `kass-${stage}`;

/** Builds the whole KASS app for one stage: validated config → stack → cdk-nag. */
export function buildApp(options: BuildAppOptions = {}) {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: options.context ?? {},
    // CDK's built-in template validation loads a WASM linter that costs seconds on every synth; `npm test`
    // runs cfn-lint over every template and this validation once (tests/infra/cfn-validate.test.ts).
    // `-c kass:cfnValidate=true` turns it on for a synth.
    builtinCloudFormationValidation: false,
  });
  if (isTrue(app.node.tryGetContext(CFN_VALIDATE_CONTEXT))) {
    Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
  }
  const stage = options.stage ?? (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
  const config = loadStageConfig(stage, parseConfigOverrides(app.node.tryGetContext(CONFIG_CONTEXT_KEY)));
  checkInferenceRegion(config, config.env.region ?? options.targetRegion);
  const storeChange = guardChunking(config, options.recordLocks ?? false);
  guardVectorStore(config, options.recordLocks ?? false);
  const kassStack = (scope: Construct, stageConfig: StageConfig) => {
    const inPipeline = scope !== app;
    if (inPipeline) {
      // The pipeline's other stages pass the same checks (nothing is recorded for them here).
      checkInferenceRegion(stageConfig, stageConfig.env.region);
      guardChunking(stageConfig, false);
      guardVectorStore(stageConfig, false);
    }
    return new KassStack(scope, stackNameOf(stageConfig.stage), {
      // The same CloudFormation stack name wherever it is deployed from (the pipeline would prefix its stage).
      stackName: stackNameOf(stageConfig.stage),
      config: stageConfig,
      tools: discoverTools(REPO_ROOT),
      guardrailPolicy: loadGuardrailPolicy(path.join(REPO_ROOT, 'guardrails', 'policy.yaml')),
      description: `KASS managed-RAG chatbot (${stageConfig.stage})`,
      // Inside the pipeline's stages the Stage carries the environment.
      ...((stageConfig.env.account || stageConfig.env.region) && !inPipeline ? { env: stageConfig.env } : {}),
    });
  };
  const stack = kassStack(app, config);
  if (storeChange) Annotations.of(stack.knowledge).addWarningV2(KNOWLEDGE_BASE_REPLACED_WARNING, storeChange);
  // `pipeline.enabled`: the delivery pipeline, deploying its stages with the same stack code.
  const pipeline = addPipelineStack(app, config, kassStack);
  // Verbose: each finding also says why the rule exists, which is most of what to do about it.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, config, ...(pipeline ? { pipeline } : {}) };
}

if (require.main === module) {
  try {
    buildApp({ recordLocks: true, targetRegion: processEnv().CDK_DEFAULT_REGION });
  } catch (error) {
    // Configuration and schema problems are the user's to fix: print the message, not a stack trace.
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
