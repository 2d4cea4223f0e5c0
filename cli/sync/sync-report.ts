import type { DocumentsBucketPort } from './bucket';
import type { IngestionApi, IngestionDecision, IngestionTarget, JobView, PollOptions } from './ingestion';
import { formatBytes, type SyncLimits } from './layout';
import type { Change } from './plan';
import type { SyncOutput } from './progress';

/** What a `kass sync` run is asked to do, what it reaches, the report it fills, and how the report prints. */

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

/** The dry run's plan: what would be uploaded, deleted and kept. */
export function printPlan(out: SyncOutput, report: SyncReport, destination: string): void {
  out.line(`Dry run: nothing is uploaded, deleted or ingested. Plan for ${report.folder} → ${destination}:`);
  for (const u of report.uploads) out.line(`  + ${u.key} (${u.change}, ${formatBytes(u.bytes)})`);
  for (const d of report.deletes) out.line(`  - ${d.key} (no local file; --delete)`);
  for (const key of report.remoteOnly) out.line(`  ? ${key} (no local file; kept without --delete)`);
  const newCount = report.uploads.filter((u) => u.change === 'new').length;
  out.line(
    `${report.uploads.length} to upload (${newCount} new, ${report.uploads.length - newCount} modified), ` +
      `${report.deletes.length} to delete, ${report.unchanged} unchanged, ${report.rejected.length} rejected`,
  );
}

/** The line a finished run ends with, and the remote objects it kept. */
export function printSummary(
  out: SyncOutput,
  report: SyncReport,
  destination: string,
  done: { readonly deleted: number; readonly seconds: number },
): void {
  const uploaded = report.uploads.filter((u) => u.uploaded);
  const count = (change: Change) => uploaded.filter((u) => u.change === change).length;
  out.line(
    `Synced ${report.folder} → ${destination}: ${uploaded.length} uploaded (${count('new')} new, ` +
      `${count('modified')} modified), ${done.deleted} deleted, ${report.unchanged} unchanged, ` +
      `${report.rejected.length} rejected, ${report.failed.length} failed ` +
      `(${done.seconds.toFixed(1)} s)`,
  );
  if (report.remoteOnly.length > 0)
    out.line(
      `${report.remoteOnly.length} object(s) under ${destination} have no local file; kept ` +
        '(use --delete to remove them)',
    );
}
