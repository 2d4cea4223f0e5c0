import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  PutItemCommand,
  type ScalarAttributeType,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * A real DynamoDB wire protocol for storage tests: dynalite (pure JS, in memory) on 127.0.0.1 and a free
 * port. Tables are ACTIVE as soon as they are created (`createTableMs: 0`). dynalite has no transactions: the
 * server here adds TransactWriteItems (all-or-nothing, see `addTransactions`). It does not expire TTL items;
 * unit-test TTL values instead (toolchain.md §9).
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

type AttributeMap = Record<string, AttributeValue>;

/** One TransactWriteItems action, in the wire format (the low-level client's shapes). */
interface TransactAction {
  readonly Put?: { TableName: string; Item: AttributeMap } & ExpressionParts;
  readonly Update?: { TableName: string; Key: AttributeMap; UpdateExpression: string } & ExpressionParts;
  readonly Delete?: { TableName: string; Key: AttributeMap } & ExpressionParts;
  readonly ConditionCheck?: {
    TableName: string;
    Key: AttributeMap;
    ConditionExpression: string;
  } & ExpressionParts;
}

interface ExpressionParts {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: AttributeMap;
}

const TRANSACT_TARGET = 'DynamoDB_20120810.TransactWriteItems';

/**
 * TransactWriteItems for dynalite (which has none): the actions run one by one under a lock shared by all
 * transactions, each with its own condition evaluated by dynalite, and are rolled back (the items' earlier
 * images restored) when one fails, so the outcome is all-or-nothing as in DynamoDB. A failed condition
 * answers TransactionCanceledException with per-action CancellationReasons. Good enough for tests that
 * run their writes one after another; not a model of DynamoDB's isolation under concurrent writes.
 */
function addTransactions(server: Server, client: DynamoDBClient): void {
  const [dynaliteHandler] = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  if (!dynaliteHandler) throw new Error('dynalite has no request handler');
  const keys = new Map<string, string[]>();
  const keyNames = async (table: string): Promise<string[]> => {
    let names = keys.get(table);
    if (!names) {
      const out = await client.send(new DescribeTableCommand({ TableName: table }));
      names = (out.Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '');
      keys.set(table, names);
    }
    return names;
  };
  let lock: Promise<unknown> = Promise.resolve();

  const transact = async (actions: readonly TransactAction[]): Promise<{ status: number; body: object }> => {
    const undo: (() => Promise<unknown>)[] = [];
    const reasons: { Code: string; Message?: string }[] = actions.map(() => ({ Code: 'None' }));
    for (const [i, action] of actions.entries()) {
      const op = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck;
      if (!op) return { status: 400, body: error('ValidationException', 'Empty TransactItem') };
      const names = await keyNames(op.TableName);
      const source = action.Put ? action.Put.Item : (op as { Key: AttributeMap }).Key;
      const Key = Object.fromEntries(names.map((n) => [n, source[n] as AttributeValue]));
      const before = (
        await client.send(new GetItemCommand({ TableName: op.TableName, Key, ConsistentRead: true }))
      ).Item;
      undo.unshift(() =>
        before
          ? client.send(new PutItemCommand({ TableName: op.TableName, Item: before }))
          : client.send(new DeleteItemCommand({ TableName: op.TableName, Key })),
      );
      const condition = {
        ...(op.ConditionExpression ? { ConditionExpression: op.ConditionExpression } : {}),
        ...(op.ExpressionAttributeNames ? { ExpressionAttributeNames: op.ExpressionAttributeNames } : {}),
        ...(op.ExpressionAttributeValues ? { ExpressionAttributeValues: op.ExpressionAttributeValues } : {}),
      };
      try {
        if (action.Put)
          await client.send(
            new PutItemCommand({ TableName: op.TableName, Item: action.Put.Item, ...condition }),
          );
        else if (action.Delete)
          await client.send(new DeleteItemCommand({ TableName: op.TableName, Key, ...condition }));
        else if (action.Update) {
          await client.send(
            new UpdateItemCommand({
              TableName: op.TableName,
              Key,
              UpdateExpression: action.Update.UpdateExpression,
              ...condition,
            }),
          );
        } else {
          // A check evaluates its condition through a throwaway write that the undo step takes back.
          await client.send(
            new UpdateItemCommand({
              TableName: op.TableName,
              Key,
              UpdateExpression: 'SET #txCheck = :txCheck',
              ...condition,
              ExpressionAttributeNames: {
                ...condition.ExpressionAttributeNames,
                '#txCheck': '__transactionCheck',
              },
              ExpressionAttributeValues: {
                ...condition.ExpressionAttributeValues,
                ':txCheck': { BOOL: true },
              },
            }),
          );
        }
      } catch (err) {
        for (const step of undo) await step();
        const name = (err as { name?: string }).name ?? 'InternalServerError';
        if (name !== 'ConditionalCheckFailedException') {
          return { status: 400, body: error(name, (err as Error).message) };
        }
        reasons[i] = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
        return {
          status: 400,
          body: {
            ...error(
              'TransactionCanceledException',
              `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            ),
            CancellationReasons: reasons,
          },
        };
      }
      if (action.ConditionCheck) await undo[0]?.();
    }
    return { status: 200, body: {} };
  };

  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] !== TRANSACT_TARGET) {
      dynaliteHandler(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const run = lock.then(async () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          TransactItems?: TransactAction[];
        };
        return transact(input.TransactItems ?? []);
      });
      lock = run.catch(() => undefined);
      run.then(
        ({ status, body }) => reply(res, status, body),
        (err: unknown) => reply(res, 500, error('InternalServerError', String(err))),
      );
    });
  });
}

const error = (type: string, message: string) => ({
  __type: `com.amazonaws.dynamodb.v20120810#${type}`,
  message,
});

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': 'transact-shim',
  });
  res.end(text);
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
  addTransactions(server, new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: CREDENTIALS }));

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
