import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { processEnv } from '../contracts/env';
import type { CliIo } from './io';
import { describeParseError } from './parse-errors';

/**
 * The `kass` command line: `kass <command> [subcommand] [options]`. Command modules are loaded lazily with
 * `import()` when their command runs, so `kass --help` does not pay for the AWS SDK or the schema rules.
 */

export type { CliIo } from './io';

/** What a command module (`cli/commands/<name>.ts`) exports. */
export interface CommandModule {
  /** Printed by `--help` (stdout, exit 0) and after a usage error (stderr, exit 2). */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its words. Returns the exit code. A `parseArgs` error becomes
   * a usage error (exit 2); a thrown `CliError` prints its message and exits with its `exitCode`.
   */
  run(argv: string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
  /** Arguments shown in `kass --help`, e.g. `[files or folders...]`. */
  readonly args: string;
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** Every command, keyed by its words. Add a command here and in `cli/commands/`. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  'schemas check': {
    args: '[files or folders...]',
    summary: "Check action-group OpenAPI schemas against Bedrock's rules (default: schemas/)",
    load: () => import('./commands/schemas-check'),
  },
  ask: {
    args: '"<question>" [options]',
    summary:
      'Ask the agent one question; streams the answer with numbered sources (--json, --trace, --local-tools)',
    load: () => import('./commands/ask'),
  },
  chat: {
    args: '[options]',
    summary: 'Chat with the agent in the terminal (/new, /trace on|off, /exit)',
    load: () => import('./commands/chat'),
  },
  sync: {
    args: '[folder] [options]',
    summary:
      'Upload new or changed documents (default: knowledge/documents/) to the KB bucket, then run an ingestion job',
    load: () => import('./commands/sync'),
  },
  retrieve: {
    args: '"<query>" [options]',
    summary:
      'Search the knowledge base: ranked chunks with score, source and metadata (--filter, --hybrid, --json)',
    load: () => import('./commands/retrieve'),
  },
  cost: {
    args: '[options]',
    summary:
      'Monthly cost estimate of a stage read from its synthesized template, one line per service with the formula (--compare-stores, --model, --json)',
    load: () => import('./commands/cost'),
  },
  'guardrail check': {
    args: '[options]',
    summary:
      'Run guardrails/prompts.yaml against the deployed guardrail (ApplyGuardrail); exit 1 if a case is blocked/allowed wrongly (--json)',
    load: () => import('./commands/guardrail-check'),
  },
  doctor: {
    args: '[--stage <name>] [options]',
    summary:
      'Pre-flight check of the AWS account for a stage: credentials, bootstrap, concurrency quota, model access, Agents Classic, API Gateway logging (--json)',
    load: () => import('./commands/doctor'),
  },
  'empty-buckets': {
    args: '[--stage <name>] [--yes]',
    summary:
      "Delete every object version of a dev stage's documents and access-log buckets, so npx cdk destroy can delete them (refuses a stage that retains data)",
    load: () => import('./commands/empty-buckets'),
  },
  tool: {
    args: '<group> <operationId> [options]',
    summary: 'Run one operation of a tool locally and print its response (--event: the event only)',
    load: () => import('./commands/tool'),
  },
  'discord register': {
    args: '[--guild <id>] [options]',
    summary:
      'Register the Discord commands (/ask, "Ask KASS") and print the interactions URL for the Developer Portal',
    load: () => import('./commands/discord-register'),
  },
  web: {
    args: '[--local] [options]',
    summary:
      'Serve the web chat page locally: against a deployed stage, or with --local against a fake backend',
    load: () => import('./commands/web'),
  },
  'new-tool': {
    args: '<name>',
    summary: 'Scaffold a tool: schema, handler, generated types and a passing test',
    load: () => import('./commands/new-tool'),
  },
};

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });

type Commands = Readonly<Record<string, CommandEntry>>;

const usageOf = (commands: Commands, prefix?: string): string => {
  const entries = Object.entries(commands).filter(([words]) => !prefix || words.startsWith(`${prefix} `));
  const width = Math.max(...entries.map(([words, entry]) => `${words} ${entry.args}`.length));
  const lines = entries.map(
    ([words, entry]) => `  ${`${words} ${entry.args}`.padEnd(width)}  ${entry.summary}`,
  );
  return [
    `Usage: kass ${prefix ?? '<command>'} ${prefix ? '<subcommand> ' : ''}[options]`,
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     Show help (also after any command, e.g. `kass schemas check --help`)',
    '  -v, --version  Print the version of kass',
    '',
  ].join('\n');
};

/** The version of this checkout's package (`package.json` next to `cli/`). */
export const kassVersion = (): string =>
  (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
    .version;

/** The `Usage:` lines at the top of a command's help (up to the first blank line). */
const usageLines = (usage: string): string => usage.split('\n\n')[0] ?? usage;

/** Errors are recognised by shape, not `instanceof`: node:util errors may come from another realm (jest). */
const errorField = (err: unknown, field: string): unknown =>
  typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[field] : undefined;

const isParseArgsError = (err: unknown): err is { message: string; code: string } =>
  String(errorField(err, 'code')).startsWith('ERR_PARSE_ARGS') &&
  typeof errorField(err, 'message') === 'string';

/** `CliError` from `cli/` modules (`message` for the user, `exitCode`), recognised by shape. */
const asCliError = (err: unknown): { message: string; exitCode: number } | undefined => {
  const message = errorField(err, 'message');
  const exitCode = errorField(err, 'exitCode');
  return errorField(err, 'name') === 'CliError' && typeof message === 'string' && typeof exitCode === 'number'
    ? { message, exitCode }
    : undefined;
};

/** Finds the command named by the leading words of `argv` (the longest match). */
const findCommand = (
  argv: readonly string[],
  commands: Commands,
): { words: string; entry: CommandEntry } | undefined => {
  for (let count = Math.min(argv.length, 3); count > 0; count--) {
    const words = argv.slice(0, count).join(' ');
    const entry = commands[words];
    if (entry) return { words, entry };
  }
  return undefined;
};

/**
 * Runs `kass` with the arguments after the program name.
 * @param argv e.g. `['schemas', 'check', 'schemas/report.yaml']`
 * @param io where to write; defaults to the process's stdout, stderr and cwd
 * @param commands the command table (tests pass their own)
 * @returns the exit code: 0 success, 1 failure (e.g. findings), 2 usage error
 */
export async function main(
  argv: string[],
  io: CliIo = processIo(),
  commands: Commands = COMMANDS,
): Promise<number> {
  const found = findCommand(argv, commands);
  if (!found) return noCommand(argv, io, commands);
  const command = await found.entry.load();
  try {
    return await command.run(argv.slice(found.words.split(' ').length), io);
  } catch (err) {
    if (isParseArgsError(err)) {
      const described = describeParseError(err, command.usage, `kass ${found.words}`);
      io.stderr.write(`kass ${found.words}: ${described}\n\n${usageLines(command.usage)}\n`);
      return 2;
    }
    const cliError = asCliError(err);
    if (cliError) {
      io.stderr.write(`kass ${found.words}: ${cliError.message}\n`);
      return cliError.exitCode;
    }
    // A failure to reach AWS that no command explained itself still names the service, endpoint and checks.
    const { explainNetworkFailure } = await import('./aws/network');
    const unreachable = explainNetworkFailure(err);
    if (unreachable) {
      io.stderr.write(`kass ${found.words}: ${unreachable}\n`);
      return 1;
    }
    const detail = errorField(err, 'message');
    io.stderr.write(
      `kass ${found.words}: unexpected error: ${typeof detail === 'string' ? detail : String(err)}\n`,
    );
    if (processEnv().KASS_DEBUG) io.stderr.write(`${String(errorField(err, 'stack') ?? '')}\n`);
    return 1;
  }
}

/** `kass`, `kass --help`, `kass --version`, `kass <group>` or an unknown command. */
function noCommand(argv: string[], io: CliIo, commands: Commands): number {
  let help = false;
  let positionals: string[] = [];
  try {
    const parsed = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.version && parsed.positionals.length === 0) {
      io.stdout.write(`kass ${kassVersion()}\n`);
      return 0;
    }
    help = parsed.values.help === true;
    positionals = parsed.positionals;
  } catch (err) {
    if (!isParseArgsError(err)) throw err;
    io.stderr.write(
      `kass: ${describeParseError(err, usageOf(commands), 'kass', false)}\n\n${usageOf(commands)}`,
    );
    return 2;
  }
  const [first, second] = positionals;
  const isGroup = first !== undefined && Object.keys(commands).some((words) => words.startsWith(`${first} `));
  if (help) {
    io.stdout.write(usageOf(commands, isGroup ? first : undefined));
    return 0;
  }
  const problem =
    first === undefined
      ? 'missing command'
      : isGroup
        ? second === undefined
          ? `missing subcommand for '${first}'`
          : `unknown subcommand '${first} ${second}'`
        : `unknown command '${first}'`;
  io.stderr.write(`kass: ${problem}\n\n${usageOf(commands, isGroup ? first : undefined)}`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
