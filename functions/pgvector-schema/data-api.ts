import { ExecuteStatementCommand, type RDSDataClient } from '@aws-sdk/client-rds-data';
import { abortableSleep, backoffDelay } from '../../client/retry';

/** Runs one SQL statement (the Data API takes one per call) and returns the first column of the first row. */
export interface SqlRunner {
  run(sql: string): Promise<string | undefined>;
}

/**
 * Errors that go away by waiting: an auto-paused cluster resuming (`DatabaseResumingException`, ~15 s, ~30 s
 * after a long pause), a cluster not yet reachable right after creation, and throttling.
 */
export function isRetryable(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  const message = String((error as { message?: unknown } | undefined)?.message ?? '');
  return (
    name === 'DatabaseResumingException' ||
    name === 'DatabaseUnavailableException' ||
    name === 'ThrottlingException' ||
    name === 'ServiceUnavailableError' ||
    name === 'InternalServerErrorException' ||
    (name === 'BadRequestException' && /Communications link failure|is resuming|not available/i.test(message))
  );
}

export interface DataApiTarget {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
}

export interface RetryPolicy {
  /** Epoch milliseconds after which no retry starts (so the custom resource can still answer in time). */
  readonly deadline: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** {@link SqlRunner} over the RDS Data API, retrying while the cluster resumes or is busy. */
export class DataApiRunner implements SqlRunner {
  constructor(
    private readonly client: RDSDataClient,
    private readonly target: DataApiTarget,
    private readonly retry: RetryPolicy,
  ) {}

  async run(sql: string): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(new ExecuteStatementCommand({ ...this.target, sql }));
        const cell = out.records?.[0]?.[0];
        return cell?.stringValue ?? (cell?.longValue === undefined ? undefined : String(cell.longValue));
      } catch (error) {
        const delay = backoffDelay(attempt, {
          baseDelayMs: this.retry.baseDelayMs ?? 2000,
          maxDelayMs: this.retry.maxDelayMs ?? 10_000,
        });
        if (!isRetryable(error) || Date.now() + delay > this.retry.deadline) throw error;
        await abortableSleep(delay);
      }
    }
  }
}
