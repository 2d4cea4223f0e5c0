import type { ApplyGuardrailResponse, GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';
import type { Style } from '../render/style';
import type { Expectation, GuardrailCase } from './prompts';

/**
 * Pure reporting for `kass guardrail check`: what fired (from ApplyGuardrail assessments), pass/fail per case,
 * intervention rates, and the text and JSON renderings. Matched text (`match` of PII, regex and word entries)
 * is never read: the report names policies, never what they matched.
 */

export type PolicyKind = 'contentFilter' | 'pii' | 'regex' | 'topic' | 'word' | 'grounding';

/** One policy that fired, keyed `<kind>:<name>` like the `expects` values of the prompts file. */
export interface FiredPolicy {
  readonly kind: PolicyKind;
  readonly name: string;
  /** Content filters: NONE | LOW | MEDIUM | HIGH. */
  readonly confidence?: string;
  /** BLOCKED, ANONYMIZED, NONE (detected only) ... as the service reports it. */
  readonly action?: string;
  /** Contextual grounding: the score and the threshold it fell below. */
  readonly score?: number;
  readonly threshold?: number;
  /** How many entries of this policy fired (e.g. two e-mail addresses), when more than one. */
  readonly count?: number;
}

export const policyKey = (policy: Pick<FiredPolicy, 'kind' | 'name'>): string =>
  `${policy.kind}:${policy.name}`;

/** An entry fired when it was detected: `detected: true`, or (no `detected`, as in INTERVENTIONS scope) acted on. */
const fired = (entry: { detected?: boolean | undefined; action?: string | undefined }): boolean =>
  entry.detected === true ||
  (entry.detected === undefined && entry.action !== undefined && entry.action !== 'NONE');

/**
 * The policies that fired, in assessment order, one entry per kind, name and action.
 * Only names, types, confidences, actions and scores are read, never `match` or `regex`.
 */
export function firedPolicies(assessments: readonly GuardrailAssessment[] | undefined): FiredPolicy[] {
  const found = new Map<string, FiredPolicy>();
  const add = (policy: FiredPolicy) => {
    const key = `${policyKey(policy)}|${policy.action ?? ''}|${policy.confidence ?? ''}`;
    const seen = found.get(key);
    found.set(key, seen ? { ...seen, count: (seen.count ?? 1) + 1 } : policy);
  };
  const withAction = (action: string | undefined) => (action ? { action } : {});
  for (const assessment of assessments ?? []) {
    for (const f of assessment.contentPolicy?.filters ?? []) {
      if (!fired(f)) continue;
      add({
        kind: 'contentFilter',
        name: f.type ?? 'UNKNOWN',
        ...(f.confidence ? { confidence: f.confidence } : {}),
        ...withAction(f.action),
      });
    }
    for (const t of assessment.topicPolicy?.topics ?? []) {
      if (fired(t)) add({ kind: 'topic', name: t.name ?? '(unnamed topic)', ...withAction(t.action) });
    }
    for (const p of assessment.sensitiveInformationPolicy?.piiEntities ?? []) {
      if (fired(p)) add({ kind: 'pii', name: p.type ?? 'UNKNOWN', ...withAction(p.action) });
    }
    for (const r of assessment.sensitiveInformationPolicy?.regexes ?? []) {
      if (fired(r)) add({ kind: 'regex', name: r.name ?? '(unnamed regex)', ...withAction(r.action) });
    }
    // Custom words are reported without the word: `match` is the user's text.
    for (const w of assessment.wordPolicy?.customWords ?? []) {
      if (fired(w)) add({ kind: 'word', name: 'custom', ...withAction(w.action) });
    }
    for (const w of assessment.wordPolicy?.managedWordLists ?? []) {
      if (fired(w)) add({ kind: 'word', name: w.type ?? 'managed', ...withAction(w.action) });
    }
    for (const g of assessment.contextualGroundingPolicy?.filters ?? []) {
      if (!fired(g)) continue;
      add({
        kind: 'grounding',
        name: g.type ?? 'UNKNOWN',
        ...withAction(g.action),
        ...(g.score === undefined ? {} : { score: g.score }),
        ...(g.threshold === undefined ? {} : { threshold: g.threshold }),
      });
    }
  }
  return [...found.values()];
}

/** `contentFilter:PROMPT_ATTACK(HIGH)`, `pii:EMAIL(ANONYMIZED)`, `regex:gitlab-personal-access-token`. */
export function formatPolicy(policy: FiredPolicy): string {
  const details = [
    ...(policy.confidence ? [policy.confidence] : []),
    ...(policy.score !== undefined && policy.threshold !== undefined
      ? [`score ${policy.score} < ${policy.threshold}`]
      : []),
    ...(policy.action && policy.action !== 'BLOCKED' ? [policy.action] : []),
  ];
  return `${policyKey(policy)}${details.length ? `(${details.join(', ')})` : ''}${policy.count ? ` ×${policy.count}` : ''}`;
}

export interface CaseResult {
  readonly id: string;
  readonly source: GuardrailCase['source'];
  readonly expected: Expectation;
  /** `block` when the guardrail intervened (GUARDRAIL_INTERVENED), else `allow`. */
  readonly got: Expectation;
  /** The service's `action`: NONE or GUARDRAIL_INTERVENED. */
  readonly action: string;
  readonly passed: boolean;
  readonly fired: readonly FiredPolicy[];
  readonly expectedPolicy?: string;
  /** Whether `expectedPolicy` is among the fired policies (informational: the case passes on the action). */
  readonly expectedPolicyFired?: boolean;
  /** ApplyGuardrail calls made (more than 1 after throttling). */
  readonly attempts: number;
}

/** A case passes when it expects a block exactly when the guardrail intervened. */
export function evaluateCase(
  c: GuardrailCase,
  response: Pick<ApplyGuardrailResponse, 'action' | 'assessments'>,
  attempts = 1,
): CaseResult {
  const action = response.action ?? 'NONE';
  const got: Expectation = action === 'GUARDRAIL_INTERVENED' ? 'block' : 'allow';
  const policies = firedPolicies(response.assessments);
  return {
    id: c.id,
    source: c.source,
    expected: c.expected,
    got,
    action,
    passed: got === c.expected,
    fired: policies,
    ...(c.expectedPolicy
      ? {
          expectedPolicy: c.expectedPolicy,
          expectedPolicyFired: policies.some((p) => policyKey(p) === c.expectedPolicy),
        }
      : {}),
    attempts,
  };
}

export interface Rate {
  readonly count: number;
  readonly total: number;
  /** count / total, or null without cases. */
  readonly rate: number | null;
}

export interface Rates {
  /** Must-block cases the guardrail intervened on. */
  readonly blockedAsExpected: Rate;
  /** Must-allow cases the guardrail intervened on. */
  readonly falsePositives: Rate;
}

const rateOf = (count: number, total: number): Rate => ({
  count,
  total,
  rate: total === 0 ? null : count / total,
});

export function ratesOf(results: readonly CaseResult[]): Rates {
  const mustBlock = results.filter((r) => r.expected === 'block');
  const mustAllow = results.filter((r) => r.expected === 'allow');
  return {
    blockedAsExpected: rateOf(mustBlock.filter((r) => r.got === 'block').length, mustBlock.length),
    falsePositives: rateOf(mustAllow.filter((r) => r.got === 'block').length, mustAllow.length),
  };
}

/** 100%, 0%, 92.9%; n/a without cases. */
export const formatPercent = (rate: number | null): string => {
  if (rate === null) return 'n/a';
  const percent = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
};

/** Column widths shared by every line of one run. */
export interface LineLayout {
  readonly idWidth: number;
}

export const layoutOf = (cases: readonly Pick<GuardrailCase, 'id'>[]): LineLayout => ({
  idWidth: Math.max(0, ...cases.map((c) => c.id.length)),
});

/** `PASS  injection-ignore  INPUT   expected block  got block  fired: contentFilter:PROMPT_ATTACK(HIGH)` */
export function formatCaseLine(result: CaseResult, layout: LineLayout, style: Style): string {
  const verdict = result.passed ? style.green('PASS') : style.red('FAIL');
  const fired = result.fired.length ? result.fired.map(formatPolicy).join(', ') : 'none';
  const note =
    result.expectedPolicy && result.expectedPolicyFired === false
      ? style.yellow(`  (expected ${result.expectedPolicy} did not fire)`)
      : '';
  const retries = result.attempts > 1 ? style.dim(`  [${result.attempts} attempts]`) : '';
  return (
    `${verdict}  ${result.id.padEnd(layout.idWidth)}  ${result.source.padEnd(6)}  ` +
    `expected ${result.expected.padEnd(5)}  got ${result.got.padEnd(5)}  fired: ${fired}${note}${retries}`
  );
}

/** The rate lines and the verdict after the case lines. */
export function formatSummary(results: readonly CaseResult[], style: Style): string {
  const { blockedAsExpected: blocked, falsePositives: fp } = ratesOf(results);
  const failed = results.filter((r) => !r.passed);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `Blocked as expected: ${blocked.count}/${plural(blocked.total, 'must-block case')} (${formatPercent(blocked.rate)})`,
    `False positives:     ${fp.count}/${plural(fp.total, 'must-allow case')} (${formatPercent(fp.rate)})`,
    failed.length === 0
      ? style.green(`All ${plural(results.length, 'case')} passed.`)
      : style.red(
          `${failed.length} of ${plural(results.length, 'case')} failed: ${failed.map((r) => r.id).join(', ')}`,
        ),
  ].join('\n');
}

export interface JsonReport {
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  readonly file: string;
  readonly passed: boolean;
  readonly rates: Rates;
  readonly failed: readonly string[];
  readonly cases: readonly CaseResult[];
}

export function jsonReport(
  target: { guardrailId: string; guardrailVersion: string; file: string },
  results: readonly CaseResult[],
): JsonReport {
  const failed = results.filter((r) => !r.passed).map((r) => r.id);
  return { ...target, passed: failed.length === 0, rates: ratesOf(results), failed, cases: results };
}
