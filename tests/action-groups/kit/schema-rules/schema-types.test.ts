import { schemaTypes } from '../../../../action-groups/kit/schema-rules/schema-types';
import { jsonResponse, runRule, ticketsOperation, VALID, yaml } from './helpers';

const withResponseSchema = (schema: string): string => ticketsOperation(jsonResponse(schema));

describe('Rule: schema-types', () => {
  it('accepts typed schemas, typed array items and resolvable $refs', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      paths:
        /tickets:
          get:
            operationId: listTickets
            description: Lists tickets.
            responses:
              '200':
                description: Tickets.
                content: { application/json: { schema: { $ref: '#/components/schemas/Page' } } }
      components:
        schemas:
          Page:
            type: object
            properties:
              tickets: { type: array, items: { type: string } }
              count: { type: integer, nullable: true }
    `;
    // Act / Assess
    expect(runRule(schemaTypes, text)).toEqual([]);
    expect(runRule(schemaTypes, VALID)).toEqual([]);
  });

  it('reports a nested property without type', () => {
    // Prepare
    const text = withResponseSchema(
      yaml`
        type: object
        properties:
          ticket:
            type: object
            properties:
              title:
                description: Title
      `.trimEnd(),
    );
    // Act
    const findings = runRule(schemaTypes, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'schema-types',
        line: 19,
        pointer:
          '/paths/~1tickets/get/responses/200/content/application~1json/schema/properties/ticket/properties/title',
      }),
    ]);
    expect(findings[0]?.message).toBe(
      "property 'title' has no type; add type: (one of string, number, integer, boolean, array, object)",
    );
  });

  it('reports an unknown type, a list of types and an array without items', () => {
    // Prepare
    const text = withResponseSchema(
      yaml`
        type: object
        properties:
          when: { type: date }
          note: { type: [string, 'null'] }
          tags: { type: array }
      `.trimEnd(),
    );
    // Act
    const findings = runRule(schemaTypes, text);
    // Assess
    expect(findings.map((f) => f.line)).toEqual([15, 16, 17]);
    expect(findings[0]?.message).toContain("property 'when' has type 'date'; use one of string, number");
    expect(findings[1]?.message).toContain(
      'list of types, which OpenAPI 3.0 does not allow; use one type (and nullable: true',
    );
    expect(findings[2]?.message).toContain(
      "property 'tags' is an array without items; add items with a type",
    );
  });

  it('reports a $ref that does not resolve', () => {
    // Act
    const [finding] = runRule(schemaTypes, withResponseSchema("$ref: '#/components/schemas/Missing'"));
    // Assess
    expect(finding).toMatchObject({ rule: 'schema-types', line: 13 });
    expect(finding?.message).toContain("$ref '#/components/schemas/Missing' does not resolve");
  });
});
