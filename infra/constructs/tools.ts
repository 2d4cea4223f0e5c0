import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { KassFunction } from './kass-function';
import type { DiscoveredTool } from './tool-discovery';

export interface ToolsProps {
  /** The tools found by `discoverTools`: one Lambda each. */
  readonly tools: readonly DiscoveredTool[];
  readonly config: StageConfig;
  /** Every call of every tool is recorded here (the kit's recorder writes one item per call). */
  readonly toolLogs: dynamodb.ITable;
  /** What a tool calls on the internet, by tool name (see `KassFunctionProps.internetAccess`). @default none */
  readonly internetAccess?: Readonly<Record<string, string>>;
}

/** One house Lambda per discovered tool. The stack adds each tool's own resources and grants. */
export class Tools extends Construct {
  public readonly tools: readonly DiscoveredTool[];
  private readonly functions = new Map<string, KassFunction>();

  constructor(scope: Construct, id: string, props: ToolsProps) {
    super(scope, id);
    this.tools = props.tools;
    for (const tool of props.tools) {
      const settings = { ...props.config.lambda.defaults, ...props.config.lambda.tools[tool.name] };
      const fn = new KassFunction(this, tool.name, {
        entry: tool.handlerEntry,
        description: `KASS action group '${tool.name}' (${tool.operations.map((o) => o.operationId).join(', ')})`,
        serviceName: `kass-${tool.name}`,
        settings,
        ...(settings.reservedConcurrency
          ? { reservedConcurrentExecutions: settings.reservedConcurrency }
          : {}),
        logLevel: props.config.lambda.logLevel,
        logRetentionDays: props.config.logRetentionDays,
        retainLogs: props.config.retainData,
        environment: { TOOL_LOGS_TABLE_NAME: props.toolLogs.tableName },
        ...(props.internetAccess?.[tool.name] ? { internetAccess: props.internetAccess[tool.name] } : {}),
      });
      // Write-only: a tool records its calls but never reads other sessions' records.
      props.toolLogs.grant(fn.function, 'dynamodb:PutItem');
      this.functions.set(tool.name, fn);
    }
  }

  /** The Lambda of tool `name`; throws if no such tool was discovered. */
  functionOf(name: string): KassFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No tool '${name}'; discovered: ${[...this.functions.keys()].join(', ')}`);
    return fn;
  }

  /** Whether a tool of that name exists (tools are discovered, so the stack wires extras conditionally). */
  has(name: string): boolean {
    return this.functions.has(name);
  }
}
