import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { TOOL_METRICS } from '../../contracts/metric-names';
import { clip } from './coerce';
import type { GatewayToolResult } from './gateway/call';
import type { Operation } from './openapi/operations';
import { logger, metrics } from './powertools';
import type { AgentApiResponse } from './response';
import type { AgentToolResponse, ToolCallRecorder, ToolContext } from './tool-types';
import type { InputReader, OperationInput } from './validate';

/**
 * A call as the kit routes it: the compiled operation it reached and its outcome (the answer, status, route,
 * session), and how an outcome is logged, metered and recorded (never payloads).
 */

export type RuntimeHandler = (input: OperationInput, ctx: ToolContext) => Promise<unknown>;

export interface CompiledOperation {
  readonly op: Operation;
  readonly read: InputReader;
  readonly handler?: RuntimeHandler;
}

/** Metric dimension for calls that never reached an operation. */
export const UNROUTED = 'unrouted';

/** Longest piece of a route echoed in a 404 body (apiPath can be anything the caller sent). */
const ROUTE_ECHO_CHARS = 100;

export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

/** Caller-supplied routing text echoed in a body or log. */
export const clipRoute = (text: string): string => clip(text, ROUTE_ECHO_CHARS);

export const malformedBody = (issues: readonly string[]) => ({
  error: 'The tool request is malformed: it does not match the Bedrock action-group event format.',
  fields: issues,
});

export interface Outcome {
  readonly response: AgentToolResponse | GatewayToolResult;
  /** The HTTP status of the answer (a function response carries only its responseState). */
  readonly status: number;
  readonly operation: string;
  readonly route: string;
  readonly sessionId?: string;
}

/** The outcome of an OpenAPI call: its answer is always the OpenAPI shape. */
export interface ApiOutcome extends Outcome {
  readonly response: AgentApiResponse;
}

/** Logs and meters one call (route, status, latency, sessionId; never payloads), then flushes. */
export function record(outcome: Outcome | undefined, latencyMs: number): void {
  const status = outcome?.status ?? 500;
  const operation = outcome?.operation ?? UNROUTED;
  try {
    logger.info('tool call', {
      route: outcome?.route ?? 'unknown',
      status,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      ...(outcome?.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
    });
    logger.resetKeys();
    metrics.addDimension(TOOL_METRICS.operationDimension, operation);
    // A second dimension set of the service alone: the tool's totals, which its error-rate alarm reads.
    metrics.addDimensions({});
    metrics.addMetric(TOOL_METRICS.invoked, MetricUnit.Count, 1);
    // 0 or 1 on every call, so Average is the failure rate. Failed means the tool failed (5xx), not the model.
    metrics.addMetric(TOOL_METRICS.failed, MetricUnit.Count, status >= 500 ? 1 : 0);
    metrics.addMetric(TOOL_METRICS.latency, MetricUnit.Milliseconds, latencyMs);
    metrics.publishStoredMetrics();
  } catch {
    // Telemetry must never change the answer.
  }
}

/** Hands the call record to the recorder; a storage failure is logged, never returned to the model. */
export async function persist(
  recorder: ToolCallRecorder,
  tool: string,
  outcome: Outcome | undefined,
  latencyMs: number,
  startedAt: string,
): Promise<void> {
  try {
    await recorder({
      tool,
      operation: outcome?.operation ?? UNROUTED,
      route: outcome?.route ?? 'unknown',
      status: outcome?.status ?? 500,
      latencyMs: Math.round(latencyMs),
      ...(outcome?.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
      startedAt,
    });
  } catch (error) {
    logger.warn('tool call record not stored', { error });
  }
}
