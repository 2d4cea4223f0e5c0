import { infoPresent } from '../../../../action-groups/kit/schema-rules/info-present';
import { runRule, VALID, yaml } from './helpers';

describe('Rule: info-present', () => {
  it('accepts info with title and version', () => {
    expect(runRule(infoPresent, VALID)).toEqual([]);
  });

  it('reports a missing version at the info block', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      info:
        title: Tickets
      paths: {}
    `;
    // Act
    const findings = runRule(infoPresent, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'info-present', line: 3, pointer: '/info/version' }),
    ]);
    expect(findings[0]?.message).toContain('info.version is missing; add it');
  });

  it('reports a version that YAML reads as a number', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      info:
        title: Tickets
        version: 1.0
    `;
    // Act
    const [finding] = runRule(infoPresent, text);
    // Assess
    expect(finding).toMatchObject({ rule: 'info-present', line: 4 });
    expect(finding?.message).toContain(
      "info.version is a number, not a string; quote it (e.g. version: '1')",
    );
  });

  it('reports a missing info block', () => {
    // Act
    const [finding] = runRule(infoPresent, 'openapi: 3.0.0\npaths: {}\n');
    // Assess
    expect(finding).toMatchObject({ rule: 'info-present', pointer: '/info' });
    expect(finding?.message).toContain('info is missing; add `info:` with `title` and `version`');
  });
});
