import type {
  AgentClient,
  AgentClientOptions,
  ChatEngine,
  RetryNotice,
  Session,
  SessionOptions,
} from '../../client';
import { type EnvSource, processEnv } from '../../contracts/env';
import { diagnoseNetwork, lastEndpoint, parseTimeoutSeconds } from '../aws/network';
import type { CliIo } from '../io';
import type { LocalToolsOptions } from '../local-tools';
import { type AgentTarget, explainAgentError } from '../render/agent-errors';
import { styleFor } from '../render/style';
import type { Writer } from '../render/turn';
import { withWaitingNotice } from '../render/waiting';
import { CliError, StackOutputs } from '../stack-outputs';

/**
 * Connecting `kass ask` and `kass chat` to the stage's agent, whichever engine it runs on (a Classic agent or
 * an AgentCore harness): their shared options, the ids from flags, environment or stack outputs, the client,
 * and what messages need to name it.
 */

/** Options shared by `kass ask` and `kass chat`. */
export const AGENT_OPTIONS = {
  'session-id': { type: 'string' },
  stage: { type: 'string', default: 'dev' },
  'agent-id': { type: 'string' },
  'agent-alias-id': { type: 'string' },
  trace: { type: 'boolean', default: false },
  'local-tools': { type: 'boolean', default: false },
  'no-stream': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Seconds of silence before `kass ask` / `kass chat` give up on a turn (the agent client's own default). */
export const DEFAULT_TURN_TIMEOUT_SECONDS = 180;

/** Silence before the first "still waiting" note (and between notes), unless the timeout comes first. */
const WAITING_NOTICE_MS = 15_000;

/** The parsed values of `AGENT_OPTIONS`. */
export interface AgentFlags {
  readonly 'session-id'?: string | undefined;
  readonly stage?: string | undefined;
  readonly 'agent-id'?: string | undefined;
  readonly 'agent-alias-id'?: string | undefined;
  readonly 'local-tools'?: boolean | undefined;
  readonly timeout?: string | undefined;
}

/** What `kass ask` / `kass chat` take besides argv and io; tests inject these. */
export interface AgentCommandDeps {
  /** Where answers to confirmation prompts (and chat lines) are read. @default process.stdin */
  readonly input?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** @default the process environment */
  readonly env?: EnvSource;
  /** Where `--local-tools` finds the tools. @default this repository */
  readonly localTools?: LocalToolsOptions;
  /** Extra AgentClient options (e.g. faster retries in tests). */
  readonly client?: Partial<Omit<AgentClientOptions, 'agentId' | 'agentAliasId'>>;
  /** Silence before a "still waiting" note. @default 15 s */
  readonly waitingNoticeMs?: number;
}

/** What `kass ask` and `kass chat` talk to, whichever engine the stage runs on. */
export interface CliEngine extends ChatEngine {
  session(options?: SessionOptions): Session;
  region(): Promise<string | undefined>;
  destroy(): void;
}

/** The engine client and what messages need to name it. */
export interface ConnectedAgent {
  readonly client: CliEngine;
  /** The agent, region, timeout and the endpoint of the last request (for messages). */
  target(): AgentTarget;
  /** The turn's events, with a "still waiting" note on `side` while the agent is silent. */
  watch<T>(events: AsyncIterable<T>, side: Writer, dim: (text: string) => string): AsyncIterable<T>;
  /** Closes the client and its connections. */
  close(): void;
}

/** How long a turn may stay silent, and how to build the pieces every engine's connection shares. */
interface TurnLimits {
  readonly timeoutSeconds: number;
  readonly requestTimeoutMs: number;
  readonly onRetry: (notice: RetryNotice) => void;
}

/**
 * Resolves the engine and its ids and builds the client. The engine comes from the deployed stack (output
 * `AgentEngine`, absent on Classic stacks), or from the environment (KASS_AGENT_ID → Classic, KASS_HARNESS_ARN →
 * AgentCore); agent-id flags mean Classic. The client library (and with it the AWS SDK) is imported here, lazily,
 * so `--help` stays fast.
 */
export async function connectAgent(
  flags: AgentFlags,
  io: CliIo,
  deps: AgentCommandDeps,
): Promise<ConnectedAgent> {
  const env = deps.env ?? processEnv();
  const stage = flags.stage ?? 'dev';
  const outputs = new StackOutputs(stage, env);
  const classicAsked = Boolean(flags['agent-id'] || flags['agent-alias-id'] || env.KASS_AGENT_ID);
  const engine = classicAsked
    ? 'classic'
    : env.KASS_HARNESS_ARN
      ? 'agentcore'
      : ((await outputs.optional('AgentEngine', 'KASS_AGENT_ENGINE')) ?? 'classic');
  const sessionId = flags['session-id'];
  const { isValidSessionId } = await import('../../client');
  if (sessionId !== undefined && !isValidSessionId(sessionId)) {
    throw new CliError(
      `--session-id must be 2-100 characters of 0-9 a-z A-Z . _ : - (got "${sessionId}")`,
      2,
    );
  }
  const timeoutSeconds = parseTimeoutSeconds(flags.timeout, DEFAULT_TURN_TIMEOUT_SECONDS);
  const dim = styleFor(io.stderr as { isTTY?: boolean }, env).dim;
  const limits: TurnLimits = {
    timeoutSeconds,
    requestTimeoutMs: Math.round(timeoutSeconds * 1000),
    onRetry: ({ error, delayMs, attempt }) =>
      io.stderr.write(
        dim(
          `  ${error.exceptionName}: retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})\n`,
        ),
      ),
  };
  if (engine === 'agentcore') {
    if (flags['local-tools']) {
      throw new CliError(
        '--local-tools runs the tools of a Classic agent whose action groups return control (stage local); on an ' +
          'AgentCore stage the tools run in their Lambdas behind the gateway.',
        2,
      );
    }
    return connectHarness(outputs, stage, limits, deps);
  }
  if (engine !== 'classic') {
    throw new CliError(`Stack ${stage} reports an unknown agent engine '${engine}'; update kass.`);
  }
  const agentId = await outputs.resolve({
    flagValue: flags['agent-id'],
    flagName: '--agent-id',
    envVar: 'KASS_AGENT_ID',
    output: 'AgentId',
  });
  const agentAliasId = await outputs.resolve({
    flagValue: flags['agent-alias-id'],
    flagName: '--agent-alias-id',
    envVar: 'KASS_AGENT_ALIAS_ID',
    output: 'AgentAliasId',
  });
  const { AgentClient } = await import('../../client');
  // The SDK client is built here so that a failure to reach Bedrock names its endpoint.
  const sdk = diagnoseNetwork(AgentClient.defaultSdkClient({ requestTimeoutMs: limits.requestTimeoutMs }));
  let client: AgentClient;
  try {
    client = new AgentClient({
      agentId,
      agentAliasId,
      client: sdk,
      requestTimeoutMs: limits.requestTimeoutMs,
      onRetry: limits.onRetry,
      ...deps.client,
    });
  } catch (error) {
    sdk.destroy();
    const explained = explainAgentError(error, { agentId, agentAliasId, stage });
    throw new CliError(explained.message, explained.exitCode);
  }
  const region = await client.region();
  return connection(
    client,
    sdk,
    { agentId, agentAliasId, stage, ...(region ? { region } : {}) },
    limits,
    deps,
  );
}

/** The connection of an engine's client: its target for messages, the waiting note, and closing both clients. */
function connection(
  client: CliEngine,
  sdk: { destroy(): void },
  base: AgentTarget,
  limits: TurnLimits,
  deps: AgentCommandDeps,
): ConnectedAgent {
  const everyMs = deps.waitingNoticeMs ?? WAITING_NOTICE_MS;
  return {
    client,
    target: () => {
      const endpoint = lastEndpoint(sdk);
      return { ...base, timeoutSeconds: limits.timeoutSeconds, ...(endpoint ? { endpoint } : {}) };
    },
    watch: (events, side, dimmed) =>
      everyMs < limits.requestTimeoutMs
        ? withWaitingNotice(events, {
            everyMs,
            onWaiting: (seconds) =>
              side.write(
                dimmed(
                  `  … waiting for the agent: nothing for ${seconds} s (gives up after ${limits.timeoutSeconds} s of silence; --timeout)\n`,
                ),
              ),
          })
        : events,
    close: () => {
      client.destroy();
      sdk.destroy();
    },
  };
}

/**
 * The AgentCore engine: the stage's harness endpoint, the guardrail on answers (as the Classic agent applies
 * it), and confirmed writes run by invoking their tool Lambda with your AWS identity (lambda:InvokeFunction).
 * The CLI signs no caller identity: like `kass ask` on Classic, tools see no user.
 */
async function connectHarness(
  outputs: StackOutputs,
  stage: string,
  limits: TurnLimits,
  deps: AgentCommandDeps,
): Promise<ConnectedAgent> {
  const source = (output: string, envVar: string) => ({
    flagValue: undefined,
    flagName: '--stage',
    envVar,
    output,
  });
  const harnessArn = await outputs.resolve(source('HarnessArn', 'KASS_HARNESS_ARN'));
  const qualifier = await outputs.resolve(source('HarnessEndpointName', 'KASS_HARNESS_QUALIFIER'));
  const clientToolsText = await outputs.optional('ClientTools', 'KASS_CLIENT_TOOLS');
  const guardrailId = await outputs.optional('GuardrailId', 'KASS_GUARDRAIL_ID');
  const guardrailVersion = await outputs.optional('GuardrailVersion', 'KASS_GUARDRAIL_VERSION');
  const [{ HarnessClient }, { parseClientTools }, { lambdaToolRunner }, { bedrockGuardrail }] =
    await Promise.all([
      import('../../client/harness-client'),
      import('../../client/client-tools'),
      import('../../client/lambda-tool-runner'),
      import('../../client/guardrail'),
    ]);
  const tools = clientToolsText ? parseClientTools(clientToolsText) : { functions: {}, readOnly: [] };
  const [{ LambdaClient }, { BedrockRuntimeClient }, { BedrockAgentCoreClient }] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-bedrock-runtime'),
    import('@aws-sdk/client-bedrock-agentcore'),
  ]);
  const target: AgentTarget = {
    engine: 'agentcore',
    agentId: harnessArn.split('/').pop() ?? harnessArn,
    agentAliasId: qualifier,
    stage,
  };
  // Built here, like the Classic client, so that a failure to reach AgentCore names its endpoint.
  const sdk = diagnoseNetwork(new BedrockAgentCoreClient({}));
  let client: InstanceType<typeof HarnessClient>;
  try {
    client = new HarnessClient({
      harnessArn,
      qualifier,
      client: sdk,
      requestTimeoutMs: limits.requestTimeoutMs,
      onRetry: limits.onRetry,
      ...(deps.client?.retry ? { retry: deps.client.retry } : {}),
      ...(guardrailId && guardrailVersion
        ? {
            outputGuardrail: bedrockGuardrail(diagnoseNetwork(new BedrockRuntimeClient({})), {
              guardrailId,
              guardrailVersion,
            }),
          }
        : {}),
      toolRunner: lambdaToolRunner(diagnoseNetwork(new LambdaClient({})), tools.functions),
      readOnlyTools: tools.readOnly,
    });
  } catch (error) {
    sdk.destroy();
    const explained = explainAgentError(error, target);
    throw new CliError(explained.message, explained.exitCode);
  }
  const region = await client.region();
  return connection(client, sdk, { ...target, ...(region ? { region } : {}) }, limits, deps);
}
