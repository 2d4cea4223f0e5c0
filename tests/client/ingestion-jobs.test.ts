import {
  AccessDeniedException,
  BedrockAgentClient,
  ConflictException,
  GetIngestionJobCommand,
  ListIngestionJobsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartIngestionJobCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agent';
import { mockClient } from 'aws-sdk-client-mock';
import { IngestionError } from '../../client/ingestion-job';
import { IngestionJobs } from '../../client/ingestion-jobs';

const TARGET = { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS12345678' };
const STARTED = new Date('2025-03-01T08:00:00Z');
const NO_STATISTICS = {
  documentsScanned: 0,
  metadataDocumentsScanned: 0,
  newDocumentsIndexed: 0,
  modifiedDocumentsIndexed: 0,
  metadataDocumentsModified: 0,
  documentsDeleted: 0,
  documentsFailed: 0,
  documentsSkipped: 0,
};
const summary = (ingestionJobId: string, status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED') => ({
  ...TARGET,
  ingestionJobId,
  status,
  startedAt: STARTED,
  updatedAt: STARTED,
});

describe('Class: IngestionJobs', () => {
  const bedrock = mockClient(BedrockAgentClient);
  const jobs = new IngestionJobs(new BedrockAgentClient({ region: 'eu-west-1' }), TARGET);
  beforeEach(() => bedrock.reset());
  afterAll(() => bedrock.restore());

  describe('Method: start', () => {
    it('starts a job with the token, and the description only when given', async () => {
      // Prepare
      bedrock.on(StartIngestionJobCommand).resolves({ ingestionJob: summary('J1', 'IN_PROGRESS') });
      // Act
      const job = await jobs.start('t'.repeat(40));
      await jobs.start('u'.repeat(40), 'KASS sync: 2 files');
      // Assess
      expect(job).toEqual({
        jobId: 'J1',
        status: 'IN_PROGRESS',
        startedAt: STARTED,
        updatedAt: STARTED,
        statistics: NO_STATISTICS,
        failureReasons: [],
      });
      const inputs = bedrock.commandCalls(StartIngestionJobCommand).map((c) => c.args[0].input);
      expect(inputs).toEqual([
        { ...TARGET, clientToken: 't'.repeat(40) },
        { ...TARGET, clientToken: 'u'.repeat(40), description: 'KASS sync: 2 files' },
      ]);
    });

    it.each([
      { error: new ConflictException({ message: 'busy', $metadata: {} }), kind: 'conflict' },
      { error: new ThrottlingException({ message: 'slow down', $metadata: {} }), kind: 'throttled' },
      { error: new ServiceQuotaExceededException({ message: 'quota', $metadata: {} }), kind: 'throttled' },
      { error: new ValidationException({ message: 'bad', $metadata: {} }), kind: 'rejected' },
      { error: new ResourceNotFoundException({ message: 'gone', $metadata: {} }), kind: 'rejected' },
      {
        // An auto-paused Aurora store: a wait, whatever the exception is called.
        error: new ValidationException({
          message:
            'The Aurora DB instance arn:aws:rds:us-east-1:123456789012:cluster:kass is resuming after being auto-paused. Please wait a few seconds and try again.',
          $metadata: {},
        }),
        kind: 'throttled',
      },
    ])('maps $error.name to a $kind IngestionError', async ({ error, kind }) => {
      bedrock.on(StartIngestionJobCommand).rejects(error);
      const attempt = jobs.start('t'.repeat(40), 'd');
      await expect(attempt).rejects.toBeInstanceOf(IngestionError);
      await expect(attempt).rejects.toMatchObject({ kind, cause: error });
      await expect(attempt).rejects.toThrow(`StartIngestionJob failed: ${error.name}: ${error.message}`);
    });

    it('lets other SDK errors through unchanged', async () => {
      const denied = new AccessDeniedException({ message: 'denied', $metadata: {} });
      bedrock.on(StartIngestionJobCommand).rejects(denied);
      await expect(jobs.start('t'.repeat(40), 'd')).rejects.toBe(denied);
    });

    it('rejects an answer without a job', async () => {
      bedrock.on(StartIngestionJobCommand).resolves({});
      await expect(jobs.start('t'.repeat(40))).rejects.toMatchObject({
        kind: 'rejected',
        message: 'StartIngestionJob returned no job',
      });
    });
  });

  describe('Method: get', () => {
    it('reads the job by id with its statistics and failure reasons', async () => {
      // Prepare
      bedrock.on(GetIngestionJobCommand).resolves({
        ingestionJob: {
          ...summary('J7', 'FAILED'),
          statistics: {
            numberOfDocumentsScanned: 4,
            numberOfDocumentsFailed: 1,
            numberOfDocumentsSkipped: 2,
          },
          failureReasons: ['documents/a.pdf: encrypted'],
        },
      });
      // Act
      const job = await jobs.get('J7');
      // Assess
      expect(job.statistics).toEqual({
        ...NO_STATISTICS,
        documentsScanned: 4,
        documentsFailed: 1,
        documentsSkipped: 2,
      });
      expect(job.failureReasons).toEqual(['documents/a.pdf: encrypted']);
      expect(bedrock).toHaveReceivedCommandWith(GetIngestionJobCommand, { ...TARGET, ingestionJobId: 'J7' });
    });

    it('rejects an answer without a job', async () => {
      bedrock.on(GetIngestionJobCommand).resolves({});
      await expect(jobs.get('J7')).rejects.toThrow('GetIngestionJob returned no job for J7');
    });
  });

  describe('Methods: running, latest, latestFinished', () => {
    it('list the newest job first, one at a time, filtered by state where asked', async () => {
      // Prepare
      bedrock
        .on(ListIngestionJobsCommand)
        .resolves({ ingestionJobSummaries: [summary('J2', 'IN_PROGRESS')] });
      // Act
      const running = await jobs.running();
      const latest = await jobs.latest();
      // Assess
      expect(running?.jobId).toBe('J2');
      expect(latest?.status).toBe('IN_PROGRESS');
      const inputs = bedrock.commandCalls(ListIngestionJobsCommand).map((c) => c.args[0].input);
      const newestFirst = { sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' }, maxResults: 1 };
      expect(inputs).toEqual([
        {
          ...TARGET,
          filters: [{ attribute: 'STATUS', operator: 'EQ', values: ['STARTING', 'IN_PROGRESS', 'STOPPING'] }],
          ...newestFirst,
        },
        { ...TARGET, ...newestFirst },
      ]);
    });

    it('latestFinished reads the newest finished job by id, for its failure reasons', async () => {
      // Prepare
      bedrock.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [summary('J3', 'COMPLETE')] });
      bedrock
        .on(GetIngestionJobCommand, { ingestionJobId: 'J3' })
        .resolves({ ingestionJob: { ...summary('J3', 'COMPLETE'), failureReasons: ['skipped x.bin'] } });
      // Act
      const job = await jobs.latestFinished();
      // Assess
      expect(job?.failureReasons).toEqual(['skipped x.bin']);
      expect(bedrock).toHaveReceivedCommandWith(ListIngestionJobsCommand, {
        filters: [{ attribute: 'STATUS', operator: 'EQ', values: ['COMPLETE', 'FAILED', 'STOPPED'] }],
      });
    });

    it('answer undefined when the data source has no such job', async () => {
      bedrock.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [] });
      await expect(jobs.running()).resolves.toBeUndefined();
      await expect(jobs.latest()).resolves.toBeUndefined();
      await expect(jobs.latestFinished()).resolves.toBeUndefined();
      expect(bedrock).not.toHaveReceivedCommand(GetIngestionJobCommand);
    });

    it('maps a throttled listing like a start', async () => {
      bedrock
        .on(ListIngestionJobsCommand)
        .rejects(new ThrottlingException({ message: 'slow', $metadata: {} }));
      await expect(jobs.running()).rejects.toMatchObject({ kind: 'throttled' });
    });
  });
});
