import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { LAMBDA_ENV } from './function-env';
import { METRICS_NAMESPACE } from './metric-names';

/** One function's Powertools: logger and tracer, built once per cold start. */
export interface Powertools {
  readonly logger: Logger;
  readonly tracer: Tracer;
  /** The service name logs, traces and metrics are grouped by. */
  readonly serviceName: string;
}

/**
 * The one Powertools setup. The service name comes from POWERTOOLS_SERVICE_NAME (set by the function's
 * construct), else `fallbackService`. Payloads are never logged by default: callers log ids, routes,
 * statuses, latencies and error kinds.
 */
export function powertools(fallbackService: string): Powertools {
  const serviceName = LAMBDA_ENV.read().serviceName || fallbackService;
  return { serviceName, logger: new Logger({ serviceName }), tracer: new Tracer({ serviceName }) };
}

/** Metrics for `serviceName` in the namespace the construct set (POWERTOOLS_METRICS_NAMESPACE), else KASS. */
export function powertoolsMetrics(serviceName: string): Metrics {
  return new Metrics({ serviceName, namespace: LAMBDA_ENV.read().metricsNamespace || METRICS_NAMESPACE });
}
