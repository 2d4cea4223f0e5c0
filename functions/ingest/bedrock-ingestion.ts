import {
  type BedrockAgentClient,
  GetIngestionJobCommand,
  type IngestionJob,
  ListIngestionJobsCommand,
  type IngestionJobSummary as SdkJobSummary,
  StartIngestionJobCommand,
} from '@aws-sdk/client-bedrock-agent';
import {
  FINISHED_STATUSES,
  IngestionError,
  type IngestionErrorKind,
  type IngestionJobReport,
  type IngestionJobSummary,
  type IngestionPort,
  RUNNING_STATUSES,
  type StartIngestionRequest,
} from './ingestion-port';

/** SDK error names and what they mean for the caller; anything else propagates unchanged. */
const ERROR_KINDS: Readonly<Record<string, IngestionErrorKind>> = {
  ConflictException: 'conflict',
  ThrottlingException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  ValidationException: 'rejected',
  ResourceNotFoundException: 'rejected',
};

async function mapErrors<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // By name, not instanceof: robust against duplicated SDK copies in a bundle.
    const kind = error instanceof Error ? ERROR_KINDS[error.name] : undefined;
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

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

function toSummary(job: SdkJobSummary | IngestionJob): IngestionJobSummary {
  return {
    jobId: job.ingestionJobId ?? 'unknown',
    status: job.status ?? 'UNKNOWN',
    startedAt: iso(job.startedAt),
    updatedAt: iso(job.updatedAt),
  };
}

function toReport(job: IngestionJob): IngestionJobReport {
  const s = job.statistics ?? {};
  return {
    ...toSummary(job),
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
    failureReasons: job.failureReasons ?? [],
  };
}

/** {@link IngestionPort} over the Bedrock Agent control-plane API for one data source. */
export class BedrockIngestion implements IngestionPort {
  constructor(
    private readonly client: BedrockAgentClient,
    private readonly target: { readonly knowledgeBaseId: string; readonly dataSourceId: string },
  ) {}

  async runningJob(): Promise<IngestionJobSummary | undefined> {
    const out = await mapErrors('ListIngestionJobs', () =>
      this.client.send(
        new ListIngestionJobsCommand({
          ...this.target,
          filters: [{ attribute: 'STATUS', operator: 'EQ', values: [...RUNNING_STATUSES] }],
          maxResults: 1,
        }),
      ),
    );
    const job = out.ingestionJobSummaries?.[0];
    return job ? toSummary(job) : undefined;
  }

  async startJob(request: StartIngestionRequest): Promise<IngestionJobSummary> {
    const out = await mapErrors('StartIngestionJob', () =>
      this.client.send(new StartIngestionJobCommand({ ...this.target, ...request })),
    );
    if (!out.ingestionJob) throw new IngestionError('rejected', 'StartIngestionJob returned no job');
    return toSummary(out.ingestionJob);
  }

  async latestFinishedJob(): Promise<IngestionJobReport | undefined> {
    const list = await mapErrors('ListIngestionJobs', () =>
      this.client.send(
        new ListIngestionJobsCommand({
          ...this.target,
          filters: [{ attribute: 'STATUS', operator: 'EQ', values: [...FINISHED_STATUSES] }],
          sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
          maxResults: 1,
        }),
      ),
    );
    const jobId = list.ingestionJobSummaries?.[0]?.ingestionJobId;
    if (!jobId) return undefined;
    // The summary has no failure reasons; the job itself has.
    const out = await mapErrors('GetIngestionJob', () =>
      this.client.send(new GetIngestionJobCommand({ ...this.target, ingestionJobId: jobId })),
    );
    return out.ingestionJob ? toReport(out.ingestionJob) : undefined;
  }
}
