import type { AgentError } from './errors';

/** Retry of throttled / model-not-ready turns. */
export interface RetryOptions {
  /** Calls per turn, the first included. 1 disables retries. @default 4 */
  readonly maxAttempts?: number;
  /** Cap of the first backoff; doubles per attempt. @default 500 */
  readonly baseDelayMs?: number;
  /** Largest backoff. @default 8000 */
  readonly maxDelayMs?: number;
  /** Random source in [0, 1) for the jitter (tests pass a fixed one). @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout-based, cancelled by the turn's abort signal */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What `onRetry` learns before each wait. */
export interface RetryNotice {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: AgentError;
}

export const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000 } as const;

/**
 * "Full jitter" exponential backoff: a random wait in [0, min(max, base · 2^(attempt-1))], so many clients
 * throttled together do not retry in step.
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const cap = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor((options.random ?? Math.random)() * cap);
}

/** Waits `ms`, or rejects with an AbortError when `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error a cancelled turn ends with (`name: 'AbortError'`, as the SDK's own). */
export function abortError(): Error {
  const error = new Error('The turn was aborted');
  error.name = 'AbortError';
  return error;
}
