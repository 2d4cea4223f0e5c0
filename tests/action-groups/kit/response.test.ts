import fc from 'fast-check';
import { serializeBody, toAgentResponse } from '../../../action-groups/kit/response';
import { getTestEvent } from '../../support/events';

const load = (filename: string) => getTestEvent({ eventsPath: 'bedrock-agent', filename });
const bodyOf = (response: ReturnType<typeof toAgentResponse>): unknown =>
  JSON.parse(response.response.responseBody['application/json'].body);

describe('Function: toAgentResponse', () => {
  it('builds exactly the expected response to the path-parameter event', () => {
    // Prepare
    const event = load('openapi-get-path-param');
    const expected = load('openapi-response');
    const ticket = {
      ticketId: 'TCK-1042',
      title: 'VPN drops every 10 minutes',
      status: 'OPEN',
      priority: 'high',
    };

    // Act
    const response = toAgentResponse(event, 200, ticket);

    // Assess
    expect(response).toEqual(expected);
  });

  it('echoes the original httpMethod casing', () => {
    // Act
    const response = toAgentResponse(
      { actionGroup: 'report', apiPath: '/tickets', httpMethod: 'get' },
      200,
      [],
    );

    // Assess
    expect(response.response.httpMethod).toBe('get');
  });

  it('defaults missing attribute maps and routing fields', () => {
    // Act
    const response = toAgentResponse({}, 404, { error: 'x' });

    // Assess
    expect(response).toEqual({
      messageVersion: '1.0',
      response: {
        actionGroup: '',
        apiPath: '',
        httpMethod: '',
        httpStatusCode: 404,
        responseBody: { 'application/json': { body: '{"error":"x"}' } },
      },
      sessionAttributes: {},
      promptSessionAttributes: {},
    });
  });

  it('keeps only string attribute values (the service type is map<string,string>)', () => {
    // Prepare
    const sessionAttributes = { userId: 'u-1', count: 3 } as unknown as Record<string, string>;

    // Act
    const response = toAgentResponse({ sessionAttributes }, 200, {});

    // Assess
    expect(response.sessionAttributes).toEqual({ userId: 'u-1' });
  });

  it.each([
    { name: 'a fraction', status: 200.5 },
    { name: 'NaN', status: Number.NaN },
    { name: 'out of range', status: 99 },
  ])('answers 500 for an invalid status: $name', ({ status }) => {
    // Act
    const response = toAgentResponse({}, status, {});

    // Assess
    expect(response.response.httpStatusCode).toBe(500);
  });

  it.each([
    { name: 'undefined', body: undefined, expected: 'null' },
    { name: 'a string', body: 'done', expected: '"done"' },
    { name: 'a number', body: 3, expected: '3' },
  ])('serialises $name as JSON text', ({ body, expected }) => {
    // Act
    const response = toAgentResponse({}, 200, body);

    // Assess
    expect(response.response.responseBody['application/json'].body).toBe(expected);
  });

  it.each([
    {
      name: 'a cycle',
      make: () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    },
    { name: 'a BigInt', make: () => ({ n: BigInt(1) }) },
  ])('answers a generic 500 for a body with $name', ({ make }) => {
    // Act
    const response = toAgentResponse({ apiPath: '/x' }, 200, make());

    // Assess
    expect(response.response.httpStatusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'The tool failed unexpectedly. Try again later.' });
  });
});

describe('Function: serializeBody', () => {
  const tickets = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ticketId: `TCK-${i}`, title: 'x'.repeat(80) }));

  it('leaves a body under the limit untouched', () => {
    // Act
    const json = serializeBody({ items: tickets(3) }, 20_000);

    // Assess
    expect(json).toBe(JSON.stringify({ items: tickets(3) }));
  });

  it('drops array items from the end and marks the cut', () => {
    // Prepare
    const body = { total: 1000, items: tickets(1000) };

    // Act
    const json = serializeBody(body, 20_000) ?? '';

    // Assess
    const parsed = JSON.parse(json) as {
      total: number;
      items: { ticketId: string }[];
      truncated: boolean;
      note: string;
    };
    expect(json.length).toBeLessThanOrEqual(20_000);
    expect(parsed.truncated).toBe(true);
    expect(parsed.total).toBe(1000);
    expect(parsed.items[0]).toEqual(tickets(1)[0]);
    expect(parsed.items.length).toBeGreaterThan(100);
    expect(parsed.items.length).toBeLessThan(1000);
    expect(parsed.note).toContain(`first ${parsed.items.length} of 1000 items in "items"`);
    // As many items as fit: one more would not.
    const oneMore = { ...parsed, items: tickets(parsed.items.length + 1) };
    expect(JSON.stringify(oneMore).length).toBeGreaterThan(20_000);
  });

  it('cuts the largest array first when there are several', () => {
    // Prepare
    const body = { small: [1, 2, 3], big: tickets(500) };

    // Act
    const parsed = JSON.parse(serializeBody(body, 5_000) ?? '') as { small: number[]; big: unknown[] };

    // Assess
    expect(parsed.small).toEqual([1, 2, 3]);
    expect(parsed.big.length).toBeLessThan(500);
  });

  it('wraps a top-level list so the marker has a place', () => {
    // Act
    const parsed = JSON.parse(serializeBody(tickets(1000), 10_000) ?? '') as {
      items: unknown[];
      truncated: boolean;
    };

    // Assess
    expect(parsed.truncated).toBe(true);
    expect(parsed.items.length).toBeGreaterThan(0);
  });

  it('replaces a body without lists by a preview', () => {
    // Prepare
    const body = { text: 'a"b\\c\n'.repeat(10_000) };

    // Act
    const json = serializeBody(body, 2_000) ?? '';

    // Assess
    const parsed = JSON.parse(json) as { truncated: boolean; preview: string };
    expect(json.length).toBeLessThanOrEqual(2_000);
    expect(parsed.truncated).toBe(true);
    expect(JSON.stringify(body).startsWith(parsed.preview)).toBe(true);
  });

  it('respects a configured limit through toAgentResponse', () => {
    // Act
    const response = toAgentResponse({}, 200, { items: tickets(100) }, { maxBodyChars: 1_000 });

    // Assess
    expect(response.response.responseBody['application/json'].body.length).toBeLessThanOrEqual(1_000);
    expect(bodyOf(response)).toMatchObject({ truncated: true });
  });

  it('always returns valid JSON within the limit, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 200, max: 3_000 }), (value, limit) => {
        // Act
        const json = serializeBody(value, limit) ?? '';

        // Assess
        expect(json.length).toBeLessThanOrEqual(limit);
        expect(() => JSON.parse(json)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
