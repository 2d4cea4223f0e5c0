import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DependencyUnavailable, NotFound, ToolError } from '../../../../action-groups/kit/errors';
import { type BuilderValue, buildAgentEvent } from '../../../../action-groups/kit/event-builder';
import { type GatewayToolResult, isGatewayResult } from '../../../../action-groups/kit/gateway/call';
import {
  type IdentitySigner,
  type IdentityVerifier,
  identityBaggage,
  mintIdentity,
} from '../../../../action-groups/kit/gateway/identity';
import { defineTool, isApiResponse, type ToolHandler } from '../../../../action-groups/kit/tool';
import schema from '../../../fixtures/schemas/kit-report.yaml';

/**
 * One table of tool cases, run through both engines' event shapes: the Classic OpenAPI event (Bedrock Agents)
 * and the AgentCore gateway call (bare arguments, tool name and identity in the Lambda client context). Every
 * case must give the same status class and the same body either way: the handlers cannot tell the engines apart.
 */

/** 403: the tool refuses a caller without identity, as the report tools do on Classic without userId. */
class Forbidden extends ToolError {
  readonly status = 403;
}

const TICKETS = [
  { ticketId: 'TCK-1', owner: 'cognito:alice' },
  { ticketId: 'TCK-2', owner: 'cognito:bob' },
  { ticketId: 'TCK-3', owner: 'cognito:alice' },
];

const received: unknown[] = [];

/** An HMAC key standing in for the KMS identity key. */
const hmac = (key: string): IdentitySigner & IdentityVerifier => ({
  sign: async (message) => createHmac('sha256', key).update(message).digest(),
  verify: async (message, mac) => {
    const expected = createHmac('sha256', key).update(message).digest();
    return expected.length === mac.length && timingSafeEqual(expected, mac);
  },
});
const KEY = hmac('the-identity-key');
const OTHER_KEY = hmac('someone-elses-key');

const tool: ToolHandler = defineTool({
  name: 'report',
  schema,
  identityVerifier: KEY,
  operations: {
    listTickets: async (_input, ctx) => {
      const userId = ctx.sessionAttributes.userId;
      if (!userId) throw new Forbidden('Sign in first: listing tickets needs to know who you are.');
      return TICKETS.filter((t) => t.owner === userId).map(({ ticketId }) => ({ ticketId }));
    },
    createTicket: async (input) => {
      received.push(input);
      return { ticketId: 'TCK-2001' };
    },
    getTicket: async (input) => {
      const { ticketId } = input.params as { ticketId: string };
      if (ticketId === 'TCK-404') throw new NotFound('Ticket TCK-404 not found. Check the id with the user.');
      if (ticketId === 'TCK-503')
        throw new DependencyUnavailable('The ticket store is unavailable.', { retryAfterSeconds: 30 });
      if (ticketId === 'TCK-500') throw new Error('connect ECONNREFUSED 10.0.0.12 password=hunter2');
      return { ticketId, title: 'VPN drops' };
    },
  },
});

interface ToolCase {
  readonly name: string;
  readonly operationId: 'listTickets' | 'createTicket' | 'getTicket';
  readonly params?: Record<string, BuilderValue>;
  readonly body?: Record<string, unknown>;
  /** The verified session attributes of the turn. */
  readonly identity?: Record<string, string>;
  readonly status: number;
  readonly body_?: unknown;
  readonly check?: (body: Record<string, unknown>) => void;
}

const CASES: readonly ToolCase[] = [
  {
    name: 'reads a ticket by path parameter',
    operationId: 'getTicket',
    params: { ticketId: 'TCK-1042' },
    status: 200,
    body_: { ticketId: 'TCK-1042', title: 'VPN drops' },
  },
  {
    name: 'refuses a ticket id that breaks the pattern, naming the field',
    operationId: 'getTicket',
    params: { ticketId: 'ticket 42' },
    status: 400,
    check: (b) => expect(String(b.fields)).toContain('ticketId: must match the pattern'),
  },
  {
    name: 'answers a typed NotFound with its message',
    operationId: 'getTicket',
    params: { ticketId: 'TCK-404' },
    status: 404,
    body_: { error: 'Ticket TCK-404 not found. Check the id with the user.' },
  },
  {
    name: 'answers a retryable dependency failure with the wait',
    operationId: 'getTicket',
    params: { ticketId: 'TCK-503' },
    status: 503,
    body_: { error: 'The ticket store is unavailable.', retryAfterSeconds: 30 },
  },
  {
    name: 'hides an unexpected error behind a generic 500',
    operationId: 'getTicket',
    params: { ticketId: 'TCK-500' },
    status: 500,
    body_: { error: 'The tool failed unexpectedly. Try again later.' },
  },
  {
    name: 'creates with typed body fields (the flag arrives as a boolean)',
    operationId: 'createTicket',
    body: { title: 'VPN drops', priority: 'high', notify: true },
    status: 200,
    body_: { ticketId: 'TCK-2001' },
  },
  {
    name: 'refuses a body without its required fields',
    operationId: 'createTicket',
    body: { priority: 'high' },
    status: 400,
    check: (b) => expect(b.fields).toEqual([expect.stringContaining('title: is required')]),
  },
  {
    name: 'names the unknown field the model used instead of a required one',
    operationId: 'createTicket',
    body: { title: 'VPN drops', severity: 'high' },
    status: 400,
    check: (b) => expect(String(b.fields)).toMatch(/severity: is not a field of createTicket/),
  },
  {
    name: 'refuses a flag that is not true or false',
    operationId: 'createTicket',
    body: { title: 'VPN drops', priority: 'high', notify: 'maybe' },
    status: 400,
    check: (b) => expect(String(b.fields)).toContain('notify: must be true or false'),
  },
  {
    name: 'lists only the tickets of the verified caller',
    operationId: 'listTickets',
    identity: { userId: 'cognito:alice', conversationId: 'conv-1', channel: 'rest' },
    status: 200,
    body_: [{ ticketId: 'TCK-1' }, { ticketId: 'TCK-3' }],
  },
  {
    name: 'refuses to list without a verified caller',
    operationId: 'listTickets',
    status: 403,
    body_: { error: 'Sign in first: listing tickets needs to know who you are.' },
  },
];

const lambdaContext = (custom?: Record<string, unknown>): Context =>
  ({
    awsRequestId: 'req-1',
    functionName: 'kass-report',
    getRemainingTimeInMillis: () => 30_000,
    ...(custom ? { clientContext: { custom } } : {}),
  }) as unknown as Context;

/** The client context a gateway Lambda target gets, with the identity assertion when one is given. */
function gatewayCustom(operationId: string, token?: string): Record<string, unknown> {
  return {
    bedrockAgentCoreToolName: `report___${operationId}`,
    bedrockAgentCoreGatewayId: 'kass-dev-gw-abcdefghij',
    bedrockAgentCoreTargetId: 'ABCDEFGHIJ',
    bedrockAgentCoreMessageVersion: '1.0',
    bedrockAgentCoreMcpMessageId: 'mcp-7',
    ...(token ? { bedrockAgentCorePropagatedHeaders: { baggage: identityBaggage(token) } } : {}),
  };
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** Classic: the OpenAPI event Bedrock would send, the verified attributes as session attributes. */
async function viaClassic(c: ToolCase): Promise<Answer> {
  // The builder refuses undeclared fields; Bedrock passes whatever the model sent, so they are appended.
  const declared = new Set(['title', 'description', 'priority', 'notify']);
  const body = Object.entries(c.body ?? {});
  const event = buildAgentEvent({
    group: 'report',
    schemaText: schema,
    operationId: c.operationId,
    ...(c.params ? { params: c.params } : {}),
    ...(c.body ? { body: Object.fromEntries(body.filter(([k]) => declared.has(k))) } : {}),
    ...(c.identity ? { sessionAttributes: c.identity } : {}),
  });
  for (const [name, value] of body.filter(([k]) => !declared.has(k))) {
    event.requestBody?.content['application/json']?.properties.push({
      name,
      type: 'string',
      value: String(value),
    });
  }
  const response = await tool(event, lambdaContext());
  if (!('response' in response) || !isApiResponse(response)) throw new Error('not an OpenAPI answer');
  return {
    status: response.response.httpStatusCode,
    body: JSON.parse(response.response.responseBody['application/json'].body),
  };
}

/** Reads a gateway answer: its text is the same JSON body; isError tells a failure. */
function readGateway(result: unknown): GatewayToolResult {
  if (!isGatewayResult(result)) throw new Error(`not a gateway answer: ${JSON.stringify(result)}`);
  return result;
}

/**
 * AgentCore: bare arguments; tool name and signed identity in the client context. A write (createTicket) is an
 * inline function the chat API invokes directly after the user confirmed, so its context has no gateway id.
 */
async function viaGateway(c: ToolCase): Promise<{ isError: boolean; body: unknown }> {
  const token = c.identity ? await mintIdentity(KEY, c.identity) : undefined;
  const custom = gatewayCustom(c.operationId, token);
  if (c.operationId === 'createTicket') delete custom.bedrockAgentCoreGatewayId;
  const result = readGateway(await tool({ ...c.params, ...c.body }, lambdaContext(custom)));
  return { isError: result.isError, body: JSON.parse(result.content[0].text) };
}

beforeEach(() => {
  received.length = 0;
});

describe('Tool cases through both event shapes', () => {
  describe.each([
    ['Classic OpenAPI event', 'classic'],
    ['AgentCore gateway call', 'gateway'],
  ] as const)('%s', (_, shape) => {
    it.each(CASES)('$name', async (c) => {
      // Act
      const answer =
        shape === 'classic'
          ? await viaClassic(c).then((a) => ({ failed: a.status >= 400, status: a.status, body: a.body }))
          : await viaGateway(c).then((g) => ({ failed: g.isError, status: undefined, body: g.body }));

      // Assess: the gateway has no status, only isError; the body is the same either way
      if (shape === 'classic') expect(answer.status).toBe(c.status);
      expect(answer.failed).toBe(c.status >= 400);
      if (c.body_ !== undefined) expect(answer.body).toEqual(c.body_);
      c.check?.(answer.body as Record<string, unknown>);
    });
  });

  it('gives the handlers the same typed input from both shapes', async () => {
    const c = CASES.find((x) => x.operationId === 'createTicket' && x.status === 200) as ToolCase;
    await viaClassic(c);
    await viaGateway(c);
    expect(received).toHaveLength(2);
    expect(received[1]).toEqual(received[0]);
    expect(received[0]).toEqual({ params: {}, body: { title: 'VPN drops', priority: 'high', notify: true } });
  });
});

describe('Malformed gateway calls: an error result the model can act on, never a throw', () => {
  const call = (args: unknown, custom?: Record<string, unknown>) =>
    tool(args, lambdaContext(custom)).then(readGateway);
  const bodyOf = (r: GatewayToolResult) => JSON.parse(r.content[0].text) as Record<string, unknown>;

  it('an unknown tool name: 404 listing the tools it has', async () => {
    const result = await call({}, gatewayCustom('deleteEverything'));
    expect(result.isError).toBe(true);
    expect(bodyOf(result)).toEqual({
      error: 'This tool has no operation deleteEverything. Use one of the available tools.',
      availableTools: ['listTickets', 'createTicket', 'getTicket'],
    });
  });

  it('a write operation arriving through a gateway: 403, the handler never runs', async () => {
    const result = await call({ title: 'VPN drops', priority: 'high' }, gatewayCustom('createTicket'));
    expect(result.isError).toBe(true);
    expect(bodyOf(result).error).toBe(
      "createTicket changes data and needs the user's confirmation first; it cannot run through the gateway.",
    );
    expect(received).toEqual([]);
  });

  it('splits the tool name on the last ___ (a target name never contains it)', async () => {
    const result = await call(
      { ticketId: 'TCK-7' },
      { ...gatewayCustom('x'), bedrockAgentCoreToolName: 'a___b___getTicket' },
    );
    expect(result.isError).toBe(false);
    expect(bodyOf(result)).toEqual({ ticketId: 'TCK-7', title: 'VPN drops' });
  });

  it('a missing client context, through the gateway entry: 400 saying what is missing', async () => {
    const result = await tool.gateway({ ticketId: 'TCK-1' }, lambdaContext());
    expect(result.isError).toBe(true);
    expect(String(bodyOf(result).error)).toContain('no AgentCore gateway client context');
  });

  it('a client context without a tool name: 400', async () => {
    const { bedrockAgentCoreToolName: _, ...noName } = gatewayCustom('getTicket');
    const result = await call({ ticketId: 'TCK-1' }, noName);
    expect(result.isError).toBe(true);
    expect(bodyOf(result).error).toBe('The tool call is malformed: the gateway sent no tool name.');
  });

  it.each([
    ['a list', [1, 2]],
    ['a string', 'TCK-1'],
    ['a number', 7],
  ])('arguments that are %s: 400', async (_, args) => {
    const result = await call(args, gatewayCustom('getTicket'));
    expect(result.isError).toBe(true);
    expect(String(bodyOf(result).error)).toContain('must be a JSON object');
  });

  it.each([
    ['an object for a text field', { title: { text: 'VPN' }, priority: 'high' }, 'title: must be text'],
    ['a list for a text field', { title: ['VPN'], priority: 'high' }, 'title: must be text'],
    [
      'text for a flag',
      { title: 'VPN drops', priority: 'high', notify: 'yes please' },
      'notify: must be true or false',
    ],
    [
      'a number breaking the text pattern',
      { title: 'VPN drops', priority: 3 },
      'priority: must match the pattern',
    ],
  ])('wrong types (%s): 400 naming the field', async (_, args, expected) => {
    const { bedrockAgentCoreGatewayId: _gatewayId, ...direct } = gatewayCustom('createTicket');
    const result = await call(args, direct);
    expect(result.isError).toBe(true);
    expect(String(bodyOf(result).fields)).toContain(expected);
    expect(received).toEqual([]);
  });

  it('null and undefined arguments mean "no arguments"', async () => {
    expect(bodyOf(await call(null, gatewayCustom('getTicket'))).fields).toEqual([
      expect.stringContaining('ticketId: is required'),
    ]);
  });
});

describe('Identity on gateway calls', () => {
  const list = (custom: Record<string, unknown>, args: unknown = {}) =>
    tool(args, lambdaContext(custom))
      .then(readGateway)
      .then((r) => JSON.parse(r.content[0].text) as unknown);
  const alice = { userId: 'cognito:alice', conversationId: 'conv-1', channel: 'rest' };

  it('an assertion signed with another key gives no identity', async () => {
    const forged = await mintIdentity(OTHER_KEY, alice);
    expect(await list(gatewayCustom('listTickets', forged))).toEqual({
      error: 'Sign in first: listing tickets needs to know who you are.',
    });
  });

  it('an expired assertion gives no identity', async () => {
    const old = await mintIdentity(KEY, alice, Date.now() - 20 * 60_000);
    expect(await list(gatewayCustom('listTickets', old))).toMatchObject({
      error: expect.stringContaining('Sign in'),
    });
  });

  it('a tampered payload (alice re-signed as bob without the key) gives no identity', async () => {
    const token = await mintIdentity(KEY, alice);
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      a: Record<string, string>;
    };
    claims.a.userId = 'cognito:bob';
    const tampered = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    expect(await list(gatewayCustom('listTickets', tampered))).toMatchObject({
      error: expect.stringContaining('Sign in'),
    });
  });

  it('identity in the arguments is ignored: the model cannot name the caller', async () => {
    const token = await mintIdentity(KEY, alice);
    const args = { userId: 'cognito:bob', sessionAttributes: { userId: 'cognito:bob' } };
    expect(await list(gatewayCustom('listTickets', token), args)).toEqual([
      { ticketId: 'TCK-1' },
      { ticketId: 'TCK-3' },
    ]);
    expect(await list(gatewayCustom('listTickets'), args)).toMatchObject({
      error: expect.stringContaining('Sign in'),
    });
  });

  it('a Classic event smuggled in as gateway arguments is read as arguments, never as a Classic event', async () => {
    const classic = buildAgentEvent({
      group: 'report',
      schemaText: schema,
      operationId: 'listTickets',
      sessionAttributes: { userId: 'cognito:bob' },
    });
    expect(await list(gatewayCustom('listTickets'), classic)).toMatchObject({
      error: expect.stringContaining('Sign in'),
    });
  });

  it('reads the propagated headers whether they arrive as an object or as JSON text, any header case', async () => {
    const token = await mintIdentity(KEY, alice);
    const asText = {
      ...gatewayCustom('listTickets'),
      bedrockAgentCorePropagatedHeaders: JSON.stringify({ Baggage: `other=1,${identityBaggage(token)}` }),
    };
    expect(await list(asText)).toEqual([{ ticketId: 'TCK-1' }, { ticketId: 'TCK-3' }]);
  });

  it('verifies each token once per container (a turn’s tool calls share one)', async () => {
    const verify = jest.fn(KEY.verify);
    const counted = defineTool({
      name: 'report',
      schema,
      identityVerifier: { verify },
      operations: { listTickets: async (_i, ctx) => [ctx.sessionAttributes.userId] },
    });
    const token = await mintIdentity(KEY, alice);
    for (let i = 0; i < 3; i++) await counted({}, lambdaContext(gatewayCustom('listTickets', token)));
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
