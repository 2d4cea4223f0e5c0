import { InvalidInput } from '../kit/errors';
import { IDEMPOTENCY_ITEM_PATTERN } from './idempotency';
import type { TicketCursor, TicketListQuery } from './ports';
import { TICKET_ID_PATTERN, type Ticket } from './ticket';

/**
 * listTickets page tokens: base64url of the JSON page position (DynamoDB's LastEvaluatedKey). The model
 * treats the token as opaque text, but it comes back through the model, so it is validated strictly: a
 * damaged, truncated or foreign token is a 400 the model can fix (by starting again without it), never a
 * crash or a DynamoDB validation error.
 */

const RESTART = 'Call listTickets again without nextToken to start from the first page.';

/** The attributes a position has for each kind of list (the keys of the index the list reads). */
const CURSOR_KEYS: Record<TicketListQuery['by'], readonly string[]> = {
  owner: ['createdAt', 'owner', 'ticketId'],
  status: ['createdAt', 'status', 'ticketId'],
  recent: ['ticketId'],
};

/** Longest value accepted in a position (an owner is at most 512 characters in the schema). */
const MAX_VALUE_CHARS = 512;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** The position just after `ticket` in a list of kind `by`. */
export function cursorAfter(ticket: Ticket, by: TicketListQuery['by']): TicketCursor {
  const fields: Record<string, string> = {
    ticketId: ticket.ticketId,
    owner: ticket.owner ?? '',
    status: ticket.status,
    createdAt: ticket.createdAt,
  };
  return Object.fromEntries(CURSOR_KEYS[by].map((key) => [key, fields[key] ?? '']));
}

/** The opaque token for a position. */
export const encodeNextToken = (cursor: TicketCursor): string =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

const invalid = (reason: string): InvalidInput => new InvalidInput(`nextToken: ${reason}. ${RESTART}`);

/** The list a token is decoded for: its kind and filters. */
export interface TokenScope {
  readonly by: TicketListQuery['by'];
  readonly owner?: string;
  readonly status?: string;
}

/**
 * Decodes a token for `query` (which must be the same kind of list, with the same filters, as the one that
 * produced it). Throws InvalidInput naming nextToken on any problem.
 */
export function decodeNextToken(token: string, query: TokenScope): TicketCursor {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('is not a token from a listTickets answer');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is damaged (it must be passed back exactly as received)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('is damaged (it must be passed back exactly as received)');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const expected = CURSOR_KEYS[query.by];
  const keys = entries.map(([key]) => key).sort();
  if (keys.join(',') !== expected.join(',')) {
    throw invalid('belongs to a different list (other filters); use it only with the same owner and status');
  }
  const cursor: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_VALUE_CHARS) {
      throw invalid('is damaged (it must be passed back exactly as received)');
    }
    cursor[key] = v;
  }
  const ticketId = cursor.ticketId ?? '';
  // A scan can stop on an idempotency record, so a `recent` position may name one.
  const idOk =
    TICKET_ID_PATTERN.test(ticketId) || (query.by === 'recent' && IDEMPOTENCY_ITEM_PATTERN.test(ticketId));
  if (!idOk || (cursor.createdAt !== undefined && !ISO_INSTANT.test(cursor.createdAt))) {
    throw invalid('is damaged (it must be passed back exactly as received)');
  }
  // A token is bound to its list: one owner's position can never start another owner's list.
  if (
    (query.by === 'owner' && cursor.owner !== query.owner) ||
    (query.by === 'status' && cursor.status !== query.status)
  ) {
    throw invalid('belongs to a different list (other filters); use it only with the same owner and status');
  }
  return cursor;
}
