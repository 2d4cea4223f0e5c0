/**
 * The custom CloudWatch metrics KASS functions emit (Powertools EMF, namespace `KASS`, default dimension
 * `service` = the function's POWERTOOLS_SERVICE_NAME) and the dashboard and alarms read. Pure data: the emitters
 * and `infra/` import the same names.
 */
export const METRICS_NAMESPACE = 'KASS';
export const SERVICE_DIMENSION = 'service';

/** One set per tool call, per operation ({service, operation}) and per tool ({service}). */
export const TOOL_METRICS = {
  operationDimension: 'operation',
  invoked: 'OperationInvoked',
  /** 0 or 1 per call: 1 when the tool answered 5xx (Average is the failure rate). */
  failed: 'OperationFailed',
  latency: 'OperationLatency',
} as const;

/** The ingest function (service `kass-ingest`): decisions per batch and the previous job's statistics. */
export const INGESTION_METRICS = {
  jobStarted: 'IngestionJobStarted',
  jobConflict: 'IngestionJobConflict',
  jobThrottled: 'IngestionJobThrottled',
  jobRejected: 'IngestionJobRejected',
  jobFailed: 'IngestionJobFailed',
  documentsScanned: 'DocumentsScanned',
  documentsIndexed: 'DocumentsIndexed',
  documentsDeleted: 'DocumentsDeleted',
  documentsFailed: 'DocumentsFailed',
  documentsSkipped: 'DocumentsSkipped',
} as const;

/**
 * Chat turns of every channel (REST, WebSocket, Discord) under one service name, per channel ({service,
 * channel}) and in total ({service}), so the dashboard and the latency alarm need no list of functions.
 */
export const TURN_METRICS = {
  service: 'kass-turns',
  channelDimension: 'channel',
  /** Every finished turn (answered, or failed/throttled/timed out). */
  turns: 'Turns',
  /** Question to complete answer, ms (answered turns). */
  latency: 'TurnLatency',
  /** Question to the first piece of the answer, ms. */
  timeToFirstToken: 'TimeToFirstToken',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  /** Guardrail assessments that intervened (blocked or masked) in a turn. */
  guardrailInterventions: 'GuardrailInterventions',
  throttled: 'TurnThrottled',
  timedOut: 'TurnTimedOut',
  failed: 'TurnFailed',
} as const;
