/** A resource of a synthesized template, as the security checks read it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

export type Resources = Readonly<Record<string, CfnResource>>;

/** One violation: the logical id of the offending resource (`(stack)` for a missing one) and what is wrong. */
export interface SecurityFinding {
  readonly resource: string;
  readonly problem: string;
}

export interface CheckResult {
  /** How many resources the check examined: 0 means it passed without looking at anything. */
  readonly examined: number;
  readonly findings: readonly SecurityFinding[];
}

export interface CheckOptions {
  /** The stage keeps its data (prod): tables must be deletion-protected and retained. */
  readonly retainData: boolean;
}

/** One item of the security checklist (`/work/shared/reference/security-checklist.md`) over a template. */
export interface SecurityCheck {
  /** The checklist item number. */
  readonly item: number;
  readonly title: string;
  check(resources: Resources, options: CheckOptions): CheckResult;
}

/** The resources of one type, as [logical id, resource] pairs. */
export const ofType = (resources: Resources, ...types: string[]): [string, CfnResource][] =>
  Object.entries(resources).filter(([, r]) => types.includes(r.Type));

export const text = (value: unknown): string => JSON.stringify(value);

export const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
