import {
  BedrockAgentClient,
  GetIngestionJobCommand,
  ListIngestionJobsCommand,
  StartIngestionJobCommand,
} from '@aws-sdk/client-bedrock-agent';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockIngestion } from '../../../functions/ingest/bedrock-ingestion';

const target = { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS12345678' };

describe('Class: BedrockIngestion', () => {
  const bedrock = mockClient(BedrockAgentClient);
  const port = new BedrockIngestion(new BedrockAgentClient({ region: 'us-east-1' }), target);
  beforeEach(() => bedrock.reset());

  describe('Method: startJob', () => {
    it('starts a job for the data source with the token and description', async () => {
      // Prepare
      bedrock.on(StartIngestionJobCommand).resolves({
        ingestionJob: {
          ...target,
          ingestionJobId: 'JOB1',
          status: 'STARTING',
          startedAt: new Date('2024-11-12T00:00:00Z'),
          updatedAt: undefined,
        },
      });
      // Act
      const job = await port.startJob({
        clientToken: `kass-sync-${'a'.repeat(64)}`,
        description: 'KASS sync: 1 document change(s)',
      });
      // Assess
      expect(job).toEqual({
        jobId: 'JOB1',
        status: 'STARTING',
        startedAt: '2024-11-12T00:00:00.000Z',
        updatedAt: undefined,
      });
      expect(bedrock).toHaveReceivedCommandWith(StartIngestionJobCommand, {
        ...target,
        clientToken: `kass-sync-${'a'.repeat(64)}`,
        description: 'KASS sync: 1 document change(s)',
      });
    });
  });

  describe('Method: runningJob', () => {
    it('asks for starting, running or stopping jobs of the data source', async () => {
      // Prepare
      bedrock.on(ListIngestionJobsCommand).resolves({
        ingestionJobSummaries: [
          {
            ...target,
            ingestionJobId: 'RUN1',
            status: 'IN_PROGRESS',
            startedAt: new Date('2024-11-12T00:00:00Z'),
            updatedAt: new Date('2024-11-12T00:01:00Z'),
          },
        ],
      });
      // Act
      const job = await port.runningJob();
      // Assess
      expect(job).toMatchObject({ jobId: 'RUN1', status: 'IN_PROGRESS' });
      expect(bedrock).toHaveReceivedCommandWith(ListIngestionJobsCommand, {
        ...target,
        filters: [{ attribute: 'STATUS', operator: 'EQ', values: ['STARTING', 'IN_PROGRESS', 'STOPPING'] }],
        maxResults: 1,
      });
    });

    it('returns undefined when nothing runs', async () => {
      bedrock.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [] });
      await expect(port.runningJob()).resolves.toBeUndefined();
    });
  });

  describe('Method: latestFinishedJob', () => {
    it('reads the newest finished job with its failure reasons, counting missing statistics as 0', async () => {
      // Prepare
      bedrock.on(ListIngestionJobsCommand).resolves({
        ingestionJobSummaries: [
          {
            ...target,
            ingestionJobId: 'OLD1',
            status: 'FAILED',
            startedAt: new Date(),
            updatedAt: new Date(),
          },
        ],
      });
      bedrock.on(GetIngestionJobCommand).resolves({
        ingestionJob: {
          ...target,
          ingestionJobId: 'OLD1',
          status: 'FAILED',
          startedAt: new Date('2024-11-11T03:00:00Z'),
          updatedAt: new Date('2024-11-11T03:02:00Z'),
          statistics: { numberOfDocumentsScanned: 5, numberOfDocumentsFailed: 5 },
          failureReasons: ['AccessDenied on documents/pdf/a.pdf'],
        },
      });
      // Act
      const report = await port.latestFinishedJob();
      // Assess
      expect(report).toEqual({
        jobId: 'OLD1',
        status: 'FAILED',
        startedAt: '2024-11-11T03:00:00.000Z',
        updatedAt: '2024-11-11T03:02:00.000Z',
        statistics: {
          documentsScanned: 5,
          metadataDocumentsScanned: 0,
          newDocumentsIndexed: 0,
          modifiedDocumentsIndexed: 0,
          metadataDocumentsModified: 0,
          documentsDeleted: 0,
          documentsFailed: 5,
          documentsSkipped: 0,
        },
        failureReasons: ['AccessDenied on documents/pdf/a.pdf'],
      });
      expect(bedrock).toHaveReceivedCommandWith(GetIngestionJobCommand, {
        ...target,
        ingestionJobId: 'OLD1',
      });
    });

    it('returns undefined before the first job', async () => {
      bedrock.on(ListIngestionJobsCommand).resolves({});
      await expect(port.latestFinishedJob()).resolves.toBeUndefined();
      expect(bedrock).not.toHaveReceivedCommand(GetIngestionJobCommand);
    });
  });
});
