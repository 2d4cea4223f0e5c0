import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../../contracts/aws-errors';
import { StoreUnavailable } from '../shared/errors';
import { expiresAtSeconds, expiresAtSecondsAfterHours } from '../shared/ttl';

/**
 * The Discord table: one item per interaction worked on (`pk = interaction#<id>`: the idempotency record,
 * with who asked, where, and how it ended) and one per user and rate window (`pk = rate#<user>#<window>`: the
 * question count). Both carry `expires_at` (TTL, epoch seconds).
 */

/** Days an interaction record is kept (Discord redelivers within minutes; a day is plenty). */
export const INTERACTION_RECORD_DAYS = 1;

export type InteractionStatus =
  | 'IN_PROGRESS'
  | 'ANSWERED'
  | 'AWAITING_CONFIRMATION'
  | 'RATE_LIMITED'
  | 'ALREADY_DECIDED'
  | 'TOKEN_EXPIRED'
  | 'FAILED';

export interface InteractionClaim {
  readonly interactionId: string;
  readonly kind: 'ask' | 'confirm';
  readonly userId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly conversationId: string;
  readonly nowMs: number;
  /** How long this attempt may hold the interaction (the function timeout): a crash frees it after that. */
  readonly leaseMs: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Port: the worker's idempotency and rate-limit records. */
export interface InteractionLedger {
  /** `claimed` the first time an interaction is seen (or after a crashed attempt's lease); else `duplicate`. */
  claim(claim: InteractionClaim): Promise<'claimed' | 'duplicate'>;
  finish(
    interactionId: string,
    status: Exclude<InteractionStatus, 'IN_PROGRESS'>,
    nowMs: number,
  ): Promise<void>;
  /** Counts one question of `userId` in the current window, unless the window's limit is reached. */
  takeQuestion(userId: string, nowMs: number): Promise<RateDecision>;
}

export interface RateLimit {
  readonly questions: number;
  readonly windowSeconds: number;
}

/** Fixed windows: the key of the window `nowMs` falls in, and when it ends. */
export function rateWindow(userId: string, nowMs: number, windowSeconds: number) {
  const index = Math.floor(nowMs / 1000 / windowSeconds);
  return { key: `rate#${userId}#${index}`, endsAtMs: (index + 1) * windowSeconds * 1000 };
}

/** The DynamoDB implementation (PutItem and UpdateItem, both conditional). */
export class DynamoInteractionLedger implements InteractionLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limit: RateLimit,
  ) {}

  async claim(claim: InteractionClaim): Promise<'claimed' | 'duplicate'> {
    const now = new Date(claim.nowMs).toISOString();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `interaction#${claim.interactionId}`,
            interaction_id: claim.interactionId,
            kind: claim.kind,
            user_id: claim.userId,
            guild_id: claim.guildId,
            channel_id: claim.channelId,
            conversation_id: claim.conversationId,
            status: 'IN_PROGRESS',
            lease_until: claim.nowMs + claim.leaseMs,
            created_at: now,
            updated_at: now,
            expires_at: expiresAtSeconds(claim.nowMs, INTERACTION_RECORD_DAYS),
          },
          // A redelivered event finds the record; only an attempt that crashed (lease over) is taken over.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :running AND lease_until < :nowMs)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'IN_PROGRESS', ':nowMs': claim.nowMs },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'duplicate';
      throw new StoreUnavailable('discord', { cause: error });
    }
  }

  async finish(
    interactionId: string,
    status: Exclude<InteractionStatus, 'IN_PROGRESS'>,
    nowMs: number,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `interaction#${interactionId}` },
          UpdateExpression: 'SET #status = :status, updated_at = :now, lease_until = :nowMs',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': new Date(nowMs).toISOString(),
            ':nowMs': nowMs,
          },
        }),
      );
    } catch (error) {
      throw new StoreUnavailable('discord', { cause: error });
    }
  }

  async takeQuestion(userId: string, nowMs: number): Promise<RateDecision> {
    const window = rateWindow(userId, nowMs, this.limit.windowSeconds);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: window.key },
          UpdateExpression: 'ADD questions :one SET user_id = :user, expires_at = :expires',
          ConditionExpression: 'attribute_not_exists(questions) OR questions < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':user': userId,
            ':max': this.limit.questions,
            // Kept an hour past the window, then DynamoDB removes it.
            ':expires': expiresAtSecondsAfterHours(window.endsAtMs, 1),
          },
        }),
      );
      return { allowed: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((window.endsAtMs - nowMs) / 1000)),
        };
      }
      throw new StoreUnavailable('discord', { cause: error });
    }
  }
}
