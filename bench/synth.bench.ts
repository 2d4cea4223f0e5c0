import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `cdk synth --quiet` of KASS (dev) beside an empty `cdk init app --language typescript` starter, both with the
 * same CDK CLI and node_modules, interleaved in the same run:
 *   - full: no cdk.out and no Lambda bundle cache (a fresh clone's first synth);
 *   - one edit: a handler changed since the last synth (cdk.out and cache kept), as in an edit–synth loop.
 * The starter is generated with `cdk init --generate-only` and uses the repository's node_modules (no network).
 * Medians of BENCH_SYNTH_ROUNDS (default 3) rounds, and the KASS/starter ratios. The edited handler is
 * restored afterwards.                                          npm run bench -- synth
 */

const ROUNDS = Number(process.env.BENCH_SYNTH_ROUNDS ?? 3);
const ROOT = path.join(__dirname, '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const BUNDLE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'kass-lambda');
const EDITED = path.join(ROOT, 'functions', 'health', 'handler.ts');

function synthSeconds(cwd: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(CDK, ['synth', '--quiet'], {
    cwd,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cdk synth failed in ${cwd}:\n${result.stderr.slice(-2000)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function makeStarter(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kass-starter-'));
  const init = spawnSync(CDK, ['init', 'app', '--language', 'typescript', '--generate-only'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`cdk init failed: ${init.stderr}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function run(): Promise<void> {
  const starter = makeStarter();
  const original = readFileSync(EDITED, 'utf8');
  const times = {
    kassFull: [] as number[],
    starterFull: [] as number[],
    kassEdit: [] as number[],
    starterEdit: [] as number[],
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(path.join(ROOT, 'cdk.out'), { recursive: true, force: true });
      rmSync(BUNDLE_CACHE, { recursive: true, force: true });
      rmSync(path.join(starter, 'cdk.out'), { recursive: true, force: true });
      // Alternate who goes first so drift hits both.
      const pair: [() => void, () => void] = [
        () => times.kassFull.push(synthSeconds(ROOT)),
        () => times.starterFull.push(synthSeconds(starter)),
      ];
      for (const step of round % 2 ? pair.reverse() : pair) step();
      appendFileSync(EDITED, `// bench edit ${round}\n`);
      const edits: [() => void, () => void] = [
        () => times.kassEdit.push(synthSeconds(ROOT)),
        () => times.starterEdit.push(synthSeconds(starter)),
      ];
      for (const step of round % 2 ? edits.reverse() : edits) step();
      writeFileSync(EDITED, original);
    }
  } finally {
    writeFileSync(EDITED, original);
    rmSync(starter, { recursive: true, force: true });
  }
  const line = (name: string, kass: number[], base: number[]) =>
    `${name.padEnd(10)} kass ${median(kass).toFixed(2).padStart(6)} s   starter ${median(base).toFixed(2).padStart(6)} s   ratio ${(median(kass) / median(base)).toFixed(2)}x   (kass ${kass.map((t) => t.toFixed(1)).join('/')}, starter ${base.map((t) => t.toFixed(1)).join('/')})`;
  console.log(`node ${process.version}, cdk synth --quiet, ${ROUNDS} rounds, medians`);
  console.log(line('full', times.kassFull, times.starterFull));
  console.log(line('one edit', times.kassEdit, times.starterEdit));
}
