import { processEnv } from '../../contracts/env';
import { explainNetworkFailure } from '../aws/network';

/** A check's verdict, and the results of calls that failed or checks that could not run. */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's list: what was checked, the verdict, what was found and, unless it passed, the fix. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

export const nameOf = (error: unknown): string => String((error as { name?: string }).name ?? 'Error');
export const messageOf = (error: unknown): string => String((error as { message?: string }).message ?? error);

/** What a failed call means for a check: unreachable (fail), not allowed to look (warn), or another failure. */
export function failedCall(
  id: string,
  title: string,
  error: unknown,
  what: { readonly call: string; readonly permission: string },
): CheckResult {
  const unreachable = explainNetworkFailure(error, undefined, processEnv(), { timeoutFlag: '--timeout' });
  if (unreachable) {
    const [first, ...rest] = unreachable.split('\n');
    return {
      id,
      title,
      status: 'fail',
      detail: first ?? unreachable,
      fix: rest.join('\n').replace(/^Check:\n/, ''),
    };
  }
  if (/AccessDenied|UnauthorizedOperation|Forbidden/.test(nameOf(error)))
    return {
      id,
      title,
      status: 'warn',
      detail: `could not check: ${what.call} was denied (${nameOf(error)})`,
      fix: `allow ${what.permission} to your identity to let kass doctor check this (the deploy itself may still work)`,
    };
  return { id, title, status: 'fail', detail: `${what.call} failed: ${nameOf(error)}: ${messageOf(error)}` };
}

export const skipped = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail: why,
});
