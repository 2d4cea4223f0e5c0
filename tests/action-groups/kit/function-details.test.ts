import type { AgentFunctionEvent, AgentFunctionResponse } from '../../../action-groups/kit/function-details';
import { isFunctionDetailsEvent, responseStateFor } from '../../../action-groups/kit/function-details';
import { logger } from '../../../action-groups/kit/powertools';
import { handler, received } from '../../fixtures/tools/report-tool';
import { agentFunctionTestEvent, functionResponse } from '../../support/events';

/** The shared fixture's envelope (agent, session, attributes) calling one of the report tool's functions. */
const call = (fn: string, parameters: AgentFunctionEvent['parameters'] = []): AgentFunctionEvent => ({
  ...agentFunctionTestEvent('function-details'),
  actionGroup: 'report',
  function: fn,
  parameters,
});

const bodyOf = (response: AgentFunctionResponse): Record<string, unknown> =>
  JSON.parse(response.response.functionResponse.responseBody.TEXT.body) as Record<string, unknown>;

afterEach(() => {
  jest.restoreAllMocks();
  received.length = 0;
});

describe('Function: isFunctionDetailsEvent', () => {
  it.each([
    { name: 'the function-details fixture', raw: agentFunctionTestEvent('function-details'), expected: true },
    {
      name: 'an event with apiPath and function',
      raw: { function: 'getTicket', apiPath: '/x' },
      expected: false,
    },
    { name: 'a non-string function', raw: { function: 7 }, expected: false },
    { name: 'null', raw: null, expected: false },
    { name: 'a list', raw: [{ function: 'getTicket' }], expected: false },
  ])('says $expected for $name', ({ raw, expected }) => {
    expect(isFunctionDetailsEvent(raw)).toBe(expected);
  });
});

describe('Function: responseStateFor', () => {
  it.each([
    [200, undefined],
    [201, undefined],
    [400, 'REPROMPT'],
    [404, 'REPROMPT'],
    [409, 'REPROMPT'],
    [500, 'FAILURE'],
    [503, 'FAILURE'],
  ])('maps %i to %s', (status, state) => {
    expect(responseStateFor(status)).toBe(state);
  });
});

describe('Function: defineTool serving function-details calls', () => {
  it('runs the operation named by `function` and answers in the function-details shape (§2.2)', async () => {
    // Act
    const response = await handler(
      call('getTicket', [{ name: 'ticketId', type: 'string', value: 'TCK-1042' }]),
    );

    // Assess
    expect(response).toEqual({
      messageVersion: '1.0',
      response: {
        actionGroup: 'report',
        function: 'getTicket',
        functionResponse: {
          responseBody: {
            TEXT: {
              body: JSON.stringify({
                ticketId: 'TCK-1042',
                title: 'VPN drops every 10 minutes',
                status: 'OPEN',
                priority: 'high',
              }),
            },
          },
        },
      },
      sessionAttributes: { userId: 'discord-118765432109876543' },
      promptSessionAttributes: {},
    });
    expect(received).toEqual([
      { operation: 'getTicket', input: { params: { ticketId: 'TCK-1042' }, body: {} } },
    ]);
  });

  it('puts parameters the operation does not declare into its body, typed by the schema', async () => {
    // Act
    const response = await handler(
      call('createTicket', [
        { name: 'title', type: 'string', value: 'VPN drops every 10 minutes' },
        { name: 'priority', type: 'string', value: 'high' },
        { name: 'notify', type: 'boolean', value: 'true' },
      ]),
    );

    // Assess
    expect(response.response.functionResponse.responseState).toBeUndefined();
    expect(bodyOf(response)).toEqual({ ticketId: 'TCK-2001' });
    expect(received).toEqual([
      {
        operation: 'createTicket',
        input: { params: {}, body: { title: 'VPN drops every 10 minutes', priority: 'high', notify: true } },
      },
    ]);
    // The handler's session change is echoed, as for an OpenAPI call.
    expect(response.sessionAttributes).toEqual({
      userId: 'discord-118765432109876543',
      lastTicketId: 'TCK-2001',
    });
  });

  it('reprompts with field reasons when the input is invalid', async () => {
    // Act
    const response = await handler(
      call('createTicket', [{ name: 'priority', type: 'string', value: 'urgent' }]),
    );

    // Assess
    expect(response.response.functionResponse.responseState).toBe('REPROMPT');
    expect(bodyOf(response)).toEqual({
      error: 'Invalid input. Fix these fields and call the tool again.',
      fields: [
        'title: is required. Expected: Short summary of the problem',
        'priority: must match the pattern ^(low|medium|high)$, got "urgent". Expected: One of: low, medium, high',
      ],
    });
    expect(received).toEqual([]);
  });

  it('reprompts with the available functions for an unknown function', async () => {
    // Act
    const response = await handler(call('summarizeConversation'));

    // Assess
    expect(response.response).toMatchObject({ actionGroup: 'report', function: 'summarizeConversation' });
    expect(response.response.functionResponse.responseState).toBe('REPROMPT');
    expect(bodyOf(response)).toEqual({
      error: 'This tool has no function summarizeConversation. Use one of the available functions.',
      availableFunctions: ['listTickets', 'createTicket', 'getTicket'],
    });
  });

  it('reprompts for a malformed function call, echoing what it can', async () => {
    // Prepare
    const { agent: _agent, ...event } = call('getTicket');

    // Act
    const response = functionResponse(await handler(event));

    // Assess
    expect(response.response).toMatchObject({ actionGroup: 'report', function: 'getTicket' });
    expect(response.response.functionResponse.responseState).toBe('REPROMPT');
    expect(bodyOf(response).fields).toEqual(['agent: Invalid input: expected object, received undefined']);
    expect(response.sessionAttributes).toEqual({ userId: 'discord-118765432109876543' });
  });

  it.each([
    { ticketId: 'TCK-404', state: 'REPROMPT' },
    { ticketId: 'TCK-409', state: 'REPROMPT' },
    { ticketId: 'TCK-503', state: 'FAILURE' },
  ])('maps the typed error for $ticketId to $state with the same body', async ({ ticketId, state }) => {
    // Act
    const response = await handler(
      call('getTicket', [{ name: 'ticketId', type: 'string', value: ticketId }]),
    );

    // Assess
    expect(response.response.functionResponse.responseState).toBe(state);
    expect(typeof bodyOf(response).error).toBe('string');
  });

  it('answers an unexpected failure with FAILURE and the generic body, never the error text', async () => {
    // Prepare
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);

    // Act
    const response = await handler(
      call('getTicket', [{ name: 'ticketId', type: 'string', value: 'TCK-500' }]),
    );

    // Assess
    expect(response.response.functionResponse.responseState).toBe('FAILURE');
    expect(bodyOf(response)).toEqual({ error: 'The tool failed unexpectedly. Try again later.' });
  });
});
