import { operationRequiredFields } from '../../../../action-groups/kit/schema-rules/operation-required-fields';
import { runRule, ticketsOperation, VALID, yaml } from './helpers';

describe('Rule: operation-required-fields', () => {
  it('accepts operations with description, operationId and typed responses', () => {
    expect(runRule(operationRequiredFields, VALID)).toEqual([]);
  });

  it('accepts a response given as a local $ref', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      paths:
        /ping:
          get:
            operationId: ping
            description: Checks the service.
            responses:
              '200': { $ref: '#/components/responses/Ok' }
      components:
        responses:
          Ok:
            description: Fine.
            content: { application/json: { schema: { type: object, properties: { ok: { type: boolean } } } } }
    `;
    // Act / Assess
    expect(runRule(operationRequiredFields, text)).toEqual([]);
  });

  it('reports each missing field of an operation', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      paths:
        /tickets:
          get:
            summary: Lists tickets
    `;
    // Act
    const findings = runRule(operationRequiredFields, text);
    // Assess
    expect(findings.map((f) => [f.rule, f.line, f.pointer])).toEqual([
      ['operation-required-fields', 5, '/paths/~1tickets/get/description'],
      ['operation-required-fields', 5, '/paths/~1tickets/get/operationId'],
      ['operation-required-fields', 5, '/paths/~1tickets/get/responses'],
    ]);
    expect(findings[0]?.message).toContain('GET /tickets has no description; add one');
    expect(findings[1]?.message).toContain('GET /tickets has no operationId; add one');
    expect(findings[2]?.message).toContain("GET /tickets has no responses; add at least '200'");
  });

  it('reports a response without content and a media type without schema', () => {
    // Prepare
    const text = ticketsOperation(yaml`
      responses:
        '200':
          description: Tickets.
        '404':
          description: None.
          content:
            application/json: {}
    `);
    // Act
    const findings = runRule(operationRequiredFields, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'operation-required-fields',
        line: 9,
        pointer: '/paths/~1tickets/get/responses/200/content',
      }),
      expect.objectContaining({
        line: 13,
        pointer: '/paths/~1tickets/get/responses/404/content/application~1json/schema',
      }),
    ]);
    expect(findings[0]?.message).toContain(
      'response 200 of GET /tickets has no content; add content → application/json → schema',
    );
    expect(findings[1]?.message).toContain('application/json has no schema');
  });

  it('reports a response without description', () => {
    // Prepare
    const text = ticketsOperation(yaml`
      responses:
        '200':
          content: { application/json: { schema: { type: object, properties: { n: { type: integer } } } } }
    `);
    // Act
    const [finding] = runRule(operationRequiredFields, text);
    // Assess
    expect(finding).toMatchObject({ line: 9, pointer: '/paths/~1tickets/get/responses/200/description' });
    expect(finding?.message).toContain('response 200 of GET /tickets has no description; add one');
  });
});
