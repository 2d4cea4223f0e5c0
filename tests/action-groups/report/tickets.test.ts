import type { Caller } from '../../../action-groups/kit/caller';
import {
  DependencyFailed,
  DependencyUnavailable,
  Forbidden,
  InvalidInput,
  NotFound,
} from '../../../action-groups/kit/errors';
import { IDEMPOTENCY_TTL_SECONDS, requestKey } from '../../../action-groups/report/idempotency';
import { encodeNextToken } from '../../../action-groups/report/next-token';
import { normalizeTicketRequest, type Ticket } from '../../../action-groups/report/ticket';
import {
  createTicket,
  fitToBudget,
  getTicket,
  LIST_DESCRIPTION_CHARS,
  listTickets,
  previewDescription,
  type TicketServiceDeps,
  toListQuery,
} from '../../../action-groups/report/tickets';
import { idSequence, MemoryTicketStore, RecordingNotifier, steppingClock } from './helpers';

const REQUEST = {
  title: 'VPN drops every 10 minutes',
  description: 'Since Monday the VPN client disconnects about every 10 minutes.',
  severity: 'high',
};
const SESSION = 'session-1';
const ANA: Caller = { userId: 'cognito:ana', roles: [] };
const BO: Caller = { userId: 'cognito:bo', roles: [] };
const OPERATOR: Caller = { userId: 'cognito:op', roles: ['operator'] };
/** Ana's calls in `sessionId`. */
const as = (caller: Caller = ANA, sessionId = SESSION) => ({ owner: caller.userId, sessionId });
const CTX = as();
const NOW = '2025-05-01T12:00:00.000Z';

function setup(overrides: Partial<TicketServiceDeps> = {}) {
  const store = new MemoryTicketStore();
  const notifier = new RecordingNotifier();
  const failures: { ticket: Ticket; error: unknown }[] = [];
  const deps: TicketServiceDeps = {
    store,
    notifier,
    now: () => new Date(NOW),
    newTicketId: idSequence(),
    onNotifyFailed: (ticket, error) => failures.push({ ticket, error }),
    ...overrides,
  };
  return { store, notifier, failures, deps };
}

const invalidFields = async (promise: Promise<unknown>): Promise<readonly string[]> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof InvalidInput)) throw new Error(`expected InvalidInput, got ${String(err)}`);
  return err.fields;
};

describe('Module: tickets', () => {
  describe('Function: createTicket', () => {
    it('stores an open ticket, notifies once and remembers the request for 24 h', async () => {
      // Prepare
      const { store, notifier, deps } = setup({ newTicketId: idSequence('TCK-10000001') });

      // Act
      const created = await createTicket(deps, { ...REQUEST, conversationId: 'conv-1' }, CTX);

      // Assess
      const expected = {
        ticketId: 'TCK-10000001',
        ...REQUEST,
        owner: ANA.userId,
        conversationId: 'conv-1',
        status: 'open',
        createdAt: NOW,
        updatedAt: NOW,
      };
      expect(created).toEqual({ ticket: expected, notified: true, replayed: false });
      expect(store.tickets.get('TCK-10000001')?.ticket).toEqual(expected);
      expect(notifier.sent).toEqual([expected]);
      const key = requestKey(
        ANA.userId,
        SESSION,
        normalizeTicketRequest({ ...REQUEST, conversationId: 'conv-1' }),
      );
      expect(store.records.get(key)).toEqual({
        key,
        ticketId: 'TCK-10000001',
        createdAt: NOW,
        expiresAt: Date.parse(NOW) / 1000 + IDEMPOTENCY_TTL_SECONDS,
        notified: true,
      });
    });

    it('answers a retry of the same request with the first ticket, without a second notification', async () => {
      // Prepare
      const { store, notifier, deps } = setup({ now: steppingClock(NOW) });
      const first = await createTicket(deps, REQUEST, CTX);

      // Act
      const again = await createTicket(deps, REQUEST, CTX);
      const reworded = await createTicket(
        deps,
        { ...REQUEST, title: `  ${REQUEST.title}\n`, severity: 'HIGH' },
        CTX,
      );

      // Assess
      expect(again).toEqual({ ticket: first.ticket, notified: true, replayed: true });
      expect(reworded).toEqual(again);
      expect(store.tickets.size).toBe(1);
      expect(notifier.sent).toHaveLength(1);
    });

    it('creates a new ticket for the same request in another session', async () => {
      // Prepare
      const { store, notifier, deps } = setup();
      const first = await createTicket(deps, REQUEST, CTX);

      // Act
      const other = await createTicket(deps, REQUEST, as(ANA, 'session-2'));

      // Assess
      expect(other.ticket.ticketId).not.toBe(first.ticket.ticketId);
      expect(other.replayed).toBe(false);
      expect(store.tickets.size).toBe(2);
      expect(notifier.sent).toHaveLength(2);
    });

    it('never answers one user’s request with another user’s ticket (same session and fields)', async () => {
      // Prepare
      const { store, deps } = setup();
      const anas = await createTicket(deps, REQUEST, as(ANA));

      // Act
      const bos = await createTicket(deps, REQUEST, as(BO));

      // Assess
      expect(bos.replayed).toBe(false);
      expect(bos.ticket.ticketId).not.toBe(anas.ticket.ticketId);
      expect(bos.ticket.owner).toBe(BO.userId);
      expect(store.tickets.size).toBe(2);
    });

    it('creates one ticket and one notification when the same request runs twice at once', async () => {
      // Prepare
      const { store, notifier, deps } = setup();

      // Act
      const [a, b] = await Promise.all([createTicket(deps, REQUEST, CTX), createTicket(deps, REQUEST, CTX)]);

      // Assess
      expect(a.ticket).toEqual(b.ticket);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect(store.tickets.size).toBe(1);
      expect(notifier.sent).toHaveLength(1);
    });

    it('moves the request to a fresh id when its id belongs to another ticket', async () => {
      // Prepare: the first two ids drawn are taken
      const { store, notifier, deps } = setup({
        newTicketId: idSequence('TCK-11111111', 'TCK-11111111', 'TCK-11111111', 'TCK-22222222'),
      });
      const existing = await createTicket(deps, REQUEST, as(ANA, 'other-session'));

      // Act
      const created = await createTicket(deps, { ...REQUEST, title: 'Printer on fire' }, CTX);

      // Assess
      expect(existing.ticket.ticketId).toBe('TCK-11111111');
      expect(created.ticket.ticketId).toBe('TCK-22222222');
      expect(created.ticket.title).toBe('Printer on fire');
      expect(store.tickets.get('TCK-11111111')?.ticket.title).toBe(REQUEST.title);
      expect(notifier.sent.map((t) => t.ticketId)).toEqual(['TCK-11111111', 'TCK-22222222']);
      const key = requestKey(
        ANA.userId,
        SESSION,
        normalizeTicketRequest({ ...REQUEST, title: 'Printer on fire' }),
      );
      expect(store.records.get(key)?.ticketId).toBe('TCK-22222222');
    });

    it('gives up with a retryable error when no free id is found', async () => {
      // Prepare
      const { store, deps } = setup({ newTicketId: () => 'TCK-11111111' });
      await createTicket(deps, REQUEST, as(ANA, 'other-session'));

      // Act
      const result = createTicket(deps, { ...REQUEST, title: 'Another' }, CTX);

      // Assess
      await expect(result).rejects.toBeInstanceOf(DependencyUnavailable);
      expect(store.tickets.size).toBe(1);
    });

    it('completes a request whose first call died after claiming it, with the claimed id and time', async () => {
      // Prepare: the claim exists, the ticket was never written
      const { store, notifier, deps } = setup({ now: () => new Date('2025-05-01T12:05:00.000Z') });
      const key = requestKey(ANA.userId, SESSION, normalizeTicketRequest(REQUEST));
      store.records.set(key, {
        key,
        ticketId: 'TCK-33333333',
        createdAt: NOW,
        expiresAt: Date.parse(NOW) / 1000 + IDEMPOTENCY_TTL_SECONDS,
      });

      // Act
      const created = await createTicket(deps, REQUEST, CTX);

      // Assess
      expect(created.replayed).toBe(false);
      expect(created.ticket).toMatchObject({ ticketId: 'TCK-33333333', createdAt: NOW });
      expect(notifier.sent).toHaveLength(1);
    });

    it('creates a new ticket once the earlier request has expired', async () => {
      // Prepare
      let now = new Date(NOW);
      const { store, deps } = setup({ now: () => now });
      const first = await createTicket(deps, REQUEST, CTX);
      now = new Date(Date.parse(NOW) + (IDEMPOTENCY_TTL_SECONDS + 1) * 1000);

      // Act
      const later = await createTicket(deps, REQUEST, CTX);

      // Assess
      expect(later.replayed).toBe(false);
      expect(later.ticket.ticketId).not.toBe(first.ticket.ticketId);
      expect(store.tickets.size).toBe(2);
    });

    it('keeps the ticket when the notification fails, reports notified: false and tells the handler', async () => {
      // Prepare
      const { store, notifier, failures, deps } = setup();
      const error = new DependencyUnavailable('The notification service is busy right now.');
      notifier.failWith = error;

      // Act
      const created = await createTicket(deps, REQUEST, CTX);
      notifier.failWith = undefined;
      const retried = await createTicket(deps, REQUEST, CTX);

      // Assess
      expect(created.notified).toBe(false);
      expect(store.tickets.get(created.ticket.ticketId)?.ticket).toEqual(created.ticket);
      expect(failures).toEqual([{ ticket: created.ticket, error }]);
      expect(retried).toEqual({ ticket: created.ticket, notified: false, replayed: true });
      expect(notifier.sent).toHaveLength(0);
    });

    it('does not fail the call when only remembering the notification fails', async () => {
      // Prepare
      const { store, deps } = setup();
      store.failures.recordNotification = new DependencyUnavailable();

      // Act
      const created = await createTicket(deps, REQUEST, CTX);
      const retried = await createTicket(deps, REQUEST, CTX);

      // Assess
      expect(created.notified).toBe(true);
      expect(retried).toEqual({ ticket: created.ticket, replayed: true });
    });

    it('propagates a store failure before the ticket exists', async () => {
      // Prepare
      const { store, notifier, deps } = setup();
      store.failures.insertTicket = new DependencyFailed();

      // Act / Assess
      await expect(createTicket(deps, REQUEST, CTX)).rejects.toBeInstanceOf(DependencyFailed);
      expect(notifier.sent).toHaveLength(0);
    });

    it('rejects invalid input by field before touching the store', async () => {
      // Prepare
      const { store, deps } = setup();

      // Act
      const fields = await invalidFields(
        createTicket(deps, { ...REQUEST, title: '   ', severity: 'urgent' }, CTX),
      );

      // Assess
      expect(fields).toEqual([
        'title: must not be blank',
        expect.stringMatching(/^severity: must be one of low, medium, high, critical/),
      ]);
      expect(store.calls).toEqual([]);
    });
  });

  describe('Function: getTicket', () => {
    it('returns a stored ticket to its owner and to an operator', async () => {
      // Prepare
      const { deps } = setup();
      const { ticket } = await createTicket(deps, REQUEST, CTX);

      // Act / Assess
      await expect(getTicket(deps, ticket.ticketId, ANA)).resolves.toEqual(ticket);
      await expect(getTicket(deps, ticket.ticketId, OPERATOR)).resolves.toEqual(ticket);
    });

    it('answers another user exactly like an unknown id: NotFound that tells the model what to do', async () => {
      // Prepare
      const { deps } = setup({ newTicketId: idSequence('TCK-404') });
      await createTicket(deps, REQUEST, CTX);

      // Act
      const foreign = getTicket(deps, 'TCK-404', BO);
      const unknown = getTicket(deps, 'TCK-405', BO);

      // Assess
      await expect(foreign).rejects.toBeInstanceOf(NotFound);
      await expect(foreign).rejects.toThrow(
        'No ticket has the id TCK-404. Check the id with the user, or call listTickets to find their tickets.',
      );
      await expect(unknown).rejects.toThrow('No ticket has the id TCK-405.');
    });

    it('shows a ticket stored before owners existed to operators only', async () => {
      // Prepare
      const { store, deps } = setup();
      const { ticket } = await createTicket(deps, REQUEST, CTX);
      const { owner: _none, ...legacy } = ticket;
      store.tickets.set(ticket.ticketId, { ticket: legacy });

      // Act / Assess
      await expect(getTicket(deps, ticket.ticketId, ANA)).rejects.toBeInstanceOf(NotFound);
      await expect(getTicket(deps, ticket.ticketId, OPERATOR)).resolves.toEqual(legacy);
    });

    it('rejects a malformed id without reading the store', async () => {
      // Prepare
      const { store, deps } = setup();

      // Act
      const fields = await invalidFields(getTicket(deps, `IDEMPOTENCY#${'a'.repeat(64)}`, ANA));

      // Assess
      expect(fields[0]).toMatch(/^ticketId: /);
      expect(store.calls).toEqual([]);
    });
  });

  describe('Function: toListQuery', () => {
    it.each([
      { request: {}, query: { by: 'recent', limit: 20 } },
      { request: { limit: 500 }, query: { by: 'recent', limit: 50 } },
      { request: { owner: ' ', status: '', limit: 0 }, query: { by: 'recent', limit: 1 } },
      { request: { owner: 'cognito:ana' }, query: { by: 'owner', owner: 'cognito:ana', limit: 20 } },
      { request: { status: 'Open' }, query: { by: 'status', status: 'open', limit: 20 } },
      {
        request: { owner: 'cognito:ana', status: 'closed', limit: 5 },
        query: { by: 'owner', owner: 'cognito:ana', status: 'closed', limit: 5 },
      },
    ])('reads an operator’s $request as $query', ({ request, query }) => {
      expect(toListQuery(request, OPERATOR)).toEqual(query);
    });

    it.each([
      { request: {}, query: { by: 'owner', owner: 'cognito:ana', limit: 20 } },
      {
        request: { status: 'Open' },
        query: { by: 'owner', owner: 'cognito:ana', status: 'open', limit: 20 },
      },
      { request: { owner: 'cognito:ana', limit: 3 }, query: { by: 'owner', owner: 'cognito:ana', limit: 3 } },
    ])('reads anyone else’s $request as their own tickets: $query', ({ request, query }) => {
      expect(toListQuery(request, ANA)).toEqual(query);
    });

    it('refuses another owner for anyone but an operator (403, telling the model what to do)', () => {
      expect(() => toListQuery({ owner: 'cognito:bo' }, ANA)).toThrow(Forbidden);
      expect(() => toListQuery({ owner: 'cognito:bo' }, ANA)).toThrow(/without owner/);
    });
  });

  describe('Function: listTickets', () => {
    async function seed(deps: TicketServiceDeps, count: number, caller = ANA) {
      for (let i = 0; i < count; i++) {
        await createTicket(deps, { ...REQUEST, title: `Problem ${i}` }, as(caller));
      }
    }

    it('pages through the caller’s own tickets, newest first, with tokens that lead to each once', async () => {
      // Prepare
      const { deps } = setup({ now: steppingClock(NOW) });
      await seed(deps, 5);
      await seed(deps, 2, BO);

      // Act
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await listTickets(deps, { limit: 2, nextToken }, ANA);
        seen.push(...page.tickets.map((t) => t.title));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken);

      // Assess
      expect(seen).toEqual(['Problem 4', 'Problem 3', 'Problem 2', 'Problem 1', 'Problem 0']);
      expect(pages).toBe(3);
    });

    it('refuses a token of another owner’s list (a token cannot widen a list)', async () => {
      // Prepare
      const { deps } = setup({ now: steppingClock(NOW) });
      await seed(deps, 3, BO);
      const bosPage = await listTickets(deps, { limit: 1 }, BO);

      // Act
      const fields = await invalidFields(listTickets(deps, { limit: 1, nextToken: bosPage.nextToken }, ANA));

      // Assess
      expect(fields[0]).toMatch(/^nextToken: belongs to a different list/);
    });

    it('sorts an operator’s page of recent tickets newest first', async () => {
      // Prepare
      const { deps } = setup({ now: steppingClock(NOW) });
      await seed(deps, 2);
      await seed(deps, 1, BO);

      // Act
      const page = await listTickets(deps, {}, OPERATOR);

      // Assess
      expect(page.tickets.map((t) => t.title)).toEqual(['Problem 0', 'Problem 1', 'Problem 0']);
      expect(page.tickets.map((t) => t.owner)).toEqual([BO.userId, ANA.userId, ANA.userId]);
      expect(page.nextToken).toBeUndefined();
    });

    it('shows description previews', async () => {
      // Prepare
      const { deps } = setup();
      const { ticket } = await createTicket(deps, { ...REQUEST, description: 'é'.repeat(4000) }, CTX);

      // Act
      const page = await listTickets(deps, {}, ANA);

      // Assess
      expect(page.tickets[0]?.description).toBe(`${'é'.repeat(LIST_DESCRIPTION_CHARS - 1)}…`);
      await expect(getTicket(deps, ticket.ticketId, ANA)).resolves.toHaveProperty(
        'description',
        'é'.repeat(4000),
      );
    });

    it('ends a page early, with a token after its last ticket, when the answer would be too long', async () => {
      // Prepare: 50 tickets with the longest fields the schema allows
      const { deps } = setup({ now: steppingClock(NOW) });
      for (let i = 0; i < 50; i++) {
        await createTicket(
          deps,
          {
            title: `${i} ${'t'.repeat(110)}`,
            description: 'd'.repeat(4000),
            severity: 'low',
            reporterName: 'r'.repeat(120),
            conversationId: 'c'.repeat(128),
          },
          CTX,
        );
      }

      // Act
      const first = await listTickets(deps, { status: 'open', limit: 50 }, ANA);
      const second = await listTickets(deps, { status: 'open', limit: 50, nextToken: first.nextToken }, ANA);

      // Assess
      expect(JSON.stringify(first).length).toBeLessThan(20_000);
      expect(first.tickets.length).toBeLessThan(50);
      expect(first.nextToken).toBeDefined();
      const ids = [...first.tickets, ...second.tickets].map((t) => t.ticketId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(first.tickets.length + second.tickets.length);
    });

    it('rejects an unknown status and a damaged token by field', async () => {
      // Prepare
      const { store, deps } = setup();

      // Act
      const status = await invalidFields(listTickets(deps, { status: 'done' }, ANA));
      const token = await invalidFields(listTickets(deps, { nextToken: 'not-a-token' }, ANA));
      const foreign = await invalidFields(
        listTickets(
          deps,
          { status: 'open', nextToken: encodeNextToken({ ticketId: 'TCK-1', owner: 'x', createdAt: NOW }) },
          ANA,
        ),
      );

      // Assess
      expect(status[0]).toMatch(/^status: must be one of open, in_progress, resolved, closed/);
      expect(token[0]).toMatch(/^nextToken: is damaged/);
      expect(foreign[0]).toMatch(/^nextToken: belongs to a different list/);
      expect(store.calls).toEqual([]);
    });
  });

  describe('Function: previewDescription / fitToBudget', () => {
    it('never splits a surrogate pair', () => {
      // Act
      const preview = previewDescription('😀'.repeat(300), 10);

      // Assess
      expect(preview).toBe(`${'😀'.repeat(9)}…`);
      expect(previewDescription('short')).toBe('short');
    });

    it('keeps at least one ticket and cuts at the budget', () => {
      // Prepare
      const ticket = {
        ticketId: 'TCK-1',
        title: 'x'.repeat(100),
        description: '',
        severity: 'low',
        status: 'open',
        owner: 'cognito:r',
        createdAt: NOW,
        updatedAt: NOW,
      };

      // Act / Assess
      expect(fitToBudget([ticket, ticket], 10)).toEqual({ tickets: [ticket], cut: true });
      expect(fitToBudget([ticket, ticket], 100_000)).toEqual({ tickets: [ticket, ticket], cut: false });
      expect(fitToBudget([], 10)).toEqual({ tickets: [], cut: false });
    });
  });
});
