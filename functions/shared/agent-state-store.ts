import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConversationBusy, ConversationNotFound, StoreUnavailable } from './errors';
import type { Owner } from './owner';
import { expiresAtSeconds } from './ttl';

/**
 * Per-session agent state in the Agent State table (`session_id` = the agent session id = the conversation
 * id): who owns the session, over which channel it last ran, and the last invocation's status. `begin` is a
 * conditional write that both binds a new conversation to its owner and refuses a conversation owned by
 * someone else or still running a turn (an agent session answers one turn at a time). The record's TTL is
 * pushed forward on every turn, so it outlives the conversation's messages.
 */
export type InvocationStatus =
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'FAILED'
  | 'THROTTLED'
  | 'TIMED_OUT'
  | 'CANCELLED';

export interface BeginTurn {
  readonly sessionId: string;
  readonly owner: Owner;
  readonly channel: 'rest' | 'websocket';
  readonly nowMs: number;
  /** How long this turn may hold the session (its function's timeout): a crashed turn frees it after that. */
  readonly leaseMs: number;
}

export interface FinishTurn {
  readonly sessionId: string;
  readonly owner: Owner;
  readonly status: Exclude<InvocationStatus, 'IN_PROGRESS'>;
  readonly nowMs: number;
  readonly latencyMs: number;
  /** The error class of a failed turn (for operators; never a message). */
  readonly errorKind?: string;
}

/** Port: the chat functions' view of the Agent State table. */
export interface AgentStateStore {
  begin(turn: BeginTurn): Promise<void>;
  finish(turn: FinishTurn): Promise<void>;
}

const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';

/** The DynamoDB implementation: UpdateItem (and GetItem to explain a refused `begin`). */
export class DynamoAgentStateStore implements AgentStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
  ) {}

  async begin(turn: BeginTurn): Promise<void> {
    const now = new Date(turn.nowMs).toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { session_id: turn.sessionId },
          UpdateExpression:
            'SET conversation_id = :sid, user_id = :owner, channel = :channel, #status = :running, ' +
            'last_invocation_at = :now, lease_until = :lease, updated_at = :now, ' +
            'created_at = if_not_exists(created_at, :now), expires_at = :expires REMOVE last_error',
          ConditionExpression:
            'attribute_not_exists(session_id) OR (user_id = :owner AND (#status <> :running OR lease_until < :nowMs))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sid': turn.sessionId,
            ':owner': turn.owner,
            ':channel': turn.channel,
            ':running': 'IN_PROGRESS' satisfies InvocationStatus,
            ':now': now,
            ':nowMs': turn.nowMs,
            ':lease': turn.nowMs + turn.leaseMs,
            ':expires': expiresAtSeconds(turn.nowMs, this.ttlDays),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw new StoreUnavailable('agent state', { cause: error });
      const current = await this.get(turn.sessionId);
      if (current?.user_id !== turn.owner) throw new ConversationNotFound(turn.sessionId);
      throw new ConversationBusy(turn.sessionId);
    }
  }

  async finish(turn: FinishTurn): Promise<void> {
    const completed = turn.status === 'COMPLETED';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { session_id: turn.sessionId },
          UpdateExpression:
            `SET #status = :status, last_latency_ms = :latency, updated_at = :now, lease_until = :nowMs` +
            (completed ? ' REMOVE last_error ADD turns :one' : ', last_error = :kind'),
          ConditionExpression: 'user_id = :owner',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': turn.status,
            ':latency': turn.latencyMs,
            ':now': new Date(turn.nowMs).toISOString(),
            ':nowMs': turn.nowMs,
            ':owner': turn.owner,
            ...(completed ? { ':one': 1 } : { ':kind': turn.errorKind ?? turn.status }),
          },
        }),
      );
    } catch (error) {
      throw new StoreUnavailable('agent state', { cause: error });
    }
  }

  private async get(sessionId: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { session_id: sessionId }, ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      throw new StoreUnavailable('agent state', { cause: error });
    }
  }
}
