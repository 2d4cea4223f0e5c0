import { openapiVersion } from '../../../../action-groups/kit/schema-rules/openapi-version';
import { runRule, VALID, yaml } from './helpers';

describe('Rule: openapi-version', () => {
  it('accepts openapi 3.0.0', () => {
    // Act
    const findings = runRule(openapiVersion, VALID);
    // Assess
    expect(findings).toEqual([]);
  });

  it('rejects 3.0.3 at the line of the openapi key', () => {
    // Prepare
    const text = VALID.replace('openapi: 3.0.0', 'openapi: 3.0.3');
    // Act
    const findings = runRule(openapiVersion, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'openapi-version',
        file: 'tickets.yaml',
        line: 1,
        pointer: '/openapi',
      }),
    ]);
    expect(findings[0]?.message).toContain("openapi is '3.0.3'; Bedrock action groups accept only 3.0.0");
  });

  it('rejects a number (openapi: 3.0) and says to write the string', () => {
    // Prepare
    const text = yaml`
      info: { title: T, version: 1.0.0 }
      openapi: 3.0
    `;
    // Act
    const [finding] = runRule(openapiVersion, text);
    // Assess
    expect(finding).toMatchObject({ rule: 'openapi-version', line: 2 });
    expect(finding?.message).toContain("not the string '3.0.0'");
  });

  it('reports a missing openapi field', () => {
    // Act
    const [finding] = runRule(openapiVersion, 'info: { title: T, version: 1.0.0 }\n');
    // Assess
    expect(finding?.message).toContain('openapi is missing; add `openapi: 3.0.0`');
  });
});
