import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorKind } from '../../contracts/aws-errors';
import { type ConversationRole, TABLE_KEYS } from '../../contracts/tables';
import { DependencyFailed, DependencyUnavailable, Throttled } from '../kit/errors';

/** One message as the tool uses it. */
export interface ConversationMessage {
  readonly timestamp: string;
  readonly role: ConversationRole;
  readonly content: string;
  /** `user_id` of the item, when it has one. */
  readonly userId?: string;
}

export interface LoadOptions {
  /**
   * Stop reading once the messages read hold this many characters of content: the newest messages are kept
   * and `complete` is false. At least one message is always returned. @default no limit
   */
  readonly maxChars?: number;
}

export interface LoadedConversation {
  /** Oldest first. Empty when the conversation does not exist (or has expired). */
  readonly messages: ConversationMessage[];
  /** False when older messages were left out because of `maxChars`. */
  readonly complete: boolean;
  /** Items that were not messages (no text content or an unknown role) and were ignored. */
  readonly skipped: number;
}

/** The port the summarize domain reads conversations through. */
export interface ConversationStore {
  load(conversationId: string, options?: LoadOptions): Promise<LoadedConversation>;
}

const isRole = (value: unknown): value is ConversationRole => value === 'user' || value === 'assistant';

/** A message from a raw item, or undefined for an item that is not a usable message. */
export function toMessage(item: Record<string, unknown>): ConversationMessage | undefined {
  const { timestamp, role, content, user_id: userId } = item;
  if (typeof timestamp !== 'string' || !isRole(role) || typeof content !== 'string') return undefined;
  return typeof userId === 'string' ? { timestamp, role, content, userId } : { timestamp, role, content };
}

/** Maps a DynamoDB error to a tool error with a message safe for the model. */
export function toStoreError(error: unknown): Error {
  const kind = awsErrorKind(error);
  if (kind === 'throttled' || kind === 'quota') {
    return new Throttled('The conversation store is busy. Try again in a few seconds.', {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
  // Retrying will not fix these: a wrong table name, missing permissions, a bad request.
  if (kind === 'not-found' || kind === 'access-denied' || kind === 'invalid') {
    return new DependencyFailed('The conversation store could not be read.', { cause: error });
  }
  return new DependencyUnavailable('The conversation store is unavailable right now. Try again later.', {
    cause: error,
  });
}

export interface DynamoConversationStoreOptions {
  /** Items per Query page (DynamoDB also stops a page at 1 MB). @default DynamoDB's own limit */
  readonly pageSize?: number;
}

/**
 * Reads a conversation with Query on its partition key, newest first, page by page (so a size limit keeps
 * the most recent messages and reads no more than needed), and returns it oldest first. Needs only
 * `dynamodb:Query` on the table.
 */
export class DynamoConversationStore implements ConversationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: DynamoConversationStoreOptions = {},
  ) {}

  async load(conversationId: string, options: LoadOptions = {}): Promise<LoadedConversation> {
    const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
    const newestFirst: ConversationMessage[] = [];
    let chars = 0;
    let skipped = 0;
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :id',
            // `timestamp` and `role` are DynamoDB reserved words.
            ProjectionExpression: '#ts, #role, content, user_id',
            ExpressionAttributeNames: {
              '#pk': TABLE_KEYS.conversations.partitionKey,
              '#ts': 'timestamp',
              '#role': 'role',
            },
            ExpressionAttributeValues: { ':id': conversationId },
            ScanIndexForward: false,
            ...(this.options.pageSize === undefined ? {} : { Limit: this.options.pageSize }),
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of page.Items ?? []) {
          const message = toMessage(item);
          if (!message) {
            skipped++;
            continue;
          }
          if (newestFirst.length > 0 && chars + message.content.length > maxChars) {
            return { messages: newestFirst.reverse(), complete: false, skipped };
          }
          chars += message.content.length;
          newestFirst.push(message);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      throw toStoreError(error);
    }
    return { messages: newestFirst.reverse(), complete: true, skipped };
  }
}
