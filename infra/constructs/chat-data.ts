import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../contracts/tables';
import { tableDefaults } from './data';

export interface ChatDataProps {
  /** Prod: deletion protection and RETAIN; dev: the tables go with the stack. */
  readonly retainData: boolean;
}

/**
 * The chat API's own tables. Agent State maps an agent session (the conversation id) to its owner and
 * records the last invocation's status; its conditional write is also what binds a conversation to one
 * owner. Connections holds the owner of every open WebSocket connection. Both on-demand, PITR, encrypted,
 * with a TTL; retained with deletion protection in prod.
 */
export class ChatData extends Construct {
  public readonly agentState: dynamodb.Table;
  public readonly connections: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ChatDataProps) {
    super(scope, id);
    const common = tableDefaults(props.retainData);
    const s = dynamodb.AttributeType.STRING;

    const a = TABLE_KEYS.agentState;
    this.agentState = new dynamodb.Table(this, 'AgentState', {
      ...common,
      partitionKey: { name: a.partitionKey, type: s },
      timeToLiveAttribute: a.ttl,
    });

    const c = TABLE_KEYS.connections;
    this.connections = new dynamodb.Table(this, 'Connections', {
      ...common,
      partitionKey: { name: c.partitionKey, type: s },
      timeToLiveAttribute: c.ttl,
    });
  }
}
