import { operationId } from '../../../../action-groups/kit/schema-rules/operation-id';
import { OK_RESPONSE, runRule, VALID, yaml } from './helpers';

const withIds = (first: string, second: string): string => yaml`
  openapi: 3.0.0
  paths:
    /tickets:
      get:
        operationId: ${first}
        description: Lists tickets.
        ${OK_RESPONSE}
      post:
        operationId: ${second}
        description: Creates a ticket.
        ${OK_RESPONSE}
`;

describe('Rule: operation-id', () => {
  it('accepts unique ids with single - or _ separators', () => {
    expect(runRule(operationId, VALID)).toEqual([]);
    expect(runRule(operationId, withIds('list_tickets', 'create-ticket-v2'))).toEqual([]);
  });

  it('reports a duplicate operationId at its second use', () => {
    // Act
    const findings = runRule(operationId, withIds('tickets', 'tickets'));
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'operation-id',
        line: 18,
        pointer: '/paths/~1tickets/post/operationId',
      }),
    ]);
    expect(findings[0]?.message).toContain(
      "operationId 'tickets' of POST /tickets is already used by GET /tickets",
    );
  });

  it('reports __ in an operationId', () => {
    // Act
    const [finding] = runRule(operationId, withIds('list__tickets', 'createTicket'));
    // Assess
    expect(finding).toMatchObject({
      rule: 'operation-id',
      line: 5,
      pointer: '/paths/~1tickets/get/operationId',
    });
    expect(finding?.message).toContain(
      'contains `__`, which Bedrock uses to separate the parts of a tool name',
    );
  });

  it.each(['list tickets', 'list.tickets', '-listTickets', 'listTickets_'])(
    'reports the invalid operationId %j',
    (id) => {
      // Act
      const [finding] = runRule(operationId, withIds(JSON.stringify(id), 'createTicket'));
      // Assess
      expect(finding).toMatchObject({ rule: 'operation-id', line: 5 });
      expect(finding?.message).toContain('must be letters and digits, optionally joined by single - or _');
    },
  );
});
