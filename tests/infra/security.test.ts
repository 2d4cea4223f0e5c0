import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../support/app';
import type { Resources } from './security/check';
import { SECURITY_CHECKS } from './security/checklist';
import { EXPECTED_FINDINGS, nonCompliantStack } from './security/non-compliant-stack';

/** Security checklist invariants (one check per file in ./security/checks), scanned over each stage's stack. */
describe.each([
  ['dev', false],
  ['prod', true],
])('Security checklist over the %s stack', (stage, retainData) => {
  let resources: Resources;
  beforeAll(() => {
    resources = buildTestApp(stage).template.toJSON().Resources as Resources;
  });

  it.each(SECURITY_CHECKS.map((c) => [`${c.item}: ${c.title}`, c] as const))('%s', (_name, check) => {
    // Act
    const { examined, findings } = check.check(resources, { retainData });
    // Assess: nothing found, and something looked at (a check over zero resources proves nothing).
    expect(findings).toEqual([]);
    expect(examined).toBeGreaterThan(0);
  });
});

/** The same checks over a stack built to break each one: every check must fire, for every condition it covers. */
describe('Security checklist over a deliberately non-compliant stack', () => {
  let resources: Resources;
  beforeAll(() => {
    resources = Template.fromStack(nonCompliantStack()).toJSON().Resources as Resources;
  });

  it('has an expectation for every check', () => {
    expect(SECURITY_CHECKS.map((c) => c.item)).toEqual(Object.keys(EXPECTED_FINDINGS).map(Number));
  });

  it.each(SECURITY_CHECKS.map((c) => [`${c.item}: ${c.title}`, c] as const))('fires: %s', (_name, check) => {
    // Act
    const { findings } = check.check(resources, { retainData: true });
    // Assess: each resource built to break this check is reported, for the reason it was built for.
    for (const [resource, phrase] of EXPECTED_FINDINGS[check.item] ?? []) {
      const reported = findings.filter((f) => f.resource === resource).map((f) => f.problem);
      expect({ resource, reported: reported.some((p) => p.includes(phrase)) }).toEqual({
        resource,
        reported: true,
      });
    }
    expect(findings.length).toBeGreaterThan(0);
  });

  it('reports nothing for the compliant helpers the stack is built from', () => {
    // The role, log group, log bucket and the resources of other checks break no check they are not named for.
    const unexpected = SECURITY_CHECKS.flatMap((check) =>
      check
        .check(resources, { retainData: true })
        .findings.filter(
          (f) =>
            f.resource !== '(stack)' && !f.resource.startsWith(`Item${String(check.item).padStart(2, '0')}`),
        )
        .map((f) => `${check.item} ${f.resource}: ${f.problem}`),
    );
    expect(unexpected).toEqual([]);
  });
});
