/**
 * The DynamoDB tables as data: key and index names (the `Data`, `ChatData` and `DiscordBot` constructs key the
 * tables on them; the stores read and write them) and the item each table holds. Written once, for infra at
 * synth time and every function at run time.
 */

/** A global secondary index: its name and key attributes. */
export interface IndexKeys {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** Key attributes, TTL attribute and indexes of each table. */
export const TABLE_KEYS = {
  /** The report tool's tickets and its createTicket idempotency records (`IDEMPOTENCY#…` keys, with TTL). */
  tickets: {
    partitionKey: 'ticketId',
    ttl: 'expiresAt',
    /** A caller's own tickets (key `owner`, the verified userId), newest first. */
    ownerIndex: 'owner-index',
    statusIndex: 'status-index',
  },
  /** One item per chat message ({@link ConversationItem}); the summarize tool reads them. */
  conversations: {
    partitionKey: 'conversation_id',
    sortKey: 'timestamp',
    ttl: 'expires_at',
    userIndex: 'user_id-index',
  },
  /** One item per tool call ({@link ToolLogItem}). */
  toolLogs: { partitionKey: 'session_id', sortKey: 'timestamp', ttl: 'expires_at' },
  /** One item per agent session (= conversation): owner, channel, last invocation status. */
  agentState: { partitionKey: 'session_id', ttl: 'expires_at' },
  /** One item per open WebSocket connection ({@link ConnectionItem}); expires after the connection's lifetime. */
  connections: { partitionKey: 'connection_id', ttl: 'expires_at' },
  /** The Discord worker's interaction records and rate windows (`interaction#<id>`, `rate#<user>#<window>`). */
  discord: { partitionKey: 'pk', ttl: 'expires_at' },
} as const;

/** The tables by name: what a tool's descriptor may ask for (`tables` in `contracts/tool-needs.ts`). */
export type TableName = keyof typeof TABLE_KEYS;

/** The indexes each table has, with their key attributes. */
export const TABLE_INDEXES = {
  tickets: [
    { name: TABLE_KEYS.tickets.ownerIndex, partitionKey: 'owner', sortKey: 'createdAt' },
    { name: TABLE_KEYS.tickets.statusIndex, partitionKey: 'status', sortKey: 'createdAt' },
  ],
  conversations: [
    { name: TABLE_KEYS.conversations.userIndex, partitionKey: 'user_id', sortKey: 'created_at' },
  ],
} as const satisfies Partial<Record<TableName, readonly IndexKeys[]>>;

/**
 * The Tickets index of the model-given reporter that owner-index replaced. No longer read; kept while a
 * stack that has it cannot add owner-index and drop it in one update (one GSI change per table update).
 */
export const LEGACY_REPORTER_INDEX: IndexKeys = {
  name: 'reporter-index',
  partitionKey: 'reporter',
  sortKey: 'createdAt',
};

export type ConversationRole = 'user' | 'assistant';

/**
 * A Conversations item: one chat message (a user turn or an assistant answer), all items of a conversation
 * under one partition key, sorted by time. The chat functions write it; the summarize tool and
 * GET /conversations read it.
 *
 * | Attribute         | Meaning                                                                                 |
 * |-------------------|-----------------------------------------------------------------------------------------|
 * | `conversation_id` | Partition key: the conversation id the chat API returns to its client.                 |
 * | `timestamp`       | Sort key: ISO-8601 UTC with milliseconds (`2025-05-01T10:00:00.000Z`); a writer that    |
 * |                   | writes two messages in the same millisecond appends `#<n>`. Readers rely only on the   |
 * |                   | lexical order, which is time order.                                                     |
 * | `role`            | `user` or `assistant`.                                                                  |
 * | `content`         | The message text, verbatim (at most about 350 000 characters: items hold 400 KB).       |
 * | `user_id`         | The owner (partition key of `user_id-index`), the agent session attribute `userId`.     |
 * | `created_at`      | ISO-8601 UTC, no suffix (sort key of `user_id-index`: newest first across conversations).|
 * | `expires_at`      | TTL: epoch seconds after which DynamoDB may delete the item.                             |
 *
 * Assistant items add `citations`, `tool_calls`, `latency_ms`, token counts and the `channel`.
 */
export interface ConversationItem {
  readonly conversation_id: string;
  readonly timestamp: string;
  readonly role: ConversationRole;
  readonly content: string;
  readonly user_id: string;
  readonly created_at: string;
  readonly expires_at: number;
}

/** A ToolLogs item: one tool call, keyed by session and sorted by time; no payloads. */
export interface ToolLogItem {
  readonly session_id: string;
  /** `<startedAt ISO>#<operation>`: the operation breaks ties between calls started in the same millisecond. */
  readonly timestamp: string;
  readonly tool: string;
  readonly operation: string;
  readonly route: string;
  readonly status: number;
  readonly latency_ms: number;
  readonly expires_at: number;
}

/** A Connections item: an open WebSocket connection and the caller its `$connect` authorizer derived. */
export interface ConnectionItem {
  readonly connection_id: string;
  readonly user_id: string;
  readonly app?: string;
  /** Comma-separated roles, when there are any. */
  readonly roles?: string;
  readonly connected_at: string;
  readonly expires_at: number;
}

/**
 * An Agent State item (`session_id` = the conversation id): the session's owner, last channel and invocation
 * status, the claim (`turn_token`, `lease_until`) of the turn that holds it, and, while the agent waits for
 * the user to confirm a tool call, `pending_confirmation`.
 */
export interface AgentStateItem {
  readonly session_id: string;
  readonly conversation_id: string;
  readonly user_id: string;
  readonly channel: string;
  readonly status: string;
  readonly turn_token?: string;
  /** Epoch ms until which the turn holding the session may run. */
  readonly lease_until?: number;
  readonly last_invocation_at?: string;
  readonly last_latency_ms?: number;
  readonly last_error?: string;
  readonly pending_confirmation?: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: number;
}

/** A Discord interaction record: the idempotency record of one interaction and how it ended. */
export interface DiscordInteractionItem {
  /** `interaction#<id>` */
  readonly pk: string;
  readonly interaction_id: string;
  readonly user_id: string;
  readonly guild_id: string;
  readonly channel_id: string;
  readonly conversation_id: string;
  readonly status: string;
  readonly lease_until: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: number;
}
