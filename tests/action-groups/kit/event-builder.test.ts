import { parseAgentEvent } from '../../../action-groups/kit/event';
import { type BuilderValue, buildAgentEvent } from '../../../action-groups/kit/event-builder';
import { defineTool, type OperationInput } from '../../../action-groups/kit/tool';
import typesSchema from '../../fixtures/schemas/kit-types.yaml';
import { schema as reportSchema } from '../../fixtures/tools/report-tool';
import { getTestEvent } from '../../support/events';

const load = (filename: string) => getTestEvent({ eventsPath: 'bedrock-agent', filename });
const AS_FIXTURE = {
  sessionId: '3f6c1a2e-8d4b-4f7a-9c1e-5b2d7e9a0c41',
  sessionAttributes: { userId: 'discord-118765432109876543' },
};
const FIXTURE_AGENT = { name: 'kass-agent', id: 'KASSAGENT1', alias: 'TSTALIASID', version: 'DRAFT' };

describe('Function: buildAgentEvent', () => {
  it('builds the path-parameter event the agent sends', () => {
    // Act
    const event = buildAgentEvent({
      group: 'report',
      schemaText: reportSchema,
      operationId: 'getTicket',
      params: { ticketId: 'TCK-1042' },
      inputText: 'What is the status of ticket TCK-1042?',
      ...AS_FIXTURE,
    });

    // Assess
    expect({ ...event, agent: FIXTURE_AGENT }).toEqual(load('openapi-get-path-param'));
    expect(event.agent).toEqual({
      name: 'kass-agent',
      id: 'LOCALAGENT',
      alias: 'TSTALIASID',
      version: 'DRAFT',
    });
  });

  it('builds the POST event with parameters: [] and string body values', () => {
    // Act
    const event = buildAgentEvent({
      group: 'report',
      schemaText: reportSchema,
      operationId: 'createTicket',
      body: {
        title: 'VPN drops every 10 minutes',
        description: 'Since Monday the VPN client disconnects about every 10 minutes on the office Wi-Fi.',
        priority: 'high',
        notify: true,
      },
      inputText: 'Yes, create it: the VPN drops every 10 minutes, high priority, and tell the team.',
      ...AS_FIXTURE,
    });

    // Assess
    expect({ ...event, agent: FIXTURE_AGENT }).toEqual(load('openapi-post-body'));
  });

  it('builds a GET without parameters with no parameters key', () => {
    // Act
    const event = buildAgentEvent({ group: 'report', schemaText: reportSchema, operationId: 'listTickets' });

    // Assess
    expect(event).not.toHaveProperty('parameters');
    expect(event).not.toHaveProperty('requestBody');
    expect(event).toMatchObject({
      apiPath: '/tickets',
      httpMethod: 'GET',
      sessionId: 'kass-local-session',
      inputText: '',
    });
    expect(parseAgentEvent(event).ok).toBe(true);
  });

  it('declares each value with its schema type and encodes lists as JSON', () => {
    // Act
    const event = buildAgentEvent({
      group: 'types',
      schemaText: typesSchema,
      operationId: 'searchItems',
      params: { tags: ['vpn', 'wifi'], limit: 5, verbose: false },
    });

    // Assess
    expect(event.parameters).toEqual([
      { name: 'limit', type: 'integer', value: '5' },
      { name: 'verbose', type: 'boolean', value: 'false' },
      { name: 'tags', type: 'array', value: '["vpn","wifi"]' },
    ]);
  });

  it.each([
    {
      name: 'an unknown operationId',
      input: { operationId: 'closeTicket' },
      message:
        'Unknown operationId "closeTicket" for action group report; valid operationIds: listTickets, createTicket, getTicket.',
    },
    {
      name: 'an unknown parameter',
      input: { operationId: 'getTicket', params: { id: 'x' } },
      message: 'getTicket has no parameter id; valid parameters: ticketId.',
    },
    {
      name: 'an unknown body property',
      input: { operationId: 'createTicket', body: { severity: 'x' } },
      message:
        'createTicket has no body property severity; valid body properties: title, description, priority, notify.',
    },
    {
      name: 'a body for an operation without one',
      input: { operationId: 'listTickets', body: { title: 'x' } },
      message: 'listTickets (GET /tickets) takes no request body.',
    },
  ])('throws a clear error for $name', ({ input, message }) => {
    // Act & Assess
    expect(() => buildAgentEvent({ group: 'report', schemaText: reportSchema, ...input })).toThrow(message);
  });
});

describe('Function: buildAgentEvent → defineTool', () => {
  const captured: OperationInput[] = [];
  const tool = defineTool({
    name: 'types',
    schema: typesSchema,
    operations: {
      searchItems: async (input) => {
        captured.push(input);
        return { items: [], total: 0 };
      },
      create_item: async (input) => {
        captured.push(input);
        return { itemId: 1 };
      },
      deleteItem: async (input) => {
        captured.push(input);
        return { deleted: true };
      },
    },
  });
  beforeEach(() => {
    captured.length = 0;
  });

  it.each<{ operationId: string; params?: Record<string, BuilderValue>; body?: Record<string, unknown> }>([
    {
      operationId: 'searchItems',
      params: {
        limit: 7,
        ratio: 0.25,
        verbose: true,
        tags: ['a', 'b,c'],
        ids: [1, 2],
        since: '2025-05-01T14:30:00Z',
        filter: { status: 'open' },
      },
    },
    {
      operationId: 'create_item',
      body: {
        name: 'Widget',
        email: 'owner@example.com',
        website: 'https://example.com/w',
        code: 'ABC',
        count: 0,
        scores: [1.5, 2],
        enabled: false,
        note: 'free text, with "quotes"',
        meta: { owner: 'u-1', priority: 2 },
        'x-trace': 'abc',
      },
    },
    { operationId: 'deleteItem', params: { itemId: 42 } },
  ])('hands $operationId exactly the values it was built with', async ({ operationId, params, body }) => {
    // Prepare
    const event = buildAgentEvent({ group: 'types', schemaText: typesSchema, operationId, params, body });

    // Act
    const response = await tool(event);

    // Assess
    expect(response.response.httpStatusCode).toBe(200);
    expect(captured).toEqual([{ params: params ?? {}, body: body ?? {} }]);
  });
});
