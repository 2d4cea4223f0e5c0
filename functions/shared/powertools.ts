import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Powertools setup per chat-API Lambda, built once per cold start. The service name comes from
 * POWERTOOLS_SERVICE_NAME (set by the function's construct). Prompts and answers are never logged: records
 * carry ids, statuses, latencies and error kinds only.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'kass-chat-api';

export const logger = new Logger({ serviceName });

export const tracer = new Tracer({ serviceName });
