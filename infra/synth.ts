import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './app';
import { ConfigError } from './config/config-error';
import { formatSummary, summarizeTemplate } from './summary';

/**
 * The main offline job: synthesize the whole system for a stage into `cdk.out` (Lambdas bundled by local
 * esbuild, cdk-nag enforced) and print what was built. Same app as `npx cdk synth`, without the CLI.
 */
function main(): number {
  const { values } = parseArgs({
    options: { stage: { type: 'string', default: 'dev' }, out: { type: 'string', default: 'cdk.out' } },
  });
  const started = Date.now();
  let built: ReturnType<typeof buildApp>;
  try {
    built = buildApp({ stage: values.stage, outdir: values.out, recordChunking: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const assembly = built.app.synth();
  for (const stack of assembly.stacks) {
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
  }
  console.log(
    `cdk-nag (AwsSolutions): no unacknowledged findings. Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

process.exitCode = main();
