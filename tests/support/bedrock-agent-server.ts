import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocally, readBody } from './http';

/**
 * A local stand-in for the bedrock-agent control plane's ingestion-job operations, speaking the wire format
 * of `@aws-sdk/client-bedrock-agent` (REST JSON over HTTP/1.1, toolchain.md appendix):
 *
 * - StartIngestionJob `PUT /knowledgebases/{kb}/datasources/{ds}/ingestionjobs/` → 202 `{ingestionJob}`
 * - GetIngestionJob   `GET  …/ingestionjobs/{jobId}` → `{ingestionJob}`
 * - ListIngestionJobs `POST …/ingestionjobs/` with `filters` (STATUS EQ), `sortBy`, `maxResults`
 *   → `{ingestionJobSummaries}`
 *
 * Errors carry `x-amzn-errortype` (ConflictException 409, ResourceNotFoundException 404, ValidationException
 * 400, AccessDeniedException 403), which the SDK turns into typed exceptions. Jobs follow a script: each
 * GetIngestionJob of a job moves it to its next step. Point a client at it with AWS_ENDPOINT_URL_BEDROCK_AGENT.
 */

export interface FakeStatistics {
  numberOfDocumentsScanned?: number;
  numberOfMetadataDocumentsScanned?: number;
  numberOfNewDocumentsIndexed?: number;
  numberOfModifiedDocumentsIndexed?: number;
  numberOfMetadataDocumentsModified?: number;
  numberOfDocumentsDeleted?: number;
  numberOfDocumentsFailed?: number;
  numberOfDocumentsSkipped?: number;
}

/** One state a job reports. */
export interface JobStep {
  readonly status: 'STARTING' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'STOPPING' | 'STOPPED';
  readonly statistics?: FakeStatistics;
  readonly failureReasons?: readonly string[];
}

export interface FakeJob {
  readonly ingestionJobId: string;
  readonly clientToken: string | undefined;
  readonly description: string | undefined;
  readonly startedAt: Date;
  updatedAt: Date;
  /** Steps still to come; the job is at `current`. */
  readonly steps: JobStep[];
  current: JobStep;
}

export interface RecordedCall {
  readonly operation: 'StartIngestionJob' | 'GetIngestionJob' | 'ListIngestionJobs' | 'Unknown';
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
  readonly status: number;
}

const TERMINAL = new Set(['COMPLETE', 'FAILED', 'STOPPED']);

export class BedrockAgentFake {
  readonly jobs: FakeJob[] = [];
  readonly calls: RecordedCall[] = [];
  /** Steps given to each job started from now on (after its initial STARTING). */
  script: JobStep[] = [{ status: 'COMPLETE' }];
  /** `auto`: 409 while a job is not terminal (the service's rule); `always`: every start conflicts. */
  conflictMode: 'auto' | 'always' = 'auto';
  /** Answer every call with 403 AccessDeniedException. */
  denyAll = false;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly knowledgeBaseId: string,
    readonly dataSourceId: string,
  ) {}

  static async start(
    ids: { knowledgeBaseId?: string; dataSourceId?: string } = {},
  ): Promise<BedrockAgentFake> {
    let fake: BedrockAgentFake | undefined;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new BedrockAgentFake(
      server,
      await listenLocally(server),
      ids.knowledgeBaseId ?? 'KBTEST0001',
      ids.dataSourceId ?? 'DSTEST0001',
    );
    return fake;
  }

  /** Environment for clients built from standard configuration. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_BEDROCK_AGENT: this.endpoint,
      AWS_ACCESS_KEY_ID: 'FAKE',
      AWS_SECRET_ACCESS_KEY: 'FAKE',
      AWS_REGION: 'us-east-1',
    };
  }

  /** The `kass sync` options that name `bucket` and this fake's knowledge base and data source. */
  syncArgs(bucket: string): string[] {
    return [
      '--bucket',
      bucket,
      '--knowledge-base-id',
      this.knowledgeBaseId,
      '--data-source-id',
      this.dataSourceId,
    ];
  }

  /** Adds a job that is already running (started by someone else), advancing through `steps` on each Get. */
  seedJob(current: JobStep, steps: JobStep[] = [], startedAt = new Date(Date.now() - 60_000)): FakeJob {
    const job: FakeJob = {
      ingestionJobId: randomId(),
      clientToken: undefined,
      description: 'started elsewhere',
      startedAt,
      updatedAt: startedAt,
      steps: [...steps],
      current,
    };
    this.jobs.push(job);
    return job;
  }

  /** Successful StartIngestionJob calls. */
  starts(): RecordedCall[] {
    return this.calls.filter((c) => c.operation === 'StartIngestionJob' && c.status === 202);
  }

  reset(): void {
    this.jobs.length = 0;
    this.calls.length = 0;
    this.script = [{ status: 'COMPLETE' }];
    this.conflictMode = 'auto';
    this.denyAll = false;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', this.endpoint);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const match = /^\/knowledgebases\/([^/]+)\/datasources\/([^/]+)\/ingestionjobs\/([^/]*)$/.exec(
      url.pathname,
    );
    const method = req.method ?? 'GET';
    const operation: RecordedCall['operation'] = !match
      ? 'Unknown'
      : method === 'PUT' && !match[3]
        ? 'StartIngestionJob'
        : method === 'GET' && match[3]
          ? 'GetIngestionJob'
          : method === 'POST' && !match[3]
            ? 'ListIngestionJobs'
            : 'Unknown';
    const reply = (status: number, payload: unknown, errorType?: string) => {
      this.calls.push({ operation, method, path: url.pathname, body, status });
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, type: string, message: string) => reply(status, { message }, type);

    if (this.denyAll)
      return fail(403, 'AccessDeniedException', 'User is not authorized to perform this action');
    if (!match || operation === 'Unknown')
      return fail(404, 'UnknownOperationException', `${method} ${url.pathname}`);
    const [, kb, ds, jobId] = match;
    if (
      decodeURIComponent(kb ?? '') !== this.knowledgeBaseId ||
      decodeURIComponent(ds ?? '') !== this.dataSourceId
    )
      return fail(404, 'ResourceNotFoundException', `Knowledge base ${kb} or data source ${ds} not found`);

    if (operation === 'StartIngestionJob') {
      const clientToken = typeof body?.clientToken === 'string' ? body.clientToken : undefined;
      if (clientToken !== undefined && (clientToken.length < 33 || clientToken.length > 256))
        return fail(400, 'ValidationException', 'clientToken must be 33-256 characters');
      if (typeof body?.description === 'string' && body.description.length > 200)
        return fail(400, 'ValidationException', 'description must be at most 200 characters');
      const same = clientToken ? this.jobs.find((j) => j.clientToken === clientToken) : undefined;
      if (same) return reply(202, { ingestionJob: this.wire(same, true) });
      if (this.conflictMode === 'always' || this.jobs.some((j) => !TERMINAL.has(j.current.status)))
        return fail(
          409,
          'ConflictException',
          'There is an ongoing ingestion job for this data source. Wait for it to finish and try again.',
        );
      const now = new Date();
      const job: FakeJob = {
        ingestionJobId: randomId(),
        clientToken,
        description: typeof body?.description === 'string' ? body.description : undefined,
        startedAt: now,
        updatedAt: now,
        steps: [...this.script],
        current: { status: 'STARTING' },
      };
      this.jobs.push(job);
      return reply(202, { ingestionJob: this.wire(job, true) });
    }

    if (operation === 'GetIngestionJob') {
      const job = this.jobs.find((j) => j.ingestionJobId === decodeURIComponent(jobId ?? ''));
      if (!job) return fail(404, 'ResourceNotFoundException', `Ingestion job ${jobId} not found`);
      const next = job.steps.shift();
      if (next) {
        job.current = next;
        job.updatedAt = new Date();
      }
      return reply(200, { ingestionJob: this.wire(job, true) });
    }

    // ListIngestionJobs
    const filters =
      (body?.filters as { attribute: string; operator: string; values: string[] }[] | undefined) ?? [];
    const statuses = filters.find((f) => f.attribute === 'STATUS')?.values;
    const sortBy = body?.sortBy as { attribute?: string; order?: string } | undefined;
    const descending = sortBy?.order === 'DESCENDING';
    const maxResults = typeof body?.maxResults === 'number' ? body.maxResults : 100;
    const listed = this.jobs
      .filter((j) => !statuses || statuses.includes(j.current.status))
      .sort((a, b) => (a.startedAt.getTime() - b.startedAt.getTime()) * (descending ? -1 : 1))
      .slice(0, maxResults);
    return reply(200, { ingestionJobSummaries: listed.map((j) => this.wire(j, false)) });
  }

  private wire(job: FakeJob, full: boolean): Record<string, unknown> {
    return {
      knowledgeBaseId: this.knowledgeBaseId,
      dataSourceId: this.dataSourceId,
      ingestionJobId: job.ingestionJobId,
      ...(job.description ? { description: job.description } : {}),
      status: job.current.status,
      startedAt: job.startedAt.toISOString(),
      updatedAt: job.updatedAt.toISOString(),
      statistics: { ...ZERO_STATISTICS, ...job.current.statistics },
      ...(full && job.current.failureReasons ? { failureReasons: job.current.failureReasons } : {}),
    };
  }
}

const ZERO_STATISTICS: Required<FakeStatistics> = {
  numberOfDocumentsScanned: 0,
  numberOfMetadataDocumentsScanned: 0,
  numberOfNewDocumentsIndexed: 0,
  numberOfModifiedDocumentsIndexed: 0,
  numberOfMetadataDocumentsModified: 0,
  numberOfDocumentsDeleted: 0,
  numberOfDocumentsFailed: 0,
  numberOfDocumentsSkipped: 0,
};

/** Ingestion job ids are 10 upper-case alphanumerics. */
const randomId = (): string => randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase();
