/**
 * Knowledge-base ingestion jobs as {@link IngestionJobs} reports them: states, statistics, typed errors.
 * Pure (no SDK import), so callers that load the SDK lazily can use the types and states up front.
 */

/** The knowledge base's data source whose ingestion jobs are read and started. */
export interface IngestionTarget {
  readonly knowledgeBaseId: string;
  readonly dataSourceId: string;
}

/** States in which a job blocks new starts on its data source (ConflictException). */
export const RUNNING_STATUSES: readonly string[] = ['STARTING', 'IN_PROGRESS', 'STOPPING'];
/** Terminal states: polling stops here. */
export const FINISHED_STATUSES: readonly string[] = ['COMPLETE', 'FAILED', 'STOPPED'];

/** Document counts of one job (the service's `numberOf…` fields); absent counts are reported as 0. */
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

/** One ingestion job of the data source. */
export interface IngestionJobInfo {
  readonly jobId: string;
  /** A status string as the service returned it (new states may appear). */
  readonly status: string;
  readonly startedAt: Date | undefined;
  readonly updatedAt: Date | undefined;
  readonly statistics: IngestionJobStatistics;
  /** Only a job read by id has them; a listed job has none. */
  readonly failureReasons: readonly string[];
}

/**
 * Why a call failed, as callers need to know it:
 * - `conflict`: a job is already running for the data source or knowledge base; retry later;
 * - `throttled`: throttling or the account's concurrent-job quota; retry later;
 * - `rejected`: the request or the target is wrong (validation, not found); retrying will not help.
 */
export type IngestionErrorKind = 'conflict' | 'throttled' | 'rejected';

/** A typed ingestion failure; {@link IngestionJobs} maps SDK errors to it once, at the edge. */
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
