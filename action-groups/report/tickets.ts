import { type Caller, isOperator } from '../kit/caller';
import { DependencyUnavailable, Forbidden, isToolError, NotFound } from '../kit/errors';
import { epochSeconds, idempotencyExpiry, requestKey } from './idempotency';
import { cursorAfter, decodeNextToken, encodeNextToken } from './next-token';
import type { IdempotencyRecord, TicketListQuery, TicketNotifier, TicketStore } from './ports';
import {
  assertTicketId,
  buildTicket,
  cleanText,
  type NewTicketRequest,
  newTicketId,
  normalizeTicketRequest,
  parseStatus,
  type Ticket,
} from './ticket';

/**
 * The report tool's operations: create (idempotent, with a notification), get and list tickets. They talk to
 * the world only through the ports, so they run the same against DynamoDB/SNS, dynalite or fakes.
 */

export interface TicketServiceDeps {
  readonly store: TicketStore;
  readonly notifier: TicketNotifier;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default newTicketId (random 8-digit ids) */
  readonly newTicketId?: () => string;
  /**
   * Called when the notification for a stored ticket failed. The ticket is kept and returned with
   * `notified: false`; the handler logs this and counts it in a metric so the team can alarm on it.
   */
  readonly onNotifyFailed?: (ticket: Ticket, error: unknown) => void;
}

export interface CreatedTicket {
  readonly ticket: Ticket;
  /** `true`/`false`: the notification went out or failed. Absent when a retry cannot know yet. */
  readonly notified?: boolean;
  /** `true` when this call repeated an earlier one and returns its ticket. */
  readonly replayed: boolean;
}

/** Attempts to find a free ticket id (each collision draws a new one) or a live idempotency record. */
const MAX_ATTEMPTS = 5;

/** Who creates a ticket, and in which agent session. */
export interface CreateContext {
  /** The caller's verified userId: the ticket's owner. */
  readonly owner: string;
  readonly sessionId: string;
}

/**
 * Creates a ticket owned by the caller, once per request: a call repeating an earlier one of the same owner
 * and session (same normalised fields) returns the earlier ticket, and only the call that stored the ticket
 * publishes the notification.
 *
 * Steps: claim the request (a conditional write of an idempotency record naming a fresh ticket id, or the
 * earlier live record), then write that ticket only if its id is free. The write succeeds for exactly one
 * caller, and that caller notifies. A caller whose write fails reads the ticket: created by the same request
 * means a repeat (return it); created by another request means an id collision (point the request at a new
 * id and try again). A call that crashed after the claim is completed by its retry with the same id and time.
 *
 * A notification failure never loses the ticket: it is stored first, and the caller gets it with
 * `notified: false` (the schema documents this so the model can tell the user). Delivery is at most once:
 * if the function dies between storing and publishing, the retry returns the ticket without notifying. For
 * at-least-once delivery, publish from the table's stream instead.
 */
export async function createTicket(
  deps: TicketServiceDeps,
  request: NewTicketRequest,
  context: CreateContext,
): Promise<CreatedTicket> {
  const normalized = normalizeTicketRequest(request);
  const key = requestKey(context.owner, context.sessionId, normalized);
  const now = (deps.now ?? (() => new Date()))();
  const nextId = deps.newTicketId ?? newTicketId;
  let record = await claimRequest(deps.store, key, now, nextId);

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const ticket = buildTicket(normalized, context.owner, record.ticketId, record.createdAt);
    if (await deps.store.insertTicket(ticket, key)) {
      const notified = await notify(deps, ticket);
      await rememberNotification(deps.store, key, notified);
      return { ticket, notified, replayed: false };
    }
    const existing = await deps.store.getTicket(record.ticketId);
    if (existing?.requestKey === key) {
      return {
        ticket: existing.ticket,
        ...(record.notified === undefined ? {} : { notified: record.notified }),
        replayed: true,
      };
    }
    if (existing) {
      // The id belongs to another request's ticket: move this request to a fresh id.
      const moved = await deps.store.repointRequest(key, record.ticketId, nextId());
      record = moved ?? (await claimRequest(deps.store, key, now, nextId));
    }
    // No ticket under the id although the write failed: it was deleted meanwhile; write it again.
  }
  throw new DependencyUnavailable(
    'Could not store the ticket right now. Call createTicket again in a moment.',
  );
}

async function claimRequest(
  store: TicketStore,
  key: string,
  now: Date,
  nextId: () => string,
): Promise<IdempotencyRecord> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await store.claimRequest(
      { key, ticketId: nextId(), createdAt: now.toISOString(), expiresAt: idempotencyExpiry(now) },
      epochSeconds(now),
    );
    if (record) return record;
  }
  throw new DependencyUnavailable(
    'Could not store the ticket right now. Call createTicket again in a moment.',
  );
}

async function notify(deps: TicketServiceDeps, ticket: Ticket): Promise<boolean> {
  try {
    await deps.notifier.ticketCreated(ticket);
    return true;
  } catch (err) {
    deps.onNotifyFailed?.(ticket, err);
    return false;
  }
}

/**
 * Best effort: the ticket exists and the notification is decided, so a failure to remember the outcome must
 * not turn the call into an error (a retry would then only miss `notified`). Bugs still propagate.
 */
async function rememberNotification(store: TicketStore, key: string, notified: boolean): Promise<void> {
  try {
    await store.recordNotification(key, notified);
  } catch (err) {
    if (!isToolError(err)) throw err;
  }
}

/** Whether `caller` may read `ticket`: its owner, or an operator (tickets without an owner: operators only). */
export const canRead = (caller: Caller, ticket: Ticket): boolean =>
  isOperator(caller) || (ticket.owner !== undefined && ticket.owner === caller.userId);

/**
 * One ticket by id, for its owner or an operator. A ticket of someone else gets exactly the answer an id that
 * does not exist gets, so ids cannot be probed.
 */
export async function getTicket(
  deps: Pick<TicketServiceDeps, 'store'>,
  ticketId: string,
  caller: Caller,
): Promise<Ticket> {
  const id = ticketId.trim().toUpperCase();
  assertTicketId(id);
  const stored = await deps.store.getTicket(id);
  if (!stored || !canRead(caller, stored.ticket)) {
    throw new NotFound(
      `No ticket has the id ${id}. Check the id with the user, or call listTickets to find their tickets.`,
    );
  }
  return stored.ticket;
}

export interface ListTicketsRequest {
  /** Operators only: whose tickets. */
  readonly owner?: string;
  readonly status?: string;
  readonly limit?: number;
  readonly nextToken?: string;
}

export interface TicketList {
  readonly tickets: Ticket[];
  readonly nextToken?: string;
}

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 50;

/** Characters of a description shown in a list (getTicket returns all of it). */
export const LIST_DESCRIPTION_CHARS = 280;

/**
 * Budget for one page's JSON, below the kit's 20,000-character response limit. A page that would exceed it
 * ends early with a nextToken after its last ticket; the kit's own truncation would instead drop tickets
 * that no nextToken leads back to.
 */
export const LIST_BUDGET_CHARS = 16_000;

/** Cuts a description for a list entry, without splitting a surrogate pair. */
export function previewDescription(text: string, max = LIST_DESCRIPTION_CHARS): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

const blankToUndefined = (value: string | undefined): string | undefined => {
  const cleaned = value === undefined ? '' : cleanText(value);
  return cleaned === '' ? undefined : cleaned;
};

/**
 * The store query for a request of `caller`. Anyone but an operator lists their own tickets (owner index),
 * whatever the request says, and naming another owner is refused. An operator lists one owner's tickets,
 * else one status's (status index), else all of them (a bounded scan).
 */
export function toListQuery(request: ListTicketsRequest, caller: Caller): TicketListQuery {
  const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(request.limit ?? DEFAULT_LIST_LIMIT)));
  const owner = blankToUndefined(request.owner);
  const statusText = blankToUndefined(request.status);
  const status = statusText === undefined ? undefined : parseStatus(statusText);
  const base = { limit };
  const byOwner = (who: string): TicketListQuery => ({
    ...base,
    by: 'owner',
    owner: who,
    ...(status ? { status } : {}),
  });
  if (!isOperator(caller)) {
    if (owner !== undefined && owner !== caller.userId) {
      throw new Forbidden(
        'Only support operators can list the tickets of another user. Call listTickets without owner to list the signed-in user’s own tickets.',
      );
    }
    return byOwner(caller.userId);
  }
  if (owner !== undefined) return byOwner(owner);
  if (status !== undefined) return { ...base, by: 'status', status };
  return { ...base, by: 'recent' };
}

/**
 * Lists tickets the caller may see: their own (optionally in one status), newest first, through the owner
 * index. Operators may also list one status's tickets or, without filters, all of them through a bounded
 * scan whose page is sorted newest first (order across pages is storage order). Descriptions are previews,
 * and a page stops early rather than exceed the response budget.
 */
export async function listTickets(
  deps: Pick<TicketServiceDeps, 'store'>,
  request: ListTicketsRequest,
  caller: Caller,
): Promise<TicketList> {
  const first = toListQuery(request, caller);
  const token = blankToUndefined(request.nextToken);
  const query = token === undefined ? first : { ...first, cursor: decodeNextToken(token, first) };
  const page = await deps.store.listTickets(query);
  // The query already selects what the caller may see; checking each ticket again costs nothing.
  const visible = page.tickets.filter((ticket) => canRead(caller, ticket));
  const { tickets, cut } = fitToBudget(visible.map(toListEntry));
  const last = tickets.at(-1);
  const cursor = cut && last ? cursorAfter(last, query.by) : page.cursor;
  const ordered = query.by === 'recent' ? [...tickets].sort(newestFirst) : tickets;
  return { tickets: ordered, ...(cursor ? { nextToken: encodeNextToken(cursor) } : {}) };
}

const toListEntry = (ticket: Ticket): Ticket => ({
  ...ticket,
  description: previewDescription(ticket.description),
});

const newestFirst = (a: Ticket, b: Ticket): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.ticketId < b.ticketId ? 1 : -1;

/** The longest prefix whose JSON fits the budget (at least one ticket), and whether it was cut. */
export function fitToBudget(
  tickets: readonly Ticket[],
  budget = LIST_BUDGET_CHARS,
): { tickets: Ticket[]; cut: boolean } {
  const out: Ticket[] = [];
  let used = 0;
  for (const ticket of tickets) {
    const size = JSON.stringify(ticket).length + 1;
    if (out.length > 0 && used + size > budget) return { tickets: out, cut: true };
    out.push(ticket);
    used += size;
  }
  return { tickets: out, cut: false };
}
