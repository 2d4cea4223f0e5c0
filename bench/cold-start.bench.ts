import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BuiltBundle, buildBundles, kB, REPO_ROOT } from './bundles';

/**
 * Cold module load of every Lambda bundle: the time `require('<bundle>')` takes in a fresh `node` (what a
 * cold start pays before the first event, minus the runtime's own start), with and without
 * `NODE_OPTIONS=--enable-source-maps` (KassFunction sets it), for two builds of each entry:
 *   - "bundled": exactly as KassFunction builds it (the pinned SDK inside the bundle);
 *   - "sdk ext": the same with `@aws-sdk/*` external, as the Lambda runtime provides it (resolved here
 *     from the repository's node_modules through NODE_PATH, i.e. the same unbundled CJS the runtime loads).
 * Runs are interleaved (every variant once per round) so drift hits all variants alike; medians in ms.
 * Measures only, asserts nothing. Node here is the local one, not the Lambda's (see the header line).
 *   npm run bench -- cold-start            BENCH_COLD_RUNS=15 (default)
 */

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

/** What the handlers read at module load, as dummy values (the Lambda gets the real ones from the stack). */
const LAMBDA_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'kass-bench',
  POWERTOOLS_SERVICE_NAME: 'kass-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'KASS',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  TICKETS_TABLE_NAME: 'kass-bench-Tickets',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:kass-bench-ticket-events',
  TOOL_LOGS_TABLE_NAME: 'kass-bench-ToolLogs',
  CONVERSATIONS_TABLE_NAME: 'kass-bench-Conversations',
  MAX_OUTPUT_TOKENS: '1024',
  MODEL_ID: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
  GUARDRAIL_ID: 'gr123abc',
  GUARDRAIL_VERSION: '1',
  GITLAB_BASE_URL: 'https://gitlab.example.com',
  GITLAB_PROJECT_ALLOWLIST: 'platform/api',
  GITLAB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kass/bench/gitlab-AbCdEf',
  MAX_DIFF_CHARS: '120000',
  KNOWLEDGE_BASE_ID: 'KBBENCH123',
  DATA_SOURCE_ID: 'DSBENCH123',
};

const LOAD_SCRIPT = (file: string) =>
  `const t=process.hrtime.bigint(); require(${JSON.stringify(file)}); console.log(Number(process.hrtime.bigint()-t)/1e6)`;

const exec = promisify(execFile);

interface Variant {
  readonly bundle: BuiltBundle;
  readonly build: 'bundled' | 'sdk ext';
  readonly sourceMaps: boolean;
  readonly samples: number[];
  error?: string;
}

/** One fresh `node` that requires the bundle; the time it printed, in ms. */
async function loadOnce(variant: Variant): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...LAMBDA_ENV,
    ...(variant.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    ...(variant.build === 'sdk ext' ? { NODE_PATH: path.join(REPO_ROOT, 'node_modules') } : {}),
  };
  const { stdout } = await exec(process.execPath, ['-e', LOAD_SCRIPT(variant.bundle.outfile)], {
    env,
    cwd: path.dirname(variant.bundle.outfile),
    timeout: 30_000,
  });
  const ms = Number(stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new Error(`unexpected output: ${stdout.slice(0, 200)}`);
  return ms;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const firstLine = (error: unknown): string => {
  const text = String((error as { stderr?: string }).stderr || (error as Error).message || error);
  const line = text.split('\n').find((l) => /Error|error:/.test(l)) ?? text.split('\n')[0] ?? '';
  return line.trim().slice(0, 160);
};

export async function run(): Promise<void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'kass-cold-start-'));
  try {
    const bundled = await buildBundles({ outDir: path.join(outDir, 'bundled') });
    const external = await buildBundles({ outDir: path.join(outDir, 'sdk-external'), sdkExternal: true });
    for (const f of [...bundled.failed, ...external.failed])
      console.log(`${f.name}: does not build (${f.error})`);

    const variants: Variant[] = [];
    for (const [build, set] of [
      ['bundled', bundled.built],
      ['sdk ext', external.built],
    ] as const) {
      for (const bundle of set) {
        for (const sourceMaps of [false, true]) variants.push({ bundle, build, sourceMaps, samples: [] });
      }
    }

    console.log(
      `node ${process.version}, ${RUNS} runs per variant, median ms of require() in a fresh process`,
    );
    for (let round = 0; round < RUNS; round++) {
      // Rotate the start so no variant always runs first (or right after the same neighbour).
      const shift = (round * 3) % variants.length;
      for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
        if (variant.error) continue;
        try {
          variant.samples.push(await loadOnce(variant));
        } catch (error) {
          variant.error = firstLine(error);
        }
      }
    }

    const find = (name: string, build: Variant['build'], sourceMaps: boolean) =>
      variants.find((v) => v.bundle.name === name && v.build === build && v.sourceMaps === sourceMaps);
    const cell = (v: Variant | undefined) =>
      !v ? 'n/a' : v.error ? 'FAILED' : `${median(v.samples).toFixed(1)}`;
    const ratio = (a: Variant | undefined, b: Variant | undefined) =>
      !a || !b || a.error || b.error ? 'n/a' : `${(median(a.samples) / median(b.samples)).toFixed(2)}x`;

    console.log(
      [
        'bundle'.padEnd(14),
        'size bundled'.padStart(13),
        'size sdk ext'.padStart(13),
        'bundled'.padStart(8),
        '+maps'.padStart(8),
        'sdk ext'.padStart(8),
        '+maps'.padStart(8),
        'maps cost'.padStart(10),
        'bundled/ext'.padStart(12),
        '(+maps)'.padStart(8),
      ].join(' '),
    );
    for (const b of bundled.built) {
      const bn = find(b.name, 'bundled', false);
      const bm = find(b.name, 'bundled', true);
      const en = find(b.name, 'sdk ext', false);
      const em = find(b.name, 'sdk ext', true);
      const ext = external.built.find((e) => e.name === b.name);
      console.log(
        [
          b.name.padEnd(14),
          kB(b.bytes).padStart(13),
          (ext ? kB(ext.bytes) : 'n/a').padStart(13),
          cell(bn).padStart(8),
          cell(bm).padStart(8),
          cell(en).padStart(8),
          cell(em).padStart(8),
          ratio(bm, bn).padStart(10),
          ratio(bn, en).padStart(12),
          ratio(bm, em).padStart(8),
        ].join(' '),
      );
    }
    for (const v of variants.filter((x) => x.error)) {
      console.log(
        `${v.bundle.name} (${v.build}${v.sourceMaps ? ', source maps' : ''}) failed to load: ${v.error}`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
