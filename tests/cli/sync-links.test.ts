import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSync, usage } from '../../cli/commands/sync';
import { BedrockAgentFake } from '../support/bedrock-agent-server';
import { captureIo } from '../support/cli-io';
import { type LocalS3, startS3rver } from '../support/s3rver';

/**
 * `kass sync` uploads only what is inside the synced folder: a symbolic link (to a file or a folder) that
 * resolves outside it is reported by name and skipped, special files are skipped, and nothing outside the
 * folder is ever read, in a dry run or a real one.
 */

const FAST_POLL = { initialMs: 5, maxMs: 20, factor: 1.5 };

/** Paths the code under test opens or reads through fs/promises (the module is wrapped, not replaced). */
const mockReads: string[] = [];
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const record =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      mockReads.push(String(args[0]));
      return fn(...args);
    };
  return { ...actual, open: record(actual.open), readFile: record(actual.readFile) };
});

interface Layout {
  /** The synced folder. */
  readonly dir: string;
  /** A folder beside it that must never be read or uploaded. */
  readonly outside: string;
}

/**
 * `docs/raw/runbook.md` (a normal document), `docs/raw/secret.md` → `outside/secret.md` (a file link
 * escaping), `docs/escape` → `outside/` (a folder link escaping), `docs/raw/alias.md` → `runbook.md` (a
 * file link inside), `docs/raw/pipe.txt` (a FIFO).
 */
function layout(): Layout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-sync-links-'));
  const dir = path.join(root, 'docs');
  const outside = path.join(fs.realpathSync(root), 'outside');
  fs.mkdirSync(path.join(dir, 'raw'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(dir, 'raw', 'runbook.md'), '# Runbook\nRestart the VPN.\n');
  fs.writeFileSync(path.join(outside, 'secret.md'), '# Secret\nroot password: hunter2\n');
  fs.writeFileSync(path.join(outside, 'passwords.txt'), 'db: hunter2\n');
  fs.symlinkSync(path.join(outside, 'secret.md'), path.join(dir, 'raw', 'secret.md'));
  fs.symlinkSync(path.join('..', 'outside'), path.join(dir, 'escape'));
  fs.symlinkSync('runbook.md', path.join(dir, 'raw', 'alias.md'));
  execFileSync('mkfifo', [path.join(dir, 'raw', 'pipe.txt')]);
  return { dir, outside };
}

describe('Command: kass sync — links and special files', () => {
  let s3: LocalS3;
  let agent: BedrockAgentFake;
  let bucket: string;
  let count = 0;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver();
    agent = await BedrockAgentFake.start();
    Object.assign(process.env, s3.env, { AWS_ENDPOINT_URL_BEDROCK_AGENT: agent.endpoint });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await s3.close();
    await agent.close();
  });

  beforeEach(async () => {
    bucket = `kass-links-${++count}`;
    await s3.createBucket(bucket);
    agent.reset();
  });

  /** Every file path opened or read through fs/promises during `run` (all of the sync's reads go there). */
  async function readsDuring<T>(run: () => Promise<T>): Promise<{ result: T; reads: string[] }> {
    mockReads.length = 0;
    const result = await run();
    // Where each read really went: a link read through its own path counts as a read of its target.
    return { result, reads: mockReads.map((file) => fs.realpathSync(file)) };
  }

  it('--dry-run lists the escaping links as skipped by name and plans no upload of them', async () => {
    // Prepare
    const { dir, outside } = layout();
    const io = captureIo(dir);

    // Act
    const { result: code, reads } = await readsDuring(() =>
      createSync({ poll: FAST_POLL })(['.', '--bucket', bucket, '--dry-run'], io),
    );

    // Assess
    const out = io.out();
    expect(code).toBe(0);
    expect(out).toMatch(/skipped raw\/secret\.md: .*outside the folder/);
    expect(out).toMatch(/skipped escape: .*outside the folder/);
    expect(out).toMatch(/skipped raw\/pipe\.txt: .*not a regular file/);
    expect(out).toContain('  + documents/raw/runbook.md (new');
    expect(out).toContain('  + documents/raw/alias.md (new');
    expect(out).not.toContain('documents/raw/secret.md');
    expect(out).not.toContain('passwords');
    expect(reads.some((file) => file.endsWith(path.join('raw', 'runbook.md')))).toBe(true);
    expect(reads.filter((file) => file.startsWith(outside))).toEqual([]);
    expect(await s3.keys(bucket)).toEqual([]);
  });

  it('a real sync uploads only what is inside, reads nothing outside, and reports the skips in --json', async () => {
    // Prepare
    const { dir, outside } = layout();
    const io = captureIo(dir);

    // Act
    const { result: code, reads } = await readsDuring(() =>
      createSync({ poll: FAST_POLL })(['.', '--json', ...agent.syncArgs(bucket)], io),
    );

    // Assess
    const report = JSON.parse(io.out());
    expect(code).toBe(0);
    expect(await s3.keys(bucket)).toEqual(['documents/raw/alias.md', 'documents/raw/runbook.md']);
    expect(report.skipped).toEqual([
      { file: 'escape', reason: expect.stringContaining('outside the folder') },
      { file: 'raw/pipe.txt', reason: expect.stringContaining('not a regular file') },
      { file: 'raw/secret.md', reason: expect.stringContaining('outside the folder') },
    ]);
    expect(reads.some((file) => file.endsWith(path.join('raw', 'runbook.md')))).toBe(true);
    expect(reads.filter((file) => file.startsWith(outside))).toEqual([]);
  });

  it('--help says what happens to links inside and outside the folder', () => {
    expect(usage).toMatch(/symbolic link/i);
    expect(usage).toMatch(/outside the folder .*skipped/is);
    expect(usage).toMatch(/link to a folder/i);
  });
});
