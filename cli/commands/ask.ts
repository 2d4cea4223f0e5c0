import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type {
  AgentAnswer,
  AgentClient,
  AgentClientOptions,
  ChatEngine,
  RetryNotice,
  ReturnControlHandlers,
  ReturnControlInput,
  Session,
  SessionOptions,
  TurnInput,
} from '../../client';
import { Footnotes } from '../../client/footnotes';
import { type EnvSource, processEnv } from '../../contracts/env';
import { diagnoseNetwork, lastEndpoint, parseTimeoutSeconds } from '../aws/network';
import type { CliIo } from '../io';
import type { LocalToolsOptions } from '../local-tools';
import { type AgentTarget, explainAgentError, unhandledReturnControl } from '../render/agent-errors';
import { styleFor } from '../render/style';
import { describeInput } from '../render/trace-line';
import { renderTurn, type Writer } from '../render/turn';
import { withWaitingNotice } from '../render/waiting';
import { CliError, StackOutputs } from '../stack-outputs';

export const usage = `Usage: kass ask "<question>" [options]

Asks the KASS agent one question and streams the answer to stdout as it arrives, followed by its sources as
numbered footnotes ([1] s3://…). The session id goes to stderr; pass it back with --session-id to continue
the conversation.

Options:
  --session-id <id>      Continue a session (2-100 of 0-9 a-z A-Z . _ : -). Default: a new one.
  --stage <name>         Stack kass-<stage> whose outputs AgentId / AgentAliasId name the agent (default: dev).
  --agent-id <id>        The agent id (default: $KASS_AGENT_ID, else the stack output AgentId).
  --agent-alias-id <id>  The alias id (default: $KASS_AGENT_ALIAS_ID, else the stack output AgentAliasId).
  --json                 Print one JSON document {answer, citations, trace, usage, sessionId} instead.
  --trace                Show each step on stderr: tool calls and inputs, documents found, guardrail
                         actions, tokens.
  --local-tools          Run the tools on this machine: for agents whose action groups return control
                         (stage local), each tool call runs action-groups/<group>/handler.ts in this process.
  --no-stream            Print the answer once it is complete (citation markers at the cited text).
  --timeout <seconds>    Give up when the agent sends nothing for this long (default: 180; one tool call can
                         take over a minute). While it is silent, a note on stderr says how long it has been.
  -h, --help             Show this help

Engines: the stage's stack says which engine it runs (output AgentEngine). On AgentCore the question goes to the
harness endpoint (outputs HarnessArn, HarnessEndpointName; or KASS_HARNESS_ARN / KASS_HARNESS_QUALIFIER); the
answer is checked by the guardrail before it is shown, and a confirmed write runs by invoking its tool Lambda
with your AWS identity.

AWS: the standard configuration (AWS_PROFILE or credentials, AWS_REGION); AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME
(Classic) or AWS_ENDPOINT_URL_BEDROCK_AGENTCORE (AgentCore) points the client elsewhere. Throttling is retried
with backoff before the answer starts. A failure to reach Bedrock names the endpoint and what to check (region,
endpoint override, network path).

Exit status: 0 answered, 1 the agent or AWS failed (the message says what to do), 2 usage error.
`;

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
  if (typeof timeoutSeconds === 'string') throw new CliError(timeoutSeconds, 2);
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

/** Return-of-control handlers for `--local-tools` (the kit and the tools load only then). */
export async function localHandlers(
  flags: AgentFlags,
  deps: AgentCommandDeps,
): Promise<ReturnControlHandlers | undefined> {
  if (!flags['local-tools']) return undefined;
  const { localToolHandlers } = await import('../local-tools');
  // The stage's outputs fill what each tool needs and the environment lacks, as `kass tool --stage` does.
  return localToolHandlers({ stage: flags.stage ?? 'dev', ...deps.localTools });
}

/** The question a confirmation prompt asks. */
export const confirmQuestion = (input: ReturnControlInput): string =>
  `The agent wants to run ${describeInput(input)}. Allow? [y/N] `;

export const isYes = (answer: string | undefined): boolean => /^\s*y(es)?\s*$/i.test(answer ?? '');

/** Reads one line from `input` (undefined at end of input). */
export function readOneLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/**
 * Confirmation prompts of a one-shot command: asked on stderr and answered on stdin when it is a terminal
 * (or injected); otherwise denied, with a note.
 */
function confirmer(io: CliIo, deps: AgentCommandDeps): (input: ReturnControlInput) => Promise<boolean> {
  const input = deps.input ?? process.stdin;
  const interactive = deps.input !== undefined || (input as { isTTY?: boolean }).isTTY === true;
  return async (call) => {
    if (!interactive) {
      io.stderr.write(
        `  ${describeInput(call)} needs your confirmation, but stdin is not a terminal: denied. Use kass chat to confirm actions.\n`,
      );
      return false;
    }
    io.stderr.write(confirmQuestion(call));
    return isYes(await readOneLine(input));
  };
}

/** The `--json` document. Citations keep their sources with the footnote numbers the text view would use. */
function toJson(answer: AgentAnswer) {
  const footnotes = new Footnotes();
  return {
    answer: answer.text,
    citations: answer.citations.map((c) => ({
      text: c.text,
      ...(c.span ? { span: c.span } : {}),
      references: c.references.map((r) => ({ number: footnotes.footnoteOf(r).number, ...r })),
    })),
    trace: answer.trace,
    usage: answer.usage,
    sessionId: answer.sessionId,
  };
}

/** `kass ask "<question>"` */
export async function run(argv: string[], io: CliIo, deps: AgentCommandDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...AGENT_OPTIONS, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const question = positionals.join(' ').trim();
  if (!question)
    throw new CliError(`missing the question, e.g. kass ask "How do I reset the VPN?"\n\n${usage}`, 2);
  const env = deps.env ?? processEnv();
  const agent = await connectAgent(values, io, deps);
  const { client } = agent;
  const out = io.stdout as Writer & { isTTY?: boolean };
  const err = io.stderr as Writer & { isTTY?: boolean };
  const dim = styleFor(err, env).dim;
  try {
    const handlers = await localHandlers(values, deps);
    const confirm = confirmer(io, deps);
    const turn: TurnInput = {
      text: question,
      ...(values['session-id'] ? { sessionId: values['session-id'] } : {}),
      streamFinalResponse: !values['no-stream'] && !values.json,
      ...(handlers ? { returnControlHandlers: handlers } : {}),
    };
    if (values.json) {
      const { collectAnswer } = await import('../../client');
      const answer = await collectAnswer(agent.watch(client.stream(turn), err, dim), (request) =>
        confirm(request.input),
      );
      if (answer.pendingReturnControl) {
        throw new CliError(unhandledReturnControl(answer.pendingReturnControl, agent.target().stage));
      }
      io.stdout.write(`${JSON.stringify(toJson(answer), null, 2)}\n`);
      return 0;
    }
    const sideStyle = styleFor(err, env);
    const rendered = await renderTurn(agent.watch(client.stream(turn), err, dim), {
      out: io.stdout,
      outStyle: styleFor(out, env),
      side: io.stderr,
      sideStyle,
      sameStream: false,
      showTrace: values.trace,
      streaming: !values['no-stream'],
      confirm,
    });
    if (rendered.pendingReturnControl) {
      throw new CliError(unhandledReturnControl(rendered.pendingReturnControl, agent.target().stage));
    }
    io.stderr.write(
      sideStyle.dim(
        `session ${rendered.sessionId} (continue: kass ask --session-id ${rendered.sessionId} "…")\n`,
      ),
    );
    return 0;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const explained = explainAgentError(error, agent.target(), env);
    throw new CliError(explained.message, explained.exitCode);
  } finally {
    agent.close();
  }
}
