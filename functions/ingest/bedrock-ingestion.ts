import type { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { IngestionJobInfo, IngestionTarget } from '../../client/ingestion-job';
import { IngestionJobs } from '../../client/ingestion-jobs';
import type {
  IngestionJobReport,
  IngestionJobSummary,
  IngestionPort,
  StartIngestionRequest,
} from './ingestion-port';

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

/** The summary the decision record logs: ISO timestamps. */
const toSummary = (job: IngestionJobInfo): IngestionJobSummary => ({
  jobId: job.jobId,
  status: job.status,
  startedAt: iso(job.startedAt),
  updatedAt: iso(job.updatedAt),
});

const toReport = (job: IngestionJobInfo): IngestionJobReport => ({
  ...toSummary(job),
  statistics: job.statistics,
  failureReasons: job.failureReasons,
});

/** {@link IngestionPort} over the client's {@link IngestionJobs} adapter for one data source. */
export class BedrockIngestion implements IngestionPort {
  private readonly jobs: IngestionJobs;

  constructor(client: BedrockAgentClient, target: IngestionTarget) {
    this.jobs = new IngestionJobs(client, target);
  }

  async runningJob(): Promise<IngestionJobSummary | undefined> {
    const job = await this.jobs.running();
    return job ? toSummary(job) : undefined;
  }

  async startJob(request: StartIngestionRequest): Promise<IngestionJobSummary> {
    return toSummary(await this.jobs.start(request.clientToken, request.description));
  }

  async latestFinishedJob(): Promise<IngestionJobReport | undefined> {
    const job = await this.jobs.latestFinished();
    return job ? toReport(job) : undefined;
  }
}
