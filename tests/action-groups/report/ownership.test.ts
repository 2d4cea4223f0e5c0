import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AgentApiEvent } from '../../../action-groups/kit/event';
import type { AgentApiResponse } from '../../../action-groups/kit/response';
import type { ToolHandler } from '../../../action-groups/kit/tool';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { agentApiTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import { bodyOf, reportHandlerEnv, statusOf, ticketsTableSpec, toolLogsTableSpec } from './helpers';

/**
 * The holes issue 9 closes, from the outside: the report tool driven with real-format events whose only
 * identity is the `userId` session attribute the chat API sets. A caller holding an ordinary login must see
 * and file tickets as itself only, whatever the model puts in the parameters.
 */

const TABLE = 'kass-tickets-ownership';
const TOOL_LOGS = 'kass-tool-logs-ownership';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events';

const ANA = 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';
const BOB = 'cognito:0c9a1e2f-2222-4d5b-8f6a-1e2d3c4b5a69';

type Attributes = Record<string, string>;
const as = (userId: string, extra: Attributes = {}): Attributes => ({ userId, ...extra });

/** The real POST fixture with these body properties (all strings, as Bedrock sends them). */
function post(body: Record<string, string>, sessionAttributes: Attributes): AgentApiEvent {
  const fixture = agentApiTestEvent('openapi-post-body');
  const properties = Object.entries(body).map(([name, value]) => ({ name, type: 'string', value }));
  return {
    ...fixture,
    sessionAttributes,
    requestBody: { content: { 'application/json': { properties } } },
  };
}

/** The real `GET /tickets` fixture with these query parameters. */
function list(params: Record<string, string>, sessionAttributes: Attributes): AgentApiEvent {
  const fixture = agentApiTestEvent('openapi-get-no-params');
  const parameters = Object.entries(params).map(([name, value]) => ({ name, type: 'string', value }));
  return { ...fixture, sessionAttributes, ...(parameters.length > 0 ? { parameters } : {}) };
}

/** The real `GET /tickets/{ticketId}` fixture for this id. */
function get(ticketId: string, sessionAttributes: Attributes | undefined): AgentApiEvent {
  const fixture = agentApiTestEvent('openapi-get-path-param');
  const { sessionAttributes: _dropped, ...rest } = fixture;
  return {
    ...rest,
    ...(sessionAttributes ? { sessionAttributes } : {}),
    parameters: [{ name: 'ticketId', type: 'string', value: ticketId }],
  };
}

const VPN = {
  title: 'VPN drops every 10 minutes',
  description: 'Since Monday the VPN client disconnects about every 10 minutes.',
  severity: 'high',
  reporter: 'ana@example.com',
};

type Ticket = Record<string, unknown> & { ticketId: string };
const ticketsOf = (response: AgentApiResponse): Ticket[] => bodyOf<{ tickets: Ticket[] }>(response).tickets;

describe('Report tool: every ticket answers to the verified caller', () => {
  const sns = mockClient(SNSClient);
  let ddb: LocalDynamo;
  let documents: DynamoDBDocumentClient;
  let handler: ToolHandler;
  let restoreEnv: () => void;

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [toolLogsTableSpec(TOOL_LOGS)] });
    restoreEnv = setEnv(reportHandlerEnv(ddb, { tickets: TABLE, toolLogs: TOOL_LOGS, topic: TOPIC }));
    ({ handler } = await import('../../../action-groups/report/handler'));
    documents = DynamoDBDocumentClient.from(ddb.client);
  });

  afterAll(async () => {
    await ddb.stop();
    restoreEnv();
  });

  beforeEach(async () => {
    await ddb.createTables([ticketsTableSpec(TABLE)]);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  });

  afterEach(async () => {
    await ddb.deleteTables([TABLE]);
  });

  const anaFiles = async (): Promise<Ticket> => {
    const created = await handler(post(VPN, as(ANA)));
    expect(statusOf(created)).toBe(201);
    return bodyOf<Ticket>(created);
  };

  it('listTickets without a filter shows another user none of the tickets', async () => {
    // Prepare
    const ticket = await anaFiles();

    // Act
    const bobs = await handler(list({}, as(BOB)));
    const anas = await handler(list({}, as(ANA)));

    // Assess
    expect(statusOf(bobs)).toBe(200);
    expect(ticketsOf(bobs)).toEqual([]);
    expect(ticketsOf(anas).map((t) => t.ticketId)).toEqual([ticket.ticketId]);
  });

  it('listTickets by reporter shows another user none of that reporter’s tickets', async () => {
    // Prepare
    await anaFiles();

    // Act
    const byName = await handler(list({ reporter: 'ana@example.com' }, as(BOB)));
    const byId = await handler(list({ reporter: ANA, owner: ANA }, as(BOB)));

    // Assess: nothing of Ana's, whether the filter is ignored or refused
    for (const answer of [byName, byId]) {
      const body = JSON.stringify(bodyOf(answer));
      expect(body).not.toContain(VPN.title);
      expect(body).not.toContain(VPN.description);
    }
  });

  it('getTicket answers another user exactly as for an id that does not exist', async () => {
    // Prepare
    const ticket = await anaFiles();

    // Act
    const bobs = await handler(get(ticket.ticketId, as(BOB)));
    const unknown = await handler(get('TCK-1', as(BOB)));
    const anas = await handler(get(ticket.ticketId, as(ANA)));

    // Assess
    expect(statusOf(bobs)).toBe(404);
    expect(JSON.stringify(bodyOf(bobs))).not.toContain(VPN.title);
    expect(bodyOf(bobs).error).toBe(String(bodyOf(unknown).error).replace('TCK-1', ticket.ticketId));
    expect(statusOf(anas)).toBe(200);
    expect(bodyOf(anas)).toMatchObject({ ticketId: ticket.ticketId, title: VPN.title });
  });

  it('stores the caller as the reporter, whatever reporter the model was told', async () => {
    // Act
    const created = await handler(post({ ...VPN, reporter: 'ceo@example.com' }, as(BOB)));

    // Assess: the answer, the stored item and the notification name Bob, never the forged reporter
    expect(statusOf(created)).toBe(201);
    const ticket = bodyOf<Ticket>(created);
    expect(ticket.owner).toBe(BOB);
    expect(ticket.reporter).not.toBe('ceo@example.com');
    const { Item } = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { ticketId: ticket.ticketId } }),
    );
    expect(Item?.owner).toBe(BOB);
    expect(Item?.reporter).not.toBe('ceo@example.com');
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain(BOB);
    expect(message).not.toMatch(/Reporter: ceo@example\.com/);
  });

  it.each([
    ['createTicket', () => post(VPN, {})],
    ['listTickets', () => list({}, {})],
    ['getTicket', () => get('TCK-1042', undefined)],
  ])(
    'refuses %s without a userId session attribute with a 403 the model can explain',
    async (_name, make) => {
      // Act
      const answer = await handler(make());

      // Assess
      expect(statusOf(answer)).toBe(403);
      expect(String(bodyOf(answer).error)).toMatch(/sign/i);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    },
  );

  it('lets an operator (roles=operator, set by the chat API) see every ticket', async () => {
    // Prepare
    const anas = await anaFiles();
    const bobs = bodyOf<Ticket>(await handler(post({ ...VPN, title: 'Printer on fire' }, as(BOB))));
    const operator = as('cognito:op-1', { roles: 'operator' });

    // Act
    const all = await handler(list({}, operator));
    const one = await handler(get(anas.ticketId, operator));

    // Assess
    expect(
      ticketsOf(all)
        .map((t) => t.ticketId)
        .sort(),
    ).toEqual([anas.ticketId, bobs.ticketId].sort());
    expect(statusOf(one)).toBe(200);
  });
});
