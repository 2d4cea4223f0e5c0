import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { AgentAnswer, ReturnControlHandlers, ReturnControlInput, TurnInput } from '../../client';
import { Footnotes } from '../../client/footnotes';
import { processEnv } from '../../contracts/env';
import { AGENT_OPTIONS, type AgentCommandDeps, type AgentFlags, connectAgent } from '../agent/connect';
import type { CliIo } from '../io';
import { explainAgentError, unhandledReturnControl } from '../render/agent-errors';
import { styleFor } from '../render/style';
import { describeInput } from '../render/trace-line';
import { renderTurn, type Writer } from '../render/turn';
import { CliError } from '../stack-outputs';

export {
  AGENT_OPTIONS,
  type AgentCommandDeps,
  type AgentFlags,
  type CliEngine,
  type ConnectedAgent,
  connectAgent,
  DEFAULT_TURN_TIMEOUT_SECONDS,
} from '../agent/connect';

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
