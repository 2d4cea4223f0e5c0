import { ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  DependencyFailed,
  DependencyUnavailable,
  InvalidInput,
  toErrorOutcome,
} from '../../../action-groups/kit/errors';
import { DynamoTicketStore, TICKETS_TABLE } from '../../../action-groups/report/dynamo-ticket-store';
import { idempotencyItemId } from '../../../action-groups/report/idempotency';
import type { IdempotencyRecord } from '../../../action-groups/report/ports';
import type { Ticket } from '../../../action-groups/report/ticket';
import { TABLE_KEYS } from '../../../infra/constructs/data';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { ticketsTableSpec } from './helpers';

const NOW_SECONDS = Date.parse('2025-05-01T12:00:00Z') / 1000;
const KEY = 'a'.repeat(64);

const record = (patch: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  key: KEY,
  ticketId: 'TCK-10000001',
  createdAt: '2025-05-01T12:00:00.000Z',
  expiresAt: NOW_SECONDS + 86_400,
  ...patch,
});

let n = 0;
/** A ticket created `i` minutes after noon. */
const ticket = (i: number, patch: Partial<Ticket> = {}): Ticket => {
  const at = new Date(Date.parse('2025-05-01T12:00:00.000Z') + i * 60_000).toISOString();
  return {
    ticketId: `TCK-${20_000_000 + i}`,
    title: `Problem ${i}`,
    description: 'Details',
    severity: 'low',
    status: 'open',
    owner: 'cognito:ana',
    createdAt: at,
    updatedAt: at,
    ...patch,
  };
};

describe('Class: DynamoTicketStore (dynalite)', () => {
  let ddb: LocalDynamo;
  let documents: DynamoDBDocumentClient;
  let table: string;
  let store: DynamoTicketStore;

  beforeAll(async () => {
    ddb = await startDynalite();
    documents = DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } });
  });
  afterAll(async () => ddb.stop());

  beforeEach(async () => {
    table = `tickets-${++n}`;
    await ddb.createTables([ticketsTableSpec(table)]);
    store = new DynamoTicketStore(documents, { tableName: table });
  });

  it('uses the attribute and index names of the Tickets table in infra/constructs/data.ts', () => {
    expect(TICKETS_TABLE).toEqual(TABLE_KEYS.tickets);
  });

  it('reads a ticket stored before owners existed: no owner, its model-given reporter as reporterName', async () => {
    // Prepare
    const { owner: _none, ...legacy } = ticket(42);
    await documents.send(
      new PutCommand({ TableName: table, Item: { ...legacy, reporter: 'ana@example.com' } }),
    );

    // Act
    const stored = await store.getTicket(legacy.ticketId);

    // Assess
    expect(stored?.ticket.owner).toBeUndefined();
    expect(stored?.ticket.reporterName).toBe('ana@example.com');
    expect(stored?.ticket).not.toHaveProperty('reporter');
  });

  describe('Method: claimRequest', () => {
    it('stores a new record with a TTL in epoch seconds and returns it', async () => {
      // Act
      const claimed = await store.claimRequest(record(), NOW_SECONDS);

      // Assess
      expect(claimed).toEqual(record());
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: { ticketId: idempotencyItemId(KEY) } }),
      );
      expect(Item).toEqual({
        ticketId: idempotencyItemId(KEY),
        targetTicketId: 'TCK-10000001',
        ticketCreatedAt: '2025-05-01T12:00:00.000Z',
        expiresAt: NOW_SECONDS + 86_400,
      });
    });

    it('returns the live earlier record instead of replacing it', async () => {
      // Prepare
      await store.claimRequest(record(), NOW_SECONDS);

      // Act
      const second = await store.claimRequest(record({ ticketId: 'TCK-99999999' }), NOW_SECONDS + 60);

      // Assess
      expect(second).toEqual(record());
    });

    it('replaces an expired record that TTL has not deleted yet', async () => {
      // Prepare
      await store.claimRequest(record(), NOW_SECONDS);
      const later = NOW_SECONDS + 86_400;

      // Act
      const second = await store.claimRequest(
        record({ ticketId: 'TCK-99999999', expiresAt: later + 86_400 }),
        later,
      );

      // Assess
      expect(second?.ticketId).toBe('TCK-99999999');
    });
  });

  describe('Method: repointRequest / recordNotification', () => {
    it('moves the request only from the id it still points at', async () => {
      // Prepare
      await store.claimRequest(record(), NOW_SECONDS);

      // Act
      const moved = await store.repointRequest(KEY, 'TCK-10000001', 'TCK-10000002');
      const stale = await store.repointRequest(KEY, 'TCK-10000001', 'TCK-10000003');

      // Assess
      expect(moved?.ticketId).toBe('TCK-10000002');
      expect(stale?.ticketId).toBe('TCK-10000002');
      await expect(store.repointRequest('b'.repeat(64), 'TCK-1', 'TCK-2')).resolves.toBeUndefined();
    });

    it('records the notification outcome, and creates nothing for a missing record', async () => {
      // Prepare
      await store.claimRequest(record(), NOW_SECONDS);

      // Act
      await store.recordNotification(KEY, false);
      await store.recordNotification('b'.repeat(64), true);

      // Assess
      expect(await store.claimRequest(record({ ticketId: 'TCK-5' }), NOW_SECONDS)).toEqual(
        record({ notified: false }),
      );
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: { ticketId: idempotencyItemId('b'.repeat(64)) } }),
      );
      expect(Item).toBeUndefined();
    });
  });

  describe('Method: insertTicket / getTicket', () => {
    it('writes a ticket once per id and reads it back with its request key', async () => {
      // Prepare
      const t = ticket(1, { conversationId: 'conv-1' });

      // Act
      const first = await store.insertTicket(t, KEY);
      const second = await store.insertTicket({ ...t, title: 'Other' }, 'b'.repeat(64));

      // Assess
      expect([first, second]).toEqual([true, false]);
      await expect(store.getTicket(t.ticketId)).resolves.toEqual({ ticket: t, requestKey: KEY });
      await expect(store.getTicket('TCK-404')).resolves.toBeUndefined();
    });

    it('treats a malformed item as a dependency failure', async () => {
      // Prepare
      await documents.send(
        new PutCommand({ TableName: table, Item: { ticketId: 'TCK-7', title: 'only a title' } }),
      );

      // Act / Assess
      await expect(store.getTicket('TCK-7')).rejects.toBeInstanceOf(DependencyFailed);
    });
  });

  describe('Method: listTickets', () => {
    beforeEach(async () => {
      // 7 tickets of ana (every other one closed), 3 of bo, and idempotency records in between
      for (let i = 0; i < 10; i++) {
        const owner = i < 7 ? 'cognito:ana' : 'cognito:bo';
        await store.insertTicket(ticket(i, { owner, status: i % 2 === 0 ? 'open' : 'closed' }), KEY);
        await store.claimRequest(record({ key: `${i}`.padStart(64, 'c') }), NOW_SECONDS);
      }
    });

    it('pages through one owner newest first using the owner index', async () => {
      // Act
      const first = await store.listTickets({ by: 'owner', owner: 'cognito:ana', limit: 3 });
      const second = await store.listTickets({
        by: 'owner',
        owner: 'cognito:ana',
        limit: 3,
        cursor: first.cursor,
      });

      // Assess
      expect(first.tickets.map((t) => t.title)).toEqual(['Problem 6', 'Problem 5', 'Problem 4']);
      expect(first.cursor).toEqual({
        ticketId: 'TCK-20000004',
        owner: 'cognito:ana',
        createdAt: '2025-05-01T12:04:00.000Z',
      });
      expect(second.tickets.map((t) => t.title)).toEqual(['Problem 3', 'Problem 2', 'Problem 1']);
    });

    it('filters one owner by status and fills the page across reads', async () => {
      // Prepare
      const send = jest.spyOn(documents, 'send');
      const query = { by: 'owner', owner: 'cognito:ana', status: 'closed', limit: 2 } as const;

      // Act
      const first = await store.listTickets(query);
      const rest = await store.listTickets({ ...query, limit: 10, cursor: first.cursor });

      // Assess: a read of 2 holds only one closed ticket, so the first page took more reads
      expect(first.tickets.map((t) => t.title)).toEqual(['Problem 5', 'Problem 3']);
      expect(send.mock.calls.length).toBeGreaterThan(2);
      expect(first.cursor).toBeDefined();
      expect(rest.tickets.map((t) => t.title)).toEqual(['Problem 1']);
      expect(rest.cursor).toBeUndefined();
      send.mockRestore();
    });

    it('lists one status newest first using the status index', async () => {
      // Act
      const page = await store.listTickets({ by: 'status', status: 'open', limit: 10 });

      // Assess
      expect(page.tickets.map((t) => t.title)).toEqual([
        'Problem 8',
        'Problem 6',
        'Problem 4',
        'Problem 2',
        'Problem 0',
      ]);
    });

    it('scans recent tickets without returning idempotency records, in bounded reads', async () => {
      // Prepare
      const bounded = new DynamoTicketStore(documents, { tableName: table, maxReadsPerPage: 2 });
      const send = jest.spyOn(documents, 'send');

      // Act: every page is at most 4 tickets and 2 reads; follow the cursor to the end
      const titles: string[] = [];
      let cursor: Record<string, string> | undefined;
      let pages = 0;
      do {
        const page = await bounded.listTickets({ by: 'recent', limit: 4, ...(cursor ? { cursor } : {}) });
        expect(page.tickets.length).toBeLessThanOrEqual(4);
        titles.push(...page.tickets.map((t) => t.title));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);

      // Assess
      expect(titles.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Problem ${i}`).sort());
      expect(send.mock.calls.length).toBeLessThanOrEqual(pages * 2);
      send.mockRestore();
    });

    it('answers a start key DynamoDB rejects with a 400 naming nextToken', async () => {
      // Act: an owner-index query from a position without the index keys
      const result = store.listTickets({
        by: 'owner',
        owner: 'cognito:ana',
        limit: 3,
        cursor: { ticketId: 'TCK-20000004' },
      });

      // Assess
      await expect(result).rejects.toBeInstanceOf(InvalidInput);
      await expect(result).rejects.toMatchObject({ fields: [expect.stringMatching(/^nextToken: /)] });
    });
  });

  describe('error mapping', () => {
    const failing = (err: unknown) =>
      new DynamoTicketStore({ send: jest.fn().mockRejectedValue(err) } as unknown as DynamoDBDocumentClient, {
        tableName: 'kass-tickets',
      });

    it.each([
      { name: 'getTicket', call: (s: DynamoTicketStore) => s.getTicket('TCK-1') },
      { name: 'insertTicket', call: (s: DynamoTicketStore) => s.insertTicket(ticket(1), KEY) },
      { name: 'claimRequest', call: (s: DynamoTicketStore) => s.claimRequest(record(), NOW_SECONDS) },
      { name: 'listTickets', call: (s: DynamoTicketStore) => s.listTickets({ by: 'recent', limit: 5 }) },
    ])('maps throttling in $name to a 503 with a safe message', async ({ call }) => {
      // Prepare
      const err = new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded: kass-tickets',
        $metadata: { httpStatusCode: 400 },
      });

      // Act
      const error = await call(failing(err)).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).toBeInstanceOf(DependencyUnavailable);
      expect(toErrorOutcome(error).body.error).toBe(
        'The ticket database is busy right now. Wait a few seconds and call the tool again.',
      );
    });

    it('maps a missing table to a 502 that does not name it', async () => {
      // Prepare
      const err = new ResourceNotFoundException({
        message: 'Requested resource not found: Table: kass-tickets not found',
        $metadata: { httpStatusCode: 400 },
      });

      // Act
      const error = await failing(err)
        .getTicket('TCK-1')
        .then(
          () => undefined,
          (e: unknown) => e,
        );

      // Assess
      expect(error).toBeInstanceOf(DependencyFailed);
      expect(JSON.stringify(toErrorOutcome(error).body)).not.toContain('kass-tickets');
    });
  });
});
