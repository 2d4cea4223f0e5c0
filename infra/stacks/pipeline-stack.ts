import {
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { ConfigError } from '../config/config-error';
import { loadStageConfig } from '../config/load-config';
import type { PipelineConfig } from '../config/operations-config';
import type { StageConfig } from '../config/stage-config';
import { nagResource } from '../constructs/nag-ids';
import { sendServerAccessLogs } from '../constructs/server-access-logs';

type Statement = { Action?: string | string[]; Resource?: unknown };

/**
 * The build image: Debian (as `.ci/run` expects, its Chromium included) with the Node.js major the project is
 * developed and tested on, from the public ECR mirror of Docker's official images (no Docker Hub rate limit).
 */
export const BUILD_IMAGE = 'public.ecr.aws/docker/library/node:20-bookworm';

/** The test command of the README (`npm ci && npm test`), as CI runs it (`.ci/run` adds Debian's Chromium). */
export const TEST_COMMAND = 'bash .ci/run';

/** cfn-lint for the template tests (PyPI; the version the project's templates are checked with). */
export const CFN_LINT_INSTALL = [
  'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv',
  'python3 -m venv /opt/cfn-lint && /opt/cfn-lint/bin/pip install --quiet cfn-lint==1.51.0',
  'ln -sf /opt/cfn-lint/bin/cfn-lint /usr/local/bin/cfn-lint',
] as const;

export interface PipelineStackProps extends StackProps {
  /** The stage whose configuration holds `pipeline` (its name is what the synth step passes to the app). */
  readonly hostStage: string;
  readonly pipeline: PipelineConfig & { readonly source: NonNullable<PipelineConfig['source']> };
  /** The validated configuration of every stage the pipeline deploys, in order. */
  readonly stages: readonly StageConfig[];
  /** Builds a stage's stacks inside the pipeline's CDK Stage (the same code `npx cdk deploy` runs). */
  readonly buildStage: (scope: Stage, config: StageConfig) => void;
}

/** A deployment of one KASS stage, as the pipeline sees it. */
class KassStage extends Stage {
  constructor(scope: Construct, id: string, config: StageConfig, build: PipelineStackProps['buildStage']) {
    super(scope, id, config.env.account || config.env.region ? { env: config.env } : {});
    build(this, config);
  }
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * The delivery pipeline (`pipeline.enabled`), a stack of its own (`kass-pipeline`): CDK Pipelines from a
 * CodeConnections source (GitHub, GitLab, Bitbucket) → a CodeBuild step on Debian that runs the README's test
 * command and synthesizes the app (cdk-nag enforced) → the pipeline updates itself → each stage of
 * `pipeline.stages` in order, a manual approval before those in `pipeline.approvalBefore`. Artifacts sit in an
 * encrypted, SSL-only, versioned bucket with access logs; build logs in log groups with retention.
 */
export class PipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  public readonly artifactBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { source } = props.pipeline;

    const accessLogs = new s3.Bucket(this, 'ArtifactAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1) }],
    });
    // Build outputs (the synthesized app and Lambda bundles) under a key of their own: CodeBuild encrypts
    // what it writes with it, and only the pipeline's roles are granted it.
    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: 'KASS delivery pipeline artifacts',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
    sendServerAccessLogs(this.artifactBucket, accessLogs, 'artifacts/');

    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deployedToOtherAccounts = props.stages.some(
      (s) => s.env.account !== undefined && s.env.account !== props.env?.account,
    );

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: `kass-${props.hostStage}-delivery`,
      // V2: billed per action-minute (a few runs a day cost cents) instead of $1 per pipeline-month; V1 is legacy.
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      crossAccountKeys: deployedToOtherAccounts,
      enableKeyRotation: deployedToOtherAccounts,
      selfMutation: true,
      // One CodeBuild project publishes every asset (one per asset would add a project per Lambda).
      publishAssetsInParallel: false,
      // No Docker anywhere: Lambdas are bundled by the local esbuild, the web page by Vite.
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.MEDIUM,
        },
        logging: { cloudWatch: { logGroup: buildLogs } },
        timeout: Duration.minutes(60),
      },
      synth: new pipelines.CodeBuildStep('Synth', {
        input: pipelines.CodePipelineSource.connection(source.repository, source.branch, {
          connectionArn: source.connectionArn,
          triggerOnPush: true,
        }),
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.fromDockerRegistry(BUILD_IMAGE),
          computeType: codebuild.ComputeType.LARGE,
        },
        env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
        installCommands: [...CFN_LINT_INSTALL],
        commands: [TEST_COMMAND, `npx cdk synth --quiet -c stage=${props.hostStage}`],
        primaryOutputDirectory: 'cdk.out',
      }),
    });

    for (const config of props.stages) {
      const approval = props.pipeline.approvalBefore.includes(config.stage);
      this.pipeline.addStage(new KassStage(this, pascal(config.stage), config, props.buildStage), {
        ...(approval
          ? {
              pre: [
                new pipelines.ManualApprovalStep(`Approve${pascal(config.stage)}`, {
                  comment: `Deploy KASS ${config.stage}? The ${props.pipeline.stages[0]} deployment is verified.`,
                }),
              ],
            }
          : {}),
      });
    }
    // The CodeBuild projects and roles exist only once the pipeline is built.
    this.pipeline.buildPipeline();
    // The deploy actions name the bootstrap roles with Fn::Join (CDK's synthesizer), which cfn-lint 1.51 reports
    // under E3703 as "prefer Fn::Sub": a style note on a valid ARN, so that one check is off for the pipeline.
    (this.pipeline.pipeline.node.defaultChild as CfnResource).cfnOptions.metadata = {
      'cfn-lint': { config: { ignore_checks: ['E3703'] } },
    };
    this.acknowledgeFindings();
  }

  /**
   * CDK Pipelines' own roles: every wildcard in their policies, named exactly (read from the policies, as cdk-nag
   * prints it), with why it is there; and the build image.
   */
  private acknowledgeFindings(): void {
    const reason =
      'CDK Pipelines grants its roles what the pipeline needs: the artifact objects (<bucket>/*) and the ' +
      's3:GetObject*/GetBucket*/List*/DeleteObject*/Abort* groups on them, its CodeBuild projects’ log streams and ' +
      'report groups by prefix, and the CDK bootstrap roles (role/*, assumed by name) for deploys and assets.';
    for (const role of this.pipeline.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) {
      const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
      const statements = (this.resolve(policy?.document.toJSON()) as { Statement?: Statement[] } | undefined)
        ?.Statement;
      const ids = new Set<string>();
      for (const statement of statements ?? []) {
        for (const action of [statement.Action ?? []].flat()) {
          if (action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
        }
        for (const resource of [statement.Resource ?? []].flat()) {
          const text = nagResource(this, resource as string);
          if (text.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${text}]`);
        }
      }
      if (ids.size > 0) Validations.of(role).acknowledge(...[...ids].map((id) => ({ id, reason })));
    }
    const synth = this.pipeline.synthProject.node.defaultChild as codebuild.CfnProject;
    Validations.of(synth).acknowledge({
      id: 'AwsSolutions-CB5',
      reason:
        `The synth step runs the project’s CI script, which installs Debian’s Chromium for the browser tests: ` +
        `it needs a Debian image (${BUILD_IMAGE}, Docker’s official Node image mirrored on ECR Public).`,
    });
  }
}

/**
 * The pipeline stack of an app whose stage turns `pipeline` on, named `kass-pipeline`, in the stage's account and
 * region: it deploys `pipeline.stages` (each loaded and validated like any stage; the host stage with the same
 * overrides it was synthesized with).
 */
export function addPipelineStack(
  scope: Construct,
  host: StageConfig,
  build: PipelineStackProps['buildStage'],
): PipelineStack | undefined {
  const settings = host.pipeline;
  if (!settings.enabled || !settings.source) return undefined;
  const stages = settings.stages.map((name) => {
    if (name === host.stage) return host;
    try {
      return loadStageConfig(name);
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new ConfigError(`configuration of stage '${host.stage}'`, [
          `pipeline.stages: stage '${name}' cannot be deployed: ${error.problems.join('; ')}`,
        ]);
      }
      throw error;
    }
  });
  return new PipelineStack(scope, 'kass-pipeline', {
    description: `KASS delivery pipeline: ${settings.stages.join(' → ')}`,
    ...(host.env.account || host.env.region ? { env: host.env } : {}),
    hostStage: host.stage,
    pipeline: { ...settings, source: settings.source },
    stages,
    buildStage: build,
  });
}
