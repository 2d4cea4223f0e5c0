import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSync, type SyncOverrides, usage } from '../../cli/commands/sync';
import { main } from '../../cli/main';
import { StackOutputs } from '../../cli/stack-outputs';
import { BedrockAgentFake } from '../support/bedrock-agent-server';
import { type CapturedIo, captureIo as captureCliIo, REPO_ROOT } from '../support/cli-io';
import { type LocalS3, startS3rver } from '../support/s3rver';

const FAST_POLL = { initialMs: 5, maxMs: 20, factor: 1.5 };

/** An in-memory CliIo; `tty` makes stderr look like a terminal. */
const captureIo = (cwd: string, tty = false): CapturedIo =>
  captureCliIo(cwd, tty ? { stderr: { isTTY: true, columns: 120 } } : {});

/** A temporary documents folder holding `files` (relative path → content). */
function folderWith(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-sync-'));
  for (const [rel, content] of Object.entries(files)) writeFile(dir, rel, content);
  return dir;
}

function writeFile(dir: string, rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

const sidecar = (attributes: Record<string, unknown>) => JSON.stringify({ metadataAttributes: attributes });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const CORPUS = {
  'raw/vpn.md': '# VPN\nConnect with WireGuard.\n',
  'raw/vpn.md.metadata.json': sidecar({ team: 'it-ops', year: 2025, tags: ['vpn'] }),
  'raw/on-call.txt': 'Primary acknowledges within 5 minutes.\n',
  'pdf/escalation.pdf': '%PDF-1.4 fake but non-empty\n',
  'pdf/escalation.pdf.metadata.json': sidecar({ team: 'sre', year: 2024 }),
};

describe('Command: kass sync', () => {
  let s3: LocalS3;
  let agent: BedrockAgentFake;
  let bucket: string;
  let bucketCount = 0;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver();
    agent = await BedrockAgentFake.start();
    Object.assign(process.env, s3.env, { AWS_ENDPOINT_URL_BEDROCK_AGENT: agent.endpoint });
    for (const name of ['KASS_DOCUMENTS_BUCKET', 'KASS_KNOWLEDGE_BASE_ID', 'KASS_DATA_SOURCE_ID'])
      delete process.env[name];
  });

  afterAll(async () => {
    process.env = savedEnv;
    await s3.close();
    await agent.close();
  });

  beforeEach(async () => {
    bucket = `kass-docs-${++bucketCount}`;
    await s3.createBucket(bucket);
    s3.clearRequests();
    s3.injectFault(undefined);
    agent.reset();
  });

  /** `kass sync <args> --bucket … --knowledge-base-id … --data-source-id …` with fast polling. */
  async function sync(
    dir: string,
    args: string[] = [],
    overrides: SyncOverrides = {},
    io = captureIo(dir),
  ): Promise<{ code: number; io: CapturedIo }> {
    const code = await createSync({ poll: FAST_POLL, ...overrides })(
      ['.', ...args, ...agent.syncArgs(bucket)],
      io,
    );
    return { code, io };
  }

  const remoteKeys = () => s3.keys(bucket);
  const documentKeys = (files: Record<string, unknown>) =>
    Object.keys(files)
      .map((rel) => `documents/${rel}`)
      .sort();
  const requestsOf = (method: string) => s3.requests.filter((r) => r.method === method);

  it('uploads every file on the first sync with its sha256 as metadata, then ingests', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    agent.script = [
      { status: 'IN_PROGRESS', statistics: { numberOfDocumentsScanned: 3 } },
      {
        status: 'COMPLETE',
        statistics: {
          numberOfDocumentsScanned: 3,
          numberOfNewDocumentsIndexed: 3,
          numberOfMetadataDocumentsScanned: 2,
        },
      },
    ];
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(await remoteKeys()).toEqual(documentKeys(CORPUS));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'documents/raw/vpn.md' }));
    expect(head.Metadata).toEqual({ sha256: sha256(CORPUS['raw/vpn.md']) });
    expect(head.ContentType).toBe('text/markdown; charset=utf-8');
    expect(io.out()).toContain('upload documents/raw/vpn.md (new, ');
    expect(io.out()).toContain(
      '5 uploaded (5 new, 0 modified), 0 deleted, 0 unchanged, 0 rejected, 0 failed',
    );
    expect(agent.starts()).toHaveLength(1);
    expect(io.out()).toMatch(
      /Ingestion job \w+ COMPLETE: scanned 3 · new 3 · modified 0 · deleted 0 · failed 0/,
    );
  });

  it('uploads nothing on a second sync, needs no HeadObject and starts no job', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    await sync(dir);
    s3.clearRequests();
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(0);
    expect(s3.puts()).toEqual([]);
    expect(requestsOf('HEAD')).toEqual([]);
    expect(requestsOf('GET')).toHaveLength(1); // the one ListObjectsV2 page
    expect(io.out()).toContain('0 uploaded (0 new, 0 modified), 0 deleted, 5 unchanged');
    expect(io.out()).toMatch(/No ingestion job started: the knowledge base is up to date/);
    expect(agent.starts()).toHaveLength(1);
  });

  it('uploads only changed files: a new size directly, the same size after a HeadObject', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    await sync(dir);
    s3.clearRequests();
    writeFile(dir, 'raw/on-call.txt', 'Primary acknowledges within 5 minutes, secondary after 10.\n');
    writeFile(dir, 'raw/vpn.md', CORPUS['raw/vpn.md'].replace('WireGuard', 'WireGuarD')); // same size
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(0);
    expect(s3.puts().sort()).toEqual([
      `${bucket}/documents/raw/on-call.txt`,
      `${bucket}/documents/raw/vpn.md`,
    ]);
    expect(requestsOf('HEAD').map((r) => r.path)).toEqual([`/${bucket}/documents/raw/vpn.md`]);
    expect(io.out()).toContain('2 uploaded (0 new, 2 modified), 0 deleted, 3 unchanged');
    expect(agent.starts()).toHaveLength(2);
  });

  it('treats a same-size object with the same sha256 but another ETag as unchanged', async () => {
    // Prepare: an object whose ETag is not the file's MD5 (as after a multipart upload or with SSE-KMS)
    const dir = folderWith({ 'raw/a.txt': 'hello' });
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'documents/raw/a.txt',
        Body: 'HELLO',
        Metadata: { sha256: sha256('hello') },
      }),
    );
    s3.clearRequests();
    // Act
    const { code } = await sync(dir, ['--no-wait']);
    // Assess
    expect(code).toBe(0);
    expect(requestsOf('HEAD')).toHaveLength(1);
    expect(s3.puts()).toEqual([]);
  });

  it('deletes remote files without a local file only with --delete, sidecars included', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    await sync(dir);
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'outside/keep.txt', Body: 'not synced' }),
    );
    fs.rmSync(path.join(dir, 'pdf'), { recursive: true });
    s3.clearRequests();
    // Act
    const without = await sync(dir);
    // Assess
    expect(without.code).toBe(0);
    expect(requestsOf('DELETE')).toEqual([]);
    expect(s3.requests.filter((r) => r.query.includes('delete'))).toEqual([]);
    expect(await remoteKeys()).toHaveLength(6);
    expect(without.io.out()).toContain('2 object(s) under s3://');
    expect(without.io.out()).toContain('use --delete to remove them');
    // Act
    const withFlag = await sync(dir, ['--delete']);
    // Assess
    expect(withFlag.code).toBe(0);
    expect(await remoteKeys()).toEqual([
      'documents/raw/on-call.txt',
      'documents/raw/vpn.md',
      'documents/raw/vpn.md.metadata.json',
      'outside/keep.txt',
    ]);
    expect(withFlag.io.out()).toContain('delete documents/pdf/escalation.pdf\n');
    expect(withFlag.io.out()).toContain('delete documents/pdf/escalation.pdf.metadata.json\n');
    expect(withFlag.io.out()).toContain('0 uploaded (0 new, 0 modified), 2 deleted, 3 unchanged');
    expect(agent.starts()).toHaveLength(2);
  });

  it('resumes an interrupted run without uploading finished files again', async () => {
    // Prepare
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`raw/doc-${i}.txt`, `document ${i}\n`]),
    );
    const dir = folderWith(files);
    const controller = new AbortController();
    let uploaded = 0;
    // Act: abort after the 5th finished upload
    const first = await sync(dir, ['--concurrency', '3'], {
      signal: controller.signal,
      afterUpload: () => {
        if (++uploaded === 5) controller.abort();
      },
    });
    // Assess
    expect(first.code).toBe(130);
    expect(first.io.err()).toMatch(/Interrupted: \d+ of 20 uploads finished\. Run kass sync again to resume/);
    expect(agent.starts()).toHaveLength(0);
    const afterFirst = await remoteKeys();
    expect(afterFirst.length).toBeGreaterThanOrEqual(5);
    expect(afterFirst.length).toBeLessThan(20);
    // Act
    s3.clearRequests();
    const second = await sync(dir);
    // Assess
    expect(second.code).toBe(0);
    const reuploaded = s3.puts().map((p) => p.slice(bucket.length + 1));
    expect(reuploaded.filter((key) => afterFirst.includes(key))).toEqual([]);
    expect([...afterFirst, ...reuploaded].sort()).toEqual(documentKeys(files));
    expect(agent.starts()).toHaveLength(1);
  });

  it('stops cleanly on Ctrl-C (SIGINT) in a real process, and the next run resumes', async () => {
    // Prepare: slow PUTs, so the process is still uploading when it is interrupted
    const files = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`raw/doc-${i}.txt`, `document ${i}\n`]),
    );
    const dir = folderWith(files);
    s3.injectFault((r) =>
      r.method === 'PUT' && r.path.startsWith(`/${bucket}/`) ? { delayMs: 50 } : undefined,
    );
    // The tsx hooks are loaded by absolute path: the child runs in the temporary folder.
    const runner =
      'require(process.env.TSX_CJS);import(process.env.TSX_ESM).then(()=>require(process.env.SYNC_MODULE).run(' +
      'process.argv.slice(1),{stdout:process.stdout,stderr:process.stderr,cwd:process.cwd()})).then(c=>{process.exitCode=c})';
    const ids = agent.syncArgs(bucket);
    const child = spawn(process.execPath, ['-e', runner, '--', '.', ...ids, '--concurrency', '2'], {
      cwd: dir,
      env: {
        ...process.env,
        TSX_CJS: require.resolve('tsx/cjs'),
        TSX_ESM: pathToFileURL(require.resolve('tsx/esm')).href,
        SYNC_MODULE: path.join(REPO_ROOT, 'cli/commands/sync.ts'),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    // Act: Ctrl-C once a few files are stored
    while ((await remoteKeys()).length < 4 && exitCode === undefined)
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    const code = await exited;
    // Assess
    expect({ code, stderr }).toMatchObject({ code: 130 });
    expect(stderr).toContain('Interrupting (Ctrl-C again to quit now)...');
    expect(stderr).toMatch(/Interrupted: \d+ of 30 uploads finished/);
    expect(agent.starts()).toEqual([]);
    // The killed child may have left a request in its socket: let the server finish with it first.
    await s3.settled();
    const afterFirst = await remoteKeys();
    expect(afterFirst.length).toBeGreaterThanOrEqual(4);
    expect(afterFirst.length).toBeLessThan(30);
    // Act
    s3.injectFault(undefined);
    s3.clearRequests();
    const second = await sync(dir);
    // Assess
    expect(second.code).toBe(0);
    expect(s3.puts()).toHaveLength(30 - afterFirst.length);
    expect(await remoteKeys()).toEqual(documentKeys(files));
  });

  it('reports files S3 fails to store, and the next run uploads just those', async () => {
    // Prepare: the server fails every PUT after the third
    const files = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`raw/doc-${i}.md`, `# Doc ${i}\n`]),
    );
    const dir = folderWith(files);
    let puts = 0;
    s3.injectFault((r) =>
      r.method === 'PUT' && r.path.startsWith(`/${bucket}/`) && ++puts > 3
        ? { status: 400, code: 'InvalidRequest' }
        : undefined,
    );
    // Act
    const first = await sync(dir, ['--concurrency', '1']);
    // Assess
    expect(first.code).toBe(1);
    expect(first.io.err().match(/^failed documents\/raw\/doc-\d\.md: InvalidRequest/gm)).toHaveLength(5);
    expect(await remoteKeys()).toHaveLength(3);
    // Act
    s3.injectFault(undefined);
    s3.clearRequests();
    const second = await sync(dir);
    // Assess
    expect(second.code).toBe(0);
    expect(s3.puts()).toHaveLength(5);
    expect(await remoteKeys()).toEqual(documentKeys(files));
  });

  it('reports bad files by name and reason, uploads the rest and exits 1', async () => {
    // Prepare
    const dir = folderWith({
      'raw/good.md': '# Good\n',
      'raw/good.md.metadata.json': sidecar({ team: 'sre', year: 2025, tags: ['a', 'b'] }),
      'raw/tool.exe': 'MZ',
      'raw/big.txt': 'x'.repeat(2_000),
      'raw/broken.md': '# Broken sidecar\n',
      'raw/broken.md.metadata.json': '{"metadataAttributes": {"team": "sre",',
      'raw/huge.md': '# Huge sidecar\n',
      'raw/huge.md.metadata.json': sidecar({ note: 'n'.repeat(11 * 1024) }),
      'pdf/orphan.pdf.metadata.json': sidecar({ team: 'sre' }),
      '.DS_Store': 'ignored',
    });
    // Act
    const { code, io } = await sync(dir, [], {
      limits: { maxDocumentBytes: 1_000, maxSidecarBytes: 10 * 1024 },
    });
    // Assess
    expect(code).toBe(1);
    const err = io.err();
    expect(err).toContain('rejected raw/tool.exe: unsupported file type .exe');
    expect(err).toContain('rejected raw/big.txt: 2.0 KB is over the 1000 B per-file ingestion limit');
    expect(err).toMatch(/rejected raw\/broken\.md\.metadata\.json: not valid JSON/);
    expect(err).toContain(
      'rejected raw/huge.md.metadata.json: 11.0 KB is over the 10.0 KB metadata file limit',
    );
    expect(err).toContain(
      'rejected pdf/orphan.pdf.metadata.json: orphan sidecar: there is no pdf/orphan.pdf beside it',
    );
    expect(await remoteKeys()).toEqual([
      'documents/raw/broken.md',
      'documents/raw/good.md',
      'documents/raw/good.md.metadata.json',
      'documents/raw/huge.md',
    ]);
    expect(io.out()).toContain('Ignored 1 hidden file(s): .DS_Store');
    expect(io.out()).toContain(
      '4 uploaded (4 new, 0 modified), 0 deleted, 0 unchanged, 5 rejected, 0 failed',
    );
    expect(agent.starts()).toHaveLength(1);
  });

  it('prints statistics and failure reasons and exits 1 when documents failed to index', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    agent.script = [
      { status: 'IN_PROGRESS' },
      {
        status: 'COMPLETE',
        statistics: {
          numberOfDocumentsScanned: 3,
          numberOfNewDocumentsIndexed: 2,
          numberOfDocumentsFailed: 1,
        },
        failureReasons: ['documents/pdf/escalation.pdf: the file could not be parsed'],
      },
    ];
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(1);
    expect(io.out()).toMatch(/COMPLETE: scanned 3 · new 2 · modified 0 · deleted 0 · failed 1/);
    expect(io.err()).toContain(
      'Failure reasons:\n  - documents/pdf/escalation.pdf: the file could not be parsed\n',
    );
    expect(io.err()).toContain('1 document(s) failed to index');
  });

  it('exits 1 when the ingestion job FAILED', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    agent.script = [{ status: 'FAILED', failureReasons: ['The knowledge base role cannot read the bucket'] }];
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(1);
    expect(io.err()).toMatch(/Ingestion job \w+ ended FAILED/);
    expect(io.err()).toContain('The knowledge base role cannot read the bucket');
  });

  it('on ConflictException attaches to the running job, then starts a new one', async () => {
    // Prepare: a job started elsewhere (e.g. by the S3-event pipeline), finishing after two polls
    const dir = folderWith(CORPUS);
    const other = agent.seedJob({ status: 'IN_PROGRESS' }, [
      { status: 'IN_PROGRESS', statistics: { numberOfDocumentsScanned: 1 } },
      { status: 'COMPLETE', statistics: { numberOfDocumentsScanned: 1, numberOfNewDocumentsIndexed: 1 } },
    ]);
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain(
      `Ingestion job ${other.ingestionJobId} is already running on this data source`,
    );
    expect(io.out()).toContain(`Waiting for job ${other.ingestionJobId} COMPLETE`);
    const operations = agent.calls.map((c) => `${c.operation} ${c.status}`);
    expect(operations).toEqual([
      'ListIngestionJobs 200', // latest job
      'StartIngestionJob 409',
      'ListIngestionJobs 200', // the running one
      'GetIngestionJob 200',
      'GetIngestionJob 200',
      'StartIngestionJob 202',
      'GetIngestionJob 200',
    ]);
    const ours = agent.jobs.find((j) => j !== other);
    expect(ours?.startedAt.getTime()).toBeGreaterThanOrEqual(other.updatedAt.getTime());
    expect(ours?.current.status).toBe('COMPLETE');
  });

  it('uses a deterministic clientToken, the same for a retried start of the same change set', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    agent.conflictMode = 'always';
    // Act: every start conflicts, with no running job listed: retries back off, then give up
    const { code, io } = await sync(dir);
    // Assess: the files are uploaded; not starting a job is its own outcome
    expect(code).toBe(3);
    expect(io.err()).toContain(
      'Uploaded 5, ingestion not started: Could not start an ingestion job after 10 attempts',
    );
    const tokens = new Set(
      agent.calls.filter((c) => c.operation === 'StartIngestionJob').map((c) => c.body?.clientToken),
    );
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--dry-run prints the plan and changes nothing (and needs no knowledge-base ids)', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    await sync(dir);
    writeFile(dir, 'raw/new.md', '# New\n');
    writeFile(dir, 'raw/on-call.txt', 'Changed policy text.\n');
    fs.rmSync(path.join(dir, 'raw/vpn.md'));
    fs.rmSync(path.join(dir, 'raw/vpn.md.metadata.json'));
    s3.clearRequests();
    agent.reset();
    const io = captureIo(dir);
    // Act
    const code = await createSync({ poll: FAST_POLL })(
      ['.', '--bucket', bucket, '--dry-run', '--delete'],
      io,
    );
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('Dry run: nothing is uploaded, deleted or ingested.');
    expect(io.out()).toContain('  + documents/raw/new.md (new, 6 B)\n');
    expect(io.out()).toContain('  + documents/raw/on-call.txt (modified, 21 B)\n');
    expect(io.out()).toContain('  - documents/raw/vpn.md (no local file; --delete)\n');
    expect(io.out()).toContain('  - documents/raw/vpn.md.metadata.json (no local file; --delete)\n');
    expect(io.out()).toContain('2 to upload (1 new, 1 modified), 2 to delete, 2 unchanged, 0 rejected');
    expect(s3.requests.map((r) => r.method)).toEqual(['GET']);
    expect(agent.calls).toEqual([]);
  });

  it('--no-wait returns once the job has started', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    agent.script = [{ status: 'IN_PROGRESS' }, { status: 'COMPLETE' }];
    // Act
    const { code, io } = await sync(dir, ['--no-wait']);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Not waiting \(--no-wait\)\. Job \w+ is STARTING\./);
    expect(agent.calls.filter((c) => c.operation === 'GetIngestionJob')).toEqual([]);
  });

  it('attaches to a running job without starting another when nothing changed since it started', async () => {
    // Prepare: files uploaded, then a job started (by the pipeline) that is still running
    const dir = folderWith(CORPUS);
    await sync(dir, ['--no-wait']);
    agent.reset();
    const running = agent.seedJob({ status: 'IN_PROGRESS' }, [{ status: 'COMPLETE' }], new Date());
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain(
      `Nothing changed; job ${running.ingestionJobId} is already indexing the current files.`,
    );
    expect(agent.starts()).toEqual([]);
  });

  it('starts a job when an earlier run uploaded everything but was stopped before ingesting', async () => {
    // Prepare: a run killed right after its uploads; the last job predates them
    const dir = folderWith(CORPUS);
    const killed = new Error('killed before ingestion');
    const first = await sync(dir, [], { openIngestion: () => Promise.reject(killed) });
    expect(first.code).toBe(3);
    expect(first.io.err()).toContain('Uploaded 5, ingestion not started: Error: killed before ingestion');
    const old = agent.seedJob({ status: 'COMPLETE' }, [], new Date(Date.now() - 3_600_000));
    // Act
    const { code, io } = await sync(dir);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('0 uploaded (0 new, 0 modified), 0 deleted, 5 unchanged');
    expect(agent.starts()).toHaveLength(1);
    expect(agent.starts()[0]?.body?.description).toBe(
      `kass sync: 0 uploaded, 0 deleted (objects changed after the last job ${old.ingestionJobId})`,
    );
  });

  it('--json prints one report for scripts', async () => {
    // Prepare
    const dir = folderWith({ ...CORPUS, 'raw/tool.exe': 'MZ' });
    // Act
    const { code, io } = await sync(dir, ['--json']);
    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({
      bucket,
      prefix: 'documents/',
      dryRun: false,
      scanned: 6,
      rejected: [{ file: 'raw/tool.exe', reason: expect.stringContaining('unsupported file type .exe') }],
      unchanged: 0,
      failed: [],
      interrupted: false,
      ingestion: { action: 'start', job: { status: 'COMPLETE' }, waited: true },
      exitCode: 1,
    });
    expect(report.uploads).toHaveLength(5);
    expect(report.uploads.every((u: { uploaded: boolean }) => u.uploaded)).toBe(true);
  });

  it('draws a progress bar on a terminal instead of one line per file', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    const io = captureIo(dir, true);
    // Act
    const { code } = await sync(dir, [], {}, io);
    // Assess
    expect(code).toBe(0);
    const redraws = io.err().split('\r\u001b[2K');
    expect(redraws).toContainEqual(expect.stringMatching(/^Uploading \[█+\] 5\/5 files · 213 B\/213 B/));
    expect(redraws).toContainEqual(expect.stringMatching(/^Ingestion job \w+ COMPLETE · scanned 0/));
    expect(io.out()).not.toContain('upload documents/');
    expect(io.out()).toContain('5 uploaded');
  });

  it('reads the ids from KASS_* environment variables', async () => {
    // Prepare
    const dir = folderWith(CORPUS);
    const env = {
      KASS_DOCUMENTS_BUCKET: bucket,
      KASS_KNOWLEDGE_BASE_ID: agent.knowledgeBaseId,
      KASS_DATA_SOURCE_ID: agent.dataSourceId,
    };
    const io = captureIo(dir);
    // Act
    const code = await createSync({ poll: FAST_POLL, env })(['--no-wait', '.'], io);
    // Assess
    expect(code).toBe(0);
    expect(await remoteKeys()).toHaveLength(5);
  });

  it('talks path-style to an S3-compatible server named by host (AWS_ENDPOINT_URL_S3=http://localhost:…)', async () => {
    // Prepare: `<bucket>.localhost` does not resolve, so virtual-hosted requests could not reach it.
    const dir = folderWith(CORPUS);
    const endpoint = s3.endpoint.replace('127.0.0.1', 'localhost');
    const env = { ...process.env, AWS_ENDPOINT_URL_S3: endpoint };
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = endpoint;
    const io = captureIo(dir);
    // Act
    try {
      const code = await createSync({ poll: FAST_POLL, env })(
        ['--no-wait', '.', ...agent.syncArgs(bucket)],
        io,
      );
      // Assess
      expect(io.err()).toBe('');
      expect(code).toBe(0);
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = saved;
    }
    expect(await remoteKeys()).toEqual(documentKeys(CORPUS));
    expect(requestsOf('PUT').every((r) => r.path.startsWith(`/${bucket}/`))).toBe(true);
  });

  it('syncs the shipped sample corpus without a rejection', async () => {
    // Prepare
    const io = captureIo(REPO_ROOT);
    // Act
    const code = await createSync({ poll: FAST_POLL })(agent.syncArgs(bucket), io);
    // Assess
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(await remoteKeys()).toEqual(
      expect.arrayContaining([
        'documents/excel/on-call-rota-2025.xlsx',
        'documents/excel/on-call-rota-2025.xlsx.metadata.json',
        'documents/pdf/incident-escalation.pdf',
        'documents/raw/vpn-runbook.md',
      ]),
    );
  });

  describe('errors', () => {
    /** Runs through `main`, as the kass binary does, with sync in the command table. */
    async function kass(argv: string[], overrides: SyncOverrides, cwd: string) {
      const io = captureIo(cwd);
      const commands = {
        sync: {
          args: '[folder]',
          summary: 'sync',
          load: async () => ({ usage, run: createSync(overrides) }),
        },
      };
      const code = await main(['sync', ...argv], io, commands);
      return { code, io };
    }

    it('exits 2 on a usage error', async () => {
      const dir = folderWith(CORPUS);
      const bad = await kass(['--concurrency', '0', '--bucket', bucket], {}, dir);
      expect(bad.code).toBe(2);
      expect(bad.io.err()).toContain('kass sync: --concurrency must be a whole number from 1 to 64 (got 0)');
      const unknown = await kass(['--force'], {}, dir);
      expect(unknown.code).toBe(2);
      expect(unknown.io.err()).toContain("kass sync: unknown option '--force'");
    });

    it('exits 2 when the folder does not exist', async () => {
      const { code, io } = await kass(['missing', '--bucket', bucket, '--dry-run'], {}, os.tmpdir());
      expect(code).toBe(2);
      expect(io.err()).toBe('kass sync: missing: no such folder\n');
    });

    it('says how to provide ids the stack cannot supply', async () => {
      const dir = folderWith(CORPUS);
      const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
      const stackOutputs = (stage: string) =>
        new StackOutputs(
          stage,
          {},
          async () => ({ send: async () => Promise.reject(noCredentials) }) as never,
        );
      const { code, io } = await kass([], { env: {}, stackOutputs }, dir);
      expect(code).toBe(1);
      expect(io.err()).toContain(
        'kass sync: No AWS credentials found to read stack kass-dev. Configure a profile (AWS_PROFILE) or pass --bucket / set KASS_DOCUMENTS_BUCKET.',
      );
    });

    it('names the ids when the knowledge base does not exist', async () => {
      const dir = folderWith(CORPUS);
      const { code, io } = await kass(
        ['.', '--bucket', bucket, '--knowledge-base-id', 'NOSUCHKB00', '--data-source-id', 'DS'],
        { poll: FAST_POLL },
        dir,
      );
      expect(code).toBe(3);
      expect(io.err()).toContain(
        'Uploaded 5, ingestion not started: knowledge base NOSUCHKB00, data source DS not found in this account/region',
      );
    });

    it('stops with one message when the bucket does not exist', async () => {
      const dir = folderWith(CORPUS);
      const { code, io } = await kass(['.', '--bucket', 'no-such-bucket', '--dry-run'], {}, dir);
      expect(code).toBe(1);
      expect(io.err()).toBe(
        'kass sync: Bucket no-such-bucket does not exist. Check --bucket / KASS_DOCUMENTS_BUCKET or the stage.\n',
      );
    });

    it('stops with one message when access is denied', async () => {
      const dir = folderWith(CORPUS);
      agent.denyAll = true;
      const { code, io } = await kass(['.', ...agent.syncArgs(bucket)], { poll: FAST_POLL }, dir);
      expect(code).toBe(3);
      expect(io.err()).toContain(
        'Uploaded 5, ingestion not started: Access denied calling bedrock:ListIngestionJobs',
      );
    });
  });
});
