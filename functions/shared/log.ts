import { toErrorReply } from './errors';
import { logger } from './powertools';

/**
 * Logs a failed request once: client errors (4xx) as warnings with the error kind, anything else as an
 * error with the full detail (logs only; the client gets the safe reply).
 */
export function logFailure(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const status = toErrorReply(error).status;
  const kind = error instanceof Error ? error.name : typeof error;
  if (status < 500 || status === 504) logger.warn(message, { ...fields, status, errorKind: kind });
  else logger.error(message, { ...fields, status, errorKind: kind, error: error as Error });
}
