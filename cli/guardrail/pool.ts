import { abortableSleep, backoffDelay } from '../../client/retry';
import { awsErrorKind } from '../../contracts/aws-errors';

/** Retry for the ApplyGuardrail calls of `kass guardrail check` (their concurrency: contracts/concurrency.ts). */

export interface RetryPolicy {
  /** Calls per case, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Cap of the first backoff; doubles per attempt ("full jitter"). @default 500 */
  readonly baseDelayMs: number;
  /** Largest backoff. @default 8000 */
  readonly maxDelayMs: number;
  /** Random source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** Service errors worth waiting for: throttling (the ApplyGuardrail quota) and transient server errors. */
export const isRetryable = (error: unknown): boolean => {
  // A used-up quota is not waited out here: the command tells the user to lower --concurrency or raise it.
  const kind = awsErrorKind(error);
  return kind === 'throttled' || kind === 'unavailable';
};

export type Attempted<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/**
 * Calls `call` until it succeeds, fails with a non-retryable error, or `maxAttempts` calls were made, waiting
 * a jittered exponential backoff before each retry. Never throws.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  onRetry?: (notice: { attempt: number; delayMs: number; error: unknown }) => void,
): Promise<Attempted<T>> {
  const sleep = policy.sleep ?? ((ms: number) => abortableSleep(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await call(), attempts: attempt };
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.maxAttempts)
        return { ok: false, error, attempts: attempt };
      const delayMs = backoffDelay(attempt, {
        baseDelayMs: policy.baseDelayMs,
        maxDelayMs: policy.maxDelayMs,
        ...(policy.random ? { random: policy.random } : {}),
      });
      onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
