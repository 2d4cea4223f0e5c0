import { defineTool, type ToolCallRecord } from '../../../action-groups/kit/tool';
import { schema } from '../../fixtures/tools/report-tool';
import { agentApiTestEvent } from '../../support/events';

const load = agentApiTestEvent;

describe('Function: defineTool (recorder)', () => {
  it('records each call without payloads: tool, operation, route, status, latency, session', async () => {
    // Prepare
    const records: ToolCallRecord[] = [];
    const handler = defineTool({
      name: 'report',
      schema,
      operations: { getTicket: async () => ({ ticketId: 'TCK-1042', status: 'OPEN' }) },
      recorder: async (r) => {
        records.push(r);
      },
    });
    // Act
    await handler(load('openapi-get-path-param'));
    await handler({ nonsense: true });
    // Assess
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      tool: 'report',
      operation: 'getTicket',
      route: 'GET /tickets/{ticketId}',
      status: 200,
      latencyMs: expect.any(Number),
      sessionId: load('openapi-get-path-param').sessionId,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(records[1]).toMatchObject({ tool: 'report', operation: 'unrouted', status: 400 });
    expect(JSON.stringify(records)).not.toContain('TCK-1042');
  });

  it('answers normally when the recorder fails', async () => {
    const handler = defineTool({
      name: 'report',
      schema,
      operations: { getTicket: async () => ({ ticketId: 'TCK-1042', status: 'OPEN' }) },
      recorder: async () => {
        throw new Error('table gone');
      },
    });
    const response = await handler(load('openapi-get-path-param'));
    expect(response.response.httpStatusCode).toBe(200);
  });
});
