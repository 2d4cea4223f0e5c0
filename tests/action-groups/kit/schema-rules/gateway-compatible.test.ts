import { gatewayCompatible } from '../../../../action-groups/kit/schema-rules/gateway-compatible';
import {
  CREATE_TICKET,
  jsonRequestBody,
  OK_RESPONSE,
  runRule,
  ticketsOperation,
  VALID,
  yaml,
} from './helpers';

describe('Rule: gateway-compatible', () => {
  it('accepts parameters and an object body with properties', () => {
    const text = ticketsOperation(
      yaml`
        x-requireConfirmation: ENABLED
        parameters:
          - { name: dryRun, in: query, description: Only check., schema: { type: boolean } }
        ${jsonRequestBody('title: { type: string, description: Title. }')}
        ${OK_RESPONSE}
      `,
      CREATE_TICKET,
    );
    expect(runRule(gatewayCompatible, VALID)).toEqual([]);
    expect(runRule(gatewayCompatible, text)).toEqual([]);
  });

  it.each(['oneOf', 'anyOf', 'allOf'])('refuses %s in a body property, at the keyword', (keyword) => {
    // Act
    const findings = runRule(
      gatewayCompatible,
      ticketsOperation(
        yaml`
          x-requireConfirmation: ENABLED
          ${jsonRequestBody(`title: { ${keyword}: [{ type: string }, { type: integer }] }`)}
          ${OK_RESPONSE}
        `,
        CREATE_TICKET,
      ),
    );
    // Assess
    expect(findings.map((f) => [f.rule, f.line, f.pointer])).toEqual([
      [
        'gateway-compatible',
        14,
        `/paths/~1tickets/post/requestBody/content/application~1json/schema/properties/title/${keyword}`,
      ],
    ]);
    expect(findings[0]?.message).toBe(
      `POST /tickets (createTicket): '${keyword}' cannot be expressed in an AgentCore gateway tool schema; describe one object with optional properties instead`,
    );
  });

  it('refuses a composition reached through a $ref, at its definition', () => {
    const text = yaml`
      openapi: 3.0.0
      paths:
        /tickets:
          get:
            operationId: listTickets
            description: Lists.
            parameters:
              - { name: q, in: query, schema: { $ref: '#/components/schemas/Query' } }
            responses: {}
      components:
        schemas:
          Query:
            anyOf: [{ type: string }]
    `;
    expect(runRule(gatewayCompatible, text).map((f) => [f.line, f.pointer])).toEqual([
      [13, '/components/schemas/Query/anyOf'],
    ]);
  });

  it('refuses a name that is both a parameter and a body property', () => {
    const findings = runRule(
      gatewayCompatible,
      ticketsOperation(
        yaml`
          x-requireConfirmation: ENABLED
          parameters:
            - { name: title, in: query, schema: { type: string } }
          ${jsonRequestBody('title: { type: string }')}
          ${OK_RESPONSE}
        `,
        CREATE_TICKET,
      ),
    );
    expect(findings.map((f) => f.line)).toEqual([16]);
    expect(findings[0]?.message).toContain("'title' is both a query parameter and a body property");
  });

  it('refuses a body that is not an object with properties', () => {
    const findings = runRule(
      gatewayCompatible,
      ticketsOperation(
        yaml`
          x-requireConfirmation: ENABLED
          requestBody:
            content:
              application/json:
                schema: { type: array, items: { type: string } }
          ${OK_RESPONSE}
        `,
        CREATE_TICKET,
      ),
    );
    expect(findings.map((f) => [f.line, f.pointer])).toEqual([
      [11, '/paths/~1tickets/post/requestBody/content/application~1json/schema'],
    ]);
  });
});
