import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '../../contracts/function-env';
import { METRICS_NAMESPACE } from '../../contracts/metric-names';
import { DeferredBundleCode } from '../bundling/deferred-code';
import { LambdaBundler } from '../bundling/lambda-bundler';
import type { LambdaSettings } from '../config/stage-config';
import { KassNetwork } from './network';

/** Repository root: entry paths and the lock file are resolved from here. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface KassFunctionProps {
  /** Handler entry file, relative to the repository root (e.g. `action-groups/report/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name (logs, traces and metrics are grouped by it). */
  readonly serviceName: string;
  readonly settings: LambdaSettings;
  readonly logLevel: string;
  readonly logRetentionDays: number;
  /** Keep the log group when the stack is deleted. */
  readonly retainLogs: boolean;
  /** Only the variables the handler reads. @default - none beyond the Powertools ones */
  readonly environment?: Readonly<Record<string, string>>;
  /** Caps concurrency (a cost guard for functions that call models). @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /**
   * What the function calls on the internet (e.g. `GitLab at https://gitlab.com`). With `network.vpc` it then
   * runs in subnets with a NAT route, or outside the VPC when the stage has none. @default - AWS APIs only
   */
  readonly internetAccess?: string;
}

/** The house settings a group of functions shares (log level, retention, retained logs). */
export type KassFunctionDefaults = Pick<KassFunctionProps, 'logLevel' | 'logRetentionDays' | 'retainLogs'>;

/**
 * The house Lambda: latest Node.js on ARM64, bundled by local esbuild (no Docker), active tracing,
 * its own role and an explicit log group with retention. Every KASS function is one of these.
 */
export class KassFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** The handler entry, relative to the repository root (what esbuild bundles). */
  public readonly entry: string;

  constructor(scope: Construct, id: string, props: KassFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: writes only to its own log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    // With `network.vpc` the stack's network decides where the function runs (private subnets, its group).
    const network = KassNetwork.of(this);
    const placement = network?.placementFor(this, props.internetAccess);
    if (network && placement) network.grantNetworkInterfaces(this.role, placement);

    this.function = new lambda.Function(this, 'Function', {
      code: codeFor(this, props.entry),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.settings.memoryMb,
      timeout: Duration.seconds(props.settings.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(placement ?? {}),
      environment: {
        ...LAMBDA_ENV.environment({
          nodeOptions: '--enable-source-maps',
          serviceName: props.serviceName,
          metricsNamespace: METRICS_NAMESPACE,
          logLevel: props.logLevel,
        }),
        ...props.environment,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (active tracing).',
    });
  }

  /** Adds variables set after construction (from an environment record's `environment(…)`). */
  addEnvironment(environment: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(environment)) this.function.addEnvironment(name, value);
  }
}

/** Where bundles are kept between synths (`rm -rf node_modules/.cache/kass-lambda` forces a rebuild). */
export const LAMBDA_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'kass-lambda');

let bundler: LambdaBundler | undefined;

/** The process's bundler: bundles are reused between stacks and, while their inputs are unchanged, synths. */
function houseBundler(): LambdaBundler {
  bundler ??= new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir: LAMBDA_CACHE_DIR });
  return bundler;
}

/**
 * The function's code: its bundle, built with every other bundle of the stack in one esbuild run once the stack
 * is constructed (`DeferredBundleCode`), or, when the stack skips bundling (`aws:cdk:bundling-stacks`, as
 * construct tests and `cdk ls` do), an empty placeholder asset, like NodejsFunction's, that must not be deployed.
 */
function codeFor(scope: Construct, entry: string): lambda.Code {
  if (!Stack.of(scope).bundlingRequired) {
    return lambda.Code.fromAsset(placeholderDir(), {
      assetHash: createHash('sha256').update(`unbundled:${entry}`).digest('hex'),
      assetHashType: AssetHashType.CUSTOM,
    });
  }
  return new DeferredBundleCode(entry, houseBundler);
}

let placeholder: string | undefined;

function placeholderDir(): string {
  if (!placeholder) {
    placeholder = path.join(LAMBDA_CACHE_DIR, 'unbundled');
    fs.mkdirSync(placeholder, { recursive: true });
    const stub = path.join(placeholder, 'index.js');
    if (!fs.existsSync(stub))
      fs.writeFileSync(
        stub,
        "exports.handler = async () => { throw new Error('synthesized without bundling'); };\n",
      );
  }
  return placeholder;
}
