import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { INGEST_ENV } from '../../contracts/function-env';
import { INGESTION_METRICS as M } from '../../contracts/metric-names';
import { powertools, powertoolsMetrics } from '../../contracts/powertools';
import { BedrockIngestion } from './bedrock-ingestion';
import { type BatchOutcome, ingestBatch } from './ingest';
import type { IngestionJobReport } from './ingestion-port';

const { logger, tracer, serviceName } = powertools('kass-ingest');
const metrics = powertoolsMetrics(serviceName);

// Built once per cold start; missing variables fail the cold start, all named.
const ingestion = new BedrockIngestion(
  tracer.captureAWSv3Client(new BedrockAgentClient({})),
  INGEST_ENV.read(),
);

/** One structured record (and metrics) for the finished job before a scheduled sync. */
function reportPreviousJob(job: IngestionJobReport): void {
  const s = job.statistics;
  const record = { previousJob: job };
  if (job.status === 'COMPLETE' && s.documentsFailed === 0) logger.info('previous ingestion job', record);
  else logger.warn('previous ingestion job had failures', record);
  metrics.addMetric(M.documentsScanned, MetricUnit.Count, s.documentsScanned);
  metrics.addMetric(M.documentsIndexed, MetricUnit.Count, s.newDocumentsIndexed + s.modifiedDocumentsIndexed);
  metrics.addMetric(M.documentsDeleted, MetricUnit.Count, s.documentsDeleted);
  metrics.addMetric(M.documentsFailed, MetricUnit.Count, s.documentsFailed);
  metrics.addMetric(M.documentsSkipped, MetricUnit.Count, s.documentsSkipped);
  if (job.status !== 'COMPLETE') metrics.addMetric(M.jobFailed, MetricUnit.Count, 1);
}

/** The decision as one log record plus metrics. */
function report(outcome: BatchOutcome): void {
  const { summary, failedMessageIds } = outcome;
  const base = { decision: outcome.decision, batch: summary, failedMessages: failedMessageIds.length };
  if (summary.unrecognised.length > 0) {
    logger.error('unrecognised messages: they fail and reach the DLQ', { messageIds: summary.unrecognised });
  }
  switch (outcome.decision) {
    case 'started':
      logger.info('ingestion job started', { ...base, job: outcome.job, clientToken: outcome.clientToken });
      metrics.addMetric(M.jobStarted, MetricUnit.Count, 1);
      if (outcome.previousJob) reportPreviousJob(outcome.previousJob);
      if (outcome.previousJobError) {
        logger.warn('could not read the previous ingestion job', { error: outcome.previousJobError });
      }
      return;
    case 'busy':
      logger.info('an ingestion job is running: the batch is retried after the visibility timeout', {
        ...base,
        runningJob: outcome.runningJob,
      });
      metrics.addMetric(M.jobConflict, MetricUnit.Count, 1);
      return;
    case 'throttled':
      logger.warn('ingestion throttled: the batch is retried after the visibility timeout', {
        ...base,
        error: outcome.error,
      });
      metrics.addMetric(M.jobThrottled, MetricUnit.Count, 1);
      return;
    case 'rejected':
      logger.error('ingestion job rejected: the messages reach the DLQ after their retries', {
        ...base,
        error: outcome.error,
      });
      metrics.addMetric(M.jobRejected, MetricUnit.Count, 1);
      return;
    case 'nothing-to-do':
      logger.info('no document change or scheduled sync in the batch', base);
      return;
  }
}

/** SQS batch → at most one ingestion job → partial batch response (failed ids are redelivered). */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  if (context) logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const outcome = await ingestBatch(
      event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
      ingestion,
    );
    report(outcome);
    return { batchItemFailures: outcome.failedMessageIds.map((id) => ({ itemIdentifier: id })) };
  } catch (error) {
    // Unexpected (e.g. access denied, network): the invocation fails and SQS retries the whole batch.
    logger.error('ingestion failed unexpectedly', error as Error);
    throw error;
  } finally {
    // A batch with nothing to count publishes nothing (Powertools would warn about empty metrics).
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
