import { schemaKeywords } from '../../../../action-groups/kit/schema-rules/schema-keywords';
import { jsonResponse, runRule, ticketsOperation, VALID, yaml } from './helpers';

const withProperty = (property: string): string =>
  ticketsOperation(
    jsonResponse(yaml`
      type: object
      properties:
        createdAt: ${property}
    `),
  );

describe('Rule: schema-keywords', () => {
  it('accepts OpenAPI schema keywords and x- extensions', () => {
    expect(runRule(schemaKeywords, VALID)).toEqual([]);
    expect(
      runRule(
        schemaKeywords,
        withProperty("{ type: string, format: date-time, 'x-kass-note': ok, example: '2026-01-01' }"),
      ),
    ).toEqual([]);
  });

  it('reports the key left over when an unquoted comma splits a flow-style value', () => {
    // Act
    const findings = runRule(
      schemaKeywords,
      withProperty('{ type: string, description: When it was created (ISO 8601, UTC). }'),
    );
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'schema-keywords',
        line: 15,
        pointer:
          '/paths/~1tickets/get/responses/200/content/application~1json/schema/properties/createdAt/UTC).',
      }),
    ]);
    expect(findings[0]?.message).toContain("'UTC).' is not an OpenAPI 3.0 schema keyword");
    expect(findings[0]?.message).toContain(
      'an unquoted comma in a { flow: style } value probably split that value: quote the value',
    );
  });

  it('reports a misspelt keyword', () => {
    // Act
    const [finding] = runRule(schemaKeywords, withProperty('{ type: string, maxlength: 20 }'));
    // Assess
    expect(finding).toMatchObject({ rule: 'schema-keywords', line: 15 });
    expect(finding?.message).toContain("'maxlength' is not an OpenAPI 3.0 schema keyword; fix its spelling");
  });
});
