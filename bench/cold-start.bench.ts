import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { buildApp } from '../infra/app';
import { LAMBDA_BUILD_OPTIONS, LambdaBundler } from '../infra/bundling/lambda-bundler';
import { REPO_ROOT } from '../infra/constructs/kass-function';
import { environmentOf, functionsOf, type TemplateResources } from '../tests/support/template-env';

/**
 * Cold module load of every Lambda bundle: the time `require('<bundle>')` takes in a fresh `node` (what a cold
 * start pays before the first event, minus the runtime's own start), with and without
 * `NODE_OPTIONS=--enable-source-maps` (every KASS function sets it), for two builds of each entry of the code as
 * it is now:
 *   - "before": the house build of the previous round — esbuild's default (CommonJS) SDK builds, the OpenAPI
 *     schemas as YAML text parsed at cold start, the YAML parser bundled;
 *   - "after": the LambdaBundler build as deployed — the SDK's tree-shakable ESM builds, schemas as JSON, no
 *     YAML parser, no X-Ray patcher for AWS SDK v2, a source map of the repository's own files (infra/bundling).
 * Each bundle runs with the environment the synthesized dev template (Classic, and AgentCore for its own
 * functions) gives it. Runs are interleaved (every variant once per round) so drift hits all alike; medians of
 * CPU time (user + system) and of wall time in ms. Measures only, asserts nothing.
 *   npm run bench -- cold-start            BENCH_COLD_RUNS=15 (default)
 *   BENCH_COLD_ENTRIES=code-review,chat npm run bench -- cold-start    only entries whose path contains one
 */

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const ONLY = (process.env.BENCH_COLD_ENTRIES ?? '').split(',').filter(Boolean);
const exec = promisify(execFile);

const LOAD_SCRIPT = (file: string) =>
  'const c=process.cpuUsage();const t=process.hrtime.bigint();' +
  `require(${JSON.stringify(file)});` +
  'const d=process.cpuUsage(c);console.log(JSON.stringify({cpu:(d.user+d.system)/1000,wall:Number(process.hrtime.bigint()-t)/1e6}))';

interface Entry {
  readonly entry: string;
  readonly env: Record<string, string>;
}

interface Variant {
  readonly entry: Entry;
  readonly build: 'before' | 'after';
  readonly file: string;
  readonly bytes: number;
  readonly sourceMaps: boolean;
  readonly cpu: number[];
  readonly wall: number[];
  error?: string;
}

/** Every Lambda entry with its template environment: the Classic dev stack, plus AgentCore's own functions. */
function entries(): Entry[] {
  const found = new Map<string, Entry>();
  for (const engine of ['classic', 'agentcore']) {
    const { stack } = buildApp({
      stage: 'dev',
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { agent: { engine } } },
      nag: false,
    });
    const resources = Template.fromStack(stack).toJSON().Resources as TemplateResources;
    for (const f of functionsOf(stack))
      if (!found.has(f.entry))
        found.set(f.entry, { entry: f.entry, env: environmentOf(f.logicalId, resources) });
  }
  return [...found.values()]
    .filter((e) => ONLY.length === 0 || ONLY.some((part) => e.entry.includes(part)))
    .sort((a, b) => a.entry.localeCompare(b.entry));
}

/** The previous round's build: default main fields, `.yaml` as text, the YAML parser in the bundle. */
async function buildBefore(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'before', entry.replace(/[/.]/g, '_'), 'index.js');
  const { mainFields: _esm, ...previous } = LAMBDA_BUILD_OPTIONS;
  await build({
    ...previous,
    loader: { '.yaml': 'text', '.md': 'text' },
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    outfile,
  });
  return outfile;
}

async function loadOnce(variant: Variant): Promise<{ cpu: number; wall: number }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'kass-bench',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...variant.entry.env,
    NODE_OPTIONS: variant.sourceMaps ? '--enable-source-maps' : '',
  };
  const { stdout } = await exec(process.execPath, ['-e', LOAD_SCRIPT(variant.file)], {
    env,
    cwd: path.dirname(variant.file),
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { cpu: number; wall: number };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(0)} kB`;

export async function run(): Promise<void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'kass-cold-start-'));
  try {
    const all = entries();
    const bundler = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir: path.join(outDir, 'after') });
    bundler.prepare(all.map((e) => e.entry));
    const variants: Variant[] = [];
    for (const entry of all) {
      const before = await buildBefore(entry.entry, outDir);
      const after = path.join(bundler.bundle(entry.entry).dir, 'index.js');
      for (const [kind, file] of [
        ['before', before],
        ['after', after],
      ] as const) {
        for (const sourceMaps of [false, true])
          variants.push({
            entry,
            build: kind,
            file,
            bytes: statSync(file).size,
            sourceMaps,
            cpu: [],
            wall: [],
          });
      }
    }
    console.log(`node ${process.version}, ${RUNS} runs per variant, medians of require() in a fresh process`);
    for (let round = 0; round < RUNS; round++) {
      const shift = (round * 3) % variants.length;
      for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
        if (variant.error) continue;
        try {
          const sample = await loadOnce(variant);
          variant.cpu.push(sample.cpu);
          variant.wall.push(sample.wall);
        } catch (error) {
          variant.error = String((error as { stderr?: string }).stderr ?? error)
            .split('\n')[0]
            ?.slice(0, 160);
        }
      }
    }
    const find = (entry: Entry, build: Variant['build'], sourceMaps: boolean) =>
      variants.find((v) => v.entry === entry && v.build === build && v.sourceMaps === sourceMaps);
    const cell = (v: Variant | undefined, what: 'cpu' | 'wall') =>
      !v ? 'n/a' : v.error ? 'FAILED' : median(v[what]).toFixed(1);
    const ratio = (a: Variant | undefined, b: Variant | undefined) =>
      !a || !b || a.error || b.error ? 'n/a' : `${(median(a.cpu) / median(b.cpu)).toFixed(2)}x`;
    console.log(
      [
        'entry'.padEnd(44),
        'size before'.padStart(11),
        'after'.padStart(7),
        'cpu ms before'.padStart(14),
        'after'.padStart(7),
        '+maps before'.padStart(13),
        'after'.padStart(7),
        'wall+maps before'.padStart(17),
        'after'.padStart(7),
        'after/before'.padStart(13),
        '(+maps)'.padStart(8),
      ].join(' '),
    );
    for (const entry of all) {
      const [b, a, bm, am] = [
        find(entry, 'before', false),
        find(entry, 'after', false),
        find(entry, 'before', true),
        find(entry, 'after', true),
      ];
      console.log(
        [
          entry.entry.padEnd(44),
          kB(b?.bytes ?? 0).padStart(11),
          kB(a?.bytes ?? 0).padStart(7),
          cell(b, 'cpu').padStart(14),
          cell(a, 'cpu').padStart(7),
          cell(bm, 'cpu').padStart(13),
          cell(am, 'cpu').padStart(7),
          cell(bm, 'wall').padStart(17),
          cell(am, 'wall').padStart(7),
          ratio(a, b).padStart(13),
          ratio(am, bm).padStart(8),
        ].join(' '),
      );
    }
    for (const v of variants.filter((x) => x.error))
      console.log(`${v.entry.entry} (${v.build}${v.sourceMaps ? ', source maps' : ''}) failed: ${v.error}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
