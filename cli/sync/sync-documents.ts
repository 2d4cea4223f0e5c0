import * as fs from 'node:fs/promises';
import { CliError } from '../stack-outputs';
import { type DocumentsBucketPort, describeError } from './bucket';
import { hashFile } from './hash';
import {
  type ChangeSet,
  clientTokenFor,
  decideIngestion,
  type IngestionApi,
  type IngestionDecision,
  type IngestionTarget,
  type JobView,
  type PollOptions,
  startJob,
  waitForJob,
} from './ingestion';
import { contentTypeOf, DOCUMENTS_PREFIX, formatBytes, keyOf, type SyncLimits } from './layout';
import { type Change, type HashedFile, planSync, type RemoteObject, resolveCheck } from './plan';
import { forEachLimit } from './pool';
import { IngestionDisplay, type SyncOutput, statisticsLine, UploadProgress } from './progress';
import { type ScanResult, scanFolder } from './scan';
import { type Rejection, type ValidationResult, validateFiles } from './validate';

export interface SyncRequest {
  /** Absolute path of the local folder, and how to show it. */
  readonly folder: string;
  readonly folderDisplay: string;
  readonly bucket: string;
  /** Undefined for a dry run (no ingestion, so the ids are not needed). */
  readonly target: IngestionTarget | undefined;
  readonly delete: boolean;
  readonly dryRun: boolean;
  readonly wait: boolean;
  readonly concurrency: number;
}

/** Everything the sync reaches outside itself; tests replace parts. */
export interface SyncDeps {
  readonly openBucket: (name: string) => Promise<DocumentsBucketPort>;
  readonly openIngestion: (target: IngestionTarget) => Promise<IngestionApi>;
  readonly limits: SyncLimits;
  readonly poll: PollOptions;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
  /** Aborted on Ctrl-C: no new uploads start, in-flight ones are cancelled, the run reports and exits 130. */
  readonly signal?: AbortSignal;
  /** Called after each finished upload (tests interrupt a run here). */
  readonly afterUpload?: (key: string) => void;
}

/** The outcome, printed as JSON with `--json`. */
export interface SyncReport {
  folder: string;
  bucket: string;
  prefix: string;
  dryRun: boolean;
  scanned: number;
  ignored: string[];
  rejected: { file: string; reason: string }[];
  uploads: { key: string; change: Change; bytes: number; uploaded: boolean }[];
  unchanged: number;
  deletes: { key: string; deleted: boolean }[];
  /** Remote objects with no local file, left in place (no `--delete`). */
  remoteOnly: string[];
  failed: { key: string; error: string }[];
  interrupted: boolean;
  ingestion: {
    action: IngestionDecision['action'];
    reason: string;
    job: JobView | null;
    waited: boolean;
  } | null;
  exitCode: number;
}

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

const HASH_CONCURRENCY = 16;

const isAbort = (err: unknown, signal: AbortSignal | undefined): boolean =>
  signal?.aborted === true || (err as { name?: string }).name === 'AbortError';

/**
 * `kass sync`: scan → validate → hash → compare with one ListObjectsV2 pass (HeadObject only where the ETag
 * cannot decide) → upload changes in parallel → delete (only with `--delete`) → start or attach to an
 * ingestion job → poll → statistics. Returns the report; the exit code is in `report.exitCode`.
 */
export async function syncDocuments(request: SyncRequest, deps: SyncDeps, out: SyncOutput): Promise<SyncReport> {
  const started = deps.now();
  const report: SyncReport = {
    folder: request.folderDisplay,
    bucket: request.bucket,
    prefix: DOCUMENTS_PREFIX,
    dryRun: request.dryRun,
    scanned: 0,
    ignored: [],
    rejected: [],
    uploads: [],
    unchanged: 0,
    deletes: [],
    remoteOnly: [],
    failed: [],
    interrupted: false,
    ingestion: null,
    exitCode: 0,
  };
  const finish = (): SyncReport => {
    report.exitCode = report.interrupted
      ? EXIT_INTERRUPTED
      : report.rejected.length > 0 ||
          report.failed.length > 0 ||
          (report.ingestion?.job ? jobFailed(report.ingestion.job) : false)
        ? 1
        : 0;
    return report;
  };

  // 1. Scan and validate.
  const scan = await scanFolder(request.folder).catch((err: unknown) => {
    const code = (err as { code?: string }).code;
    throw new CliError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${request.folderDisplay}: no such folder`
        : `cannot read ${request.folderDisplay} (${code ?? 'error'})`,
      2,
    );
  });
  report.scanned = scan.files.length;
  report.ignored = scan.ignored;
  const validation = await validateFiles(scan.files, (f) => fs.readFile(f.absPath, 'utf8'), deps.limits);
  report.rejected = validation.rejected.map((r: Rejection) => ({ file: r.relPath, reason: r.reason }));
  for (const r of validation.rejected) out.problem(`rejected ${r.relPath}: ${r.reason}`);

  // 2. Hash accepted files, list the bucket (one pass), HeadObject where the ETag cannot decide.
  const bucket = await deps.openBucket(request.bucket);
  try {
    return await syncWith(bucket, request, deps, out, report, finish, scan, validation, started);
  } finally {
    bucket.destroy();
  }
}

async function syncWith(
  bucket: DocumentsBucketPort,
  request: SyncRequest,
  deps: SyncDeps,
  out: SyncOutput,
  report: SyncReport,
  finish: () => SyncReport,
  scan: ScanResult,
  validation: ValidationResult,
  started: number,
): Promise<SyncReport> {
  const { signal } = deps;
  const hashed: HashedFile[] = new Array(validation.accepted.length);
  const [remote] = await Promise.all([
    bucket.list(DOCUMENTS_PREFIX),
    forEachLimit(
      validation.accepted,
      HASH_CONCURRENCY,
      async (file, i) => {
        hashed[i] = { ...file, key: keyOf(file.relPath), ...(await hashFile(file.absPath, file.size)) };
      },
      signal,
    ),
  ]);
  if (signal?.aborted) return interrupted(report, out, finish);
  const plan = planSync(hashed, remote, new Set(scan.files.map((f) => keyOf(f.relPath))));
  const uploads = [...plan.uploads];
  let unchanged = plan.unchanged.length;
  await forEachLimit(
    plan.toCheck,
    request.concurrency,
    async ({ file }) => {
      const verdict = resolveCheck(file, await bucket.headSha256(file.key));
      if (verdict === 'unchanged') unchanged++;
      else uploads.push({ file, change: verdict });
    },
    signal,
  );
  if (signal?.aborted) return interrupted(report, out, finish);
  uploads.sort((a, b) => (a.file.key < b.file.key ? -1 : 1));
  report.unchanged = unchanged;
  report.uploads = uploads.map((u) => ({ key: u.file.key, change: u.change, bytes: u.file.size, uploaded: false }));
  const toDelete = request.delete ? plan.remoteOnly : [];
  report.remoteOnly = request.delete ? [] : plan.remoteOnly.map((o) => o.key);
  report.deletes = toDelete.map((o) => ({ key: o.key, deleted: false }));

  const destination = `s3://${request.bucket}/${DOCUMENTS_PREFIX}`;
  if (scan.ignored.length > 0) out.line(`Ignored ${scan.ignored.length} hidden file(s): ${scan.ignored.join(', ')}`);
  if (request.dryRun) {
    printPlan(out, request, report, destination);
    return finish();
  }

  // 3. Upload changes, bounded concurrency, progress.
  const uploadBytes = uploads.reduce((sum, u) => sum + u.file.size, 0);
  const progress = new UploadProgress(out, uploads.length, uploadBytes, deps.now);
  const changes: { uploaded: { key: string; sha256: string }[]; deleted: string[] } = { uploaded: [], deleted: [] };
  await forEachLimit(
    uploads,
    request.concurrency,
    async (upload, i) => {
      const { file, change } = upload;
      try {
        const sha256 = await bucket.put(
          { key: file.key, absPath: file.absPath, contentType: contentTypeOf(file.relPath) },
          signal,
        );
        changes.uploaded.push({ key: file.key, sha256 });
        const entry = report.uploads[i];
        if (entry) entry.uploaded = true;
        progress.advance(file.size, `upload ${file.key} (${change}, ${formatBytes(file.size)})`);
        deps.afterUpload?.(file.key);
      } catch (err) {
        if (err instanceof CliError) throw err;
        if (isAbort(err, signal)) return;
        report.failed.push({ key: file.key, error: describeError(err) });
        out.problem(`failed ${file.key}: ${describeError(err)}`);
      }
    },
    signal,
  ).finally(() => progress.finish());
  if (signal?.aborted) return interrupted(report, out, finish);

  // 4. Delete remote objects with no local file (only with --delete).
  if (toDelete.length > 0) {
    const failures = await bucket.deleteKeys(toDelete.map((o) => o.key));
    const failedKeys = new Set(failures.map((f) => f.key));
    for (const entry of report.deletes) {
      entry.deleted = !failedKeys.has(entry.key);
      if (entry.deleted) {
        changes.deleted.push(entry.key);
        out.line(`delete ${entry.key}`);
      }
    }
    for (const f of failures) {
      report.failed.push(f);
      out.problem(`failed to delete ${f.key}: ${f.error}`);
    }
  }

  const uploaded = report.uploads.filter((u) => u.uploaded);
  const count = (change: Change) => uploaded.filter((u) => u.change === change).length;
  out.line(
    `Synced ${request.folderDisplay} → ${destination}: ${uploaded.length} uploaded (${count('new')} new, ` +
      `${count('modified')} modified), ${changes.deleted.length} deleted, ${report.unchanged} unchanged, ` +
      `${report.rejected.length} rejected, ${report.failed.length} failed ` +
      `(${((deps.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (report.remoteOnly.length > 0)
    out.line(
      `${report.remoteOnly.length} object(s) under ${destination} have no local file; kept (use --delete to remove them)`,
    );

  // 5. Ingestion.
  if (request.target) {
    try {
      await ingest(request, request.target, deps, out, report, changes, remote);
    } catch (err) {
      if (isAbort(err, signal)) {
        out.problem(
          `Stopped waiting; ingestion job ${report.ingestion?.job?.jobId ?? ''} continues in the background.`,
        );
        report.interrupted = true;
        return finish();
      }
      throw err;
    }
  }
  return finish();
}

const jobFailed = (job: JobView): boolean => job.status !== 'COMPLETE' || job.statistics.failed > 0;

function interrupted(report: SyncReport, out: SyncOutput, finish: () => SyncReport): SyncReport {
  report.interrupted = true;
  const done = report.uploads.filter((u) => u.uploaded).length;
  out.problem(
    `Interrupted: ${done} of ${report.uploads.length} uploads finished. Run kass sync again to resume; ` +
      'finished files are not uploaded again.',
  );
  return finish();
}

function printPlan(out: SyncOutput, request: SyncRequest, report: SyncReport, destination: string): void {
  out.line(`Dry run: nothing is uploaded, deleted or ingested. Plan for ${request.folderDisplay} → ${destination}:`);
  for (const u of report.uploads) out.line(`  + ${u.key} (${u.change}, ${formatBytes(u.bytes)})`);
  for (const d of report.deletes) out.line(`  - ${d.key} (no local file; --delete)`);
  for (const key of report.remoteOnly) out.line(`  ? ${key} (no local file; kept without --delete)`);
  const newCount = report.uploads.filter((u) => u.change === 'new').length;
  out.line(
    `${report.uploads.length} to upload (${newCount} new, ${report.uploads.length - newCount} modified), ` +
      `${report.deletes.length} to delete, ${report.unchanged} unchanged, ${report.rejected.length} rejected`,
  );
}

async function ingest(
  request: SyncRequest,
  target: IngestionTarget,
  deps: SyncDeps,
  out: SyncOutput,
  report: SyncReport,
  changes: ChangeSet,
  remoteBefore: readonly RemoteObject[],
): Promise<void> {
  const api = await deps.openIngestion(target);
  try {
    await ingestWith(api, request, target, deps, out, report, changes, remoteBefore);
  } finally {
    api.destroy();
  }
}

async function ingestWith(
  api: IngestionApi,
  request: SyncRequest,
  target: IngestionTarget,
  deps: SyncDeps,
  out: SyncOutput,
  report: SyncReport,
  changes: ChangeSet,
  remoteBefore: readonly RemoteObject[],
): Promise<void> {
  const latest = await api.latest();
  const newestObject = remoteBefore.reduce<Date | undefined>(
    (max, o) => (o.lastModified && (!max || o.lastModified > max) ? o.lastModified : max),
    undefined,
  );
  const decision = decideIngestion({
    changed: changes.uploaded.length + changes.deleted.length > 0,
    latest,
    newestObject,
    objectCount: remoteBefore.length + changes.uploaded.length,
  });
  report.ingestion = { action: decision.action, reason: decision.reason, job: null, waited: false };
  if (decision.action === 'skip') {
    out.line(`No ingestion job started: ${decision.reason}.`);
    return;
  }
  const display = new IngestionDisplay(out, deps.now);
  const options = { poll: deps.poll, sleep: deps.sleep, signal: deps.signal, onEvent: display.onEvent };
  let job: JobView;
  if (decision.action === 'attach') {
    out.line(`Nothing changed; ${decision.reason}.`);
    job = decision.job;
  } else {
    const clientToken = clientTokenFor(
      target,
      changes,
      latest?.jobId,
      changes.uploaded.length + changes.deleted.length === 0 ? `resume ${newestObject?.toISOString()}` : '',
    );
    const description =
      `kass sync: ${changes.uploaded.length} uploaded, ${changes.deleted.length} deleted (${decision.reason})`.slice(
        0,
        200,
      );
    job = await startJob(api, { clientToken, description }, options);
  }
  report.ingestion.job = job;
  if (!request.wait) {
    out.line(`Not waiting (--no-wait). Job ${job.jobId} is ${job.status}.`);
    return;
  }
  try {
    job = await waitForJob(api, job, options, true);
  } finally {
    display.finish();
  }
  report.ingestion.job = job;
  report.ingestion.waited = true;
  out.line(`Ingestion job ${job.jobId} ${job.status}: ${statisticsLine(job.statistics)}`);
  if (job.failureReasons.length > 0) {
    out.problem('Failure reasons:');
    for (const reason of job.failureReasons) out.problem(`  - ${reason}`);
  }
  if (job.status !== 'COMPLETE') out.problem(`Ingestion job ${job.jobId} ended ${job.status}.`);
  else if (job.statistics.failed > 0)
    out.problem(`${job.statistics.failed} document(s) failed to index; see the failure reasons above.`);
}
