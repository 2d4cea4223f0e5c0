import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type IndexKeys, LEGACY_REPORTER_INDEX, TABLE_INDEXES, TABLE_KEYS } from '../../contracts/tables';

export interface DataProps {
  /** Prod: deletion protection and RETAIN; dev: tables go with the stack. */
  readonly retainData: boolean;
}

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
    const [ownerIndex, statusIndex] = TABLE_INDEXES.tickets;
    addIndex(this.tickets, ownerIndex);
    // No longer read (the reporter was model-given text). Kept in this release only because DynamoDB creates
    // or deletes one GSI per table update, so a stack that has it cannot add owner-index and drop it at once.
    // New tickets have no `reporter` attribute, so it holds old tickets only and costs no new writes.
    addIndex(this.tickets, LEGACY_REPORTER_INDEX);
    addIndex(this.tickets, statusIndex);

    const c = TABLE_KEYS.conversations;
    this.conversations = new dynamodb.Table(this, 'Conversations', {
      ...common,
      partitionKey: { name: c.partitionKey, type: s },
      sortKey: { name: c.sortKey, type: s },
      timeToLiveAttribute: c.ttl,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    for (const index of TABLE_INDEXES.conversations) addIndex(this.conversations, index);

    const l = TABLE_KEYS.toolLogs;
    this.toolLogs = new dynamodb.Table(this, 'ToolLogs', {
      ...common,
      partitionKey: { name: l.partitionKey, type: s },
      sortKey: { name: l.sortKey, type: s },
      timeToLiveAttribute: l.ttl,
    });
  }
}

/** A global secondary index on string keys, projecting all attributes. */
function addIndex(table: dynamodb.Table, index: IndexKeys): void {
  const s = dynamodb.AttributeType.STRING;
  table.addGlobalSecondaryIndex({
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: s },
    ...(index.sortKey ? { sortKey: { name: index.sortKey, type: s } } : {}),
  });
}
