import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type ScalarAttributeType,
} from '@aws-sdk/client-dynamodb';

/**
 * A real DynamoDB wire protocol for storage tests: dynalite (pure JS, in memory) on 127.0.0.1 and a free
 * port. Tables are ACTIVE as soon as they are created (`createTableMs: 0`). dynalite has no transactions
 * and does not expire TTL items; unit-test TTL values instead (toolchain.md §9).
 *
 *   const ddb = await startDynalite({ tables: [{ name: 'Tickets', partitionKey: 'ticketId' }] });
 *   process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;   // for clients built from standard config
 *   // … ddb.client …
 *   await ddb.stop();
 */

/** A key attribute: a name (type S) or a name and type. */
export type KeyAttribute = string | { readonly name: string; readonly type: ScalarAttributeType };

export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableSpec {
  /** At least 3 characters (dynalite validates names like DynamoDB). */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Global secondary indexes, all projecting ALL attributes. */
  readonly indexes?: readonly IndexSpec[];
}

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: for AWS_ENDPOINT_URL_DYNAMODB or a client's `endpoint`. */
  readonly endpoint: string;
  /** A client pointed at the server (region us-east-1, dummy credentials). */
  readonly client: DynamoDBClient;
  /** Credentials the server accepts (any); set them as AWS_ACCESS_KEY_ID/SECRET for env-configured clients. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  createTables(specs: readonly TableSpec[]): Promise<void>;
  deleteTables(names: readonly string[]): Promise<void>;
  /** Destroys the client and closes the server. */
  stop(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** Tables created before the helper returns. */
  readonly tables?: readonly TableSpec[];
}

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

const CREDENTIALS = { accessKeyId: 'DYNALITE', secretAccessKey: 'DYNALITE' } as const;

const attr = (key: KeyAttribute): { name: string; type: ScalarAttributeType } =>
  typeof key === 'string' ? { name: key, type: 'S' } : key;

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] {
  return [
    { AttributeName: attr(partitionKey).name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: attr(sortKey).name, KeyType: 'RANGE' as const }] : []),
  ];
}

/** The CreateTable request for a spec (on-demand, one definition per distinct key attribute). */
export function createTableInput(spec: TableSpec) {
  const keys = [
    spec.partitionKey,
    spec.sortKey,
    ...(spec.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
  ]
    .filter((k): k is KeyAttribute => k !== undefined)
    .map(attr);
  const definitions = new Map<string, AttributeDefinition>();
  for (const k of keys) definitions.set(k.name, { AttributeName: k.name, AttributeType: k.type });
  const indexes: GlobalSecondaryIndex[] = (spec.indexes ?? []).map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' },
  }));
  return {
    TableName: spec.name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...definitions.values()],
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/** Starts dynalite on 127.0.0.1 (a free port) and creates `options.tables`. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalDynamo> {
  // dynalite ships no type declarations: load it through require with the one signature used here.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: CREDENTIALS });

  const local: LocalDynamo = {
    endpoint,
    client,
    credentials: CREDENTIALS,
    async createTables(specs) {
      for (const spec of specs) await client.send(new CreateTableCommand(createTableInput(spec)));
    },
    async deleteTables(names) {
      for (const name of names) await client.send(new DeleteTableCommand({ TableName: name }));
    },
    async stop() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  try {
    await local.createTables(options.tables ?? []);
  } catch (err) {
    await local.stop();
    throw err;
  }
  return local;
}
