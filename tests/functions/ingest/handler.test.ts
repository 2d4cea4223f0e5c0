import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  AccessDeniedException,
  BedrockAgentClient,
  ConflictException,
  GetIngestionJobCommand,
  ListIngestionJobsCommand,
  type ListIngestionJobsCommandInput,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartIngestionJobCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agent';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { clientTokenFor } from '../../../functions/ingest/ingest';
import { firstSqsRecord, sqsTestEvent } from '../../support/events';

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const KB = 'KB12345678';
const DS = 'DS12345678';

/** An SQS event of `n` EventBridge S3 object events (real fixture shape, distinct ids and keys). */
function burstEvent(n: number): SQSEvent {
  const record = firstSqsRecord('eventbridge-s3-object-created');
  const body = JSON.parse(record.body);
  return {
    Records: Array.from({ length: n }, (_, i) => ({
      ...record,
      messageId: `6f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`,
      body: JSON.stringify({
        ...body,
        id: `evt-${i}`,
        detail: { ...body.detail, object: { ...body.detail.object, key: `documents/pdf/doc-${i}.pdf` } },
      }),
    })),
  };
}

const ids = (event: SQSEvent) => event.Records.map((r) => r.messageId);
const failures = (event: SQSEvent) => ids(event).map((itemIdentifier) => ({ itemIdentifier }));

const isRunningQuery = (input: ListIngestionJobsCommandInput) =>
  input.filters?.some((f) => f.values?.includes('IN_PROGRESS')) ?? false;
const FINISHED_JOB = {
  knowledgeBaseId: KB,
  dataSourceId: DS,
  ingestionJobId: 'PREVJOB001',
  status: 'COMPLETE' as const,
  startedAt: new Date('2024-11-11T03:00:05Z'),
  updatedAt: new Date('2024-11-11T03:04:40Z'),
  statistics: {
    numberOfDocumentsScanned: 40,
    numberOfNewDocumentsIndexed: 3,
    numberOfModifiedDocumentsIndexed: 2,
    numberOfDocumentsDeleted: 1,
    numberOfDocumentsFailed: 2,
  },
  failureReasons: ['documents/pdf/scan.pdf: file exceeds the 50 MB quota'],
};

describe('Handler: ingest', () => {
  const bedrock = mockClient(BedrockAgentClient);
  let handler: Handler;
  let errorLog: jest.SpyInstance;
  let warnLog: jest.SpyInstance;
  let infoLog: jest.SpyInstance;
  let addMetric: jest.SpyInstance;

  beforeAll(async () => {
    // The handler reads its environment at cold start, like in Lambda.
    process.env.KNOWLEDGE_BASE_ID = KB;
    process.env.DATA_SOURCE_ID = DS;
    ({ handler } = await import('../../../functions/ingest/handler'));
  });

  beforeEach(() => {
    bedrock.reset();
    bedrock.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [] });
    bedrock.on(StartIngestionJobCommand).resolves({
      ingestionJob: {
        knowledgeBaseId: KB,
        dataSourceId: DS,
        ingestionJobId: 'NEWJOB0001',
        status: 'STARTING',
        startedAt: new Date('2024-11-12T00:01:00Z'),
        updatedAt: new Date('2024-11-12T00:01:00Z'),
      },
    });
    errorLog = jest.spyOn(Logger.prototype, 'error');
    warnLog = jest.spyOn(Logger.prototype, 'warn');
    infoLog = jest.spyOn(Logger.prototype, 'info');
    addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
  });
  afterEach(() => jest.restoreAllMocks());

  it('turns a burst of 50 object events into exactly one StartIngestionJob with a deterministic token', async () => {
    // Prepare
    const event = burstEvent(50);
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(bedrock).toHaveReceivedCommandTimes(StartIngestionJobCommand, 1);
    expect(bedrock).toHaveReceivedCommandWith(StartIngestionJobCommand, {
      knowledgeBaseId: KB,
      dataSourceId: DS,
      clientToken: clientTokenFor(ids(event)),
      description: 'KASS sync: 50 document change(s)',
    });
    expect(bedrock).toHaveReceivedCommandWith(ListIngestionJobsCommand, {
      knowledgeBaseId: KB,
      dataSourceId: DS,
      filters: [{ attribute: 'STATUS', operator: 'EQ', values: ['STARTING', 'IN_PROGRESS', 'STOPPING'] }],
    });
    expect(addMetric).toHaveBeenCalledWith('IngestionJobStarted', 'Count', 1);
    expect(infoLog).toHaveBeenCalledWith(
      'ingestion job started',
      expect.objectContaining({ decision: 'started', job: expect.objectContaining({ jobId: 'NEWJOB0001' }) }),
    );
  });

  it('sends the same token when the same batch is redelivered in another order', async () => {
    // Prepare
    const event = burstEvent(5);
    // Act
    await handler(event);
    await handler({ Records: [...event.Records].reverse() });
    // Assess
    const tokens = bedrock.commandCalls(StartIngestionJobCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]?.length).toBeGreaterThanOrEqual(33);
  });

  it('reports every message as failed on ConflictException, without throwing', async () => {
    // Prepare
    const event = burstEvent(7);
    bedrock
      .on(StartIngestionJobCommand)
      .rejects(new ConflictException({ message: 'A job is in progress', $metadata: {} }));
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: failures(event) });
    expect(addMetric).toHaveBeenCalledWith('IngestionJobConflict', 'Count', 1);
    expect(errorLog).not.toHaveBeenCalled();
  });

  it('retries the batch without starting when ListIngestionJobs shows a running job', async () => {
    // Prepare
    const event = burstEvent(3);
    bedrock.on(ListIngestionJobsCommand).callsFake((input: ListIngestionJobsCommandInput) => ({
      ingestionJobSummaries: isRunningQuery(input)
        ? [
            {
              knowledgeBaseId: KB,
              dataSourceId: DS,
              ingestionJobId: 'RUNJOB0001',
              status: 'IN_PROGRESS',
              startedAt: new Date(),
              updatedAt: new Date(),
            },
          ]
        : [],
    }));
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: failures(event) });
    expect(bedrock).not.toHaveReceivedCommand(StartIngestionJobCommand);
    expect(infoLog).toHaveBeenCalledWith(
      expect.stringContaining('retried after the visibility timeout'),
      expect.objectContaining({
        decision: 'busy',
        runningJob: expect.objectContaining({ jobId: 'RUNJOB0001' }),
      }),
    );
  });

  it.each([
    {
      name: 'ThrottlingException',
      error: new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }),
    },
    {
      name: 'ServiceQuotaExceededException',
      error: new ServiceQuotaExceededException({ message: '5 concurrent jobs per account', $metadata: {} }),
    },
    {
      name: 'an Aurora vector store resuming from auto-pause',
      error: new ValidationException({
        message:
          'The Aurora DB instance is resuming after being auto-paused. Please wait a few seconds and try again.',
        $metadata: {},
      }),
    },
  ])('retries the whole batch on $name', async ({ error }) => {
    // Prepare
    const event = burstEvent(2);
    bedrock.on(StartIngestionJobCommand).rejects(error);
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: failures(event) });
    expect(warnLog).toHaveBeenCalledWith(
      expect.stringContaining('throttled'),
      expect.objectContaining({ decision: 'throttled' }),
    );
  });

  it.each([
    {
      name: 'ValidationException',
      error: new ValidationException({ message: 'Invalid data source', $metadata: {} }),
    },
    {
      name: 'ResourceNotFoundException',
      error: new ResourceNotFoundException({ message: 'No such KB', $metadata: {} }),
    },
  ])('fails the batch towards the DLQ and logs an error on $name', async ({ name, error }) => {
    // Prepare
    const event = burstEvent(2);
    bedrock.on(StartIngestionJobCommand).rejects(error);
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: failures(event) });
    expect(errorLog).toHaveBeenCalledWith(
      expect.stringContaining('rejected'),
      expect.objectContaining({ decision: 'rejected', error: expect.stringContaining(name) }),
    );
    expect(addMetric).toHaveBeenCalledWith('IngestionJobRejected', 'Count', 1);
  });

  it('starts a job for the scheduled sync and logs the previous job’s statistics as one record', async () => {
    // Prepare
    const event = sqsTestEvent('scheduler-scheduled-sync');
    bedrock.on(ListIngestionJobsCommand).callsFake((input: ListIngestionJobsCommandInput) => ({
      ingestionJobSummaries: isRunningQuery(input) ? [] : [FINISHED_JOB],
    }));
    bedrock
      .on(GetIngestionJobCommand, { ingestionJobId: 'PREVJOB001' })
      .resolves({ ingestionJob: FINISHED_JOB });
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(bedrock).toHaveReceivedCommandTimes(StartIngestionJobCommand, 1);
    expect(bedrock).toHaveReceivedCommandWith(ListIngestionJobsCommand, {
      filters: [{ attribute: 'STATUS', operator: 'EQ', values: ['COMPLETE', 'FAILED', 'STOPPED'] }],
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: 1,
    });
    expect(warnLog).toHaveBeenCalledWith('previous ingestion job had failures', {
      previousJob: {
        jobId: 'PREVJOB001',
        status: 'COMPLETE',
        startedAt: '2024-11-11T03:00:05.000Z',
        updatedAt: '2024-11-11T03:04:40.000Z',
        statistics: {
          documentsScanned: 40,
          metadataDocumentsScanned: 0,
          newDocumentsIndexed: 3,
          modifiedDocumentsIndexed: 2,
          metadataDocumentsModified: 0,
          documentsDeleted: 1,
          documentsFailed: 2,
          documentsSkipped: 0,
        },
        failureReasons: ['documents/pdf/scan.pdf: file exceeds the 50 MB quota'],
      },
    });
    expect(addMetric).toHaveBeenCalledWith('DocumentsFailed', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('DocumentsIndexed', 'Count', 5);
    expect(addMetric).toHaveBeenCalledWith('DocumentsDeleted', 'Count', 1);
  });

  it('syncs the recognisable messages and fails the one it cannot read, with an error log', async () => {
    // Prepare
    const event = burstEvent(2);
    const bad = {
      ...firstSqsRecord('eventbridge-s3-object-deleted'),
      messageId: 'not-an-event',
      body: '{"oops":true}',
    };
    event.Records.push(bad);
    // Act
    const result = await handler(event);
    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-an-event' }] });
    expect(bedrock).toHaveReceivedCommandTimes(StartIngestionJobCommand, 1);
    expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('unrecognised'), {
      messageIds: ['not-an-event'],
    });
  });

  it('handles object-deleted events like changes', async () => {
    const result = await handler(sqsTestEvent('eventbridge-s3-object-deleted'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(bedrock).toHaveReceivedCommandWith(StartIngestionJobCommand, {
      description: 'KASS sync: 1 document change(s)',
    });
  });

  it('fails the invocation on unexpected errors so SQS retries the whole batch', async () => {
    bedrock
      .on(ListIngestionJobsCommand)
      .rejects(new AccessDeniedException({ message: 'not authorized', $metadata: {} }));
    await expect(handler(burstEvent(1))).rejects.toThrow('not authorized');
    expect(errorLog).toHaveBeenCalledWith('ingestion failed unexpectedly', expect.any(Error));
  });
});
