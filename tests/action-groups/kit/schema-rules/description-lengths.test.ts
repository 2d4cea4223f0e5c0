import { descriptionLengths } from '../../../../action-groups/kit/schema-rules/description-lengths';
import {
  CREATE_TICKET,
  jsonRequestBody,
  OK_RESPONSE,
  runRule,
  ticketsOperation,
  VALID,
  yaml,
} from './helpers';

const withDescriptions = (operation: string, parameter: string, property: string): string =>
  ticketsOperation(
    yaml`
      x-requireConfirmation: ENABLED
      parameters:
        - { name: dryRun, in: query, description: ${parameter}, schema: { type: boolean } }
      ${jsonRequestBody(`title: { type: string, description: ${property} }`)}
      ${OK_RESPONSE}
    `,
    { ...CREATE_TICKET, description: operation },
  );

describe('Rule: description-lengths', () => {
  it('accepts descriptions at the limits (1200 for operations, 500 for parameters)', () => {
    expect(runRule(descriptionLengths, VALID)).toEqual([]);
    expect(
      runRule(descriptionLengths, withDescriptions('o'.repeat(1200), 'p'.repeat(500), 'q'.repeat(500))),
    ).toEqual([]);
  });

  it('reports descriptions one character over the limits', () => {
    // Act
    const findings = runRule(
      descriptionLengths,
      withDescriptions('o'.repeat(1201), 'p'.repeat(501), 'q'.repeat(501)),
    );
    // Assess
    expect(findings.map((f) => [f.rule, f.line, f.pointer])).toEqual([
      ['description-lengths', 6, '/paths/~1tickets/post/description'],
      ['description-lengths', 9, '/paths/~1tickets/post/parameters/0/description'],
      [
        'description-lengths',
        16,
        '/paths/~1tickets/post/requestBody/content/application~1json/schema/properties/title/description',
      ],
    ]);
    expect(findings[0]?.message).toBe(
      'POST /tickets has a description of 1201 characters; Bedrock allows at most 1200: shorten it',
    );
    expect(findings[1]?.message).toContain(
      "parameter 'dryRun' has a description of 501 characters; Bedrock allows at most 500",
    );
    expect(findings[2]?.message).toContain(
      "request-body property 'title' has a description of 501 characters",
    );
  });

  it('reports an empty operation description', () => {
    // Act
    const [finding] = runRule(descriptionLengths, withDescriptions("'  '", 'Only validate', 'Title'));
    // Assess
    expect(finding).toMatchObject({ rule: 'description-lengths', line: 6 });
    expect(finding?.message).toContain('POST /tickets has an empty description; say what it is');
  });
});
