import {
  type BedrockAgentClient,
  GetIngestionJobCommand,
  type IngestionJob,
  type IngestionJobSummary,
  ListIngestionJobsCommand,
  StartIngestionJobCommand,
} from '@aws-sdk/client-bedrock-agent';
import {
  FINISHED_STATUSES,
  IngestionError,
  type IngestionErrorKind,
  type IngestionJobInfo,
  type IngestionTarget,
  RUNNING_STATUSES,
} from './ingestion-job';

/** SDK error names and what they mean for the caller; anything else propagates unchanged. */
const ERROR_KINDS: Readonly<Record<string, IngestionErrorKind>> = {
  ConflictException: 'conflict',
  ThrottlingException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  ValidationException: 'rejected',
  ResourceNotFoundException: 'rejected',
};

/**
 * An Aurora vector store that auto-paused answers while it resumes (~15 s) with "is resuming after being
 * auto-paused", whatever the exception's name: it is a wait, like throttling, not a rejection.
 */
const RESUMING = /resuming after being auto-paused|DatabaseResuming/i;

/** Runs one call; a known SDK error becomes an {@link IngestionError} with the SDK error as its `cause`. */
async function mapErrors<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // By name, not instanceof: robust against duplicated SDK copies in a bundle.
    const kind =
      error instanceof Error
        ? RESUMING.test(`${error.name} ${error.message}`)
          ? 'throttled'
          : ERROR_KINDS[error.name]
        : undefined;
    if (!kind) throw error;
    throw new IngestionError(
      kind,
      `${operation} failed: ${(error as Error).name}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function toInfo(job: IngestionJob | IngestionJobSummary): IngestionJobInfo {
  const s = job.statistics ?? {};
  return {
    jobId: job.ingestionJobId ?? 'unknown',
    status: job.status ?? 'UNKNOWN',
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    statistics: {
      documentsScanned: s.numberOfDocumentsScanned ?? 0,
      metadataDocumentsScanned: s.numberOfMetadataDocumentsScanned ?? 0,
      newDocumentsIndexed: s.numberOfNewDocumentsIndexed ?? 0,
      modifiedDocumentsIndexed: s.numberOfModifiedDocumentsIndexed ?? 0,
      metadataDocumentsModified: s.numberOfMetadataDocumentsModified ?? 0,
      documentsDeleted: s.numberOfDocumentsDeleted ?? 0,
      documentsFailed: s.numberOfDocumentsFailed ?? 0,
      documentsSkipped: s.numberOfDocumentsSkipped ?? 0,
    },
    failureReasons: 'failureReasons' in job ? (job.failureReasons ?? []) : [],
  };
}

/**
 * The ingestion jobs of one knowledge-base data source over the Bedrock Agent control-plane API
 * (`bedrock:StartIngestionJob`, `GetIngestionJob`, `ListIngestionJobs`). The caller creates the client with
 * the SDK's standard configuration (region, credentials, `AWS_ENDPOINT_URL_BEDROCK_AGENT`) and may trace it.
 *
 * Errors: ConflictException → `conflict`, ThrottlingException, ServiceQuotaExceededException and an Aurora store
 * resuming from auto-pause → `throttled`, ValidationException and ResourceNotFoundException → `rejected`, each an {@link IngestionError}
 * whose `cause` is the SDK error; any other error (access denied, credentials, network) propagates unchanged.
 */
export class IngestionJobs {
  constructor(
    private readonly client: BedrockAgentClient,
    private readonly target: IngestionTarget,
  ) {}

  /**
   * Starts an incremental sync of the data source.
   * @param clientToken idempotency token (33–256 characters): a retried start returns the same job
   * @param description shown in the console (≤ 200 characters)
   */
  async start(clientToken: string, description?: string): Promise<IngestionJobInfo> {
    const out = await mapErrors('StartIngestionJob', () =>
      this.client.send(
        new StartIngestionJobCommand({
          ...this.target,
          clientToken,
          ...(description === undefined ? {} : { description }),
        }),
      ),
    );
    if (!out.ingestionJob) throw new IngestionError('rejected', 'StartIngestionJob returned no job');
    return toInfo(out.ingestionJob);
  }

  /** One job, with its failure reasons. */
  async get(jobId: string): Promise<IngestionJobInfo> {
    const job = await this.read(jobId);
    if (!job) throw new IngestionError('rejected', `GetIngestionJob returned no job for ${jobId}`);
    return toInfo(job);
  }

  /** The starting, running or stopping job of the data source, if any. */
  async running(): Promise<IngestionJobInfo | undefined> {
    const job = await this.newest(RUNNING_STATUSES);
    return job ? toInfo(job) : undefined;
  }

  /** The most recently started job of the data source, if any (a listed job: no failure reasons). */
  async latest(): Promise<IngestionJobInfo | undefined> {
    const job = await this.newest();
    return job ? toInfo(job) : undefined;
  }

  /** The most recently started job that has finished, read by id so it has its failure reasons. */
  async latestFinished(): Promise<IngestionJobInfo | undefined> {
    const jobId = (await this.newest(FINISHED_STATUSES))?.ingestionJobId;
    if (!jobId) return undefined;
    const job = await this.read(jobId);
    return job ? toInfo(job) : undefined;
  }

  private async read(jobId: string): Promise<IngestionJob | undefined> {
    const out = await mapErrors('GetIngestionJob', () =>
      this.client.send(new GetIngestionJobCommand({ ...this.target, ingestionJobId: jobId })),
    );
    return out.ingestionJob;
  }

  /** The most recently started job, of the given states if any are named. */
  private async newest(statuses?: readonly string[]): Promise<IngestionJobSummary | undefined> {
    const out = await mapErrors('ListIngestionJobs', () =>
      this.client.send(
        new ListIngestionJobsCommand({
          ...this.target,
          ...(statuses ? { filters: [{ attribute: 'STATUS', operator: 'EQ', values: [...statuses] }] } : {}),
          sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
          maxResults: 1,
        }),
      ),
    );
    return out.ingestionJobSummaries?.[0];
  }
}
