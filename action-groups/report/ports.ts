import type { Ticket, TicketStatus } from './ticket';

/**
 * The ports the ticket operations need. `DynamoTicketStore` and `SnsTicketNotifier` implement them for AWS;
 * tests use in-memory fakes. Adapters throw kit tool errors (DependencyUnavailable, DependencyFailed,
 * InvalidInput for a stale page position) with safe messages; anything else is a bug.
 */

/** A remembered createTicket request (see `idempotency.ts`). */
export interface IdempotencyRecord {
  /** SHA-256 hex of session and request. */
  readonly key: string;
  /** The ticket this request creates (or created). */
  readonly ticketId: string;
  /** The ticket's creation time, fixed at the first call so a completed retry stores the same ticket. */
  readonly createdAt: string;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
  /** Whether the first call's notification went out; absent until known. */
  readonly notified?: boolean;
}

/** A ticket as stored, with the request that created it (to tell a retry from an id collision). */
export interface StoredTicket {
  readonly ticket: Ticket;
  readonly requestKey?: string;
}

/**
 * A position in a ticket list: the key attributes of the last item read, in the index the query uses.
 * `owner` lists: ticketId, owner, createdAt; `status` lists: ticketId, status, createdAt; `recent`
 * lists: ticketId. All of them are ticket attributes, so a position can also be taken from a ticket.
 */
export type TicketCursor = Readonly<Record<string, string>>;

interface ListBase {
  /** At most this many tickets. */
  readonly limit: number;
  /** Continue after this position. */
  readonly cursor?: TicketCursor;
}

/**
 * Which tickets to list. The store picks the access path from `by`. Only `owner` lists serve ordinary
 * callers (their own tickets); `status` and `recent` read everyone's tickets and are for operators.
 */
export type TicketListQuery =
  /** One owner's tickets, newest first (owner index), optionally only one status. */
  | (ListBase & { readonly by: 'owner'; readonly owner: string; readonly status?: TicketStatus })
  /** Tickets in one status, newest first (status index). Operators only. */
  | (ListBase & { readonly by: 'status'; readonly status: TicketStatus })
  /** Any tickets, in storage order (a bounded scan); the caller sorts what it returns. Operators only. */
  | (ListBase & { readonly by: 'recent' });

export interface TicketPage {
  /** In the order of the access path: newest first for `owner`/`status`, storage order for `recent`. */
  readonly tickets: readonly Ticket[];
  /** Where the next page starts; absent when the list is exhausted. */
  readonly cursor?: TicketCursor;
}

export interface TicketStore {
  /**
   * Stores `record` unless a live record (one with `expiresAt > nowSeconds`) exists for its key, and returns
   * the live record: `record` itself when it was stored, the earlier one otherwise. `undefined` when the
   * earlier record vanished between the two steps (expired and deleted); the caller tries again.
   */
  claimRequest(record: IdempotencyRecord, nowSeconds: number): Promise<IdempotencyRecord | undefined>;
  /**
   * Points the request at `toTicketId` if it still points at `fromTicketId` (its id was taken by another
   * ticket). Returns the record as it is afterwards, whoever changed it; `undefined` if it is gone.
   */
  repointRequest(
    key: string,
    fromTicketId: string,
    toTicketId: string,
  ): Promise<IdempotencyRecord | undefined>;
  /** Remembers whether the notification for the request's ticket went out. */
  recordNotification(key: string, notified: boolean): Promise<void>;
  /** Writes a new ticket unless its id exists. `false`: the id is taken (by this request or another one). */
  insertTicket(ticket: Ticket, requestKey: string): Promise<boolean>;
  getTicket(ticketId: string): Promise<StoredTicket | undefined>;
  listTickets(query: TicketListQuery): Promise<TicketPage>;
}

export interface TicketNotifier {
  /** Tells the support team about a new ticket. Throws (a tool error) when it could not. */
  ticketCreated(ticket: Ticket): Promise<void>;
}
