import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { isRecord } from '../../contracts/json';
import { HOUSE_TOOL_ENV } from '../../contracts/tool-needs';
import { parseOrThrow } from '../config/config-error';
import { type LambdaSettings, LambdaSettingsSchema, type StageConfig } from '../config/stage-config';
import { KassFunction } from './kass-function';
import { type DiscoveredTool, needsFileOf } from './tool-discovery';

export interface ToolsProps {
  /** The tools found by `discoverTools`: one Lambda each. */
  readonly tools: readonly DiscoveredTool[];
  readonly config: StageConfig;
  /** Every call of every tool is recorded here (the kit's recorder writes one item per call). */
  readonly toolLogs: dynamodb.ITable;
}

/**
 * A tool's Lambda settings: the stage's defaults, then what the tool's `needs.ts` asks for (its concurrency cap
 * only where the stage reserves caps), then the stage's override for that tool. A descriptor outside the
 * stage config's bounds fails synth naming its file.
 */
export function lambdaSettingsOf(tool: DiscoveredTool, config: StageConfig): LambdaSettings {
  const { reservedConcurrency, ...needed } = tool.needs?.lambda ?? {};
  const asked = parseOrThrow(
    LambdaSettingsSchema.partial(),
    {
      ...needed,
      ...(config.lambda.reserveToolConcurrency && reservedConcurrency !== undefined
        ? { reservedConcurrency }
        : {}),
    },
    `lambda settings in ${needsFileOf(tool.name)}`,
  );
  return { ...config.lambda.defaults, ...asked, ...config.lambda.tools[tool.name] };
}

/**
 * What a tool calls on the internet, from its descriptor (`needs.internet`: a label and the setting of its config
 * section holding the URL), e.g. "GitLab (https://gitlab.com)"; with the network option it runs where a NAT
 * routes out (see `KassFunctionProps.internetAccess`).
 */
export function internetAccessOf(tool: DiscoveredTool, config: StageConfig): string | undefined {
  const internet = tool.needs?.internet;
  if (!internet) return undefined;
  const sections = config.tools as Readonly<Record<string, unknown>>;
  const section = tool.needs?.settings ? sections[tool.needs.settings] : undefined;
  const url = isRecord(section) ? section[internet.urlSetting] : undefined;
  return typeof url === 'string' ? `${internet.label} (${url})` : internet.label;
}

/** One house Lambda per discovered tool. The stack adds each tool's own resources and grants. */
export class Tools extends Construct {
  public readonly tools: readonly DiscoveredTool[];
  private readonly functions = new Map<string, KassFunction>();

  constructor(scope: Construct, id: string, props: ToolsProps) {
    super(scope, id);
    this.tools = props.tools;
    for (const tool of props.tools) {
      const settings = lambdaSettingsOf(tool, props.config);
      const internetAccess = internetAccessOf(tool, props.config);
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
        environment: HOUSE_TOOL_ENV.environment({ toolLogsTable: props.toolLogs.tableName }),
        ...(internetAccess ? { internetAccess } : {}),
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
