import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand as DocScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalDynamo, startDynalite } from '../../../support/dynalite';
import { type InvokeAgentServer, setEnv, startInvokeAgentServer } from '../../../support/invoke-agent-server';
import { perSuite } from '../../../support/lifecycle';

/** A REST API key as API Gateway generates them (40 letters and digits), its id and the app it names. */
export const API_KEY = 'kassDevKey0123456789abcdefghijABCDEFGHIJ';
export const API_KEY_ID = 'k1a2b3c4d5';
export const APP = 'web-app';
/** Another app's key (id and value). */
export const OTHER_KEY = {
  id: 'k0th3rk3y1',
  value: 'someOtherKey0123456789abcdefghijABCDEFG',
  app: 'other-app',
};
export const AGENT_ID = 'AGENT12345';
export const ALIAS_ID = 'ALIAS12345';
export const WEBSOCKET_URL = 'wss://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev';

/** Table names as the stack would pass them (dynalite wants at least 3 characters). */
export const TABLES = {
  conversations: 'kass-test-Conversations',
  agentState: 'kass-test-AgentState',
  connections: 'kass-test-Connections',
} as const;

/**
 * The chat API's world for handler tests: DynamoDB through dynalite (the three tables with the keys and
 * index the stack creates) and Bedrock's InvokeAgent through the local HTTP/2 wire-format server; the
 * environment points standard SDK clients at both, as the deployed functions read it.
 */
export interface ChatWorld {
  readonly ddb: LocalDynamo;
  readonly doc: DynamoDBDocumentClient;
  readonly agent: InvokeAgentServer;
  /** Every item of a table. */
  scan(table: string): Promise<Record<string, unknown>[]>;
  /** Empties the tables and the agent's request log between tests. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChatWorld(extraEnv: Record<string, string> = {}): Promise<ChatWorld> {
  const ddb = await startDynalite();
  const create = () =>
    ddb.createTables([
      {
        name: TABLES.conversations,
        partitionKey: 'conversation_id',
        sortKey: 'timestamp',
        indexes: [{ name: 'user_id-index', partitionKey: 'user_id', sortKey: 'created_at' }],
      },
      { name: TABLES.agentState, partitionKey: 'session_id' },
      { name: TABLES.connections, partitionKey: 'connection_id' },
    ]);
  await create();
  const agent = await startInvokeAgentServer();
  const restoreEnv = setEnv({
    ...agent.env(),
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AGENT_ID,
    AGENT_ALIAS_ID: ALIAS_ID,
    AGENT_MEMORY: 'off',
    CHAT_CONFIRMATIONS: 'ask',
    CONVERSATIONS_TABLE_NAME: TABLES.conversations,
    AGENT_STATE_TABLE_NAME: TABLES.agentState,
    CONNECTIONS_TABLE_NAME: TABLES.connections,
    CONVERSATION_TTL_DAYS: '30',
    CONNECTION_TTL_HOURS: '3',
    TURN_LEASE_SECONDS: '30',
    TURN_MAX_START_DELAY_SECONDS: '30',
    API_KEY_APPS: JSON.stringify({ [API_KEY_ID]: APP, [OTHER_KEY.id]: OTHER_KEY.app }),
    AGENT_DEADLINE_SECONDS: '25',
    MAX_MESSAGE_CHARS: '4000',
    PAGE_SIZE: '100',
    WEBSOCKET_URL,
    ALLOWED_ORIGINS: 'http://localhost:3000',
    ...extraEnv,
  });
  const doc = DynamoDBDocumentClient.from(ddb.client);
  return {
    ddb,
    doc,
    agent,
    async scan(table) {
      const out = await doc.send(new DocScanCommand({ TableName: table }));
      return (out.Items ?? []) as Record<string, unknown>[];
    },
    async reset() {
      await ddb.deleteTables(Object.values(TABLES));
      await create();
      (agent.requests as unknown[]).length = 0;
    },
    async stop() {
      restoreEnv();
      await agent.close();
      await ddb.stop();
    },
  };
}

/** Counts items without unmarshalling (for "nothing was written" checks). */
export async function countItems(world: ChatWorld, table: string): Promise<number> {
  const out = await world.ddb.client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
  return out.Count ?? 0;
}

/**
 * The chat world for the calling `describe` block: started before its first test, emptied before each test
 * (ahead of the block's own `beforeEach`) and stopped after its last. The returned object stands for it.
 */
export const useChatWorld = (): ChatWorld =>
  perSuite(
    () => startChatWorld(),
    (world) => world.stop(),
    (world) => world.reset(),
  );
