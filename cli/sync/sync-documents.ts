import { setMaxListeners } from 'node:events';
import { CliError } from '../stack-outputs';
import { type DocumentsBucketPort, describeError } from './bucket';
import { hashFile } from './hash';
import {
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
import { type LocalFile, readScanned, type ScanResult, scanFolder } from './scan';
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
  /** Links out of the folder or to folders, broken links and special files: never read, never uploaded. */
  skipped: { file: string; reason: string }[];
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
  /**
   * The files are in the bucket but no ingestion job could be started (`phase: 'start'`), or a started job could
   * not be followed to its end (`'follow'`): why, and what to check. Null when ingestion ran or was not needed.
   */
  ingestionFailure: { phase: 'start' | 'follow'; message: string } | null;
  exitCode: number;
}

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Exit status when the files were uploaded but ingestion was not started (or not followed): run sync again. */
export const EXIT_INGESTION_NOT_STARTED = 3;

const HASH_CONCURRENCY = 16;

const isAbort = (err: unknown, signal: AbortSignal | undefined): boolean =>
  signal?.aborted === true || (err as { name?: string }).name === 'AbortError';

/**
 * `kass sync`: scan → validate → hash → compare with one ListObjectsV2 pass (HeadObject only where the ETag
 * cannot decide) → upload changes in parallel → delete (only with `--delete`) → start or attach to an
 * ingestion job → poll → statistics. Returns the report; the exit code is in `report.exitCode`.
 */
export async function syncDocuments(
  request: SyncRequest,
  deps: SyncDeps,
  out: SyncOutput,
): Promise<SyncReport> {
  // Each request in flight listens on the signal (the SDK removes its listener when the request ends).
  if (deps.signal) setMaxListeners(request.concurrency * 2 + HASH_CONCURRENCY, deps.signal);
  return new SyncRun(request, deps, out).run();
}

/** Settles quietly until awaited, so an early exit leaves no unhandled rejection behind. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** One `kass sync` run: its inputs, the report it fills, and the phases in order. */
class SyncRun {
  private readonly report: SyncReport;
  private readonly startedAt: number;
  private readonly changes: { uploaded: { key: string; sha256: string }[]; deleted: string[] } = {
    uploaded: [],
    deleted: [],
  };

  constructor(
    private readonly request: SyncRequest,
    private readonly deps: SyncDeps,
    private readonly out: SyncOutput,
  ) {
    this.startedAt = deps.now();
    this.report = {
      folder: request.folderDisplay,
      bucket: request.bucket,
      prefix: DOCUMENTS_PREFIX,
      dryRun: request.dryRun,
      scanned: 0,
      ignored: [],
      skipped: [],
      rejected: [],
      uploads: [],
      unchanged: 0,
      deletes: [],
      remoteOnly: [],
      failed: [],
      interrupted: false,
      ingestion: null,
      ingestionFailure: null,
      exitCode: 0,
    };
  }

  private get signal(): AbortSignal | undefined {
    return this.deps.signal;
  }

  private get destination(): string {
    return `s3://${this.request.bucket}/${DOCUMENTS_PREFIX}`;
  }

  async run(): Promise<SyncReport> {
    const { request, deps } = this;
    // The listing and the control-plane SDK load while the folder is scanned, validated and hashed.
    const bucket = await deps.openBucket(request.bucket);
    const ingestionApi =
      request.target && !request.dryRun ? started(deps.openIngestion(request.target)) : undefined;
    try {
      const listing = started(bucket.list(DOCUMENTS_PREFIX));
      const { scan, validation } = await this.scanAndValidate();
      const hashed = await this.hash(validation.accepted);
      const remote = await listing;
      if (this.signal?.aborted) return this.interrupted();
      const plan = await this.compare(bucket, hashed, remote, scan);
      if (this.signal?.aborted) return this.interrupted();
      if (scan.ignored.length > 0)
        this.out.line(`Ignored ${scan.ignored.length} hidden file(s): ${scan.ignored.join(', ')}`);
      for (const s of scan.skipped) this.out.line(`skipped ${s.relPath}: ${s.reason}`);
      if (request.dryRun) {
        this.printPlan();
        return this.finish();
      }
      await this.upload(bucket, plan.uploads);
      if (this.signal?.aborted) return this.interrupted();
      await this.delete(bucket, plan.toDelete);
      this.printSummary();
      if (ingestionApi && request.target) {
        try {
          await this.ingest(await ingestionApi, request.target, remote);
        } catch (err) {
          if (isAbort(err, this.signal)) {
            this.out.problem(
              `Stopped waiting; ingestion job ${this.report.ingestion?.job?.jobId ?? ''} continues in the background.`,
            );
            this.report.interrupted = true;
          } else this.ingestionFailed(err);
        }
      }
      return this.finish();
    } finally {
      bucket.destroy();
      if (ingestionApi)
        await ingestionApi.then(
          (api) => api.destroy(),
          () => undefined,
        );
    }
  }

  private finish(): SyncReport {
    const { report } = this;
    const job = report.ingestion?.job;
    report.exitCode = report.interrupted
      ? EXIT_INTERRUPTED
      : report.rejected.length > 0 || report.failed.length > 0 || (job ? jobFailed(job) : false)
        ? 1
        : report.ingestionFailure
          ? EXIT_INGESTION_NOT_STARTED
          : 0;
    return report;
  }

  /**
   * The uploads are done but ingestion could not start or be followed (Bedrock unreachable, access denied, a
   * wrong id): its own outcome, reported as such instead of an error after a success line.
   */
  private ingestionFailed(err: unknown): void {
    const { report } = this;
    const message = err instanceof CliError ? err.message : describeError(err);
    const job = report.ingestion?.job;
    const phase = job ? 'follow' : 'start';
    report.ingestionFailure = { phase, message };
    const uploaded = report.uploads.filter((u) => u.uploaded).length;
    const deleted = report.deletes.filter((d) => d.deleted).length;
    const changes = `Uploaded ${uploaded}${deleted > 0 ? `, deleted ${deleted}` : ''}`;
    this.out.problem(
      phase === 'start'
        ? `${changes}, ingestion not started: ${message}\nThe files are in the bucket; run kass sync again to index them.`
        : `${changes}, ingestion job ${job?.jobId} started but could not be followed: ${message}\n` +
            'The job continues in AWS; run kass sync again to wait for it.',
    );
  }

  private interrupted(): SyncReport {
    this.report.interrupted = true;
    const done = this.report.uploads.filter((u) => u.uploaded).length;
    this.out.problem(
      `Interrupted: ${done} of ${this.report.uploads.length} uploads finished. Run kass sync again to resume; ` +
        'finished files are not uploaded again.',
    );
    return this.finish();
  }

  private async scanAndValidate(): Promise<{ scan: ScanResult; validation: ValidationResult }> {
    const { request, report } = this;
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
    report.skipped = scan.skipped.map((s) => ({ file: s.relPath, reason: s.reason }));
    const validation = await validateFiles(
      scan.files,
      (f) => readScanned(f.absPath, 'utf8'),
      this.deps.limits,
    );
    report.rejected = validation.rejected.map((r: Rejection) => ({ file: r.relPath, reason: r.reason }));
    for (const r of validation.rejected) this.out.problem(`rejected ${r.relPath}: ${r.reason}`);
    return { scan, validation };
  }

  private async hash(files: readonly LocalFile[]): Promise<HashedFile[]> {
    const hashed: HashedFile[] = new Array(files.length);
    await forEachLimit(
      files,
      HASH_CONCURRENCY,
      async (file, i) => {
        hashed[i] = { ...file, key: keyOf(file.relPath), ...(await hashFile(file.absPath, file.size)) };
      },
      this.signal,
    );
    return hashed.filter(Boolean);
  }

  /** The plan: one listing, plus a HeadObject for each same-size object whose ETag is not the file's MD5. */
  private async compare(
    bucket: DocumentsBucketPort,
    hashed: readonly HashedFile[],
    remote: readonly RemoteObject[],
    scan: ScanResult,
  ): Promise<{ uploads: { file: HashedFile; change: Change }[]; toDelete: RemoteObject[] }> {
    const { request, report } = this;
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
      this.signal,
    );
    uploads.sort((a, b) => (a.file.key < b.file.key ? -1 : 1));
    const toDelete = request.delete ? plan.remoteOnly : [];
    report.unchanged = unchanged;
    report.uploads = uploads.map((u) => ({
      key: u.file.key,
      change: u.change,
      bytes: u.file.size,
      uploaded: false,
    }));
    report.remoteOnly = request.delete ? [] : plan.remoteOnly.map((o) => o.key);
    report.deletes = toDelete.map((o) => ({ key: o.key, deleted: false }));
    return { uploads, toDelete };
  }

  private printPlan(): void {
    const { out, report } = this;
    out.line(
      `Dry run: nothing is uploaded, deleted or ingested. Plan for ${report.folder} → ${this.destination}:`,
    );
    for (const u of report.uploads) out.line(`  + ${u.key} (${u.change}, ${formatBytes(u.bytes)})`);
    for (const d of report.deletes) out.line(`  - ${d.key} (no local file; --delete)`);
    for (const key of report.remoteOnly) out.line(`  ? ${key} (no local file; kept without --delete)`);
    const newCount = report.uploads.filter((u) => u.change === 'new').length;
    out.line(
      `${report.uploads.length} to upload (${newCount} new, ${report.uploads.length - newCount} modified), ` +
        `${report.deletes.length} to delete, ${report.unchanged} unchanged, ${report.rejected.length} rejected`,
    );
  }

  /** Uploads in parallel (bounded); a failed file is reported and the others go on. */
  private async upload(
    bucket: DocumentsBucketPort,
    uploads: { file: HashedFile; change: Change }[],
  ): Promise<void> {
    const { report, out, signal } = this;
    const bytes = uploads.reduce((sum, u) => sum + u.file.size, 0);
    const progress = new UploadProgress(out, uploads.length, bytes, this.deps.now);
    await forEachLimit(
      uploads,
      this.request.concurrency,
      async ({ file, change }, i) => {
        try {
          const sha256 = await bucket.put(
            { key: file.key, absPath: file.absPath, contentType: contentTypeOf(file.relPath) },
            signal,
          );
          this.changes.uploaded.push({ key: file.key, sha256 });
          const entry = report.uploads[i];
          if (entry) entry.uploaded = true;
          progress.advance(file.size, `upload ${file.key} (${change}, ${formatBytes(file.size)})`);
          this.deps.afterUpload?.(file.key);
        } catch (err) {
          if (err instanceof CliError) throw err;
          if (isAbort(err, signal)) return;
          report.failed.push({ key: file.key, error: describeError(err) });
          out.problem(`failed ${file.key}: ${describeError(err)}`);
        }
      },
      signal,
    ).finally(() => progress.finish());
  }

  /** Deletes remote objects with no local file (only planned with `--delete`). */
  private async delete(bucket: DocumentsBucketPort, toDelete: readonly RemoteObject[]): Promise<void> {
    if (toDelete.length === 0) return;
    const failures = await bucket.deleteKeys(toDelete.map((o) => o.key));
    const failedKeys = new Set(failures.map((f) => f.key));
    for (const entry of this.report.deletes) {
      entry.deleted = !failedKeys.has(entry.key);
      if (!entry.deleted) continue;
      this.changes.deleted.push(entry.key);
      this.out.line(`delete ${entry.key}`);
    }
    for (const f of failures) {
      this.report.failed.push(f);
      this.out.problem(`failed to delete ${f.key}: ${f.error}`);
    }
  }

  private printSummary(): void {
    const { report, out } = this;
    const uploaded = report.uploads.filter((u) => u.uploaded);
    const count = (change: Change) => uploaded.filter((u) => u.change === change).length;
    out.line(
      `Synced ${report.folder} → ${this.destination}: ${uploaded.length} uploaded (${count('new')} new, ` +
        `${count('modified')} modified), ${this.changes.deleted.length} deleted, ${report.unchanged} unchanged, ` +
        `${report.rejected.length} rejected, ${report.failed.length} failed ` +
        `(${((this.deps.now() - this.startedAt) / 1000).toFixed(1)} s)`,
    );
    if (report.remoteOnly.length > 0)
      out.line(
        `${report.remoteOnly.length} object(s) under ${this.destination} have no local file; kept ` +
          '(use --delete to remove them)',
      );
  }

  /** Starts (or attaches to) an ingestion job, waits for it unless `--no-wait`, prints its statistics. */
  private async ingest(
    api: IngestionApi,
    target: IngestionTarget,
    remoteBefore: readonly RemoteObject[],
  ): Promise<void> {
    const { out, deps, report, changes } = this;
    const latest = await api.latest();
    const newestObject = remoteBefore.reduce<Date | undefined>(
      (max, o) => (o.lastModified && (!max || o.lastModified > max) ? o.lastModified : max),
      undefined,
    );
    const changed = changes.uploaded.length + changes.deleted.length > 0;
    const decision = decideIngestion({
      changed,
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
        changed ? '' : `resume ${newestObject?.toISOString()}`,
      );
      const description =
        `kass sync: ${changes.uploaded.length} uploaded, ${changes.deleted.length} deleted (${decision.reason})`.slice(
          0,
          200,
        );
      job = await startJob(api, { clientToken, description }, options);
    }
    report.ingestion.job = job;
    if (!this.request.wait) {
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
}

/** A job that ended badly; a job still running (`--no-wait`) has not failed. */
const jobFailed = (job: JobView): boolean =>
  job.status === 'FAILED' || job.status === 'STOPPED' || job.statistics.failed > 0;
