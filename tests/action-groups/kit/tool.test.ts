import type { Context } from 'aws-lambda';
import { logger, metrics } from '../../../action-groups/kit/powertools';
import type { AgentApiResponse } from '../../../action-groups/kit/response';
import { defineTool, missingHandlers, type ToolContext, withStatus } from '../../../action-groups/kit/tool';
import { handler, received, schema } from '../../fixtures/tools/report-tool';
import { agentApiTestEvent, apiResponse } from '../../support/events';

const load = agentApiTestEvent;
const bodyOf = (response: AgentApiResponse): Record<string, unknown> =>
  JSON.parse(response.response.responseBody['application/json'].body) as Record<string, unknown>;
const getTicket = (ticketId: string) => ({
  ...load('openapi-get-path-param'),
  parameters: [{ name: 'ticketId', type: 'string', value: ticketId }],
});
const GENERIC = { error: 'The tool failed unexpectedly. Try again later.' };

afterEach(() => {
  jest.restoreAllMocks();
  received.length = 0;
});

describe('Function: defineTool', () => {
  describe('routing', () => {
    it('answers the path-parameter event exactly as the contract example', async () => {
      // Prepare
      const event = load('openapi-get-path-param');

      // Act
      const response = await handler(event);

      // Assess
      expect(response).toEqual(load('openapi-response'));
      expect(received).toEqual([
        { operation: 'getTicket', input: { params: { ticketId: 'TCK-1042' }, body: {} } },
      ]);
    });

    it('routes a lower-case httpMethod and echoes it unchanged', async () => {
      // Prepare
      const event = { ...load('openapi-get-path-param'), httpMethod: 'get' };

      // Act
      const response = await handler(event);

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
      expect(response.response.httpMethod).toBe('get');
    });

    it('hands the POST body to the handler with declared types', async () => {
      // Act
      const response = await handler(load('openapi-post-body'));

      // Assess
      expect(response.response.httpStatusCode).toBe(201);
      expect(bodyOf(response)).toEqual({ ticketId: 'TCK-2001' });
      expect(received[0]?.input).toEqual({
        params: {},
        body: {
          title: 'VPN drops every 10 minutes',
          description: 'Since Monday the VPN client disconnects about every 10 minutes on the office Wi-Fi.',
          priority: 'high',
          notify: true,
        },
      });
    });

    it('routes a GET without parameters', async () => {
      // Act
      const response = await handler(load('openapi-get-no-params'));

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
      expect(bodyOf(response)).toEqual([{ ticketId: 'TCK-1042' }] as unknown as Record<string, unknown>);
      expect(received[0]?.input).toEqual({ params: {}, body: {} });
    });

    it.each([
      { name: 'an unknown apiPath', patch: { apiPath: '/reports' } },
      { name: 'a concrete path instead of the template', patch: { apiPath: '/tickets/TCK-1042' } },
      { name: 'a method the path does not offer', patch: { httpMethod: 'DELETE' } },
    ])('answers 404 naming the available operations for $name', async ({ patch }) => {
      // Prepare
      const event = { ...load('openapi-get-path-param'), ...patch };

      // Act
      const response = await handler(event);

      // Assess
      expect(response.response.httpStatusCode).toBe(404);
      expect(response.response.apiPath).toBe(event.apiPath);
      expect(bodyOf(response).availableOperations).toEqual([
        'GET /tickets (listTickets)',
        'POST /tickets (createTicket)',
        'GET /tickets/{ticketId} (getTicket)',
      ]);
      expect(received).toEqual([]);
    });

    it('routes an event whose actionGroup was renamed, and warns once', async () => {
      // Prepare
      const warn = jest.spyOn(logger, 'warn');
      const tool = defineTool({ name: 'report', schema, operations: { listTickets: async () => [] } });
      const event = { ...load('openapi-get-no-params'), actionGroup: 'report-renamed' };

      // Act
      const first = await tool(event);
      await tool(event);

      // Assess
      expect(first.response.httpStatusCode).toBe(200);
      expect(first.response.actionGroup).toBe('report-renamed');
      expect(
        warn.mock.calls.filter(([message]) => String(message).startsWith('actionGroup differs')),
      ).toHaveLength(1);
    });
  });

  describe('input', () => {
    it('answers 400 listing the fields the model can fix', async () => {
      // Prepare
      const event = load('openapi-post-body') as {
        requestBody: { content: Record<string, { properties: unknown[] }> };
      };
      event.requestBody.content['application/json'] = {
        properties: [
          { name: 'title', type: 'string', value: 'VP' },
          { name: 'priority', type: 'string', value: 'urgent' },
          { name: 'notify', type: 'boolean', value: 'yes' },
        ],
      };

      // Act
      const response = apiResponse(await handler(event));

      // Assess
      expect(response.response.httpStatusCode).toBe(400);
      expect(bodyOf(response)).toEqual({
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: [
          'title: must be at least 3 characters long. Expected: Short summary of the problem',
          'priority: must match the pattern ^(low|medium|high)$, got "urgent". Expected: One of: low, medium, high',
          'notify: must be true or false, got "yes". Expected: Also post the ticket to the team channel',
        ],
      });
      expect(received).toEqual([]);
    });

    it('answers 400 for a malformed event, echoing what it can', async () => {
      // Prepare
      const event = {
        ...load('openapi-get-path-param'),
        parameters: [{ name: 'ticketId', type: 'string', value: 7 }],
      };

      // Act
      const response = apiResponse(await handler(event));

      // Assess
      expect(response.response).toMatchObject({
        httpStatusCode: 400,
        apiPath: '/tickets/{ticketId}',
        httpMethod: 'GET',
      });
      expect(bodyOf(response).fields).toEqual([
        'parameters[0].value: Invalid input: expected string, received number',
      ]);
      expect(response.sessionAttributes).toEqual({ userId: 'discord-118765432109876543' });
    });
  });

  describe('errors', () => {
    it.each([
      {
        ticketId: 'TCK-404',
        status: 404,
        body: { error: 'Ticket TCK-404 not found. Check the id with the user.' },
      },
      { ticketId: 'TCK-409', status: 409, body: { error: 'Ticket TCK-409 is already closed.' } },
      {
        ticketId: 'TCK-502',
        status: 502,
        body: { error: 'A service this tool depends on failed. Try again later.' },
      },
      {
        ticketId: 'TCK-503',
        status: 503,
        body: { error: 'The ticket store is unavailable. Try again in a minute.', retryAfterSeconds: 60 },
      },
      {
        ticketId: 'TCK-429',
        status: 503,
        body: { error: 'The tool is receiving too many requests. Try again shortly.', retryAfterSeconds: 5 },
      },
      { ticketId: 'TCK-500', status: 500, body: GENERIC },
      { ticketId: 'TCK-666', status: 500, body: GENERIC },
    ])('maps what the handler throws for $ticketId to $status', async ({ ticketId, status, body }) => {
      // Act
      const response = await handler(getTicket(ticketId));

      // Assess
      expect(response.response.httpStatusCode).toBe(status);
      expect(bodyOf(response)).toEqual(body);
      expect(response.sessionAttributes).toEqual({ userId: 'discord-118765432109876543' });
    });

    it('logs the detail of an unexpected error but never returns it', async () => {
      // Prepare
      const error = jest.spyOn(logger, 'error');

      // Act
      const response = await handler(getTicket('TCK-500'));

      // Assess
      expect(response.response.responseBody['application/json'].body).not.toContain('hunter2');
      expect(error).toHaveBeenCalledWith(
        'operation failed unexpectedly',
        expect.objectContaining({ operation: 'getTicket', error: expect.any(Error) }),
      );
    });

    it('answers 501 for an operation without a handler', async () => {
      // Prepare
      const tool = defineTool({ name: 'report', schema, operations: { listTickets: async () => [] } });

      // Act
      const response = await tool(load('openapi-post-body'));

      // Assess
      expect(response.response.httpStatusCode).toBe(501);
      expect(bodyOf(response)).toEqual({
        error: 'operation createTicket is not available in this deployment',
      });
    });

    it.each([
      { name: 'an unknown status', result: withStatus(42, { ok: true }), status: 500 },
      { name: 'undefined', result: undefined, status: 200 },
    ])('keeps the contract when a handler returns $name', async ({ result, status }) => {
      // Prepare
      const tool = defineTool({ name: 'report', schema, operations: { listTickets: async () => result } });

      // Act
      const response = await tool(load('openapi-get-no-params'));

      // Assess
      expect(response.response.httpStatusCode).toBe(status);
      expect(() => JSON.parse(response.response.responseBody['application/json'].body)).not.toThrow();
    });
  });

  describe('session', () => {
    it('echoes the session attributes and adds what the handler set', async () => {
      // Act
      const response = await handler({
        ...load('openapi-post-body'),
        promptSessionAttributes: { turn: '3' },
      });

      // Assess
      expect(response.sessionAttributes).toEqual({
        userId: 'discord-118765432109876543',
        lastTicketId: 'TCK-2001',
      });
      expect(response.promptSessionAttributes).toEqual({ turn: '3' });
    });

    it('defaults missing attribute maps to empty maps', async () => {
      // Prepare
      const { sessionAttributes: _s, promptSessionAttributes: _p, ...event } = load('openapi-get-path-param');

      // Act
      const response = apiResponse(await handler(event));

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
      expect(response.sessionAttributes).toEqual({});
      expect(response.promptSessionAttributes).toEqual({});
    });

    it('gives the handler the session, agent, utterance and Lambda context', async () => {
      // Prepare
      let seen: ToolContext | undefined;
      const tool = defineTool({
        name: 'report',
        schema,
        operations: {
          listTickets: async (_input, ctx) => {
            seen = ctx;
            return [];
          },
        },
      });
      const context = { functionName: 'report', awsRequestId: 'req-1' } as Context;

      // Act
      await tool(load('openapi-get-no-params'), context);

      // Assess
      expect(seen).toMatchObject({
        operationId: 'listTickets',
        sessionId: '3f6c1a2e-8d4b-4f7a-9c1e-5b2d7e9a0c41',
        agent: { alias: 'TSTALIASID', version: 'DRAFT' },
        inputText: 'Which of my tickets are still open?',
        sessionAttributes: {},
        lambdaContext: context,
      });
    });
  });

  describe('options', () => {
    it('truncates long results to maxBodyChars', async () => {
      // Prepare
      const many = Array.from({ length: 500 }, (_, i) => ({ ticketId: `TCK-${i}` }));
      const tool = defineTool({
        name: 'report',
        schema,
        maxBodyChars: 2_000,
        operations: { listTickets: async () => many },
      });

      // Act
      const response = await tool(load('openapi-get-no-params'));

      // Assess
      expect(response.response.responseBody['application/json'].body.length).toBeLessThanOrEqual(2_000);
      expect(bodyOf(response)).toMatchObject({ truncated: true });
    });
  });

  describe('cold start', () => {
    it.each([
      {
        name: 'a handler for an unknown operation',
        def: { schema, operations: { closeTicket: async () => ({}) } },
        message: /handler "closeTicket" has no operation/,
      },
      { name: 'an empty schema', def: { schema: '', operations: {} }, message: /schema is empty/ },
      {
        name: 'a schema without operations',
        def: { schema: 'openapi: 3.0.0\npaths: {}\n', operations: {} },
        message: /declares no operations/,
      },
      {
        name: 'invalid YAML',
        def: { schema: 'paths: [unclosed', operations: {} },
        message: /not valid YAML/,
      },
    ])('fails fast for $name', ({ def, message }) => {
      // Act & Assess
      expect(() => defineTool({ name: 'report', ...def })).toThrow(message);
    });
  });

  describe('telemetry', () => {
    it('publishes each call per operation and per tool (the error-rate alarm reads the tool totals)', async () => {
      // Prepare: metrics are disabled in tests, so the record is read just before it would be printed
      const records: { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } }[] = [];
      jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
        records.push(metrics.serializeMetrics() as unknown as (typeof records)[number]);
        metrics.clearMetrics();
        metrics.clearDimensions();
        return metrics;
      });

      // Act
      await handler(getTicket('TCK-500'));

      // Assess
      expect(records).toHaveLength(1);
      expect(records[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
        ['service', 'operation'],
        ['service'],
      ]);
      expect(records[0]).toMatchObject({ operation: 'getTicket', OperationInvoked: 1, OperationFailed: 1 });
    });

    it('emits per-operation metrics and logs no payload', async () => {
      // Prepare
      const addMetric = jest.spyOn(metrics, 'addMetric');
      const addDimension = jest.spyOn(metrics, 'addDimension');
      const publish = jest.spyOn(metrics, 'publishStoredMetrics');
      const info = jest.spyOn(logger, 'info');

      // Act
      await handler(load('openapi-post-body'));

      // Assess
      expect(addDimension).toHaveBeenCalledWith('operation', 'createTicket');
      expect(addMetric.mock.calls.map(([name, , value]) => [name, value])).toEqual([
        ['OperationInvoked', 1],
        ['OperationFailed', 0],
        ['OperationLatency', expect.any(Number)],
      ]);
      expect(publish).toHaveBeenCalledTimes(1);
      expect(info).toHaveBeenCalledWith('tool call', {
        route: 'POST /tickets',
        status: 201,
        latencyMs: expect.any(Number),
        sessionId: '3f6c1a2e-8d4b-4f7a-9c1e-5b2d7e9a0c41',
      });
      expect(JSON.stringify(info.mock.calls)).not.toContain('VPN');
    });

    it('counts a 5xx as a failure under its operation', async () => {
      // Prepare
      const addMetric = jest.spyOn(metrics, 'addMetric');

      // Act
      await handler(getTicket('TCK-500'));

      // Assess
      expect(addMetric).toHaveBeenCalledWith('OperationFailed', expect.anything(), 1);
    });

    it('answers even when telemetry throws', async () => {
      // Prepare
      jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
        throw new Error('emf down');
      });

      // Act
      const response = await handler(load('openapi-get-path-param'));

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
    });
  });
});

describe('Function: missingHandlers', () => {
  it('finds no missing handler in the fixture tool', () => {
    // Act & Assess
    expect(missingHandlers(handler)).toEqual([]);
  });

  it('lists the operations a definition does not handle', () => {
    // Act
    const missing = missingHandlers({ name: 'report', schema, operations: { listTickets: async () => [] } });

    // Assess
    expect(missing).toEqual(['createTicket', 'getTicket']);
  });
});
