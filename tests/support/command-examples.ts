import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFilter } from '../../cli/commands/retrieve';
import { COMMANDS, main } from '../../cli/main';
import { documentedOptions } from '../../cli/parse-errors';
import { checkInferenceRegion } from '../../infra/config/inference-geographies';
import { CONFIG_CONTEXT_KEY, loadStageConfig, parseConfigOverrides } from '../../infra/config/load-config';
import { STAGES } from '../../infra/config/stages';
import { parseContext, parseSynthArgs } from '../../infra/synth';
import { captureIo, REPO_ROOT } from './cli-io';
import { fillPlaceholders, hasPlaceholders, shellWords } from './doc-examples';

/**
 * Checks one documented command the way a reader would run it, without AWS: `kass` commands go through the
 * real command's own argument parser (stopped right after it, so nothing runs), `npm run synth` and
 * `npx cdk … -c` validate their context and configuration as synth would, scripts, files and benchmarks
 * must exist, and `aws` commands must name an operation of the installed AWS SDK. Returns the problems
 * (empty when the example works as written).
 */
export async function checkCommand(command: string): Promise<string[]> {
  // A bare `-c kass:config=…` in prose is the option of `npm run synth` / `npx cdk synth`.
  const full = command.startsWith('-c ') ? `npx cdk synth ${command}` : command;
  const synopsis = hasPlaceholders(full);
  const words = withoutRedirection(shellWords(synopsis ? fillPlaceholders(full) : full));
  const [program, ...rest] = words[0] === 'npx' ? words.slice(1) : words;
  switch (program) {
    case 'kass':
      return checkKass(rest, synopsis);
    case 'npm':
      return checkNpm(rest, synopsis);
    case 'cdk':
      return checkCdk(rest, synopsis);
    case 'tsx':
      return exists(rest[0], 'the script');
    case 'jest':
      return exists(rest[0], 'the test path');
    case 'aws':
      return checkAws(rest);
    default:
      return [`no check knows the program '${program}' (add one to tests/support/command-examples.ts)`];
  }
}

/** `cmd >> file` / `cmd > file`: the redirection is the shell's, not the command's. */
function withoutRedirection(words: string[]): string[] {
  const at = words.findIndex((w) => w === '>' || w === '>>');
  return at < 0 ? words : words.slice(0, at);
}

const exists = (rel: string | undefined, what: string): string[] =>
  rel && fs.existsSync(path.join(REPO_ROOT, rel)) ? [] : [`${what} ${rel ?? '(none)'} does not exist`];

/** The `kass` command named by the leading words (the longest match, as cli/main.ts finds it). */
export function kassCommandOf(argv: readonly string[]): string | undefined {
  for (let count = Math.min(argv.length, 3); count > 0; count--) {
    const words = argv.slice(0, count).join(' ');
    if (COMMANDS[words]) return words;
  }
  return undefined;
}

/** Thrown by the intercepted parseArgs once the command's own parser accepted the arguments. */
const PARSED = 'kass-example-parsed';

/**
 * Runs `kass <argv>` through cli/main.ts with node:util's parseArgs intercepted: the command's own parser
 * runs for real and, when it accepts the arguments, the command stops there. Returns the parser's verdict.
 */
export async function parseKass(argv: string[]): Promise<{ parsed: boolean; stderr: string }> {
  // The module object itself (an `import * as` would be a copy): command modules call parseArgs on it.
  const util = require('node:util') as typeof import('node:util');
  const real = util.parseArgs;
  const spy = jest.spyOn(util, 'parseArgs').mockImplementation(((config: Parameters<typeof real>[0]) => {
    const result = real(config);
    throw Object.assign(new Error(PARSED), { parsed: result });
  }) as typeof real);
  try {
    const io = captureIo();
    const code = await main(argv, io);
    const parsed = code === 1 && io.err().includes(PARSED) && spy.mock.calls.length === 1;
    return { parsed, stderr: io.err() };
  } finally {
    spy.mockRestore();
  }
}

async function checkKass(argv: string[], synopsis = false): Promise<string[]> {
  // `npx kass <command>`: the synopsis of every command, nothing more to check.
  if (argv[0] === 'PLACEHOLDER')
    return argv.length === 1 ? [] : [`kass ${argv.join(' ')}: too vague to check`];
  const words = kassCommandOf(argv);
  if (!words) return [`kass has no command '${argv.slice(0, 2).join(' ')}'`];
  const { usage } = await (COMMANDS[words]?.load() ?? Promise.reject(new Error(words)));
  const documented = documentedOptions(usage);
  const problems = argv
    .filter((w) => /^--?[a-zA-Z]/.test(w))
    .map((w) => w.split('=')[0] ?? w)
    .filter((option) => !documented.includes(option))
    .map((option) => `kass ${words} --help does not document ${option}`);
  const { parsed, stderr } = await parseKass(argv);
  if (!parsed) problems.push(`kass ${words} rejects the arguments: ${stderr.split('\n')[0]}`);
  // A synopsis (`kass schemas check [files]`) has no concrete arguments to run with.
  return synopsis ? problems : [...problems, ...(await checkOffline(words, argv))];
}

/**
 * What can be checked beyond the parser without AWS: `kass schemas check` runs; a `kass tool` example builds
 * its event from the schema (so the group, operation, parameters and body properties must exist); every
 * `kass retrieve --filter` expression parses.
 */
async function checkOffline(words: string, argv: string[]): Promise<string[]> {
  const runs = async (args: string[]) => {
    const io = captureIo();
    const code = await main(args, io);
    return code === 0 ? [] : [`kass ${args.join(' ')} exits ${code}: ${io.err().split('\n')[0]}`];
  };
  if (words === 'schemas check') return runs(argv);
  // `kass tool <group> <operationId> …` (not the bare command named in prose).
  if (words === 'tool' && argv.length >= 3)
    return runs(argv.includes('--event') ? argv : [...argv, '--event']);
  if (words === 'retrieve') {
    const filters = argv.flatMap((w, i) => (w === '--filter' || w === '-f' ? [argv[i + 1] ?? ''] : []));
    return filters.flatMap((f) => {
      const parsed = parseFilter(f);
      return parsed.ok ? [] : [`--filter ${f}: ${parsed.error}`];
    });
  }
  return [];
}

async function checkNpm(args: string[], synopsis: boolean): Promise<string[]> {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [verb, script, ...rest] = args;
  if (verb === 'ci' || verb === 'install') return [];
  if (verb === 'test') return scripts.test ? [] : ['package.json has no test script'];
  if (verb !== 'run' || !script) return [`npm ${verb ?? ''}: not a command the README should use`];
  if (!scripts[script]) return [`package.json has no script '${script}'`];
  const passed = rest[0] === '--' ? rest.slice(1) : rest;
  switch (script) {
    case 'synth':
      return checkSynthArgs(passed, synopsis);
    case 'bench':
      return passed[0] &&
        !fs
          .readdirSync(path.join(REPO_ROOT, 'bench'))
          .some((f) => f.endsWith('.bench.ts') && f.includes(passed[0] ?? ''))
        ? [`npm run bench -- ${passed[0]} matches no bench/*.bench.ts`]
        : [];
    case 'new-tool':
      return checkKass(['new-tool', ...passed], synopsis);
    default:
      return passed.length === 0 ? [] : [`no check knows the arguments of npm run ${script}`];
  }
}

/**
 * A stage and `kass:config` as synth validates them (config, then the inference-profile region). A synopsis
 * (`{"discord":{…}}`) only has to name a known stage.
 */
function checkStageContext(context: Record<string, unknown>, synopsis: boolean): string[] {
  const stage = typeof context.stage === 'string' ? context.stage : 'dev';
  if (stage === 'PLACEHOLDER') return [];
  if (synopsis) return STAGES[stage] ? [] : [`unknown stage '${stage}'`];
  if (!STAGES[stage]) return [`unknown stage '${stage}'`];
  try {
    const config = loadStageConfig(stage, parseConfigOverrides(context[CONFIG_CONTEXT_KEY]));
    checkInferenceRegion(config, config.env.region);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

function checkSynthArgs(args: string[], synopsis: boolean): string[] {
  try {
    const options = parseSynthArgs(args);
    return checkStageContext({ stage: options.stage, ...options.context }, synopsis);
  } catch (error) {
    return [(error as Error).message];
  }
}

const CDK_COMMANDS = ['synth', 'deploy', 'destroy', 'diff', 'bootstrap', 'ls', 'list', 'watch'];
/** Stacks the app builds: `kass-<stage>` and, with `pipeline.enabled`, `kass-pipeline`. */
const STACK_NAMES = new RegExp(`^kass-(${[...Object.keys(STAGES), 'pipeline'].join('|')})$`);

function checkCdk(args: string[], synopsis: boolean): string[] {
  const [sub, ...rest] = args;
  if (!sub || !CDK_COMMANDS.includes(sub)) return [`cdk ${sub ?? ''}: not a CDK CLI command`];
  const pairs: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    if (word === '-c' || word === '--context') pairs.push(rest[++i] ?? '');
    else if (
      sub === 'bootstrap' &&
      !/^aws:\/\/(\d{12}|PLACEHOLDER)\/([a-z]{2}(-[a-z]+)+-\d|PLACEHOLDER)$/.test(word)
    ) {
      problems.push(`cdk bootstrap takes aws://<account>/<region>, got ${word}`);
    } else if (sub !== 'bootstrap' && !word.startsWith('-') && !STACK_NAMES.test(word)) {
      problems.push(`unexpected argument ${word}`);
    }
  }
  try {
    return [...problems, ...checkStageContext(parseContext(pairs), synopsis)];
  } catch (error) {
    return [...problems, (error as Error).message];
  }
}

/** The AWS SDK package of each `aws <service>` the documentation uses, when it is installed here. */
const SDK_PACKAGES: Record<string, string> = {
  apigateway: '@aws-sdk/client-api-gateway',
  bedrock: '@aws-sdk/client-bedrock',
  'bedrock-agent': '@aws-sdk/client-bedrock-agent',
  cloudformation: '@aws-sdk/client-cloudformation',
  dynamodb: '@aws-sdk/client-dynamodb',
  lambda: '@aws-sdk/client-lambda',
  s3api: '@aws-sdk/client-s3',
  secretsmanager: '@aws-sdk/client-secrets-manager',
  sns: '@aws-sdk/client-sns',
  ssm: '@aws-sdk/client-ssm',
  sts: '@aws-sdk/client-sts',
};

/** AWS CLI commands that are the CLI's own (no service operation behind them). */
const CLI_OWN = ['configure', 'sso login', 'cloudtrail validate-logs'];

/**
 * Services the README names whose SDK is not a dependency of KASS: their operation names are checked
 * against this list, taken from the AWS CLI reference.
 */
const OTHER_OPERATIONS: Record<string, string[]> = {
  opensearchserverless: ['get-access-policy'],
  cloudwatch: ['set-alarm-state'],
};

function checkAws(args: string[]): string[] {
  const [service = '', operation = ''] = args;
  if (CLI_OWN.includes(service) || CLI_OWN.includes(`${service} ${operation}`)) return [];
  const other = OTHER_OPERATIONS[service];
  if (other) return other.includes(operation) ? [] : [`aws ${service} ${operation}: not a known operation`];
  const pkg = SDK_PACKAGES[service];
  if (!pkg) return [`aws ${service}: no SDK package known to check it against`];
  const name = `${operation.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Command`;
  const sdk = require(pkg) as Record<string, unknown>;
  return typeof sdk[name] === 'function' ? [] : [`aws ${service} ${operation}: ${pkg} has no ${name}`];
}
