/** Ingestion-job states (Bedrock `IngestionJobStatus`). */
export const RUNNING_STATUSES = ['STARTING', 'IN_PROGRESS', 'STOPPING'] as const;
export const FINISHED_STATUSES = ['COMPLETE', 'FAILED', 'STOPPED'] as const;

export type IngestionJobStatus = (typeof RUNNING_STATUSES)[number] | (typeof FINISHED_STATUSES)[number];

export interface IngestionJobSummary {
  readonly jobId: string;
  /** A status string as the service returned it (new states may appear). */
  readonly status: string;
  readonly startedAt?: string;
  readonly updatedAt?: string;
}

/** Document counts of one job; absent counts are reported as 0. */
export interface IngestionJobStatistics {
  readonly documentsScanned: number;
  readonly metadataDocumentsScanned: number;
  readonly newDocumentsIndexed: number;
  readonly modifiedDocumentsIndexed: number;
  readonly metadataDocumentsModified: number;
  readonly documentsDeleted: number;
  readonly documentsFailed: number;
  readonly documentsSkipped: number;
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

/**
 * Why a call failed, as the domain needs to know it:
 * - `conflict`: a job is already running for the data source or knowledge base; retry later;
 * - `throttled`: throttling or the account's concurrent-job quota; retry later;
 * - `rejected`: the request or the target is wrong (validation, not found); retrying will not help.
 */
export type IngestionErrorKind = 'conflict' | 'throttled' | 'rejected';

/** A typed ingestion failure; adapters map SDK errors to it once, at the edge. */
export class IngestionError extends Error {
  constructor(
    readonly kind: IngestionErrorKind,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngestionError';
  }
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
