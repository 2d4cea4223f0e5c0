import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaSettings } from '../config/stage-config';

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
}

/** The house settings a group of functions shares (log level, retention, retained logs). */
export type KassFunctionDefaults = Pick<KassFunctionProps, 'logLevel' | 'logRetentionDays' | 'retainLogs'>;

/**
 * The house Lambda: latest Node.js on ARM64, bundled by local esbuild (no Docker), active tracing,
 * its own role and an explicit log group with retention. Every KASS function is one of these.
 */
export class KassFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
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

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.settings.memoryMb,
      timeout: Duration.seconds(props.settings.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'KASS',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // Schemas are imported as text so the Lambda validates against the very document the agent has.
        loader: { '.yaml': 'text', '.md': 'text' },
        // Bundle the pinned SDK instead of the runtime's copy: what is tested is what runs.
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (active tracing).',
    });
  }
}
