import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs every `bench/*.bench.ts` (each exports `run(): Promise<void>` and prints its own results).
 *   npm run bench [-- <name filter>]
 * Telemetry is silenced before any bench module loads, so benches measure code, not log output.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_LAMBDA_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface BenchModule {
  run?: () => Promise<void>;
}

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts') && file.includes(filter))
    .sort();
  for (const file of files) {
    console.log(`\n# ${file}`);
    const mod = (await import(path.join(__dirname, file))) as BenchModule;
    if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
