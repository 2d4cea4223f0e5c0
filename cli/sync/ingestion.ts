import { createHash } from 'node:crypto';
import type { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import {
  FINISHED_STATUSES,
  IngestionError,
  type IngestionJobInfo,
  type IngestionTarget,
  RUNNING_STATUSES,
} from '../../client/ingestion-job';
import type { IngestionJobs } from '../../client/ingestion-jobs';
import { cliClientConfig, diagnoseNetwork, explainNetworkFailure } from '../aws/network';
import { CliError } from '../stack-outputs';

export { FINISHED_STATUSES, type IngestionTarget, RUNNING_STATUSES };

/** Document counts of a job, as `kass sync` prints them and reports them in `--json`. */
export interface JobStatistics {
  readonly scanned: number;
  readonly metadataScanned: number;
  readonly newIndexed: number;
  readonly modifiedIndexed: number;
  readonly metadataModified: number;
  readonly deleted: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface JobView {
  readonly jobId: string;
  readonly status: string;
  readonly statistics: JobStatistics;
  readonly failureReasons: readonly string[];
  readonly startedAt: Date | undefined;
  readonly updatedAt: Date | undefined;
}

/** The bedrock-agent control-plane calls the sync makes. */
export interface IngestionApi {
  start(clientToken: string, description: string): Promise<JobView>;
  get(jobId: string): Promise<JobView>;
  /** The running (STARTING, IN_PROGRESS, STOPPING) job of the data source, if any. */
  running(): Promise<JobView | undefined>;
  /** The most recently started job of the data source, if any. */
  latest(): Promise<JobView | undefined>;
  /** Releases the client's sockets. */
  destroy(): void;
}

const toView = ({ statistics: s, ...job }: IngestionJobInfo): JobView => ({
  jobId: job.jobId,
  status: job.status,
  statistics: {
    scanned: s.documentsScanned,
    metadataScanned: s.metadataDocumentsScanned,
    newIndexed: s.newDocumentsIndexed,
    modifiedIndexed: s.modifiedDocumentsIndexed,
    metadataModified: s.metadataDocumentsModified,
    deleted: s.documentsDeleted,
    failed: s.documentsFailed,
    skipped: s.documentsSkipped,
  },
  failureReasons: job.failureReasons,
  startedAt: job.startedAt,
  updatedAt: job.updatedAt,
});

const errorName = (err: unknown): string => (err as { name?: string }).name ?? 'Error';

/** Start refused because a job runs (or the account's 5 concurrent jobs are busy): wait and retry. */
const isBusy = (err: unknown): boolean =>
  errorName(err) === 'ConflictException' || errorName(err) === 'ServiceQuotaExceededException';

/** Maps errors no retry can fix to a CliError naming what to check; others pass through. */
export function fatalIngestionError(err: unknown, target: IngestionTarget, operation: string): unknown {
  const name = errorName(err);
  const message = (err as { message?: string }).message ?? '';
  const ids = `knowledge base ${target.knowledgeBaseId}, data source ${target.dataSourceId}`;
  const unreachable = explainNetworkFailure(err, { service: 'Bedrock Agent' });
  if (unreachable) return new CliError(`${unreachable}\n(Calling bedrock:${operation} on ${ids}.)`);
  if (name === 'ResourceNotFoundException')
    return new CliError(
      `${ids} not found in this account/region (${operation}). Check --knowledge-base-id / --data-source-id ` +
        '(KASS_KNOWLEDGE_BASE_ID / KASS_DATA_SOURCE_ID) and AWS_REGION.',
    );
  if (name === 'AccessDeniedException')
    return new CliError(
      `Access denied calling bedrock:${operation} on ${ids}. kass sync needs bedrock:StartIngestionJob, ` +
        'bedrock:GetIngestionJob and bedrock:ListIngestionJobs.',
    );
  if (name === 'ValidationException') return new CliError(`${operation} was rejected for ${ids}: ${message}`);
  if (name === 'CredentialsProviderError' || /credential/i.test(message))
    return new CliError(
      `No AWS credentials found to call bedrock:${operation}. Configure a profile (AWS_PROFILE).`,
    );
  return err;
}

/**
 * {@link IngestionApi} over the client's {@link IngestionJobs} (it and `@aws-sdk/client-bedrock-agent` load
 * lazily; AWS_ENDPOINT_URL_BEDROCK_AGENT works).
 */
export class BedrockIngestionApi implements IngestionApi {
  constructor(
    private readonly client: BedrockAgentClient,
    private readonly jobs: IngestionJobs,
    private readonly target: IngestionTarget,
  ) {}

  static async open(
    target: IngestionTarget,
    makeClient?: () => Promise<BedrockAgentClient>,
    timeoutSeconds?: number,
  ) {
    const [sdk, { IngestionJobs }] = await Promise.all([
      import('@aws-sdk/client-bedrock-agent'),
      import('../../client/ingestion-jobs'),
    ]);
    const client = makeClient
      ? await makeClient()
      : diagnoseNetwork(new sdk.BedrockAgentClient(cliClientConfig(timeoutSeconds)));
    return new BedrockIngestionApi(client, new IngestionJobs(client, target), target);
  }

  destroy(): void {
    this.client.destroy();
  }

  /**
   * The sync decides on the service's own error names (a full job quota is busy, throttling is not), so a
   * typed error is unwrapped to its SDK cause; one without a cause (no job returned) becomes a CliError.
   */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const cause = err instanceof IngestionError ? (err.cause ?? new CliError(err.message)) : err;
      if (isBusy(cause)) throw cause;
      throw fatalIngestionError(cause, this.target, operation);
    }
  }

  async start(clientToken: string, description: string): Promise<JobView> {
    return toView(await this.call('StartIngestionJob', () => this.jobs.start(clientToken, description)));
  }

  async get(jobId: string): Promise<JobView> {
    return toView(await this.call('GetIngestionJob', () => this.jobs.get(jobId)));
  }

  async running(): Promise<JobView | undefined> {
    const job = await this.call('ListIngestionJobs', () => this.jobs.running());
    return job ? toView(job) : undefined;
  }

  async latest(): Promise<JobView | undefined> {
    const job = await this.call('ListIngestionJobs', () => this.jobs.latest());
    return job ? toView(job) : undefined;
  }
}

/** What one sync changed in the bucket, for the clientToken. */
export interface ChangeSet {
  readonly uploaded: readonly { key: string; sha256: string }[];
  readonly deleted: readonly string[];
}

/**
 * A deterministic StartIngestionJob `clientToken` (64 hex characters; the API wants 33–256): the same change
 * set on top of the same previous job gives the same token, so a retried start is not duplicated, while the
 * same edit made again later (after another job ran) starts a new job.
 */
export function clientTokenFor(
  target: IngestionTarget,
  changes: ChangeSet,
  previousJobId: string | undefined,
  extra = '',
): string {
  const lines = [
    ...changes.uploaded.map((u) => `put ${u.key} ${u.sha256}`),
    ...changes.deleted.map((key) => `delete ${key}`),
  ].sort();
  return createHash('sha256')
    .update(
      [
        'kass-sync/1',
        target.knowledgeBaseId,
        target.dataSourceId,
        previousJobId ?? '-',
        extra,
        ...lines,
      ].join('\n'),
    )
    .digest('hex');
}

export type IngestionDecision =
  | { readonly action: 'start'; readonly reason: string }
  | { readonly action: 'attach'; readonly job: JobView; readonly reason: string }
  | { readonly action: 'skip'; readonly reason: string };

/**
 * Whether a sync should start a job. Pure. When this run changed nothing, the bucket may still hold files no
 * job has seen (an earlier run interrupted after its uploads, or a failed job): an object modified after the
 * latest job started, or a latest job that did not complete, means start one.
 */
export function decideIngestion(input: {
  readonly changed: boolean;
  readonly latest: JobView | undefined;
  readonly newestObject: Date | undefined;
  readonly objectCount: number;
}): IngestionDecision {
  const { latest, newestObject } = input;
  if (input.changed) return { action: 'start', reason: 'files changed' };
  if (!latest)
    return input.objectCount > 0
      ? { action: 'start', reason: 'no ingestion job has run on this data source yet' }
      : { action: 'skip', reason: 'nothing to index' };
  const newer =
    newestObject !== undefined && latest.startedAt !== undefined && newestObject > latest.startedAt;
  if (RUNNING_STATUSES.includes(latest.status))
    return newer
      ? { action: 'start', reason: `objects changed after job ${latest.jobId} started` }
      : {
          action: 'attach',
          job: latest,
          reason: `job ${latest.jobId} is already indexing the current files`,
        };
  if (latest.status !== 'COMPLETE')
    return { action: 'start', reason: `the last job ${latest.jobId} ended ${latest.status}` };
  if (newer) return { action: 'start', reason: `objects changed after the last job ${latest.jobId}` };
  return {
    action: 'skip',
    reason: `the knowledge base is up to date (job ${latest.jobId} ${latest.status})`,
  };
}

/** Polling delays: `initialMs`, growing by `factor` up to `maxMs`. */
export interface PollOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_POLL: PollOptions = { initialMs: 2_000, maxMs: 20_000, factor: 1.5 };

export type IngestionEvent =
  | { readonly type: 'started'; readonly job: JobView }
  | { readonly type: 'conflict'; readonly running: JobView | undefined }
  | { readonly type: 'progress'; readonly job: JobView; readonly ours: boolean };

export interface IngestionRunOptions {
  readonly poll: PollOptions;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: IngestionEvent) => void;
  /** Starts refused with ConflictException before giving up. */
  readonly maxStartAttempts?: number;
}

/** Polls a job with growing delays until it reaches a terminal state. */
export async function waitForJob(
  api: IngestionApi,
  job: JobView,
  options: IngestionRunOptions,
  ours: boolean,
): Promise<JobView> {
  let current = job;
  let delay = options.poll.initialMs;
  options.onEvent({ type: 'progress', job: current, ours });
  while (!FINISHED_STATUSES.includes(current.status)) {
    await options.sleep(delay, options.signal);
    delay = Math.min(options.poll.maxMs, Math.round(delay * options.poll.factor));
    current = await api.get(current.jobId);
    options.onEvent({ type: 'progress', job: current, ours });
  }
  return current;
}

/**
 * Starts a job. On ConflictException (another job runs on the data source, e.g. one the S3-event pipeline
 * started) it attaches to that job, waits for it to finish and starts again, so the files this sync uploaded
 * are indexed by a job that began after them.
 */
export async function startJob(
  api: IngestionApi,
  request: { clientToken: string; description: string },
  options: IngestionRunOptions,
): Promise<JobView> {
  const attempts = options.maxStartAttempts ?? 10;
  let backoff = options.poll.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const job = await api.start(request.clientToken, request.description);
      options.onEvent({ type: 'started', job });
      return job;
    } catch (err) {
      if (!isBusy(err) || attempt >= attempts) {
        if (isBusy(err))
          throw new CliError(
            `Could not start an ingestion job after ${attempts} attempts: the data source stays busy (${errorName(err)}). ` +
              'The files are uploaded; run kass sync again later to index them.',
          );
        throw err;
      }
      const running = await api.running();
      options.onEvent({ type: 'conflict', running });
      if (running) await waitForJob(api, running, options, false);
      else {
        // Busy but nothing listed yet (the job just started or the account quota is full): back off.
        await options.sleep(backoff, options.signal);
        backoff = Math.min(options.poll.maxMs, Math.round(backoff * options.poll.factor));
      }
    }
  }
}
