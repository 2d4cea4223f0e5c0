import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Citation, ToolCallStep, Usage } from '../../client';
import { ConversationNotFound, InvalidRequest, StoreUnavailable, TurnSuperseded } from './errors';
import type { Owner } from './owner';
import { expiresAtSeconds } from './ttl';

/**
 * Writes and reads the Conversations table in the message shape the summarize tool reads
 * (`action-groups/summarize/conversation-store.ts`): one item per message, keyed by `conversation_id` and an
 * ISO-8601 `timestamp` with milliseconds (`#1` appended when the answer lands in the same millisecond as
 * the question), with `role`, `content`, `user_id` (the owner), `created_at` and `expires_at` (TTL, epoch
 * seconds). Assistant items add `citations`, `tool_calls` (a summary from the trace: which tools, never
 * their arguments), `latency_ms`, token counts and the `channel`.
 */

/** One finished turn, as the chat functions hand it over after a successful answer. */
export interface TurnRecord {
  readonly conversationId: string;
  readonly owner: Owner;
  /** The token the turn claimed its session with (Agent State `turn_token`): stored only while it holds. */
  readonly token: string;
  readonly channel: 'rest' | 'websocket' | 'discord';
  readonly question: string;
  /** Epoch ms the question arrived. */
  readonly askedAt: number;
  readonly answer: string;
  /** Epoch ms the answer was complete. */
  readonly answeredAt: number;
  readonly citations: readonly Citation[];
  readonly toolCalls: readonly ToolCallStep[];
  readonly usage?: Usage;
}

/** A citation as stored: the cited text and where it came from (no retrieved passages: items stay small). */
export interface StoredCitation {
  readonly text: string;
  readonly span?: { readonly start: number; readonly end: number };
  readonly sources: readonly { readonly uri?: string; readonly source_type?: string }[];
}

/** A tool call as stored: which operation ran. Arguments are left out (they may hold personal data). */
export interface StoredToolCall {
  readonly action_group: string;
  readonly operation: string;
}

export type MessageItem = Record<string, unknown> & {
  readonly conversation_id: string;
  readonly timestamp: string;
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly user_id: string;
  readonly created_at: string;
  readonly expires_at: number;
};

/** Bounds of stored citations: a DynamoDB item holds at most 400 KB, and the answer needs its share. */
export const STORED_CITATION_LIMITS = { textChars: 500, uriChars: 1024, totalBytes: 200 * 1024 } as const;

const clip = (text: string, max: number): string => {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
};

export function toStoredCitation(citation: Citation): StoredCitation {
  return {
    text: clip(citation.text, STORED_CITATION_LIMITS.textChars),
    ...(citation.span ? { span: { start: citation.span.start, end: citation.span.end } } : {}),
    sources: citation.references.map((r) => ({
      ...(r.uri === undefined ? {} : { uri: clip(r.uri, STORED_CITATION_LIMITS.uriChars) }),
      ...(r.sourceType === undefined ? {} : { source_type: r.sourceType }),
    })),
  };
}

/**
 * The citations a turn stores: each bounded, in order, as many as fit the budget; `omitted` counts the rest
 * (a turn that cites hundreds of sources still fits its item instead of failing to store).
 */
export function storedCitations(citations: readonly Citation[]): { kept: StoredCitation[]; omitted: number } {
  const kept: StoredCitation[] = [];
  let bytes = 0;
  for (const citation of citations) {
    const stored = toStoredCitation(citation);
    const size = Buffer.byteLength(JSON.stringify(stored), 'utf8');
    if (bytes + size > STORED_CITATION_LIMITS.totalBytes) break;
    kept.push(stored);
    bytes += size;
  }
  return { kept, omitted: citations.length - kept.length };
}

export function toStoredToolCall(step: ToolCallStep): StoredToolCall {
  const operation = step.function ?? `${(step.httpMethod ?? '').toUpperCase()} ${step.apiPath ?? ''}`.trim();
  return { action_group: step.actionGroup, operation: operation || 'unknown' };
}

/** The two items of a turn: the question, then the answer (always sorted after it). */
export function toMessageItems(turn: TurnRecord, ttlDays: number): [MessageItem, MessageItem] {
  const citations = storedCitations(turn.citations);
  const askedIso = new Date(turn.askedAt).toISOString();
  const answeredIso = new Date(Math.max(turn.answeredAt, turn.askedAt)).toISOString();
  const expires = expiresAtSeconds(turn.answeredAt, ttlDays);
  const user: MessageItem = {
    conversation_id: turn.conversationId,
    timestamp: askedIso,
    role: 'user',
    content: turn.question,
    user_id: turn.owner,
    created_at: askedIso,
    expires_at: expires,
    channel: turn.channel,
  };
  const assistant: MessageItem = {
    conversation_id: turn.conversationId,
    // Unique sort key in the conversation: same millisecond as the question gets `#1` (still sorts after it).
    timestamp: answeredIso === askedIso ? `${answeredIso}#1` : answeredIso,
    role: 'assistant',
    content: turn.answer,
    user_id: turn.owner,
    created_at: answeredIso,
    expires_at: expires,
    channel: turn.channel,
    citations: citations.kept,
    ...(citations.omitted > 0 ? { citations_omitted: citations.omitted } : {}),
    tool_calls: turn.toolCalls.map(toStoredToolCall),
    latency_ms: Math.max(0, turn.answeredAt - turn.askedAt),
    ...(turn.usage
      ? {
          input_tokens: turn.usage.inputTokens,
          output_tokens: turn.usage.outputTokens,
          model_calls: turn.usage.modelCalls,
        }
      : {}),
  };
  return [user, assistant];
}

/** Port: persists a finished turn. */
export interface ConversationWriter {
  writeTurn(turn: TurnRecord): Promise<void>;
}

/** One stored message as GET /conversations returns it. */
export interface ConversationMessageView {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly timestamp: string;
  readonly citations?: readonly StoredCitation[];
  readonly toolCalls?: readonly StoredToolCall[];
  readonly latencyMs?: number;
}

export interface ConversationPage {
  readonly conversationId: string;
  /** Oldest first. */
  readonly messages: readonly ConversationMessageView[];
  /** Pass back as `?nextToken=` for the following page. */
  readonly nextToken?: string;
}

/** Port: reads a conversation for its owner. */
export interface ConversationReader {
  read(conversationId: string, owner: Owner, options?: { nextToken?: string }): Promise<ConversationPage>;
}

const WRITE_ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cancellation reasons a new attempt can get past (another transaction on the same items, throttling). */
const TRANSIENT = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

interface Cancellation {
  readonly name?: string;
  readonly CancellationReasons?: readonly { readonly Code?: string }[];
}

/**
 * Writes a turn whole or not at all: the question, the answer and a check that the turn still holds its
 * session (Agent State `user_id` and `turn_token`) in one TransactWriteItems. A turn whose session a newer
 * turn took over stores nothing ({@link TurnSuperseded}); a message key that exists already is never
 * overwritten. Needs PutItem on Conversations and ConditionCheckItem on Agent State.
 */
export class DynamoConversationWriter implements ConversationWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
    private readonly agentStateTableName: string,
  ) {}

  async writeTurn(turn: TurnRecord): Promise<void> {
    const puts = toMessageItems(turn, this.ttlDays).map((Item) => ({
      Put: {
        TableName: this.tableName,
        Item,
        ConditionExpression: 'attribute_not_exists(conversation_id)',
      },
    }));
    const holdsSession = {
      ConditionCheck: {
        TableName: this.agentStateTableName,
        Key: { session_id: turn.conversationId },
        ConditionExpression: 'user_id = :owner AND turn_token = :token',
        ExpressionAttributeValues: { ':owner': turn.owner, ':token': turn.token },
      },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [...puts, holdsSession] }));
        return;
      } catch (error) {
        const reasons = (error as Cancellation).CancellationReasons ?? [];
        if (reasons[puts.length]?.Code === 'ConditionalCheckFailed') {
          throw new TurnSuperseded(turn.conversationId, { cause: error });
        }
        const transient = reasons.some((r) => r.Code !== undefined && TRANSIENT.has(r.Code));
        if (!transient || attempt >= WRITE_ATTEMPTS)
          throw new StoreUnavailable('conversation', { cause: error });
        await sleep(50 * 2 ** attempt);
      }
    }
  }
}

const view = (item: Record<string, unknown>): ConversationMessageView | undefined => {
  const { role, content, timestamp } = item;
  if (
    (role !== 'user' && role !== 'assistant') ||
    typeof content !== 'string' ||
    typeof timestamp !== 'string'
  ) {
    return undefined;
  }
  return {
    role,
    content,
    timestamp,
    ...(Array.isArray(item.citations) ? { citations: item.citations as StoredCitation[] } : {}),
    ...(Array.isArray(item.tool_calls) ? { toolCalls: item.tool_calls as StoredToolCall[] } : {}),
    ...(typeof item.latency_ms === 'number' ? { latencyMs: item.latency_ms } : {}),
  };
};

/** An opaque page token: the last key read, bound to its conversation. */
function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeToken(token: string, conversationId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      key.conversation_id === conversationId &&
      typeof key.timestamp === 'string' &&
      Object.keys(key).length === 2
    ) {
      return key;
    }
  } catch {
    // fall through
  }
  throw new InvalidRequest(['nextToken: is not a token of this conversation']);
}

/**
 * Reads a conversation page by page, oldest first, and only for its owner: a conversation of someone else
 * is reported as not found (its existence is not revealed). Needs only `dynamodb:Query`.
 */
export class DynamoConversationReader implements ConversationReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly pageSize: number,
  ) {}

  async read(
    conversationId: string,
    owner: Owner,
    options: { nextToken?: string } = {},
  ): Promise<ConversationPage> {
    const startKey = options.nextToken ? decodeToken(options.nextToken, conversationId) : undefined;
    let page: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
    try {
      page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'conversation_id = :id',
          ExpressionAttributeValues: { ':id': conversationId },
          ScanIndexForward: true,
          Limit: this.pageSize,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
    } catch (error) {
      throw new StoreUnavailable('conversation', { cause: error });
    }
    const items = page.Items ?? [];
    if ((items.length === 0 && !startKey) || items.some((item) => item.user_id !== owner)) {
      throw new ConversationNotFound(conversationId);
    }
    const messages = items.map(view).filter((m): m is ConversationMessageView => m !== undefined);
    return {
      conversationId,
      messages,
      ...(page.LastEvaluatedKey ? { nextToken: encodeToken(page.LastEvaluatedKey) } : {}),
    };
  }
}
