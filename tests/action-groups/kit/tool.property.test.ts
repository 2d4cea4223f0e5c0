import fc from 'fast-check';
import { z } from 'zod';
import type { AgentToolResponse } from '../../../action-groups/kit/tool';
import { handler } from '../../fixtures/tools/report-tool';
import { apiResponse, getTestEvent } from '../../support/events';

const attributes = {
  sessionAttributes: z.record(z.string(), z.string()),
  promptSessionAttributes: z.record(z.string(), z.string()),
};

// The contract responses (§2.1 OpenAPI, §2.2 function details), strictly: no extra keys anywhere.
const apiContractResponse = z.strictObject({
  messageVersion: z.literal('1.0'),
  response: z.strictObject({
    actionGroup: z.string(),
    apiPath: z.string(),
    httpMethod: z.string(),
    httpStatusCode: z.number().int(),
    responseBody: z.strictObject({ 'application/json': z.strictObject({ body: z.string() }) }),
  }),
  ...attributes,
});
const functionContractResponse = z.strictObject({
  messageVersion: z.literal('1.0'),
  response: z.strictObject({
    actionGroup: z.string(),
    function: z.string(),
    functionResponse: z.strictObject({
      responseState: z.optional(z.enum(['REPROMPT', 'FAILURE'])),
      responseBody: z.strictObject({ TEXT: z.strictObject({ body: z.string() }) }),
    }),
  }),
  ...attributes,
});

const STACK_TRACE = /\bat .*[\\/][^\s]*:\d+|Error:|\/var\/task|node_modules|\.ts:\d+/;

/**
 * A client error in contract shape (a 4xx, or a REPROMPT for a function call) whose body is JSON and carries
 * no stack or internal text. Returns the body.
 */
function expectContractClientError(response: AgentToolResponse): string {
  let body: string;
  if ('functionResponse' in response.response) {
    expect(functionContractResponse.safeParse(response).success).toBe(true);
    expect(response.response.functionResponse.responseState).toBe('REPROMPT');
    body = response.response.functionResponse.responseBody.TEXT.body;
  } else {
    expect(apiContractResponse.safeParse(response).success).toBe(true);
    const { httpStatusCode, responseBody } = response.response;
    expect(httpStatusCode).toBeGreaterThanOrEqual(400);
    expect(httpStatusCode).toBeLessThan(500);
    body = responseBody['application/json'].body;
  }
  expect(() => JSON.parse(body)).not.toThrow();
  expect(body).not.toMatch(STACK_TRACE);
  return body;
}

const FIXTURES = ['openapi-get-no-params', 'openapi-get-path-param', 'openapi-post-body'] as const;
const REQUIRED = [
  'messageVersion',
  'agent',
  'inputText',
  'sessionId',
  'actionGroup',
  'apiPath',
  'httpMethod',
] as const;
const ALL_FIELDS = [
  ...REQUIRED,
  'parameters',
  'requestBody',
  'sessionAttributes',
  'promptSessionAttributes',
] as const;
const load = (filename: string) => getTestEvent({ eventsPath: 'bedrock-agent', filename });

/** Values of the wrong type for every field of the event (no strings, no valid lists or maps). */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string(), fc.integer(), { minKeys: 1, maxKeys: 3 }),
);

/**
 * 100 kB to 1 MB of text with something visible in it: a blank value in an optional non-string field means
 * "not given" (isBlankForSchema), which is a valid request, not a client error.
 */
const hugeString = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 8 }).filter((unit) => unit.trim() !== ''),
    fc.integer({ min: 100_000, max: 1_000_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

describe('Function: defineTool (properties)', () => {
  it('answers any JSON value with a contract 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (raw) => {
        expectContractClientError(await handler(raw));
      }),
      { numRuns: 200 },
    );
  });

  it('answers any JavaScript value with a contract 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true }),
        async (raw) => {
          expectContractClientError(await handler(raw));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers a real event missing a required field with a contract 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURES), fc.constantFrom(...REQUIRED), async (fixture, field) => {
        const event = load(fixture);
        delete event[field];
        expectContractClientError(await handler(event));
      }),
      { numRuns: 60 },
    );
  });

  it('answers a real event with a field of the wrong type with a contract 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIXTURES),
        fc.constantFrom(...ALL_FIELDS),
        wrongType,
        async (fixture, field, value) => {
          const event = { ...load(fixture), [field]: value };
          expectContractClientError(await handler(event));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers a real event with a nested field of the wrong type with a contract 4xx', async () => {
    const nested = fc.constantFrom(
      (e: Record<string, unknown>, v: unknown) => ({ ...e, agent: { ...(e.agent as object), id: v } }),
      (e: Record<string, unknown>, v: unknown) => ({
        ...e,
        parameters: [{ name: 'ticketId', type: 'string', value: v }],
      }),
      (e: Record<string, unknown>, v: unknown) => ({
        ...e,
        parameters: [{ name: v, type: 'string', value: 'TCK-1' }],
      }),
      (e: Record<string, unknown>, v: unknown) => ({ ...e, sessionAttributes: { userId: v } }),
      (e: Record<string, unknown>, v: unknown) => ({
        ...e,
        requestBody: {
          content: { 'application/json': { properties: [{ name: 'title', type: 'string', value: v }] } },
        },
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURES), nested, wrongType, async (fixture, patch, value) => {
        expectContractClientError(await handler(patch(load(fixture), value)));
      }),
      { numRuns: 200 },
    );
  });

  it('answers a function-details call missing a field or with a field of the wrong type with a contract 4xx', async () => {
    const fields = [
      'messageVersion',
      'agent',
      'inputText',
      'sessionId',
      'actionGroup',
      'function',
      'parameters',
    ];
    const getTicket = () => ({
      ...load('function-details'),
      actionGroup: 'report',
      function: 'getTicket',
      parameters: [{ name: 'ticketId', type: 'string', value: 'TCK-1042' }],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.option(wrongType, { nil: undefined }),
        async (field, value) => {
          const event: Record<string, unknown> = getTicket();
          if (value === undefined) delete event[field];
          else event[field] = value;
          // Without `parameters` the call lacks ticketId: still a client error, now from the schema.
          expectContractClientError(await handler(event));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers any function name the tool does not have with a reprompt naming the available ones', async () => {
    const known = new Set(['listTickets', 'createTicket', 'getTicket']);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }).filter((name) => !known.has(name)),
        async (name) => {
          const body = expectContractClientError(
            await handler({ ...load('function-details'), function: name }),
          );
          expect(JSON.parse(body)).toMatchObject({ availableFunctions: [...known] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers an unknown route with a contract 404', async () => {
    const known = new Set(['/tickets', '/tickets/{ticketId}']);
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((path) => !known.has(path)),
        fc.constantFrom('GET', 'get', 'POST', 'Delete', ''),
        async (apiPath, httpMethod) => {
          const response = apiResponse(
            await handler({ ...load('openapi-get-path-param'), apiPath, httpMethod }),
          );
          expectContractClientError(response);
          expect(response.response.httpStatusCode).toBe(404);
          expect(response.response.apiPath).toBe(apiPath);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers huge strings in routed or validated fields with a contract 4xx', async () => {
    const placements = fc.constantFrom(
      (s: string) => ({ ...load('openapi-get-path-param'), apiPath: s }),
      (s: string) => ({ ...load('openapi-get-path-param'), httpMethod: s }),
      (s: string) => ({
        ...load('openapi-get-path-param'),
        parameters: [{ name: 'ticketId', type: 'string', value: s }],
      }),
      (s: string) => ({
        ...load('openapi-post-body'),
        requestBody: {
          content: {
            'application/json': {
              properties: [
                { name: 'title', type: 'string', value: s },
                { name: 'priority', type: 'string', value: 'high' },
              ],
            },
          },
        },
      }),
      (s: string) => ({
        ...load('openapi-post-body'),
        requestBody: {
          content: {
            'application/json': {
              properties: [
                { name: 'title', type: 'string', value: 'VPN' },
                { name: 'priority', type: 'string', value: 'high' },
                { name: 'notify', type: 'boolean', value: s },
              ],
            },
          },
        },
      }),
      (s: string) => ({ ...load('openapi-get-path-param'), agent: s }),
    );
    await fc.assert(
      fc.asyncProperty(placements, hugeString, async (place, huge) => {
        const body = expectContractClientError(await handler(place(huge)));
        // The body is for the prompt: it never carries the huge value back.
        expect(body.length).toBeLessThan(5_000);
      }),
      { numRuns: 30 },
    );
  });
});
