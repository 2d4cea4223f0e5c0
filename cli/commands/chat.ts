import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Session } from '../../client';
import type { CliIo } from '../main';
import { explainAgentError, unhandledReturnControl } from '../render/agent-errors';
import { styleFor } from '../render/style';
import { renderTurn, type Writer } from '../render/turn';
import {
  AGENT_OPTIONS,
  type AgentCommandDeps,
  confirmQuestion,
  connectAgent,
  isYes,
  localHandlers,
} from './ask';

export const usage = `Usage: kass chat [options]

An interactive conversation with the KASS agent. Every message continues the same session until /new.
Answers stream as they arrive, with their sources as numbered footnotes. Arrow keys recall earlier lines.

Commands:
  /new             Start a new session (a new session id).
  /trace on|off    Show or hide each step: tool calls and inputs, documents found, guardrail actions, tokens.
  /session         Print the session id.
  /help            List the commands.
  /exit            Leave (also Ctrl-D). Ctrl-C stops the answer being streamed.

Options:
  --session-id <id>      Continue a session (default: a new one).
  --stage <name>         Stack kass-<stage> whose outputs AgentId / AgentAliasId name the agent (default: dev).
  --agent-id <id>        The agent id (default: $KASS_AGENT_ID, else the stack output AgentId).
  --agent-alias-id <id>  The alias id (default: $KASS_AGENT_ALIAS_ID, else the stack output AgentAliasId).
  --trace                Start with the trace on.
  --local-tools          Run the tools on this machine (agents whose action groups return control, e.g.
                         stage local): each call runs action-groups/<group>/handler.ts in this process.
  --no-stream            Show each answer once it is complete.
  --timeout <seconds>    Give up on a turn when the agent sends nothing for this long (default: 180); while it
                         is silent, a note says how long it has been.
  -h, --help             Show this help

Colours are used only when stdout is a terminal and NO_COLOR is not set.
`;

const HELP = `Commands: /new (new session), /trace on|off, /session, /help, /exit\n`;

/** Lines typed by the user, one at a time; `undefined` at the end of input. */
interface LineReader {
  next(prompt: string): Promise<string | undefined>;
  close(): void;
}

/**
 * A readline over `input`. On a terminal it echoes, keeps a history (arrow keys) and shows the prompt;
 * otherwise (scripts, tests) it just reads lines. Ctrl-C calls `onInterrupt`.
 */
function lineReader(
  input: NodeJS.ReadableStream,
  output: Writer,
  terminal: boolean,
  onInterrupt: () => void,
): LineReader {
  const rl = createInterface({
    input,
    ...(terminal ? { output: output as NodeJS.WritableStream } : {}),
    terminal,
    historySize: 1000,
    removeHistoryDuplicates: true,
  });
  rl.on('SIGINT', onInterrupt);
  const lines = rl[Symbol.asyncIterator]();
  return {
    async next(prompt) {
      if (terminal) {
        rl.setPrompt(prompt);
        rl.prompt();
      }
      const { value, done } = await lines.next();
      return done ? undefined : String(value);
    },
    close: () => rl.close(),
  };
}

/** `kass chat` */
export async function run(argv: string[], io: CliIo, deps: AgentCommandDeps = {}): Promise<number> {
  const { values } = parseArgs({ args: argv, options: AGENT_OPTIONS, allowPositionals: false, strict: true });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const env = deps.env ?? process.env;
  const out = io.stdout as Writer & { isTTY?: boolean };
  const style = styleFor(out, env);
  const errStyle = styleFor(io.stderr as { isTTY?: boolean }, env);
  const input = deps.input ?? process.stdin;
  const terminal = (input as { isTTY?: boolean }).isTTY === true && out.isTTY === true;

  const agent = await connectAgent(values, io, deps);
  const { client } = agent;
  const target = agent.target();
  const handlers = await localHandlers(values, deps);
  const sessionId = values['session-id'];
  const session: Session = client.session(sessionId ? { id: sessionId } : {});
  let showTrace = values.trace;
  let turn: AbortController | undefined;

  const reader = lineReader(input, io.stdout, terminal, () => {
    if (turn) turn.abort();
    else reader.close();
  });
  const say = (text: string) => io.stdout.write(`${style.dim(text)}\n`);
  say(
    target.engine === 'agentcore'
      ? `KASS chat: harness ${target.agentId}, endpoint ${target.agentAliasId}, session ${session.id}`
      : `KASS chat: agent ${target.agentId}, alias ${target.agentAliasId}, session ${session.id}`,
  );
  if (handlers) say('Local tools on: tool calls run on this machine.');
  say(HELP.trimEnd());

  try {
    for (;;) {
      const line = await reader.next(style.bold('you › '));
      if (line === undefined) break;
      const text = line.trim();
      if (!text) continue;
      if (text.startsWith('/')) {
        const [command, arg] = text.split(/\s+/);
        if (command === '/exit' || command === '/quit') break;
        if (command === '/new') say(`New session ${session.renew()}.`);
        else if (command === '/session') say(`Session ${session.id}`);
        else if (command === '/help') say(HELP.trimEnd());
        else if (command === '/trace' && (arg === 'on' || arg === 'off')) {
          showTrace = arg === 'on';
          say(`Trace ${arg}.`);
        } else if (command === '/trace') say('Usage: /trace on|off');
        else say(`Unknown command ${command}. /help lists the commands.`);
        continue;
      }
      turn = new AbortController();
      try {
        const rendered = await renderTurn(
          agent.watch(
            session.stream(text, {
              streamFinalResponse: !values['no-stream'],
              signal: turn.signal,
              ...(handlers ? { returnControlHandlers: handlers } : {}),
            }),
            io.stdout,
            style.dim,
          ),
          {
            out: io.stdout,
            outStyle: style,
            side: io.stdout,
            sideStyle: style,
            sameStream: true,
            showTrace,
            streaming: !values['no-stream'],
            answerPrefix: style.bold(style.cyan('kass › ')),
            confirm: async (call) => {
              if (!terminal) io.stdout.write(confirmQuestion(call));
              return isYes(await reader.next(confirmQuestion(call)));
            },
          },
        );
        if (rendered.pendingReturnControl) {
          io.stderr.write(
            `${errStyle.yellow(unhandledReturnControl(rendered.pendingReturnControl, target.stage))}\n`,
          );
        }
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError') say('(stopped)');
        else io.stderr.write(`${errStyle.red(explainAgentError(error, agent.target(), env).message)}\n`);
      } finally {
        turn = undefined;
      }
    }
  } finally {
    reader.close();
    agent.close();
  }
  return 0;
}
