import { awsErrorKind } from '../../contracts/aws-errors';
import { DependencyFailed, DependencyUnavailable, isToolError } from '../kit/errors';

/**
 * Maps AWS SDK v3 errors (classified once, in `contracts/aws-errors.ts`) to tool errors with fixed, safe
 * messages: the SDK's own message (table names, ARNs, request ids) goes to the logs through `cause`, never to
 * the model. Throttling and server or network faults are retryable (503); any other AWS error is a failure
 * (502). Anything that is not an AWS or network error is returned unchanged: it is a bug and the kit answers
 * 500 and logs it in full.
 */

export interface DependencyLabels {
  /** What the model is told is busy, e.g. "The ticket database". */
  readonly service: string;
}

/** The tool error for `err`, or `err` itself when it is not from AWS or the network (a bug). */
export function toDependencyError(err: unknown, labels: DependencyLabels): unknown {
  if (isToolError(err)) return err;
  const kind = awsErrorKind(err);
  if (kind === 'throttled' || kind === 'quota') {
    return new DependencyUnavailable(
      `${labels.service} is busy right now. Wait a few seconds and call the tool again.`,
      { cause: err, retryAfterSeconds: 5 },
    );
  }
  if (kind === 'unavailable') {
    return new DependencyUnavailable(`${labels.service} is not reachable right now. Try again in a minute.`, {
      cause: err,
      retryAfterSeconds: 30,
    });
  }
  if (kind !== undefined) {
    return new DependencyFailed(
      `${labels.service} rejected the request. Try again later; if it keeps failing, tell the user the ticket system has a problem.`,
      { cause: err },
    );
  }
  return err;
}
