import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../cli/main';
import { BedrockAgentFake } from '../tests/support/bedrock-agent-server';
import { type LocalS3, startS3rver } from '../tests/support/s3rver';

/**
 * `kass sync` beside `aws s3 sync` (AWS CLI), both as child processes against the same local s3rver in the
 * same run: 1,000 files × 8 KB, cold (empty bucket, one bucket per tool and round) and a no-change rerun.
 * Rounds alternate which tool goes first; the table shows medians and the kass/aws ratio.
 *
 * Ingestion is not measured: kass runs with --no-wait against the local bedrock-agent fake, so the rerun
 * still pays for its ListIngestionJobs call and the cold run for one StartIngestionJob, nothing more.
 * The AWS CLI gets `AWS_REQUEST_CHECKSUM_CALCULATION=when_required`: its default streams uploads aws-chunked,
 * which s3rver would store with the framing (toolchain.md §9); kass sends Buffer bodies and needs no change.
 *
 *   npm run bench -- sync        (BENCH_SYNC_FILES, BENCH_SYNC_KB, BENCH_SYNC_ROUNDS override the sizes)
 */

const FILES = Number(process.env.BENCH_SYNC_FILES ?? 1_000);
const SIZE = Number(process.env.BENCH_SYNC_KB ?? 8) * 1024;
const ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
const ROOT = path.join(__dirname, '..');

interface Timed {
  readonly ms: number;
  readonly code: number;
  readonly stderr: string;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code: code ?? 1, stderr }),
    );
  });
}

/** `kass sync …` as a user runs it: the kass binary once main.ts lists the command, else the same module via tsx. */
function kassCommand(args: string[]): [string, string[]] {
  if ('sync' in COMMANDS) return [process.execPath, [path.join(ROOT, 'cli/bin/kass.cjs'), 'sync', ...args]];
  const runner =
    "require('tsx/cjs');import('tsx/esm').then(()=>require(process.env.KASS_SYNC_MODULE).run(process.argv.slice(1)," +
    '{stdout:process.stdout,stderr:process.stderr,cwd:process.cwd()})).then(c=>{process.exitCode=c},' +
    'e=>{console.error(e);process.exitCode=1})';
  return [process.execPath, ['-e', runner, '--', ...args]];
}

/** 1,000 files × 8 KB of random text in 10 folders (a text type the sync accepts). */
function makeCorpus(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kass-bench-sync-'));
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(dir, 'raw', `batch-${String(i % 10).padStart(2, '0')}`);
    if (i < 10) mkdirSync(folder, { recursive: true });
    const text = randomBytes(SIZE)
      .toString('base64')
      .slice(0, SIZE - 1);
    writeFileSync(path.join(folder, `doc-${String(i).padStart(4, '0')}.txt`), `${text}\n`);
  }
  return dir;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function check(label: string, result: Timed): void {
  if (result.code !== 0) throw new Error(`${label} exited ${result.code}: ${result.stderr.slice(0, 2000)}`);
}

async function countPuts(
  s3: LocalS3,
  bucket: string,
  run: () => Promise<Timed>,
): Promise<Timed & { puts: number }> {
  s3.clearRequests();
  const result = await run();
  return { ...result, puts: s3.puts().filter((p) => p.startsWith(`${bucket}/`)).length };
}

export async function run(): Promise<void> {
  const awsVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (awsVersion.status !== 0) {
    console.log('aws CLI not found: skipping the kass sync vs aws s3 sync bench');
    return;
  }
  const corpus = makeCorpus();
  const s3 = await startS3rver();
  const agent = await BedrockAgentFake.start();
  const baseEnv = {
    ...process.env,
    ...s3.env,
    AWS_ENDPOINT_URL_BEDROCK_AGENT: agent.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    KASS_SYNC_MODULE: path.join(ROOT, 'cli/commands/sync.ts'),
  };
  const awsEnv = { ...baseEnv, AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required' };
  const kass = (bucket: string) =>
    timed(...kassCommand([corpus, ...agent.syncArgs(bucket), '--no-wait']), baseEnv);
  const aws = (bucket: string) =>
    timed(
      'aws',
      [
        's3',
        'sync',
        corpus,
        `s3://${bucket}/documents/`,
        '--endpoint-url',
        s3.endpoint,
        '--only-show-errors',
      ],
      awsEnv,
    );

  const samples = {
    kassCold: [] as number[],
    awsCold: [] as number[],
    kassWarm: [] as number[],
    awsWarm: [] as number[],
  };
  try {
    const startup = await timed(...kassCommand(['--help']), baseEnv);
    const awsStartup = await timed('aws', ['s3', 'ls', '--endpoint-url', s3.endpoint], awsEnv);
    check('kass sync --help', startup);
    check('aws s3 ls', awsStartup);
    console.log(
      `${FILES} files × ${SIZE / 1024} KB, ${ROUNDS} rounds, ${awsVersion.stdout.trim() || awsVersion.stderr.trim()}`,
    );
    console.log(
      `start-up: kass sync --help ${startup.ms.toFixed(0)} ms, aws s3 ls (one request) ${awsStartup.ms.toFixed(0)} ms`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const kassBucket = `bench-kass-${round}`;
      const awsBucket = `bench-aws-${round}`;
      await s3.createBucket(kassBucket);
      await s3.createBucket(awsBucket);
      agent.reset();
      const order = round % 2 === 1 ? (['kass', 'aws'] as const) : (['aws', 'kass'] as const);
      for (const phase of ['Cold', 'Warm'] as const) {
        for (const tool of order) {
          const bucket = tool === 'kass' ? kassBucket : awsBucket;
          const result = await countPuts(s3, bucket, () => (tool === 'kass' ? kass(bucket) : aws(bucket)));
          check(`${tool} ${phase}`, result);
          const expected = phase === 'Cold' ? FILES : 0;
          if (result.puts !== expected)
            throw new Error(`${tool} ${phase}: ${result.puts} PUTs, expected ${expected}`);
          samples[`${tool}${phase}`].push(result.ms);
        }
      }
      const [kassKeys, awsKeys] = await Promise.all([s3.keys(kassBucket), s3.keys(awsBucket)]);
      if (kassKeys.length !== FILES || awsKeys.length !== FILES)
        throw new Error(`round ${round}: ${kassKeys.length} kass objects, ${awsKeys.length} aws objects`);
    }
    const row = (label: string, k: number[], a: number[]) => {
      const km = median(k);
      const am = median(a);
      return `${label.padEnd(22)} ${`${km.toFixed(0)} ms`.padStart(9)} ${`${am.toFixed(0)} ms`.padStart(9)} ${(km / am).toFixed(2).padStart(9)}`;
    };
    console.log(
      `${'median wall time'.padEnd(22)} ${'kass'.padStart(9)} ${'aws'.padStart(9)} ${'kass/aws'.padStart(9)}`,
    );
    console.log(row('cold (empty bucket)', samples.kassCold, samples.awsCold));
    console.log(row('no-change rerun', samples.kassWarm, samples.awsWarm));
    console.log(
      `all samples (ms): kass cold ${samples.kassCold.map((v) => v.toFixed(0)).join('/')}, aws cold ${samples.awsCold
        .map((v) => v.toFixed(0))
        .join(
          '/',
        )}, kass rerun ${samples.kassWarm.map((v) => v.toFixed(0)).join('/')}, aws rerun ${samples.awsWarm
        .map((v) => v.toFixed(0))
        .join('/')}`,
    );
  } finally {
    await s3.close();
    await agent.close();
    rmSync(corpus, { recursive: true, force: true });
  }
}
