import { InvalidInput } from '../../../action-groups/kit/errors';
import type { AgentApiResponse } from '../../../action-groups/kit/response';
import { cursorAfter } from '../../../action-groups/report/next-token';
import type {
  IdempotencyRecord,
  StoredTicket,
  TicketCursor,
  TicketListQuery,
  TicketNotifier,
  TicketPage,
  TicketStore,
} from '../../../action-groups/report/ports';
import type { Ticket } from '../../../action-groups/report/ticket';
import { LEGACY_REPORTER_INDEX, TABLE_KEYS } from '../../../infra/constructs/data';
import type { LocalDynamo, TableSpec } from '../../support/dynalite';

/** The Tickets table exactly as `infra/constructs/data.ts` declares it (keys and GSIs). */
export function ticketsTableSpec(name: string): TableSpec {
  const t = TABLE_KEYS.tickets;
  return {
    name,
    partitionKey: t.partitionKey,
    indexes: [
      { name: t.ownerIndex, partitionKey: 'owner', sortKey: 'createdAt' },
      { name: t.statusIndex, partitionKey: 'status', sortKey: 'createdAt' },
      { name: LEGACY_REPORTER_INDEX, partitionKey: 'reporter', sortKey: 'createdAt' },
    ],
  };
}

/** The ToolLogs table exactly as `infra/constructs/data.ts` declares it (one item per tool call). */
export function toolLogsTableSpec(name: string): TableSpec {
  return { name, partitionKey: TABLE_KEYS.toolLogs.partitionKey, sortKey: TABLE_KEYS.toolLogs.sortKey };
}

/**
 * The environment the report handler reads at cold start, pointing its DynamoDB client at `ddb` (with
 * `ddb`'s credentials): for `setEnv`.
 */
export function reportHandlerEnv(
  ddb: LocalDynamo,
  names: { readonly tickets: string; readonly toolLogs: string; readonly topic: string },
): Record<string, string> {
  return {
    TICKETS_TABLE_NAME: names.tickets,
    NOTIFICATIONS_TOPIC_ARN: names.topic,
    TOOL_LOGS_TABLE_NAME: names.toolLogs,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ACCESS_KEY_ID: ddb.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ddb.credentials.secretAccessKey,
  };
}

/** The `fields` of the InvalidInput that `fn` throws (fails the test if it throws nothing or another error). */
export const fieldsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInput) return err.fields;
    throw err;
  }
  throw new Error('expected InvalidInput');
};

/** The parsed JSON body of a contract response. */
export const bodyOf = <T = Record<string, unknown>>(response: AgentApiResponse): T =>
  JSON.parse(response.response.responseBody['application/json'].body) as T;

export const statusOf = (response: AgentApiResponse): number => response.response.httpStatusCode;

/** A clock that starts at `iso` and moves one millisecond per call, so creation times are distinct. */
export function steppingClock(iso = '2025-05-01T12:00:00.000Z'): () => Date {
  let t = Date.parse(iso);
  return () => new Date(t++);
}

/** Ids from a list, then fresh ones (`TCK-90000001`, …). */
export function idSequence(...ids: string[]): () => string {
  let n = 90_000_000;
  return () => ids.shift() ?? `TCK-${++n}`;
}

/** A notifier that records what it was asked to send and can be told to fail. */
export class RecordingNotifier implements TicketNotifier {
  readonly sent: Ticket[] = [];
  failWith: unknown;

  async ticketCreated(ticket: Ticket): Promise<void> {
    await Promise.resolve();
    if (this.failWith !== undefined) throw this.failWith;
    this.sent.push(ticket);
  }
}

const tick = () => Promise.resolve();

/**
 * An in-memory TicketStore with the DynamoDB adapter's semantics (conditional writes, live-record expiry,
 * index order), for domain tests. Every method yields once first, so concurrent calls interleave.
 */
export class MemoryTicketStore implements TicketStore {
  readonly tickets = new Map<string, StoredTicket>();
  readonly records = new Map<string, IdempotencyRecord>();
  readonly calls: string[] = [];
  /** Makes the next calls of a method fail. */
  failures: Partial<Record<keyof TicketStore, unknown>> = {};

  private async enter(method: keyof TicketStore): Promise<void> {
    this.calls.push(method);
    await tick();
    const failure = this.failures[method];
    if (failure !== undefined) throw failure;
  }

  async claimRequest(record: IdempotencyRecord, nowSeconds: number): Promise<IdempotencyRecord | undefined> {
    await this.enter('claimRequest');
    const existing = this.records.get(record.key);
    if (!existing || existing.expiresAt <= nowSeconds) {
      this.records.set(record.key, record);
      return record;
    }
    return existing;
  }

  async repointRequest(key: string, from: string, to: string): Promise<IdempotencyRecord | undefined> {
    await this.enter('repointRequest');
    const existing = this.records.get(key);
    if (existing && existing.ticketId === from) this.records.set(key, { ...existing, ticketId: to });
    return this.records.get(key);
  }

  async recordNotification(key: string, notified: boolean): Promise<void> {
    await this.enter('recordNotification');
    const existing = this.records.get(key);
    if (existing) this.records.set(key, { ...existing, notified });
  }

  async insertTicket(ticket: Ticket, requestKey: string): Promise<boolean> {
    await this.enter('insertTicket');
    if (this.tickets.has(ticket.ticketId)) return false;
    this.tickets.set(ticket.ticketId, { ticket, requestKey });
    return true;
  }

  async getTicket(ticketId: string): Promise<StoredTicket | undefined> {
    await this.enter('getTicket');
    return this.tickets.get(ticketId);
  }

  /** Index lists newest first; `recent` in insertion order. Cursor: the position after the last ticket. */
  async listTickets(query: TicketListQuery): Promise<TicketPage> {
    await this.enter('listTickets');
    let all = [...this.tickets.values()].map((s) => s.ticket);
    if (query.by === 'owner') all = all.filter((t) => t.owner === query.owner);
    if (query.by !== 'recent' && query.status !== undefined)
      all = all.filter((t) => t.status === query.status);
    if (query.by !== 'recent') all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    const after = query.cursor?.ticketId;
    const from = after === undefined ? 0 : all.findIndex((t) => t.ticketId === after) + 1;
    const tickets = all.slice(from, from + query.limit);
    const last = tickets.at(-1);
    const more = from + query.limit < all.length;
    const cursor: TicketCursor | undefined = more && last ? cursorAfter(last, query.by) : undefined;
    return { tickets, ...(cursor ? { cursor } : {}) };
  }
}
