import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { USER_ID_PATTERN } from '../../contracts/ids';
import { InvalidRequest, StoreUnavailable } from './errors';
import type { Owner } from './owner';

/** One conversation in the caller's list, newest first. */
export interface ConversationSummary {
  readonly conversationId: string;
  /** The earliest question seen in the scanned window (at most {@link TITLE_CHARS} characters). */
  readonly title: string;
  /** When its newest message was written (ISO-8601). */
  readonly updatedAt: string;
}

export interface ConversationList {
  readonly conversations: readonly ConversationSummary[];
  /** Pass back as `?nextToken=` for older conversations. */
  readonly nextToken?: string;
}

/** Port: the caller's conversations. */
export interface ConversationLister {
  list(owner: Owner, options?: { nextToken?: string; limit?: number }): Promise<ConversationList>;
}

export const TITLE_CHARS = 120;
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 50;

/** GET /conversations parameters. */
export const conversationListQuery = z.object({
  userId: z.optional(
    z
      .string({ error: 'must be a string' })
      .check(z.regex(USER_ID_PATTERN, 'must be 1-128 characters of 0-9 a-z A-Z . _ @ : -')),
  ),
  nextToken: z.optional(z.string().check(z.maxLength(2048, 'is too long'))),
  limit: z.optional(
    z.string().check(
      z.regex(/^\d{1,2}$/, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`),
      z.refine((v) => Number(v) >= 1 && Number(v) <= MAX_LIST_LIMIT, `must be from 1 to ${MAX_LIST_LIMIT}`),
    ),
  ),
});

/** The index key of the `user_id-index` a page stops at: the four attributes DynamoDB returns. */
const KEY_FIELDS = ['user_id', 'created_at', 'conversation_id', 'timestamp'] as const;

function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A token is bound to its owner: another caller's token is refused, not followed. */
function decodeToken(token: string, owner: Owner): Record<string, string> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(key).sort();
    if (
      key.user_id === owner &&
      keys.length === KEY_FIELDS.length &&
      KEY_FIELDS.every((f) => keys.includes(f) && typeof key[f] === 'string')
    ) {
      return key as Record<string, string>;
    }
  } catch {
    // fall through
  }
  throw new InvalidRequest(['nextToken: is not a token of your conversation list']);
}

/**
 * Lists an owner's conversations from the Conversations table's `user_id-index` (partition `user_id`, sort
 * `created_at`), newest first. The index holds one item per message, so pages of messages are read until
 * `limit` distinct conversations are found (or `maxItems` messages were read); the token continues after the
 * last message read, so an older page can name a conversation again (clients merge by id). Only the owner's
 * partition is ever queried: the list cannot reach anyone else's conversations. Needs `dynamodb:Query` on the
 * index.
 */
export class DynamoConversationLister implements ConversationLister {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly indexName: string,
    /** Messages read at most per request (cost bound). */
    private readonly maxItems = 500,
  ) {}

  async list(owner: Owner, options: { nextToken?: string; limit?: number } = {}): Promise<ConversationList> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    let startKey: Record<string, unknown> | undefined = options.nextToken
      ? decodeToken(options.nextToken, owner)
      : undefined;
    const found = new Map<string, { title?: string; updatedAt: string }>();
    let read = 0;
    let stopped = false;
    do {
      const pageStart = startKey;
      let page: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      try {
        page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: this.indexName,
            KeyConditionExpression: 'user_id = :owner',
            ExpressionAttributeValues: { ':owner': owner },
            ExpressionAttributeNames: { '#ts': 'timestamp', '#role': 'role' },
            ProjectionExpression: 'user_id, created_at, conversation_id, #ts, #role, content',
            ScanIndexForward: false,
            Limit: Math.min(100, this.maxItems - read),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
      } catch (error) {
        throw new StoreUnavailable('conversation', { cause: error });
      }
      const items = page.Items ?? [];
      startKey = page.LastEvaluatedKey;
      for (const [index, item] of items.entries()) {
        read++;
        const id = item.conversation_id;
        if (typeof id !== 'string') continue;
        let entry = found.get(id);
        if (!entry) {
          if (found.size === limit) {
            // A new conversation past the limit: the next page starts after the message before this one.
            const previous = items[index - 1];
            startKey = previous ? keyOf(previous) : pageStart;
            stopped = true;
            break;
          }
          entry = { updatedAt: typeof item.created_at === 'string' ? item.created_at : '' };
          found.set(id, entry);
        }
        // Newest first: the last question seen is the earliest one in the window.
        if (item.role === 'user' && typeof item.content === 'string') entry.title = item.content;
      }
      if (stopped) break;
    } while (startKey && read < this.maxItems);
    const conversations = [...found.entries()].map(([conversationId, e]) => ({
      conversationId,
      title: (e.title ?? 'Conversation').slice(0, TITLE_CHARS),
      updatedAt: e.updatedAt,
    }));
    return { conversations, ...(startKey ? { nextToken: encodeToken(startKey) } : {}) };
  }
}

const keyOf = (item: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(KEY_FIELDS.map((f) => [f, item[f]]));
