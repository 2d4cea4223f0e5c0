import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './app';
import { ConfigError } from './config/config-error';
import { formatSummary, summarizeTemplate } from './summary';

const USAGE = `Usage: npm run synth -- [--stage <name>] [-c key=value ...] [--out <dir>]

Synthesizes the whole KASS system for a stage into cdk.out (every Lambda bundled by the local esbuild,
cdk-nag enforced) and prints what was built. No AWS account, Docker or network needed.

  --stage <name>       dev (default), prod or local
  -c, --context k=v    CDK context, as with \`cdk synth -c\`; a JSON value is parsed, e.g.
                       -c 'kass:config={"agent":{"model":"claude-haiku-4-5"}}'
  --out <dir>          where the cloud assembly goes (default cdk.out)
  -h, --help           this help
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

/**
 * The main offline job: synthesize the whole system for a stage into `cdk.out` (Lambdas bundled by local
 * esbuild, cdk-nag enforced) and print what was built. Same app as `npx cdk synth`, without the CLI.
 */
export function main(argv: string[]): number {
  let values: { stage: string; out: string; context: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        out: { type: 'string', default: 'cdk.out' },
        context: { type: 'string', short: 'c', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  let built: ReturnType<typeof buildApp>;
  try {
    const context = parseContext(values.context);
    built = buildApp({
      stage: values.stage,
      outdir: values.out,
      recordLocks: true,
      context,
      targetRegion: process.env.CDK_DEFAULT_REGION,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      console.error(error.message);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
  const assembly = built.app.synth();
  for (const stack of assembly.stacks) {
    // The CDK CLI prints these; this job has to do it itself (e.g. a vector-store change replaces the KB).
    for (const message of stack.messages.filter((m) => m.level === 'warning'))
      console.warn(`Warning: ${String(message.entry.data)}`);
    const summary = summarizeTemplate(stack.stackName, stack.template);
    const sizes = new Map<string, number>();
    for (const [logicalId, resource] of Object.entries(
      stack.template.Resources as Record<
        string,
        {
          Type: string;
          Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
        }
      >,
    )) {
      // The code's S3 key is `<asset hash>.zip`; the bundle sits in `asset.<hash>/` of the assembly.
      const key = resource.Properties?.Code?.S3Key;
      if (resource.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
      const bundle = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
      const service = resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      const name = typeof service === 'string' ? service : logicalId;
      if (fs.existsSync(bundle)) sizes.set(name, fs.statSync(bundle).size);
    }
    console.log(formatSummary(summary, sizes));
    console.log(
      `  Template: ${path.relative(process.cwd(), path.join(assembly.directory, stack.templateFile))}`,
    );
    // Warnings (e.g. a Legacy model, a browser origin with API keys only) as `cdk synth` prints them.
    for (const message of stack.messages.filter((m) => m.level === 'warning')) {
      console.warn(`  [Warning at ${message.id}] ${String(message.entry.data)}`);
    }
  }
  console.log(
    `cdk-nag (AwsSolutions): no unacknowledged findings. Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
