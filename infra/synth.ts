import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { processEnv } from '../contracts/env';
import { buildApp, stackNameOf } from './app';
import { ConfigError } from './config/config-error';
import { REPO_ROOT } from './constructs/kass-function';
import { formatSummary, summarizeTemplate } from './summary';
import { formatFindings, readValidationFindings } from './validation-findings';

export const USAGE = `Usage: npm run synth -- [--stage <name>] [-c key=value ...] [--out <dir>]

Synthesizes the whole KASS system for a stage into cdk.out (every Lambda bundled by the local esbuild,
cdk-nag enforced) and prints what was built. No AWS account, Docker or network needed.

  --stage <name>       dev (default), prod or local
  -c, --context k=v    CDK context, as with \`cdk synth -c\`; a JSON value is parsed, e.g.
                       -c 'kass:config={"agent":{"model":"claude-haiku-4-5"}}'
  --out <dir>          where the cloud assembly goes (default cdk.out)
  -h, --help           this help

Settings given with -c kass:config merge into the stage's own (objects key by key, arrays replace).

Examples:
  npm run synth -- --stage prod
  npm run synth -- -c 'kass:config={"agent":{"model":"claude-haiku-4-5"}}'
  npm run synth -- --stage prod -c 'kass:config={"agent":{"engine":"agentcore"}}'
`;

/** `key=value` pairs as CDK context; values that parse as JSON are used parsed (as the CDK CLI does). */
export function parseContext(pairs: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-c expects key=value, got "${pair}"`);
    const value = pair.slice(eq + 1);
    try {
      context[pair.slice(0, eq)] = JSON.parse(value);
    } catch {
      context[pair.slice(0, eq)] = value;
    }
  }
  return context;
}

class UsageError extends Error {}

/** The options of `npm run synth`, or a UsageError with a one-line reason (node's own texts are garbled). */
export function parseSynthArgs(argv: readonly string[]): {
  stage: string;
  out: string;
  context: Record<string, unknown>;
  help: boolean;
} {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        stage: { type: 'string', default: 'dev' },
        out: { type: 'string', default: 'cdk.out' },
        context: { type: 'string', short: 'c', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    return {
      stage: values.stage,
      out: values.out,
      context: parseContext(values.context),
      help: values.help === true,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    const quoted = /'([^' ]+)/.exec((error as Error).message)?.[1] ?? '';
    throw new UsageError(
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `Unknown option '${quoted}' (options: --stage, -c/--context, --out, --help)`
        : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `Option '${quoted}' needs a value, e.g. --stage prod or -c stage=prod`
          : `Unexpected argument '${quoted}': npm run synth takes options only (settings go in -c key=value)`,
    );
  }
}

/** CDK prints validation reports and throws on its own; this job reads the report and prints it readably. */
const REPORT_VALIDATION_OURSELVES = { '@aws-cdk/core:failSynthOnValidationErrors': false };

export interface SynthDeps {
  /** Builds the app (tests add constructs that break a rule). @default buildApp */
  readonly build?: typeof buildApp;
}

/**
 * The main offline job: synthesize the whole system for a stage into `cdk.out` (Lambdas bundled by local
 * esbuild, cdk-nag enforced) and print what was built, every warning, and a readable list of findings when a
 * validation fails (exit 1). Same app as `npx cdk synth`, without the CLI.
 */
export function main(argv: string[], deps: SynthDeps = {}): number {
  let options: ReturnType<typeof parseSynthArgs>;
  try {
    options = parseSynthArgs(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  let built: ReturnType<typeof buildApp>;
  try {
    built = (deps.build ?? buildApp)({
      stage: options.stage,
      outdir: options.out,
      recordLocks: true,
      context: { ...options.context, ...REPORT_VALIDATION_OURSELVES },
      targetRegion: processEnv().CDK_DEFAULT_REGION,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const assembly = built.app.synth();
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const findings = readValidationFindings(reportFile, REPO_ROOT);
  if (findings.some((f) => f.severity === 'error')) {
    console.error(formatFindings(findings, path.relative(process.cwd(), reportFile)));
    return 1;
  }
  for (const stack of assembly.stacks) {
    console.log(
      formatSummary(
        summarizeTemplate(stack.stackName, stack.template),
        bundleSizes(assembly.directory, stack.template),
      ),
    );
    console.log(
      `  Template: ${path.relative(process.cwd(), path.join(assembly.directory, stack.templateFile))}`,
    );
    // Warnings as `cdk synth` prints them (e.g. a Legacy model, a browser origin with API keys only).
    const warnings = [
      ...stack.messages
        .filter((m) => m.level === 'warning')
        .map((m) => `[Warning at ${m.id}] ${String(m.entry.data)}`),
      ...findings.map((f) => `[Warning at /${f.constructPath}] ${f.rule}: ${f.description}`),
    ];
    for (const warning of warnings) console.warn(`  ${warning}`);
    if (warnings.length > 0) console.warn(`  ${warnings.length} warning(s): read them before deploying.`);
    const stage = built.config.stage;
    console.log(
      stack.stackName === stackNameOf(stage)
        ? `  Next: npx kass doctor --stage ${stage}, then npx cdk deploy ${stack.stackName} -c stage=${stage}`
        : `  Next: npx cdk deploy ${stack.stackName} -c stage=${stage} (once; it then deploys on every push)`,
    );
  }
  console.log(
    `cdk-nag (AwsSolutions): no unacknowledged findings. Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

type TemplateResources = Record<
  string,
  {
    Type: string;
    Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
  }
>;

/** Bundle size per function (by service name): the code's S3 key is `<asset hash>.zip`, the bundle `asset.<hash>/`. */
function bundleSizes(assemblyDir: string, template: { Resources?: unknown }): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [logicalId, resource] of Object.entries((template.Resources ?? {}) as TemplateResources)) {
    const key = resource.Properties?.Code?.S3Key;
    if (resource.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
    const bundle = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
    const service = resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (fs.existsSync(bundle))
      sizes.set(typeof service === 'string' ? service : logicalId, fs.statSync(bundle).size);
  }
  return sizes;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
