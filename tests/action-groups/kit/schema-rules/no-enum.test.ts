import { noEnum } from '../../../../action-groups/kit/schema-rules/no-enum';
import {
  CREATE_TICKET,
  fixture,
  jsonRequestBody,
  OK_RESPONSE,
  runRule,
  ticketsOperation,
  yaml,
} from './helpers';

describe('Rule: no-enum', () => {
  it('accepts allowed values listed in description, and a property named enum', () => {
    expect(runRule(noEnum, fixture('allowed-values-in-description.yaml'))).toEqual([]);
  });

  it('flags enum in a parameter schema', () => {
    // Prepare
    const text = ticketsOperation(yaml`
      parameters:
        - name: status
          in: query
          description: Status.
          schema: { type: string, enum: [open, closed] }
      ${OK_RESPONSE}
    `);
    // Act
    const findings = runRule(noEnum, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'no-enum',
        line: 11,
        pointer: '/paths/~1tickets/get/parameters/0/schema/enum',
      }),
    ]);
    expect(findings[0]?.message).toBe(
      'enum is not supported by Bedrock agents; remove it and list the allowed values in description (e.g. "One of: open, closed."), then validate them in the handler',
    );
  });

  it('flags enum in nested array items and in components', () => {
    // Act
    const findings = runRule(noEnum, fixture('enum-nested.yaml'));
    // Assess
    expect(findings.map((f) => [f.line, f.pointer])).toEqual([
      [
        25,
        '/paths/~1tickets/get/responses/200/content/application~1json/schema/properties/tickets/items/properties/status/enum',
      ],
      [31, '/components/schemas/Severity/enum'],
    ]);
    expect(findings.every((f) => f.message.startsWith('enum is not supported by Bedrock agents'))).toBe(true);
  });

  it('flags enum in a request body property', () => {
    // Prepare
    const text = ticketsOperation(
      yaml`
        ${jsonRequestBody('severity: { type: string, enum: [low, high] }')}
        ${OK_RESPONSE}
      `,
      CREATE_TICKET,
    );
    // Act
    const [finding] = runRule(noEnum, text);
    // Assess
    expect(finding).toMatchObject({ rule: 'no-enum', line: 13 });
  });
});
