import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import {
  clientTokenFor,
  ingestBatch,
  parseMessage,
  type QueueMessage,
} from '../../../functions/ingest/ingest';
import {
  IngestionError,
  type IngestionJobReport,
  type IngestionJobSummary,
  type IngestionPort,
  type StartIngestionRequest,
} from '../../../functions/ingest/ingestion-port';
import { firstSqsRecord } from '../../support/events';

const toMessage = (r: SQSRecord): QueueMessage => ({ messageId: r.messageId, body: r.body });

/** `n` object-created messages with distinct ids and keys, built from the real-format fixture. */
function burst(n: number): QueueMessage[] {
  const record = firstSqsRecord('eventbridge-s3-object-created');
  const event = JSON.parse(record.body);
  return Array.from({ length: n }, (_, i) => ({
    messageId: `msg-${String(i).padStart(4, '0')}`,
    body: JSON.stringify({
      ...event,
      id: `evt-${i}`,
      detail: { ...event.detail, object: { key: `documents/pdf/doc-${i}.pdf` } },
    }),
  }));
}

const REPORT: IngestionJobReport = {
  jobId: 'PREV123456',
  status: 'COMPLETE',
  statistics: {
    documentsScanned: 12,
    metadataDocumentsScanned: 3,
    newDocumentsIndexed: 2,
    modifiedDocumentsIndexed: 1,
    metadataDocumentsModified: 0,
    documentsDeleted: 1,
    documentsFailed: 1,
    documentsSkipped: 0,
  },
  failureReasons: ['documents/pdf/huge.pdf exceeds 50 MB'],
};

/** An in-memory port: records calls and plays scripted answers. */
class FakePort implements IngestionPort {
  readonly starts: StartIngestionRequest[] = [];
  running: IngestionJobSummary | undefined;
  startError: unknown;
  latest: IngestionJobReport | undefined = REPORT;
  latestError: unknown;

  async runningJob() {
    return this.running;
  }
  async startJob(request: StartIngestionRequest) {
    this.starts.push(request);
    if (this.startError) throw this.startError;
    return { jobId: 'JOB0000001', status: 'STARTING' };
  }
  async latestFinishedJob() {
    if (this.latestError) throw this.latestError;
    return this.latest;
  }
}

describe('Function: parseMessage', () => {
  it.each([
    [
      'eventbridge-s3-object-created',
      { kind: 'object-change', change: 'created', key: 'documents/pdf/vpn-setup.pdf' },
    ],
    [
      'eventbridge-s3-object-deleted',
      { kind: 'object-change', change: 'deleted', key: 'documents/raw/old-runbook.md' },
    ],
    ['scheduler-scheduled-sync', { kind: 'scheduled-sync', scheduledTime: '2024-11-12T03:00:00Z' }],
  ])('reads the real-format %s message', (filename, expected) => {
    const record = firstSqsRecord(filename);
    expect(parseMessage(toMessage(record))).toMatchObject({ ...expected, messageId: record.messageId });
  });

  it.each([
    { name: 'not JSON', body: 'hello' },
    {
      name: 'another event source',
      body: JSON.stringify({ id: '1', source: 'aws.ec2', 'detail-type': 'Object Created', detail: {} }),
    },
    {
      name: 'another S3 detail type',
      body: JSON.stringify({
        id: '1',
        source: 'aws.s3',
        'detail-type': 'Object Restore Completed',
        detail: { bucket: { name: 'b' }, object: { key: 'k' } },
      }),
    },
    { name: 'an unknown message type', body: JSON.stringify({ type: 'kass.other' }) },
  ])('does not recognise $name', ({ body }) => {
    expect(parseMessage({ messageId: 'x', body })).toBeUndefined();
  });
});

describe('Function: clientTokenFor', () => {
  it('is deterministic, order-independent and within the 33-256 character limit (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 100 }), (ids) => {
        const token = clientTokenFor(ids);
        expect(token).toBe(clientTokenFor([...ids].reverse()));
        expect(token.length).toBeGreaterThanOrEqual(33);
        expect(token.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 100 },
    );
  });

  it('differs for different batches', () => {
    expect(clientTokenFor(['a', 'b'])).not.toBe(clientTokenFor(['a', 'c']));
  });
});

describe('Function: ingestBatch', () => {
  let port: FakePort;
  beforeEach(() => {
    port = new FakePort();
  });

  it('turns a burst of 500 object events into one job and fails nothing', async () => {
    // Prepare
    const messages = burst(500);
    // Act
    const outcome = await ingestBatch(messages, port);
    // Assess
    expect(port.starts).toEqual([
      {
        clientToken: clientTokenFor(messages.map((m) => m.messageId)),
        description: 'KASS sync: 500 document change(s)',
      },
    ]);
    expect(outcome).toMatchObject({
      decision: 'started',
      failedMessageIds: [],
      job: { jobId: 'JOB0000001' },
    });
    expect(outcome.summary).toMatchObject({ messages: 500, objectChanges: 500, scheduledSyncs: 0 });
    expect(outcome.summary.sampleKeys).toHaveLength(10);
  });

  it('fails the whole batch without starting when a job is already running', async () => {
    // Prepare
    port.running = { jobId: 'RUN0000001', status: 'IN_PROGRESS' };
    const messages = burst(3);
    // Act
    const outcome = await ingestBatch(messages, port);
    // Assess
    expect(port.starts).toEqual([]);
    expect(outcome).toMatchObject({ decision: 'busy', runningJob: port.running });
    expect(outcome.failedMessageIds).toEqual(messages.map((m) => m.messageId));
  });

  it.each([
    { kind: 'conflict', decision: 'busy' },
    { kind: 'throttled', decision: 'throttled' },
    { kind: 'rejected', decision: 'rejected' },
  ] as const)('fails the whole batch when the start is $kind', async ({ kind, decision }) => {
    // Prepare
    port.startError = new IngestionError(kind, `StartIngestionJob failed: ${kind}`);
    const messages = burst(4);
    // Act
    const outcome = await ingestBatch(messages, port);
    // Assess
    expect(outcome.decision).toBe(decision);
    expect(outcome.failedMessageIds).toEqual(messages.map((m) => m.messageId));
  });

  it('lets unexpected errors through (the invocation fails and SQS retries)', async () => {
    port.startError = new Error('socket hang up');
    await expect(ingestBatch(burst(2), port)).rejects.toThrow('socket hang up');
  });

  it('reports the previous finished job when a scheduled sync starts a job', async () => {
    // Prepare
    const messages = [toMessage(firstSqsRecord('scheduler-scheduled-sync'))];
    // Act
    const outcome = await ingestBatch(messages, port);
    // Assess
    expect(outcome).toMatchObject({ decision: 'started', previousJob: REPORT, failedMessageIds: [] });
    expect(port.starts[0]?.description).toBe('KASS sync: daily sync');
  });

  it('still starts the job when the previous one cannot be read', async () => {
    port.latestError = new IngestionError('throttled', 'ListIngestionJobs failed: ThrottlingException');
    const outcome = await ingestBatch([toMessage(firstSqsRecord('scheduler-scheduled-sync'))], port);
    expect(outcome).toMatchObject({
      decision: 'started',
      previousJobError: 'ListIngestionJobs failed: ThrottlingException',
    });
  });

  it('does not read the previous job for object events only', async () => {
    const outcome = await ingestBatch(burst(1), port);
    expect(outcome).not.toHaveProperty('previousJob');
  });

  it('fails unrecognised messages so they reach the DLQ, and still syncs the rest', async () => {
    // Prepare
    const messages = [...burst(2), { messageId: 'garbage', body: '{"hello":' }];
    // Act
    const outcome = await ingestBatch(messages, port);
    // Assess
    expect(outcome).toMatchObject({ decision: 'started', failedMessageIds: ['garbage'] });
    expect(outcome.summary.unrecognised).toEqual(['garbage']);
  });

  it('starts nothing for a batch of unrecognised messages', async () => {
    const outcome = await ingestBatch([{ messageId: 'a', body: 'x' }], port);
    expect(outcome).toMatchObject({ decision: 'nothing-to-do', failedMessageIds: ['a'] });
    expect(port.starts).toEqual([]);
  });

  it('starts at most one job per batch and never drops a recognised message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.boolean(),
        fc.constantFrom<IngestionError | undefined>(
          undefined,
          new IngestionError('conflict', 'c'),
          new IngestionError('throttled', 't'),
        ),
        async (n, running, startError) => {
          // Prepare
          const fake = new FakePort();
          fake.running = running ? { jobId: 'R', status: 'STARTING' } : undefined;
          fake.startError = startError;
          const messages = burst(n);
          // Act
          const outcome = await ingestBatch(messages, fake);
          // Assess: either a job started for all of them, or all of them come back.
          expect(fake.starts.length).toBeLessThanOrEqual(1);
          if (outcome.decision === 'started') expect(outcome.failedMessageIds).toEqual([]);
          else expect(outcome.failedMessageIds).toEqual(messages.map((m) => m.messageId));
        },
      ),
      { numRuns: 60 },
    );
  });
});
