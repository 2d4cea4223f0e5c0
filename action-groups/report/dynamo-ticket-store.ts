import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DependencyFailed, InvalidInput } from '../kit/errors';
import { awsErrorName, toDependencyError } from './aws-errors';
import { IDEMPOTENCY_ITEM_PREFIX, idempotencyItemId } from './idempotency';
import type {
  IdempotencyRecord,
  StoredTicket,
  TicketCursor,
  TicketListQuery,
  TicketPage,
  TicketStore,
} from './ports';
import type { Ticket } from './ticket';

/**
 * The tickets table's attribute and index names. They must match `TABLE_KEYS.tickets` in
 * `infra/constructs/data.ts` (runtime code does not import infra; a test compares the two).
 */
export const TICKETS_TABLE = {
  partitionKey: 'ticketId',
  ttl: 'expiresAt',
  ownerIndex: 'owner-index',
  statusIndex: 'status-index',
} as const;

/** Prefix of every ticket's key; a scan skips other items (idempotency records) with it. */
const TICKET_ITEM_PREFIX = 'TCK-';

const LABELS = { service: 'The ticket database' } as const;

export interface DynamoTicketStoreOptions {
  readonly tableName: string;
  /**
   * Most DynamoDB reads one listTickets page may take (a filtered query or a scan can read pages that hold
   * no matching ticket). The page ends with a nextToken when the budget is spent.
   * @default 5
   */
  readonly maxReadsPerPage?: number;
}

type Item = Record<string, unknown>;

const isConditionFailure = (err: unknown): boolean => awsErrorName(err) === 'ConditionalCheckFailedException';

const text = (item: Item, key: string): string | undefined =>
  typeof item[key] === 'string' ? (item[key] as string) : undefined;

/**
 * TicketStore on DynamoDB through the document client. Tickets and idempotency records share the table:
 * tickets under `TCK-…` keys (in both GSIs through `owner`/`status`), records under `IDEMPOTENCY#…` keys
 * with `expiresAt` for TTL (in no GSI: they have neither attribute).
 */
export class DynamoTicketStore implements TicketStore {
  private readonly tableName: string;
  private readonly maxReads: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    options: DynamoTicketStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.maxReads = Math.max(1, options.maxReadsPerPage ?? 5);
  }

  async claimRequest(record: IdempotencyRecord, nowSeconds: number): Promise<IdempotencyRecord | undefined> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [TICKETS_TABLE.partitionKey]: idempotencyItemId(record.key),
            targetTicketId: record.ticketId,
            ticketCreatedAt: record.createdAt,
            [TICKETS_TABLE.ttl]: record.expiresAt,
          },
          // A record past its expiry counts as absent: TTL deletes it only eventually (within days).
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': TICKETS_TABLE.partitionKey, '#ttl': TICKETS_TABLE.ttl },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw toDependencyError(err, LABELS);
    }
    const existing = await this.readRecord(record.key);
    return existing && existing.expiresAt > nowSeconds ? existing : undefined;
  }

  async repointRequest(
    key: string,
    fromTicketId: string,
    toTicketId: string,
  ): Promise<IdempotencyRecord | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TICKETS_TABLE.partitionKey]: idempotencyItemId(key) },
          UpdateExpression: 'SET targetTicketId = :to',
          ConditionExpression: 'targetTicketId = :from',
          ExpressionAttributeValues: { ':from': fromTicketId, ':to': toTicketId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toRecord(out.Attributes) : undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw toDependencyError(err, LABELS);
    }
    return this.readRecord(key);
  }

  async recordNotification(key: string, notified: boolean): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TICKETS_TABLE.partitionKey]: idempotencyItemId(key) },
          UpdateExpression: 'SET notified = :notified',
          // Never create a stray item (without TTL) if the record is gone.
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TICKETS_TABLE.partitionKey },
          ExpressionAttributeValues: { ':notified': notified },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw toDependencyError(err, LABELS);
    }
  }

  async insertTicket(ticket: Ticket, requestKey: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ticket, requestKey },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TICKETS_TABLE.partitionKey },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toDependencyError(err, LABELS);
    }
  }

  async getTicket(ticketId: string): Promise<StoredTicket | undefined> {
    // Consistent: a ticket read right after its creation (or after a failed conditional write) must be seen.
    const item = await this.getItem(ticketId);
    if (!item) return undefined;
    const requestKey = text(item, 'requestKey');
    return { ticket: toTicket(item), ...(requestKey === undefined ? {} : { requestKey }) };
  }

  async listTickets(query: TicketListQuery): Promise<TicketPage> {
    const tickets: Ticket[] = [];
    let start: TicketCursor | undefined = query.cursor;
    for (let read = 0; read < this.maxReads && tickets.length < query.limit; read++) {
      const limit = query.limit - tickets.length;
      const page = await this.readPage(query, limit, start);
      tickets.push(...page.items.map(toTicket));
      start = page.next;
      if (!start) break;
    }
    return { tickets, ...(start ? { cursor: start } : {}) };
  }

  private async readPage(
    query: TicketListQuery,
    limit: number,
    start: TicketCursor | undefined,
  ): Promise<{ items: Item[]; next?: TicketCursor }> {
    const common = {
      TableName: this.tableName,
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    };
    try {
      const out =
        query.by === 'recent'
          ? await this.client.send(new ScanCommand(scanInput(common)))
          : await this.client.send(new QueryCommand(queryInput(query, common)));
      const next = out.LastEvaluatedKey as TicketCursor | undefined;
      return { items: out.Items ?? [], ...(next ? { next } : {}) };
    } catch (err) {
      // The token was well formed but DynamoDB rejects it as a start key (e.g. from another table).
      if (start && awsErrorName(err) === 'ValidationException') {
        throw new InvalidInput(
          'nextToken: does not fit this list. Call listTickets again without nextToken to start from the first page.',
          undefined,
          { cause: err },
        );
      }
      throw toDependencyError(err, LABELS);
    }
  }

  private async getItem(id: string): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [TICKETS_TABLE.partitionKey]: id },
          ConsistentRead: true,
        }),
      );
      return out.Item;
    } catch (err) {
      throw toDependencyError(err, LABELS);
    }
  }

  private async readRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.getItem(idempotencyItemId(key));
    return item ? toRecord(item) : undefined;
  }
}

function scanInput(common: Omit<ScanCommandInput, 'FilterExpression'>): ScanCommandInput {
  return {
    ...common,
    FilterExpression: 'begins_with(#pk, :prefix)',
    ExpressionAttributeNames: { '#pk': TICKETS_TABLE.partitionKey },
    ExpressionAttributeValues: { ':prefix': TICKET_ITEM_PREFIX },
  };
}

function queryInput(
  query: Exclude<TicketListQuery, { by: 'recent' }>,
  common: Pick<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
): QueryCommandInput {
  const newestFirst = { ...common, ScanIndexForward: false };
  if (query.by === 'status') {
    return {
      ...newestFirst,
      IndexName: TICKETS_TABLE.statusIndex,
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': query.status },
    };
  }
  return {
    ...newestFirst,
    IndexName: TICKETS_TABLE.ownerIndex,
    KeyConditionExpression: '#owner = :owner',
    ...(query.status === undefined
      ? {
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': query.owner },
        }
      : {
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: { ':owner': query.owner, ':status': query.status },
        }),
  };
}

const damaged = (): DependencyFailed =>
  new DependencyFailed(
    'The ticket database returned a damaged record. Tell the user the ticket system has a problem.',
  );

/**
 * A ticket item as the domain type; a malformed item is a dependency failure, not a crash. Tickets stored
 * before owners existed have no `owner` (operators only) and a model-given `reporter`, read as the unverified
 * `reporterName` it always was.
 */
function toTicket(item: Item): Ticket {
  const required = ['ticketId', 'title', 'description', 'severity', 'status', 'createdAt'] as const;
  const values: Record<string, string> = {};
  for (const key of required) {
    const value = text(item, key);
    if (value === undefined) throw damaged();
    values[key] = value;
  }
  const conversationId = text(item, 'conversationId');
  const owner = text(item, 'owner');
  const reporterName = text(item, 'reporterName') ?? text(item, 'reporter');
  const createdAt = values.createdAt ?? '';
  return {
    ticketId: values.ticketId ?? '',
    title: values.title ?? '',
    description: values.description ?? '',
    severity: values.severity ?? '',
    status: values.status ?? '',
    ...(owner === undefined ? {} : { owner }),
    ...(reporterName === undefined ? {} : { reporterName }),
    ...(conversationId === undefined ? {} : { conversationId }),
    createdAt,
    updatedAt: text(item, 'updatedAt') ?? createdAt,
  };
}

function toRecord(item: Item): IdempotencyRecord {
  const id = text(item, TICKETS_TABLE.partitionKey) ?? '';
  const ticketId = text(item, 'targetTicketId');
  const createdAt = text(item, 'ticketCreatedAt');
  const expiresAt = item[TICKETS_TABLE.ttl];
  if (!id.startsWith(IDEMPOTENCY_ITEM_PREFIX) || !ticketId || !createdAt || typeof expiresAt !== 'number') {
    throw damaged();
  }
  return {
    key: id.slice(IDEMPOTENCY_ITEM_PREFIX.length),
    ticketId,
    createdAt,
    expiresAt,
    ...(typeof item.notified === 'boolean' ? { notified: item.notified } : {}),
  };
}
