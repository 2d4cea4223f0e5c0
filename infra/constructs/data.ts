import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface DataProps {
  /** Prod: deletion protection and RETAIN; dev: tables go with the stack. */
  readonly retainData: boolean;
}

/** Attribute names the code writes; the table keys and TTLs below must match them. */
export const TABLE_KEYS = {
  tickets: {
    partitionKey: 'ticketId',
    ttl: 'expiresAt',
    /** A caller's own tickets (key `owner`, the verified userId), newest first. */
    ownerIndex: 'owner-index',
    statusIndex: 'status-index',
  },
  conversations: {
    partitionKey: 'conversation_id',
    sortKey: 'timestamp',
    ttl: 'expires_at',
    userIndex: 'user_id-index',
  },
  toolLogs: { partitionKey: 'session_id', sortKey: 'timestamp', ttl: 'expires_at' },
} as const;

/** The Tickets index of the model-given reporter that owner-index replaces (see `Data`). */
export const LEGACY_REPORTER_INDEX = 'reporter-index';

/** House table settings: on-demand, PITR, AWS-managed encryption; deletion protection + RETAIN when retaining. */
export function tableDefaults(retainData: boolean) {
  return {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: retainData,
    removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  } as const;
}

/**
 * The DynamoDB tables: Tickets (report tool), Conversations (chat turns; summarize reads them) and ToolLogs
 * (one record per tool call). On-demand, PITR, encrypted; retained with deletion protection in prod.
 */
export class Data extends Construct {
  public readonly tickets: dynamodb.Table;
  public readonly conversations: dynamodb.Table;
  public readonly toolLogs: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const common = tableDefaults(props.retainData);
    const s = dynamodb.AttributeType.STRING;

    const t = TABLE_KEYS.tickets;
    this.tickets = new dynamodb.Table(this, 'Tickets', {
      ...common,
      partitionKey: { name: t.partitionKey, type: s },
      // Only idempotency records carry the TTL; tickets themselves never expire.
      timeToLiveAttribute: t.ttl,
    });
    this.tickets.addGlobalSecondaryIndex({
      indexName: t.ownerIndex,
      partitionKey: { name: 'owner', type: s },
      sortKey: { name: 'createdAt', type: s },
    });
    // No longer read (the reporter was model-given text). Kept in this release only because DynamoDB creates
    // or deletes one GSI per table update, so a stack that has it cannot add owner-index and drop it at once.
    // New tickets have no `reporter` attribute, so it holds old tickets only and costs no new writes.
    this.tickets.addGlobalSecondaryIndex({
      indexName: LEGACY_REPORTER_INDEX,
      partitionKey: { name: 'reporter', type: s },
      sortKey: { name: 'createdAt', type: s },
    });
    this.tickets.addGlobalSecondaryIndex({
      indexName: t.statusIndex,
      partitionKey: { name: 'status', type: s },
      sortKey: { name: 'createdAt', type: s },
    });

    const c = TABLE_KEYS.conversations;
    this.conversations = new dynamodb.Table(this, 'Conversations', {
      ...common,
      partitionKey: { name: c.partitionKey, type: s },
      sortKey: { name: c.sortKey, type: s },
      timeToLiveAttribute: c.ttl,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    this.conversations.addGlobalSecondaryIndex({
      indexName: c.userIndex,
      partitionKey: { name: 'user_id', type: s },
      sortKey: { name: 'created_at', type: s },
    });

    const l = TABLE_KEYS.toolLogs;
    this.toolLogs = new dynamodb.Table(this, 'ToolLogs', {
      ...common,
      partitionKey: { name: l.partitionKey, type: s },
      sortKey: { name: l.sortKey, type: s },
      timeToLiveAttribute: l.ttl,
    });
  }
}
