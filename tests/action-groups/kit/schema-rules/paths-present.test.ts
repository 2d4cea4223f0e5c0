import { pathsPresent } from '../../../../action-groups/kit/schema-rules/paths-present';
import { OK_RESPONSE, runRule, ticketsOperation, VALID, yaml } from './helpers';

describe('Rule: paths-present', () => {
  it('accepts paths whose template parameters are declared in: path', () => {
    expect(runRule(pathsPresent, VALID)).toEqual([]);
  });

  it('accepts a path parameter declared on the path item', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      paths:
        /tickets/{ticketId}:
          parameters:
            - { name: ticketId, in: path, required: true, description: Id, schema: { type: string } }
          get:
            operationId: getTicket
            description: Gets a ticket.
            ${OK_RESPONSE}
    `;
    // Act / Assess
    expect(runRule(pathsPresent, text)).toEqual([]);
  });

  it('reports missing paths', () => {
    // Act
    const findings = runRule(pathsPresent, 'openapi: 3.0.0\ninfo: { title: T, version: 1.0.0 }\n');
    // Assess
    expect(findings).toEqual([expect.objectContaining({ rule: 'paths-present', pointer: '/paths' })]);
    expect(findings[0]?.message).toContain('paths is missing; add `paths:`');
  });

  it('reports a path that does not start with /', () => {
    // Prepare
    const text = ticketsOperation(OK_RESPONSE, { path: 'tickets' });
    // Act
    const findings = runRule(pathsPresent, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'paths-present', line: 4, pointer: '/paths/tickets' }),
    ]);
    expect(findings[0]?.message).toContain("path 'tickets' must start with '/'; write '/tickets'");
  });

  it('reports a template parameter without an in: path declaration, and a path parameter not in the template', () => {
    // Prepare
    const text = yaml`
      openapi: 3.0.0
      paths:
        /tickets/{ticketId}:
          get:
            operationId: getTicket
            description: Gets a ticket.
            parameters:
              - name: id
                in: path
                required: true
                description: Ticket id.
            ${OK_RESPONSE}
    `;
    // Act
    const findings = runRule(pathsPresent, text);
    // Assess
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      rule: 'paths-present',
      line: 5,
      pointer: '/paths/~1tickets~1{ticketId}/get',
    });
    expect(findings[0]?.message).toContain(
      "GET /tickets/{ticketId} uses {ticketId} in its path but declares no `in: path` parameter 'ticketId'",
    );
    expect(findings[1]).toMatchObject({ line: 8, pointer: '/paths/~1tickets~1{ticketId}/get/parameters/0' });
    expect(findings[1]?.message).toContain(
      "path parameter 'id' of GET /tickets/{ticketId} is not in the path template",
    );
  });
});
