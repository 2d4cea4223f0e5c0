import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Powertools setup per Lambda, at module scope so it is built once per cold start. The service name
 * comes from POWERTOOLS_SERVICE_NAME (set by the function's construct). Payloads are never logged by
 * default: the kit logs route, status, latency and sessionId only.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'kass-tool';

export const logger = new Logger({ serviceName });

export const tracer = new Tracer({ serviceName });

export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'KASS',
});
