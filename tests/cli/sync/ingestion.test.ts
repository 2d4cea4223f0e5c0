import {
  BedrockAgentClient,
  ConflictException,
  ServiceQuotaExceededException,
  StartIngestionJobCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agent';
import { mockClient } from 'aws-sdk-client-mock';
import { CliError } from '../../../cli/stack-outputs';
import {
  BedrockIngestionApi,
  clientTokenFor,
  decideIngestion,
  type IngestionApi,
  type IngestionEvent,
  type JobView,
  startJob,
  waitForJob,
} from '../../../cli/sync/ingestion';
import { bar, IngestionDisplay, SyncOutput, statisticsLine } from '../../../cli/sync/progress';

const ZERO = {
  scanned: 0,
  metadataScanned: 0,
  newIndexed: 0,
  modifiedIndexed: 0,
  metadataModified: 0,
  deleted: 0,
  failed: 0,
  skipped: 0,
};
const job = (jobId: string, status: string, startedAt = new Date('2025-01-01T10:00:00Z')): JobView => ({
  jobId,
  status,
  statistics: ZERO,
  failureReasons: [],
  startedAt,
  updatedAt: startedAt,
});
const TARGET = { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS12345678' };
const conflict = () => Object.assign(new Error('ongoing job'), { name: 'ConflictException' });

describe('Function: decideIngestion', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    { name: 'files changed', input: { changed: true }, action: 'start' },
    { name: 'no job yet, objects present', input: { latest: undefined, objectCount: 3 }, action: 'start' },
    { name: 'no job, empty bucket', input: { latest: undefined, objectCount: 0 }, action: 'skip' },
    {
      name: 'last job complete, nothing newer',
      input: { newestObject: at('2025-01-01T09:00:00Z') },
      action: 'skip',
    },
    {
      name: 'objects newer than the last job',
      input: { newestObject: at('2025-01-01T11:00:00Z') },
      action: 'start',
    },
    { name: 'last job failed', input: { latest: job('J1', 'FAILED') }, action: 'start' },
    { name: 'running job covers the files', input: { latest: job('J1', 'IN_PROGRESS') }, action: 'attach' },
    {
      name: 'running job started before newer objects',
      input: { latest: job('J1', 'STARTING'), newestObject: at('2025-01-01T11:00:00Z') },
      action: 'start',
    },
  ])('$name → $action', ({ input, action }) => {
    const decision = decideIngestion({
      changed: false,
      latest: job('J1', 'COMPLETE'),
      newestObject: at('2025-01-01T09:59:59Z'),
      objectCount: 3,
      ...input,
    });
    expect(decision.action).toBe(action);
  });
});

describe('Function: clientTokenFor', () => {
  const changes = {
    uploaded: [
      { key: 'documents/a.md', sha256: 'aa' },
      { key: 'documents/b.md', sha256: 'bb' },
    ],
    deleted: ['documents/c.md'],
  };

  it('is 64 hex characters (the API wants 33-256) and ignores the order of changes', () => {
    const token = clientTokenFor(TARGET, changes, 'J1');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const reversed = { uploaded: [...changes.uploaded].reverse(), deleted: changes.deleted };
    expect(clientTokenFor(TARGET, reversed, 'J1')).toBe(token);
  });

  it('changes with the content, the previous job and the data source', () => {
    const token = clientTokenFor(TARGET, changes, 'J1');
    expect(clientTokenFor(TARGET, { ...changes, deleted: [] }, 'J1')).not.toBe(token);
    expect(clientTokenFor(TARGET, changes, 'J2')).not.toBe(token);
    expect(clientTokenFor({ ...TARGET, dataSourceId: 'DSOTHER000' }, changes, 'J1')).not.toBe(token);
  });
});

/** An in-memory IngestionApi: `starts` answers each start (an error throws), `gets` each poll. */
function fakeApi(script: {
  starts: (JobView | Error)[];
  gets: JobView[];
  running?: JobView;
}): IngestionApi & {
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    start: async (token) => {
      calls.push(`start ${token}`);
      const next = script.starts.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no more starts');
      return next;
    },
    get: async (id) => {
      calls.push(`get ${id}`);
      const next = script.gets.shift();
      if (!next) throw new Error('no more gets');
      return next;
    },
    running: async () => {
      calls.push('running');
      return script.running;
    },
    latest: async () => undefined,
    destroy: () => undefined,
  };
}

describe('Function: startJob / waitForJob', () => {
  const sleeps: number[] = [];
  const events: IngestionEvent[] = [];
  const options = {
    poll: { initialMs: 100, maxMs: 300, factor: 2 },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    onEvent: (e: IngestionEvent) => events.push(e),
  };
  beforeEach(() => {
    sleeps.length = 0;
    events.length = 0;
  });

  it('polls with growing, capped delays until a terminal status', async () => {
    const api = fakeApi({
      starts: [],
      gets: [
        job('J1', 'IN_PROGRESS'),
        job('J1', 'IN_PROGRESS'),
        job('J1', 'IN_PROGRESS'),
        job('J1', 'COMPLETE'),
      ],
    });
    const done = await waitForJob(api, job('J1', 'STARTING'), options, true);
    expect(done.status).toBe('COMPLETE');
    expect(sleeps).toEqual([100, 200, 300, 300]);
  });

  it('on conflict waits for the running job, then starts again with the same token', async () => {
    const api = fakeApi({
      starts: [conflict(), job('J2', 'STARTING')],
      gets: [job('J1', 'COMPLETE')],
      running: job('J1', 'IN_PROGRESS'),
    });
    const started = await startJob(api, { clientToken: 't'.repeat(64), description: 'd' }, options);
    expect(started.jobId).toBe('J2');
    expect(api.calls).toEqual([`start ${'t'.repeat(64)}`, 'running', 'get J1', `start ${'t'.repeat(64)}`]);
    expect(events.map((e) => e.type)).toEqual(['conflict', 'progress', 'progress', 'started']);
  });

  it('backs off when busy with no running job listed, and gives up after the attempts', async () => {
    const api = fakeApi({ starts: [conflict(), conflict(), conflict()], gets: [] });
    const run = startJob(
      api,
      { clientToken: 't'.repeat(64), description: 'd' },
      { ...options, maxStartAttempts: 3 },
    );
    await expect(run).rejects.toThrow(CliError);
    expect(sleeps).toEqual([100, 200]);
  });

  it('does not retry other errors', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    const api = fakeApi({ starts: [denied], gets: [] });
    await expect(startJob(api, { clientToken: 't', description: 'd' }, options)).rejects.toBe(denied);
  });
});

describe('Class: IngestionDisplay', () => {
  it('prints one line per change in plain mode and leaves the final state to the summary', () => {
    // Prepare
    const lines: string[] = [];
    const io = {
      cwd: '/',
      stdout: { write: (t: string) => lines.push(t) },
      stderr: { write: () => undefined },
    };
    const display = new IngestionDisplay(new SyncOutput(io, false), () => 0);
    const running = { ...job('J1', 'IN_PROGRESS'), statistics: { ...ZERO, scanned: 2 } };
    // Act
    display.onEvent({ type: 'started', job: job('J1', 'STARTING') });
    display.onEvent({ type: 'progress', job: job('J1', 'STARTING'), ours: true });
    display.onEvent({ type: 'progress', job: running, ours: true });
    display.onEvent({ type: 'progress', job: running, ours: true });
    display.onEvent({ type: 'progress', job: job('J1', 'COMPLETE'), ours: true });
    // Assess
    expect(lines).toEqual([
      'Started ingestion job J1 (STARTING)\n',
      'Ingestion job J1 IN_PROGRESS · scanned 2 · new 0 · modified 0 · deleted 0 · failed 0\n',
    ]);
  });

  it('formats statistics and bars', () => {
    expect(statisticsLine({ ...ZERO, scanned: 5, skipped: 1, metadataScanned: 2 })).toBe(
      'scanned 5 · new 0 · modified 0 · deleted 0 · failed 0 · skipped 1 · metadata scanned 2, modified 0',
    );
    expect(bar(1, 4, 8)).toBe('[██░░░░░░]');
    expect(bar(0, 0, 4)).toBe('[████]');
  });
});

describe('Class: BedrockIngestionApi', () => {
  const bedrock = mockClient(BedrockAgentClient);
  const open = () =>
    BedrockIngestionApi.open(TARGET, async () => new BedrockAgentClient({ region: 'eu-west-1' }));
  beforeEach(() => bedrock.reset());
  afterAll(() => bedrock.restore());

  it('shows a started job with the sync’s statistics names', async () => {
    bedrock.on(StartIngestionJobCommand).resolves({
      ingestionJob: {
        ...TARGET,
        ingestionJobId: 'J9',
        status: 'STARTING',
        startedAt: new Date('2025-01-01T10:00:00Z'),
        updatedAt: new Date('2025-01-01T10:00:00Z'),
        statistics: { numberOfDocumentsScanned: 3, numberOfMetadataDocumentsScanned: 1 },
      },
    });
    const api = await open();
    expect(await api.start('t'.repeat(64), 'd')).toEqual({
      ...job('J9', 'STARTING'),
      statistics: { ...ZERO, scanned: 3, metadataScanned: 1 },
    });
  });

  it.each([
    new ConflictException({ message: 'ongoing job', $metadata: {} }),
    new ServiceQuotaExceededException({ message: '5 jobs', $metadata: {} }),
    new ThrottlingException({ message: 'slow down', $metadata: {} }),
  ])('passes $name on as the service raised it (startJob retries the busy ones)', async (error) => {
    bedrock.on(StartIngestionJobCommand).rejects(error);
    const api = await open();
    await expect(api.start('t'.repeat(64), 'd')).rejects.toBe(error);
  });

  it.each([
    {
      name: 'a rejected start',
      answer: () => Promise.reject(new ValidationException({ message: 'bad token', $metadata: {} })),
      message:
        'StartIngestionJob was rejected for knowledge base KB12345678, data source DS12345678: bad token',
    },
    {
      name: 'an answer without a job',
      answer: () => Promise.resolve({}),
      message: 'StartIngestionJob returned no job',
    },
  ])('explains $name with a CliError', async ({ answer, message }) => {
    bedrock.on(StartIngestionJobCommand).callsFake(answer);
    const api = await open();
    const attempt = api.start('t'.repeat(64), 'd');
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toThrow(message);
  });
});
