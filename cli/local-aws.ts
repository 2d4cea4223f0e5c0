import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { AttributeDefinition, DynamoDBClient, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import type { EnvSource } from '../contracts/env';
import { type IndexKeys, TABLE_INDEXES, TABLE_KEYS, type TableName } from '../contracts/tables';
import type { AnyToolNeeds, ToolVarSource } from '../contracts/tool-needs';
import { CliError } from './stack-outputs';

/**
 * `kass tool --local`: the AWS a tool needs, on this machine. DynamoDB is dynalite (a devDependency) on
 * 127.0.0.1, kept in a folder so tickets created in one run are there in the next, with each table the tool
 * needs created from `contracts/tables.ts` (the keys and indexes the stack's tables are built from). Every
 * other AWS call goes to a stand-in: SNS Publish is recorded and printed, not delivered; anything else (Bedrock,
 * Secrets Manager) answers at once with an error that says it is not available locally, instead of hanging on
 * dummy credentials.
 */

/** Credentials the local servers accept (any); real ones must never reach them. */
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'KASSLOCAL', AWS_SECRET_ACCESS_KEY: 'KASSLOCAL' } as const;
const LOCAL_ACCOUNT = '000000000000';
const DEFAULT_REGION = 'us-east-1';

/** The error the stand-in answers for a service that does not run locally. */
export const UNAVAILABLE_LOCALLY = 'UnavailableLocallyException';

export interface LocalAws {
  /** Variables for the tool process: endpoints, dummy credentials, region and the tool's own values. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Tables created or found, by name. */
  readonly tables: readonly string[];
  stop(): Promise<void>;
}

export interface LocalAwsOptions {
  /** Where dynalite keeps its data between runs. */
  readonly dataDir: string;
  /** The environment now: variables already set keep their values (a table name, an endpoint). */
  readonly env: EnvSource;
  /** Notes for the developer (recorded publishes, unavailable services). */
  readonly note: (line: string) => void;
}

type DynaliteFactory = (options: { path?: string; createTableMs?: number }) => Server;

function loadDynalite(): DynaliteFactory {
  try {
    // dynalite ships no type declarations: the one signature used here.
    return require('dynalite') as DynaliteFactory;
  } catch {
    throw new CliError(
      'kass tool --local needs dynalite, a devDependency: run npm install (not --omit=dev) in the repository.',
    );
  }
}

/** What `stop` closes: an HTTP/1.1 or an HTTP/2 server. */
type AnyServer = Server | http2.Http2Server;

const listen = async (server: AnyServer): Promise<string> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const close = (server: AnyServer, sessions: Set<http2.Http2Session>): Promise<void> => {
  if ('closeAllConnections' in server) server.closeAllConnections();
  for (const session of sessions) session.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
};

const localTableName = (table: TableName): string =>
  `kass-local-${table.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The tables a descriptor names, with the variable that holds each name (the house one is ToolLogs). */
function tablesOf(needs: AnyToolNeeds): { variable: string; table: TableName }[] {
  return Object.values(needs.variables).flatMap((v) => {
    if (v.source.kind === 'table') return [{ variable: v.name, table: v.source.table }];
    return v.source.kind === 'house' ? [{ variable: v.name, table: 'toolLogs' as const }] : [];
  });
}

/** The CreateTable input of a table as the stack declares it: string keys, on-demand, indexes projecting all. */
export function createTableInput(name: string, table: TableName) {
  const keys = TABLE_KEYS[table] as { partitionKey: string; sortKey?: string };
  const indexes: readonly IndexKeys[] =
    (TABLE_INDEXES as Partial<Record<TableName, readonly IndexKeys[]>>)[table] ?? [];
  const schema = (partition: string, sort?: string): KeySchemaElement[] => [
    { AttributeName: partition, KeyType: 'HASH' },
    ...(sort ? [{ AttributeName: sort, KeyType: 'RANGE' as const }] : []),
  ];
  const attributes = new Set(
    [keys.partitionKey, keys.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])].filter(
      (a): a is string => a !== undefined,
    ),
  );
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(
      (a): AttributeDefinition => ({ AttributeName: a, AttributeType: 'S' }),
    ),
    KeySchema: schema(keys.partitionKey, keys.sortKey),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: schema(i.partitionKey, i.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/** Creates each table that does not exist yet; a folder another run holds open is named. */
async function ensureTables(
  client: DynamoDBClient,
  wanted: readonly { name: string; table: TableName }[],
  dataDir: string,
): Promise<void> {
  const { CreateTableCommand, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  let existing: string[];
  try {
    existing = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `The local DynamoDB in ${dataDir} cannot be opened (${message}). Another kass tool --local may be using it: wait for it, or pass --local-data <dir>.`,
    );
  }
  for (const { name, table } of wanted) {
    if (!existing.includes(name)) await client.send(new CreateTableCommand(createTableInput(name, table)));
  }
  for (const { name } of wanted) await untilActive(client, name, dataDir);
}

/** dynalite activates a new table on a timer: wait for it (a table left CREATING by a killed run never is). */
async function untilActive(client: DynamoDBClient, name: string, dataDir: string): Promise<void> {
  const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new CliError(
    `The local table ${name} in ${dataDir} never became active (a run stopped while creating it): delete ${dataDir} and run again.`,
  );
}

/** A local stand-in's value for a variable the tool needs (settings are the developer's to give). */
function localValue(
  source: ToolVarSource,
  region: string,
  tableNames: Map<TableName, string>,
): string | undefined {
  switch (source.kind) {
    case 'house':
      return tableNames.get('toolLogs');
    case 'table':
      return tableNames.get(source.table);
    case 'topic':
      return `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:kass-local-${source.topic}`;
    case 'secret':
      return `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT}:secret:kass-local-${source.secret.id}`;
    case 'model':
      return source.part === 'modelId'
        ? 'kass-local-model-unavailable'
        : source.part === 'guardrailId'
          ? 'kass-local-guardrail'
          : '1';
    case 'setting':
    case 'unidentified-calls':
      return undefined;
  }
}

/** Starts dynalite (with the tool's tables) and the stand-in, and returns the environment pointing at them. */
export async function startLocalAws(
  needs: AnyToolNeeds | undefined,
  options: LocalAwsOptions,
): Promise<LocalAws> {
  const dynalite = loadDynalite();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const dynamo = dynalite({ path: options.dataDir, createTableMs: 0 });
  const standIn = createServer((req, res) => {
    void answerStandIn(req, res, options.note);
  });
  // Bedrock Runtime's client speaks HTTP/2 only (cleartext here).
  const standIn2 = http2.createServer((req, res) => {
    void answerStandIn(req, res, options.note);
  });
  const sessions = new Set<http2.Http2Session>();
  standIn2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const servers: AnyServer[] = [];
  const stop = async () => {
    for (const server of servers) await close(server, sessions);
  };
  try {
    const dynamoEndpoint = await listen(dynamo);
    servers.push(dynamo);
    const standInEndpoint = await listen(standIn);
    servers.push(standIn);
    const standIn2Endpoint = await listen(standIn2);
    servers.push(standIn2);
    const region = options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION || DEFAULT_REGION;
    const tables = needs ? tablesOf(needs) : [];
    const tableNames = new Map(
      tables.map(({ variable, table }) => [table, options.env[variable] || localTableName(table)]),
    );
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      region,
      endpoint: dynamoEndpoint,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      },
    });
    try {
      await ensureTables(
        client,
        [...tableNames].map(([table, name]) => ({ table, name })),
        options.dataDir,
      );
    } finally {
      client.destroy();
    }
    const values: Record<string, string> = {};
    for (const variable of Object.values(needs?.variables ?? {})) {
      const value = localValue(variable.source, region, tableNames);
      if (value !== undefined && !options.env[variable.name]) values[variable.name] = value;
    }
    return {
      env: {
        ...values,
        ...LOCAL_CREDENTIALS,
        AWS_SESSION_TOKEN: undefined,
        // A profile would take precedence over the credentials above.
        AWS_PROFILE: undefined,
        AWS_REGION: region,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        // Every other service: the stand-ins (an endpoint the developer set wins).
        AWS_ENDPOINT_URL: options.env.AWS_ENDPOINT_URL || standInEndpoint,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: options.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME || standIn2Endpoint,
      },
      tables: [...tableNames.values()],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface StandInReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The service a signed request is for: the SigV4 credential scope (`…/us-east-1/sns/aws4_request`). */
const serviceOf = (authorization: string | undefined): string =>
  /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1] ?? 'unknown';

const SERVICE_LABELS: Readonly<Record<string, string>> = {
  bedrock: 'Bedrock (model calls)',
  secretsmanager: 'Secrets Manager',
};

/** SNS Publish is recorded and acknowledged; every other call answers "not available locally" at once. */
function standInReply(
  headers: { readonly authorization?: string | undefined; readonly 'content-type'?: string | undefined },
  body: string,
  note: (line: string) => void,
): StandInReply {
  const service = serviceOf(headers.authorization);
  const form = new URLSearchParams(body);
  if (service === 'sns' && form.get('Action') === 'Publish') {
    const subject = form.get('Subject');
    note(
      `local SNS: Publish to ${form.get('TopicArn') ?? '?'} recorded, not delivered${subject ? `: ${subject}` : ''}`,
    );
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
        `<MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}` +
        '</RequestId></ResponseMetadata></PublishResponse>',
    };
  }
  const label = SERVICE_LABELS[service] ?? service;
  const message = `${label} is not available with kass tool --local (only DynamoDB runs locally; SNS publishes are recorded). Run against a deployed stage: --stage <name>.`;
  note(`local AWS: a ${label} call was refused: not available with --local`);
  // 400, not 5xx: the SDK must not retry. Query-protocol services read XML errors, the JSON ones `__type`.
  if ((headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
    return {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body:
        `<ErrorResponse><Error><Type>Sender</Type><Code>${UNAVAILABLE_LOCALLY}</Code><Message>${message}</Message>` +
        `</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status: 400,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': UNAVAILABLE_LOCALLY },
    body: JSON.stringify({ __type: UNAVAILABLE_LOCALLY, message }),
  };
}

/** A request of either server (HTTP/1.1, or HTTP/2 in compatibility mode): its headers and body. */
interface StandInRequest extends AsyncIterable<Buffer> {
  readonly headers: {
    readonly authorization?: string | undefined;
    readonly 'content-type'?: string | undefined;
  };
}

interface StandInResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

async function answerStandIn(
  req: StandInRequest,
  res: StandInResponse,
  note: (line: string) => void,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  const reply = standInReply(req.headers, Buffer.concat(chunks).toString('utf8'), note);
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
