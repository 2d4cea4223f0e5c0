import type { CliIo } from '../io';
import { FINISHED_STATUSES, type IngestionEvent, type JobStatistics, type JobView } from './ingestion';
import { formatBytes } from './layout';

/**
 * Where `kass sync` writes. Results (plan lines, summary, statistics, or the JSON document) go to stdout;
 * problems go to stderr; on a terminal, progress bars are redrawn in place on stderr, otherwise progress is
 * plain lines on stdout (one per file), which logs and CI keep readable.
 */
export class SyncOutput {
  readonly tty: boolean;
  private barVisible = false;

  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {
    this.tty = !json && (io.stderr as { isTTY?: boolean }).isTTY === true;
  }

  get columns(): number {
    return (this.io.stderr as { columns?: number }).columns ?? 100;
  }

  /** A result line (human mode only). */
  line(text: string): void {
    if (this.json) return;
    this.clearBar();
    this.io.stdout.write(`${text}\n`);
  }

  /** A problem, in every mode. */
  problem(text: string): void {
    this.clearBar();
    this.io.stderr.write(`${text}\n`);
  }

  /** Progress: redrawn in place on a terminal, a plain line otherwise. */
  progress(text: string, plainLine?: string): void {
    if (this.json) return;
    if (this.tty) {
      const width = Math.max(20, this.columns - 1);
      this.io.stderr.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      this.barVisible = true;
    } else if (plainLine !== undefined) this.io.stdout.write(`${plainLine}\n`);
  }

  /** Ends an in-place progress line, keeping its last state on screen. */
  endProgress(): void {
    if (this.barVisible) this.io.stderr.write('\n');
    this.barVisible = false;
  }

  writeJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  private clearBar(): void {
    if (this.barVisible) this.io.stderr.write('\r\x1b[2K');
    this.barVisible = false;
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** Upload progress: a bar on a terminal (redrawn at most every 100 ms), one line per file otherwise. */
export class UploadProgress {
  private done = 0;
  private bytes = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: SyncOutput,
    private readonly total: number,
    private readonly totalBytes: number,
    private readonly now: () => number = Date.now,
    private readonly startedAt = now(),
  ) {
    if (total > 0) this.draw(true);
  }

  /** One file uploaded (or deleted); `line` is the plain-mode line. */
  advance(bytes: number, line: string): void {
    this.done++;
    this.bytes += bytes;
    if (this.out.tty) this.draw(this.done === this.total);
    else this.out.progress('', line);
  }

  finish(): void {
    // The last advance already drew the full bar; an interrupted run shows where it stopped.
    if (this.done < this.total) this.draw(true);
    this.out.endProgress();
  }

  private text(): string {
    return (
      `Uploading ${bar(this.done, this.total)} ${this.done}/${this.total} files · ` +
      `${formatBytes(this.bytes)}/${formatBytes(this.totalBytes)} · ${seconds(this.now() - this.startedAt)}`
    );
  }

  private draw(force: boolean): void {
    if (!this.out.tty) return;
    const t = this.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.out.progress(this.text());
  }
}

/** `scanned 12 · new 10 · modified 2 · deleted 0 · failed 0` (the counts the summary prints). */
export const statisticsLine = (s: JobStatistics): string =>
  `scanned ${s.scanned} · new ${s.newIndexed} · modified ${s.modifiedIndexed} · deleted ${s.deleted} · ` +
  `failed ${s.failed}${s.skipped ? ` · skipped ${s.skipped}` : ''}` +
  (s.metadataScanned || s.metadataModified
    ? ` · metadata scanned ${s.metadataScanned}, modified ${s.metadataModified}`
    : '');

/** Renders ingestion events: a live status line on a terminal, one line per status or count change otherwise. */
export class IngestionDisplay {
  private last = '';

  constructor(
    private readonly out: SyncOutput,
    private readonly now: () => number = Date.now,
    private readonly startedAt = now(),
  ) {}

  readonly onEvent = (event: IngestionEvent): void => {
    if (event.type === 'started') {
      this.out.endProgress();
      this.out.line(`Started ingestion job ${event.job.jobId} (${event.job.status})`);
      this.last = this.summary(event.job, true);
    } else if (event.type === 'conflict') {
      this.out.endProgress();
      this.out.line(
        event.running
          ? `Ingestion job ${event.running.jobId} is already running on this data source (${event.running.status}); ` +
              'waiting for it, then starting a new job so the uploaded files are indexed'
          : 'The data source is busy (ConflictException) but no running job is listed yet; retrying',
      );
    } else this.progress(event.job, event.ours);
  };

  private summary(job: JobView, ours: boolean): string {
    return `${ours ? 'Ingestion job' : 'Waiting for job'} ${job.jobId} ${job.status} · ${statisticsLine(job.statistics)}`;
  }

  private progress(job: JobView, ours: boolean): void {
    const summary = this.summary(job, ours);
    // Plain mode: a line per change; our job's final state is printed by the summary instead.
    const print = summary !== this.last && !(ours && FINISHED_STATUSES.includes(job.status));
    this.last = summary;
    this.out.progress(`${summary} · ${seconds(this.now() - this.startedAt)}`, print ? summary : undefined);
  }

  finish(): void {
    this.out.endProgress();
  }
}
