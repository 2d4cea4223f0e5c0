import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  confirmationView,
  fromStoredConfirmation,
  type PendingConfirmation,
  toStoredConfirmation,
} from './confirmations';
import {
  ConfirmationExpired,
  ConfirmationNotFound,
  ConfirmationPending,
  ConversationBusy,
  ConversationNotFound,
  StoreUnavailable,
  TurnSuperseded,
} from './errors';
import type { Owner } from './owner';
import { expiresAtSeconds } from './ttl';

/**
 * Per-session agent state in the Agent State table (`session_id` = the agent session id = the conversation
 * id): who owns the session, over which channel it last ran, the last invocation's status and, while the
 * agent waits for the user to confirm a tool call, that pending confirmation (`pending_confirmation`). `begin`
 * is a conditional write that both binds a new conversation to its owner and refuses a conversation owned by
 * someone else, still running a turn (an agent session answers one turn at a time) or waiting for a
 * confirmation; `beginAnswer` claims the session to answer its pending confirmation, for its owner only and
 * before it expires. The record's TTL is pushed forward on every turn, so it outlives the conversation's
 * messages.
 *
 * Each claim writes the turn's own token (`turn_token`), and `finish` (like the conversation write, see
 * `DynamoConversationWriter`) succeeds only while the record still carries it: a turn that outlived its lease,
 * and whose session a newer turn took over, can overwrite neither the newer turn's status nor its messages.
 */
export type InvocationStatus =
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'AWAITING_CONFIRMATION'
  | 'FAILED'
  | 'THROTTLED'
  | 'TIMED_OUT'
  | 'CANCELLED';

export interface BeginTurn {
  readonly sessionId: string;
  readonly owner: Owner;
  /** This turn's claim (a UUID): `finish` and the conversation write must present it. */
  readonly token: string;
  readonly channel: 'rest' | 'websocket' | 'discord';
  readonly nowMs: number;
  /** How long this turn may hold the session (its function's timeout): a crashed turn frees it after that. */
  readonly leaseMs: number;
}

/** A turn that answers the session's pending confirmation. */
export interface BeginAnswer extends BeginTurn {
  readonly confirmationId: string;
}

export interface FinishTurn {
  readonly sessionId: string;
  readonly owner: Owner;
  /** The token the turn claimed the session with; a finish with any other token is refused. */
  readonly token: string;
  readonly status: Exclude<InvocationStatus, 'IN_PROGRESS'>;
  readonly nowMs: number;
  readonly latencyMs: number;
  /** The error class of a failed turn (for operators; never a message). */
  readonly errorKind?: string;
  /** `AWAITING_CONFIRMATION`: the confirmation the session now waits for (replaces any earlier one). */
  readonly confirmation?: PendingConfirmation;
  /**
   * Keep the pending confirmation (an answer that failed before the agent took it can be sent again).
   * @default false: any other finish removes it
   */
  readonly keepConfirmation?: boolean;
}

/** The last turn of a session as the Agent State table records it. */
export interface TurnStatus {
  readonly token?: string;
  readonly status?: string;
}

/** Port: reads which turn last claimed a session and how it ended. */
export interface TurnStatusReader {
  turnOf(sessionId: string): Promise<TurnStatus | undefined>;
}

/** Port: the chat functions' view of the Agent State table. */
export interface AgentStateStore {
  begin(turn: BeginTurn): Promise<void>;
  /** Claims the session to answer its pending confirmation `confirmationId`, and returns that confirmation. */
  beginAnswer(turn: BeginAnswer): Promise<PendingConfirmation>;
  /** @throws TurnSuperseded when another turn has claimed the session since (this turn's lease ran out) */
  finish(turn: FinishTurn): Promise<void>;
}

const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';

const RUNNING: InvocationStatus = 'IN_PROGRESS';

/** The DynamoDB implementation: UpdateItem (and GetItem to explain a refused `begin`). */
export class DynamoAgentStateStore implements AgentStateStore, TurnStatusReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
  ) {}

  async begin(turn: BeginTurn): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { session_id: turn.sessionId },
          UpdateExpression:
            'SET conversation_id = :sid, user_id = :owner, channel = :channel, #status = :running, ' +
            'turn_token = :token, last_invocation_at = :now, lease_until = :lease, updated_at = :now, ' +
            'created_at = if_not_exists(created_at, :now), expires_at = :expires ' +
            // An expired confirmation goes with the new turn.
            'REMOVE last_error, pending_confirmation',
          ConditionExpression:
            'attribute_not_exists(session_id) OR (user_id = :owner AND (#status <> :running OR lease_until < :nowMs) ' +
            'AND (attribute_not_exists(pending_confirmation) OR pending_confirmation.expires_at_ms < :nowMs))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...this.claimValues(turn), ':sid': turn.sessionId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw new StoreUnavailable('agent state', { cause: error });
      const current = await this.get(turn.sessionId);
      if (current?.user_id !== turn.owner) throw new ConversationNotFound(turn.sessionId);
      if (isRunning(current, turn.nowMs)) throw new ConversationBusy(turn.sessionId);
      const pending = fromStoredConfirmation(current.pending_confirmation);
      if (pending && pending.expiresAtMs >= turn.nowMs) {
        throw new ConfirmationPending(turn.sessionId, confirmationView(pending));
      }
      throw new ConversationBusy(turn.sessionId);
    }
  }

  async beginAnswer(turn: BeginAnswer): Promise<PendingConfirmation> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { session_id: turn.sessionId },
          UpdateExpression:
            'SET channel = :channel, #status = :running, turn_token = :token, last_invocation_at = :now, ' +
            'lease_until = :lease, updated_at = :now, expires_at = :expires REMOVE last_error',
          // The confirmation stays until the answer is through (`finish`): a failed answer can be sent again.
          ConditionExpression:
            'user_id = :owner AND (#status <> :running OR lease_until < :nowMs) AND ' +
            'pending_confirmation.#id = :cid AND pending_confirmation.#owner = :owner AND ' +
            'pending_confirmation.expires_at_ms >= :nowMs',
          ExpressionAttributeNames: { '#status': 'status', '#id': 'id', '#owner': 'owner' },
          ExpressionAttributeValues: { ...this.claimValues(turn), ':cid': turn.confirmationId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = out.Attributes;
    } catch (error) {
      if (!isConditionFailure(error)) throw new StoreUnavailable('agent state', { cause: error });
      throw await this.explainRefusedAnswer(turn);
    }
    const pending = fromStoredConfirmation(item?.pending_confirmation);
    if (!pending) {
      throw new StoreUnavailable('agent state', { cause: new Error('unreadable pending_confirmation') });
    }
    return pending;
  }

  async finish(turn: FinishTurn): Promise<void> {
    const awaiting = turn.status === 'AWAITING_CONFIRMATION';
    const succeeded = turn.status === 'COMPLETED' || awaiting;
    if (awaiting && !turn.confirmation) throw new Error('AWAITING_CONFIRMATION needs the confirmation');
    const set = [
      '#status = :status',
      'last_latency_ms = :latency',
      'updated_at = :now',
      'lease_until = :nowMs',
    ];
    const remove: string[] = [];
    if (succeeded) remove.push('last_error');
    else set.push('last_error = :kind');
    if (awaiting) set.push('pending_confirmation = :pending');
    else if (!turn.keepConfirmation) remove.push('pending_confirmation');
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { session_id: turn.sessionId },
          UpdateExpression:
            `SET ${set.join(', ')}` +
            (remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : '') +
            (succeeded ? ' ADD turns :one' : ''),
          ConditionExpression: 'user_id = :owner AND turn_token = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': turn.status,
            ':latency': turn.latencyMs,
            ':now': new Date(turn.nowMs).toISOString(),
            ':nowMs': turn.nowMs,
            ':owner': turn.owner,
            ':token': turn.token,
            ...(succeeded ? { ':one': 1 } : { ':kind': turn.errorKind ?? turn.status }),
            ...(awaiting && turn.confirmation ? { ':pending': toStoredConfirmation(turn.confirmation) } : {}),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new TurnSuperseded(turn.sessionId, { cause: error });
      throw new StoreUnavailable('agent state', { cause: error });
    }
  }

  /** The values that claim the session for a turn (`begin` and `beginAnswer`). */
  private claimValues(turn: BeginTurn): Record<string, unknown> {
    const now = new Date(turn.nowMs).toISOString();
    return {
      ':owner': turn.owner,
      ':token': turn.token,
      ':channel': turn.channel,
      ':running': RUNNING,
      ':now': now,
      ':nowMs': turn.nowMs,
      ':lease': turn.nowMs + turn.leaseMs,
      ':expires': expiresAtSeconds(turn.nowMs, this.ttlDays),
    };
  }

  /** Why `beginAnswer` was refused: someone else's or unknown confirmation (404), expired (404), busy (409). */
  private async explainRefusedAnswer(turn: BeginAnswer): Promise<Error> {
    const current = await this.get(turn.sessionId);
    const notFound = new ConfirmationNotFound(turn.sessionId, turn.confirmationId);
    if (current?.user_id !== turn.owner) return notFound;
    const pending = fromStoredConfirmation(current.pending_confirmation);
    if (!pending || pending.id !== turn.confirmationId || pending.owner !== turn.owner) return notFound;
    if (isRunning(current, turn.nowMs)) return new ConversationBusy(turn.sessionId);
    if (pending.expiresAtMs < turn.nowMs) return new ConfirmationExpired(turn.sessionId, turn.confirmationId);
    return new ConversationBusy(turn.sessionId);
  }

  async turnOf(sessionId: string): Promise<TurnStatus | undefined> {
    const item = await this.get(sessionId);
    if (!item) return undefined;
    return {
      ...(typeof item.turn_token === 'string' ? { token: item.turn_token } : {}),
      ...(typeof item.status === 'string' ? { status: item.status } : {}),
    };
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

const isRunning = (item: Record<string, unknown>, nowMs: number): boolean =>
  item.status === RUNNING && typeof item.lease_until === 'number' && item.lease_until >= nowMs;
