import type { IngestionJobStatistics } from '../../client/ingestion-job';

// The typed error and the statistics are the client's ingestion-job model (one for kass sync and this Lambda).
export {
  IngestionError,
  type IngestionErrorKind,
  type IngestionJobStatistics,
} from '../../client/ingestion-job';

export interface IngestionJobSummary {
  readonly jobId: string;
  /** A status string as the service returned it (new states may appear). */
  readonly status: string;
  readonly startedAt?: string;
  readonly updatedAt?: string;
}

export interface IngestionJobReport extends IngestionJobSummary {
  readonly statistics: IngestionJobStatistics;
  readonly failureReasons: readonly string[];
}

export interface StartIngestionRequest {
  /** Idempotency token (33–256 characters): a retried start returns the same job instead of a second one. */
  readonly clientToken: string;
  /** Shown in the console and `kass sync` output (≤ 200 characters). */
  readonly description: string;
}

/** The knowledge-base data source's ingestion jobs, as `functions/ingest` uses them. */
export interface IngestionPort {
  /** A job of the data source that is starting, running or stopping, if any. */
  runningJob(): Promise<IngestionJobSummary | undefined>;
  /** Starts an incremental sync of the data source. Throws {@link IngestionError}. */
  startJob(request: StartIngestionRequest): Promise<IngestionJobSummary>;
  /** The most recently started job that has finished, with statistics and failure reasons. */
  latestFinishedJob(): Promise<IngestionJobReport | undefined>;
}
