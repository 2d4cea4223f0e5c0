import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AgentApiEvent } from '../../../action-groups/kit/event';
import { type BuilderValue, buildAgentEvent } from '../../../action-groups/kit/event-builder';
import { missingHandlers, type ToolHandler } from '../../../action-groups/kit/tool';
import schemaText from '../../../schemas/report.yaml';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import { bodyOf, reportHandlerEnv, statusOf, ticketsTableSpec, toolLogsTableSpec } from './helpers';

const TABLE = 'kass-tickets-e2e';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events';
const TOOL_LOGS = 'kass-tool-logs-e2e';

const TICKET_FIELDS = {
  title: 'VPN drops every 10 minutes',
  description: 'Since Monday the VPN client disconnects about every 10 minutes on the office Wi-Fi.',
  severity: 'high',
  reporterName: 'Ana Lima',
};
/** The caller of the shared fixtures (their `userId` session attribute), and another user. */
const ANA = 'discord-118765432109876543';
const BO = 'discord-222222222222222222';
const OPERATOR = { userId: 'cognito:op-1', roles: 'operator' };

type Ticket = Record<string, unknown> & { ticketId: string };
type Page = { tickets: Ticket[]; nextToken?: string };

/** An event built from the schema, like the agent sends it (Ana's session unless told otherwise). */
const event = (
  operationId: string,
  input: {
    params?: Record<string, BuilderValue>;
    body?: Record<string, unknown>;
    sessionId?: string;
    sessionAttributes?: Record<string, string>;
  } = {},
): AgentApiEvent =>
  buildAgentEvent({ group: 'report', schemaText, operationId, sessionAttributes: { userId: ANA }, ...input });

/**
 * The POST fixture (a real agent event) with the body this schema declares. The fixture follows the
 * contract's example schema, whose body has `priority`; the shipped schema has `severity`.
 */
function fixturePost(body: Record<string, string>): AgentApiEvent {
  const fixture = getTestEvent<AgentApiEvent>({ eventsPath: 'bedrock-agent', filename: 'openapi-post-body' });
  const properties = Object.entries(body).map(([name, value]) => ({ name, type: 'string', value }));
  return { ...fixture, requestBody: { content: { 'application/json': { properties } } } };
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

describe('Handler: report action group (dynalite + mocked SNS)', () => {
  const sns = mockClient(SNSClient);
  let restoreEnv: () => void;
  let ddb: LocalDynamo;
  let documents: DynamoDBDocumentClient;
  let handler: ToolHandler;

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [toolLogsTableSpec(TOOL_LOGS)] });
    // The handler builds its clients from standard configuration at cold start, as in Lambda.
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
    jest.restoreAllMocks();
    await ddb.deleteTables([TABLE]);
  });

  const create = async (body: Record<string, unknown>, sessionId?: string, userId = ANA): Promise<Ticket> => {
    const response = await handler(
      event('createTicket', { body, sessionAttributes: { userId }, ...(sessionId ? { sessionId } : {}) }),
    );
    expect(statusOf(response)).toBe(201);
    return bodyOf<Ticket>(response);
  };

  const list = async (
    params: Record<string, BuilderValue>,
    sessionAttributes: Record<string, string> = { userId: ANA },
  ): Promise<Page> => {
    const response = await handler(event('listTickets', { params, sessionAttributes }));
    expect(statusOf(response)).toBe(200);
    return bodyOf<Page>(response);
  };

  /** Every page of a list, following nextToken. */
  const listAll = async (
    params: Record<string, BuilderValue>,
    sessionAttributes: Record<string, string> = { userId: ANA },
  ): Promise<Page[]> => {
    const pages: Page[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list({ ...params, ...(nextToken ? { nextToken } : {}) }, sessionAttributes);
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken && pages.length < 20);
    return pages;
  };

  const storedItems = async () => (await documents.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
  const toolLogItems = async () =>
    (await documents.send(new ScanCommand({ TableName: TOOL_LOGS }))).Items ?? [];

  it('has a handler for every operation in the schema', () => {
    expect(missingHandlers(handler)).toEqual([]);
  });

  describe('createTicket → getTicket', () => {
    it('creates a ticket from the real POST event, notifies the team and returns it by id', async () => {
      // Prepare
      const post = fixturePost({ ...TICKET_FIELDS, conversationId: 'conv-42' });
      const loggedBefore = (await toolLogItems()).length;

      // Act
      const created = await handler(post);
      const ticket = bodyOf<Ticket>(created);
      const fixtureGet = getTestEvent<AgentApiEvent>({
        eventsPath: 'bedrock-agent',
        filename: 'openapi-get-path-param',
      });
      const fetched = await handler({
        ...fixtureGet,
        parameters: [{ name: 'ticketId', type: 'string', value: ticket.ticketId }],
      });

      // Assess: the response
      expect(statusOf(created)).toBe(201);
      expect(created.response).toMatchObject({
        actionGroup: 'report',
        apiPath: '/tickets',
        httpMethod: 'POST',
      });
      expect(created.sessionAttributes).toEqual(post.sessionAttributes);
      expect(ticket).toEqual({
        ticketId: expect.stringMatching(/^TCK-[1-9][0-9]{0,9}$/),
        ...TICKET_FIELDS,
        owner: ANA,
        conversationId: 'conv-42',
        status: 'open',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        updatedAt: ticket.createdAt,
        notified: true,
      });
      // Assess: the notification
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: TOPIC,
        Subject: `[HIGH] ${ticket.ticketId}: VPN drops every 10 minutes`,
        Message: expect.stringContaining(`New support ticket ${ticket.ticketId}`),
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      });
      const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
      for (const value of Object.values(TICKET_FIELDS)) expect(message).toContain(value);
      expect(message).toContain(`Reporter: ${ANA}`);
      // Assess: the lookup
      expect(statusOf(fetched)).toBe(200);
      const { notified: _, ...stored } = ticket;
      expect(bodyOf(fetched)).toEqual(stored);
      // Assess: one ToolLogs item per call
      const logged = await toolLogItems();
      expect(logged).toHaveLength(loggedBefore + 2);
      expect(logged).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ tool: 'report', operation: 'createTicket', status: 201 }),
          expect.objectContaining({ tool: 'report', operation: 'getTicket', status: 200 }),
        ]),
      );
    });

    it('stores the ticket and an idempotency record that expires in 24 h (epoch seconds)', async () => {
      // Prepare
      const before = Math.floor(Date.now() / 1000);

      // Act
      const ticket = await create(TICKET_FIELDS);

      // Assess
      const items = await storedItems();
      expect(items).toHaveLength(2);
      const record = items.find((item) => String(item.ticketId).startsWith('IDEMPOTENCY#'));
      expect(record).toMatchObject({ targetTicketId: ticket.ticketId, notified: true });
      expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 86_400);
      expect(record?.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 86_400);
      const { Item } = await documents.send(
        new GetCommand({ TableName: TABLE, Key: { ticketId: ticket.ticketId } }),
      );
      expect(Item).not.toHaveProperty('expiresAt');
    });

    it('answers a retried call with the first ticket: one ticket, one notification', async () => {
      // Prepare
      const post = fixturePost(TICKET_FIELDS);

      // Act
      const first = await handler(post);
      const retry = await handler(post);
      const reworded = await handler(
        fixturePost({ ...TICKET_FIELDS, severity: 'High', title: ` ${TICKET_FIELDS.title} ` }),
      );

      // Assess
      expect(statusOf(retry)).toBe(201);
      expect(bodyOf(retry)).toEqual(bodyOf(first));
      expect(bodyOf(reworded)).toEqual(bodyOf(first));
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect((await storedItems()).filter((item) => String(item.ticketId).startsWith('TCK-'))).toHaveLength(
        1,
      );
    });

    it('creates a second ticket for the same request in another session', async () => {
      // Act
      const a = await create(TICKET_FIELDS, 'session-a');
      const b = await create(TICKET_FIELDS, 'session-b');

      // Assess
      expect(b.ticketId).not.toBe(a.ticketId);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    });

    it('keeps the ticket and says notified: false when SNS fails', async () => {
      // Prepare
      sns.on(PublishCommand).rejects(
        new ThrottledException({
          message: `Rate exceeded for ${TOPIC}`,
          $metadata: { httpStatusCode: 400 },
        }),
      );
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');

      // Act
      const ticket = await create(TICKET_FIELDS);
      const fetched = await handler(event('getTicket', { params: { ticketId: ticket.ticketId } }));

      // Assess
      expect(ticket.notified).toBe(false);
      expect(statusOf(fetched)).toBe(200);
      expect(bodyOf(fetched)).toMatchObject({ ticketId: ticket.ticketId, title: TICKET_FIELDS.title });
      expect(warn).toHaveBeenCalledWith(
        'ticket notification failed; the ticket was created',
        expect.objectContaining({ ticketId: ticket.ticketId }),
      );
      expect(addMetric).toHaveBeenCalledWith('TicketNotificationFailed', 'Count', 1);
    });
  });

  describe('listTickets', () => {
    beforeEach(async () => {
      for (let i = 0; i < 5; i++) {
        await create({ ...TICKET_FIELDS, title: `Ana problem ${i}` });
        await pause();
      }
      for (let i = 0; i < 2; i++) {
        await create({ ...TICKET_FIELDS, title: `Bo problem ${i}` }, undefined, BO);
        await pause();
      }
    });

    it('pages through the caller’s own tickets newest first until nextToken is absent', async () => {
      // Act
      const pages = await listAll({ limit: 2 });

      // Assess
      const titles = pages.flatMap((p) => p.tickets.map((t) => t.title));
      expect(titles).toEqual([
        'Ana problem 4',
        'Ana problem 3',
        'Ana problem 2',
        'Ana problem 1',
        'Ana problem 0',
      ]);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const page of pages.slice(0, -1)) expect(page.nextToken).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    it('pages an operator through one status newest first, and filters the caller’s tickets by status', async () => {
      // Prepare: close two of Ana's tickets directly in the table
      const ana = (await list({ limit: 50 })).tickets;
      for (const t of [ana[1], ana[3]]) {
        await documents.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: { ticketId: t?.ticketId },
            UpdateExpression: 'SET #s = :closed',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':closed': 'closed' },
          }),
        );
      }

      // Act
      const open = await listAll({ status: 'open', limit: 2 }, OPERATOR);
      const anaClosed = await listAll({ status: 'closed', limit: 1 });
      const bosClosed = await listAll({ status: 'closed' }, { userId: BO });

      // Assess
      expect(open.flatMap((p) => p.tickets.map((t) => t.title))).toEqual([
        'Bo problem 1',
        'Bo problem 0',
        'Ana problem 4',
        'Ana problem 2',
        'Ana problem 0',
      ]);
      expect(open.length).toBe(3);
      expect(anaClosed.flatMap((p) => p.tickets.map((t) => t.title))).toEqual([
        'Ana problem 3',
        'Ana problem 1',
      ]);
      expect(bosClosed.flatMap((p) => p.tickets)).toEqual([]);
    });

    it('lists an operator every recent ticket without filters (the GET fixture) newest first', async () => {
      // Prepare
      const fixture = getTestEvent<AgentApiEvent>({
        eventsPath: 'bedrock-agent',
        filename: 'openapi-get-no-params',
      });

      // Act
      const response = await handler({ ...fixture, sessionAttributes: OPERATOR });

      // Assess
      expect(statusOf(response)).toBe(200);
      const page = bodyOf<Page>(response);
      expect(page.tickets).toHaveLength(7);
      expect(page.tickets[0]?.title).toBe('Bo problem 1');
      expect(page.tickets.map((t) => t.createdAt)).toEqual(
        page.tickets
          .map((t) => t.createdAt)
          .sort()
          .reverse(),
      );
      expect(page.nextToken).toBeUndefined();
    });

    it.each([
      { name: 'garbage', nextToken: 'not a token!' },
      { name: 'valid base64url but not a position', nextToken: Buffer.from('{"x":1}').toString('base64url') },
    ])('answers a bad nextToken ($name) with a 400 naming it', async ({ nextToken }) => {
      // Act
      const response = await handler(event('listTickets', { params: { nextToken } }));

      // Assess
      expect(statusOf(response)).toBe(400);
      expect(bodyOf(response)).toEqual({
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: [expect.stringMatching(/^nextToken: .*without nextToken/)],
      });
    });

    it('answers a token of another user’s list with a 400 (a token cannot widen a list)', async () => {
      // Prepare
      const { nextToken } = await list({ limit: 1 });

      // Act
      const response = await handler(
        event('listTickets', { params: { nextToken: nextToken ?? '' }, sessionAttributes: { userId: BO } }),
      );

      // Assess
      expect(statusOf(response)).toBe(400);
      expect(bodyOf<{ fields: string[] }>(response).fields[0]).toMatch(
        /^nextToken: belongs to a different list/,
      );
    });
  });

  describe('invalid input and unknown tickets', () => {
    it.each([
      {
        name: 'an invalid severity',
        body: { ...TICKET_FIELDS, severity: 'urgent' },
        field: /^severity: must be one of low, medium, high, critical/,
      },
      { name: 'a missing title', body: { ...TICKET_FIELDS, title: undefined }, field: /^title: is required/ },
      { name: 'a blank title', body: { ...TICKET_FIELDS, title: '   ' }, field: /^title: must not be blank/ },
      {
        name: 'a title over 120 characters',
        body: { ...TICKET_FIELDS, title: 'x'.repeat(121) },
        field: /^title: must be at most 120 characters/,
      },
      {
        name: 'a name over 120 characters',
        body: { ...TICKET_FIELDS, reporterName: 'n'.repeat(121) },
        field: /^reporterName: must be at most 120 characters/,
      },
    ])(
      'answers createTicket with $name with a 400 naming the field, storing nothing',
      async ({ body, field }) => {
        // Act
        const response = await handler(event('createTicket', { body }));

        // Assess
        expect(statusOf(response)).toBe(400);
        expect(bodyOf<{ fields: string[] }>(response).fields).toEqual([expect.stringMatching(field)]);
        expect(await storedItems()).toEqual([]);
        expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
      },
    );

    it('answers the contract fixture (priority instead of severity) with a 400 naming the fix', async () => {
      // Act
      const response = await handler(
        getTestEvent({ eventsPath: 'bedrock-agent', filename: 'openapi-post-body' }),
      );

      // Assess
      expect(statusOf(response)).toBe(400);
      expect(bodyOf<{ fields: string[] }>(response).fields).toEqual([
        expect.stringMatching(/^severity: is required/),
        'priority: is not a field of createTicket and was ignored; its fields are title, description, severity, reporterName, conversationId',
        'notify: is not a field of createTicket and was ignored; its fields are title, description, severity, reporterName, conversationId',
      ]);
    });

    it('answers an invalid status filter with a 400 naming it', async () => {
      // Act
      const response = await handler(event('listTickets', { params: { status: 'done' } }));

      // Assess
      expect(statusOf(response)).toBe(400);
      expect(bodyOf<{ fields: string[] }>(response).fields).toEqual([
        'status: must be one of open, in_progress, resolved, closed (got "done"), or be left out for all statuses.',
      ]);
    });

    it('answers an unknown ticket with a 404 the model can act on', async () => {
      // Act
      const response = await handler(event('getTicket', { params: { ticketId: 'TCK-404' } }));

      // Assess
      expect(statusOf(response)).toBe(404);
      expect(bodyOf(response)).toEqual({
        error:
          'No ticket has the id TCK-404. Check the id with the user, or call listTickets to find their tickets.',
      });
    });

    it('answers a malformed ticket id with a 400', async () => {
      // Act
      const response = await handler(event('getTicket', { params: { ticketId: 'ticket 42' } }));

      // Assess
      expect(statusOf(response)).toBe(400);
      expect(bodyOf<{ fields: string[] }>(response).fields[0]).toMatch(/^ticketId: /);
    });
  });
});
