import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailable } from '../shared/errors';
import type { Owner } from '../shared/owner';
import { expiresAtSecondsAfterHours } from '../shared/ttl';

/**
 * The Connections table: one item per open WebSocket connection (`connection_id`), with its owner and an
 * `expires_at` TTL (epoch seconds) past API Gateway's 2-hour connection limit, so a record whose
 * `$disconnect` never arrived still goes away.
 */
export interface ConnectionRecord {
  readonly connectionId: string;
  readonly owner: Owner;
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
    await this.guard(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            connection_id: record.connectionId,
            user_id: record.owner,
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
    const owner = out.Item?.user_id;
    return typeof owner === 'string' ? { connectionId, owner } : undefined;
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
