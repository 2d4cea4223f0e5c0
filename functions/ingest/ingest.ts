import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  IngestionError,
  type IngestionJobReport,
  type IngestionJobSummary,
  type IngestionPort,
} from './ingestion-port';

/** `type` of the message the daily schedule sends (infra/constructs/ingestion.ts `SCHEDULED_SYNC_MESSAGE`). */
export const SCHEDULED_SYNC_TYPE = 'kass.scheduled-sync';

/** One SQS message: its id (what a partial batch response names) and its body. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/** An S3 object event as EventBridge delivers it (only the fields the decision and the logs use). */
const S3ObjectEvent = z.object({
  id: z.string(),
  source: z.literal('aws.s3'),
  'detail-type': z.enum(['Object Created', 'Object Deleted']),
  time: z.optional(z.string()),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string() }),
    reason: z.optional(z.string()),
  }),
});

const ScheduledSync = z.object({
  type: z.literal(SCHEDULED_SYNC_TYPE),
  scheduledTime: z.optional(z.string()),
  executionId: z.optional(z.string()),
});

export type Trigger =
  | {
      readonly kind: 'object-change';
      readonly messageId: string;
      readonly change: 'created' | 'deleted';
      readonly bucket: string;
      readonly key: string;
    }
  | { readonly kind: 'scheduled-sync'; readonly messageId: string; readonly scheduledTime?: string };

/** What a message asks for, or undefined when it is neither an S3 object event nor a scheduled sync. */
export function parseMessage(message: QueueMessage): Trigger | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message.body);
  } catch {
    return undefined;
  }
  const s3 = S3ObjectEvent.safeParse(json);
  if (s3.success) {
    return {
      kind: 'object-change',
      messageId: message.messageId,
      change: s3.data['detail-type'] === 'Object Created' ? 'created' : 'deleted',
      bucket: s3.data.detail.bucket.name,
      key: s3.data.detail.object.key,
    };
  }
  const scheduled = ScheduledSync.safeParse(json);
  if (scheduled.success) {
    return {
      kind: 'scheduled-sync',
      messageId: message.messageId,
      scheduledTime: scheduled.data.scheduledTime,
    };
  }
  return undefined;
}

/**
 * The start's idempotency token: a hash of the batch's message ids (order-independent). A redelivered batch
 * with the same messages gets the same token, so a start that succeeded before a crash is not repeated.
 */
export function clientTokenFor(messageIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update([...messageIds].sort().join('\n'))
    .digest('hex');
  return `kass-sync-${digest}`;
}

/** What the batch contained, for the decision record. */
export interface BatchSummary {
  readonly messages: number;
  readonly objectChanges: number;
  readonly scheduledSyncs: number;
  /** Messages that are neither: they fail so they end up in the DLQ for inspection. */
  readonly unrecognised: readonly string[];
  /** Up to {@link SAMPLE_KEYS} changed keys, so a log line shows what triggered the job. */
  readonly sampleKeys: readonly string[];
}

const SAMPLE_KEYS = 10;

/** The decision for one batch. `failedMessageIds` is what the handler reports back to SQS. */
export type BatchOutcome = {
  readonly summary: BatchSummary;
  readonly failedMessageIds: readonly string[];
} & (
  | {
      readonly decision: 'started';
      readonly job: IngestionJobSummary;
      readonly clientToken: string;
      /** With a scheduled sync: the job before this one, or why it could not be read. */
      readonly previousJob?: IngestionJobReport;
      readonly previousJobError?: string;
    }
  /** A job runs already: retry the whole batch after the visibility timeout; the next job picks it up. */
  | { readonly decision: 'busy'; readonly runningJob?: IngestionJobSummary }
  /** Throttled or at the account's concurrent-job quota: retry the whole batch later. */
  | { readonly decision: 'throttled'; readonly error: string }
  /** The service rejected the start (validation, not found): the messages go to the DLQ after their retries. */
  | { readonly decision: 'rejected'; readonly error: string }
  /** Nothing recognisable in the batch. */
  | { readonly decision: 'nothing-to-do' }
);

function summarise(
  messages: readonly QueueMessage[],
  triggers: readonly (Trigger | undefined)[],
): BatchSummary {
  const changes = triggers.filter((t) => t?.kind === 'object-change');
  return {
    messages: messages.length,
    objectChanges: changes.length,
    scheduledSyncs: triggers.filter((t) => t?.kind === 'scheduled-sync').length,
    unrecognised: messages.filter((_, i) => triggers[i] === undefined).map((m) => m.messageId),
    sampleKeys: changes.slice(0, SAMPLE_KEYS).map((t) => `${t.change === 'created' ? '+' : '-'} ${t.key}`),
  };
}

function describe(summary: BatchSummary): string {
  const parts = [];
  if (summary.objectChanges > 0) parts.push(`${summary.objectChanges} document change(s)`);
  if (summary.scheduledSyncs > 0) parts.push('daily sync');
  return `KASS sync: ${parts.join(' + ')}`;
}

/**
 * Turns one SQS batch of S3 object events and scheduled-sync messages into at most one ingestion job.
 * Syncs are incremental over the whole data source, so one job covers every change in the batch, and any
 * change that arrives while a job runs is covered by the next one: such a batch fails as a whole and SQS
 * redelivers it later. Nothing is dropped: unrecognised messages fail too and reach the DLQ.
 */
export async function ingestBatch(
  messages: readonly QueueMessage[],
  port: IngestionPort,
): Promise<BatchOutcome> {
  const triggers = messages.map(parseMessage);
  const summary = summarise(messages, triggers);
  const all = messages.map((m) => m.messageId);
  const recognised = triggers.filter((t) => t !== undefined);
  if (recognised.length === 0)
    return { decision: 'nothing-to-do', summary, failedMessageIds: summary.unrecognised };

  try {
    const runningJob = await port.runningJob();
    if (runningJob) return { decision: 'busy', runningJob, summary, failedMessageIds: all };

    const clientToken = clientTokenFor(all);
    const job = await port.startJob({ clientToken, description: describe(summary) });
    const started = {
      decision: 'started',
      job,
      clientToken,
      summary,
      failedMessageIds: summary.unrecognised,
    } as const;
    if (summary.scheduledSyncs === 0) return started;
    // Reported only once the scheduled message is consumed, so a retried batch does not count a job twice.
    try {
      const previousJob = await port.latestFinishedJob();
      return previousJob ? { ...started, previousJob } : started;
    } catch (error) {
      return { ...started, previousJobError: (error as Error).message };
    }
  } catch (error) {
    if (!(error instanceof IngestionError)) throw error;
    switch (error.kind) {
      case 'conflict':
        return { decision: 'busy', summary, failedMessageIds: all };
      case 'throttled':
        return { decision: 'throttled', error: error.message, summary, failedMessageIds: all };
      case 'rejected':
        return { decision: 'rejected', error: error.message, summary, failedMessageIds: all };
    }
  }
}
