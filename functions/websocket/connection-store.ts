import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Caller, parseRoles } from '../../action-groups/kit/caller';
import { StoreUnavailable } from '../shared/errors';
import { expiresAtSecondsAfterHours } from '../shared/ttl';

/**
 * The Connections table: one item per open WebSocket connection (`connection_id`), with the caller the
 * `$connect` authorizer derived (`user_id`, `app`, `roles`) and an `expires_at` TTL (epoch seconds) past API
 * Gateway's 2-hour connection limit, so a record whose `$disconnect` never arrived still goes away.
 */
export interface ConnectionRecord {
  readonly connectionId: string;
  readonly caller: Caller;
}

export interface ConnectionStore {
  put(record: ConnectionRecord, nowMs: number): Promise<void>;
  get(connectionId: string): Promise<ConnectionRecord | undefined>;
  delete(connectionId: string): Promise<void>;
}

export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Lifetime of a record written by `put` (reads and deletes do not use it). */
    private readonly ttlHours = 3,
  ) {}

  async put(record: ConnectionRecord, nowMs: number): Promise<void> {
    const { caller } = record;
    await this.guard(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            connection_id: record.connectionId,
            user_id: caller.userId,
            ...(caller.app ? { app: caller.app } : {}),
            ...(caller.roles.length > 0 ? { roles: caller.roles.join(',') } : {}),
            connected_at: new Date(nowMs).toISOString(),
            expires_at: expiresAtSecondsAfterHours(nowMs, this.ttlHours),
          },
        }),
      ),
    );
  }

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const out = await this.guard(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { connection_id: connectionId } })),
    );
    const item = out.Item;
    if (typeof item?.user_id !== 'string') return undefined;
    return {
      connectionId,
      caller: {
        userId: item.user_id,
        ...(typeof item.app === 'string' ? { app: item.app } : {}),
        roles: parseRoles(typeof item.roles === 'string' ? item.roles : undefined),
      },
    };
  }

  async delete(connectionId: string): Promise<void> {
    await this.guard(() =>
      this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: { connection_id: connectionId } }),
      ),
    );
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StoreUnavailable('connection', { cause: error });
    }
  }
}
