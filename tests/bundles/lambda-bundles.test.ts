import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, type CreateTableCommandInput, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import { kassBuildOptions } from '../../bench/bundles';
import { KassFunction } from '../../infra/constructs/kass-function';
import { buildTestApp } from '../support/app';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { getTestEvent } from '../support/events';

/**
 * Every Lambda as deployed: bundled by esbuild with KassFunction's options, started in a fresh Node process
 * with the environment the synthesized template gives it, fed real-format events (for the tools, the shared
 * events and the variations their README asks for), with DynamoDB served by dynalite from the template's own
 * table definitions and every other AWS endpoint unreachable. This catches what in-process tests cannot: a
 * bundle that does not load, an environment variable the construct forgot, a key or index name that differs
 * between the code and the template.
 */

const execFileAsync = promisify(execFile);
/** The API key of the WebSocket fixtures. */
const API_KEY_VALUE = 'kassDevKey0123456789abcdefghijABCDEFGHIJ';
const TOOLS = ['report', 'summarize', 'code-review'] as const;
type Tool = (typeof TOOLS)[number];
type Json = Record<string, unknown>;

const { stack, template } = buildTestApp('dev');
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;

/** Each KassFunction of the stack: its entry file and its function's logical id in the template. */
const FUNCTIONS = stack.node
  .findAll()
  .filter((c): c is KassFunction => c instanceof KassFunction)
  .map((f) => ({
    entry: f.entry,
    logicalId: stack.getLogicalId(f.function.node.defaultChild as CfnFunction),
  }));

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A short upper-case id, as Bedrock and API Gateway return (an agent id has 10 characters). */
const shortId = (seed: string): string =>
  createHash('sha256').update(seed).digest('hex').slice(0, 10).toUpperCase();

/** A deploy-time value as a plausible literal: table names are logical ids, ARNs look like ARNs. */
function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) {
    if (PSEUDO[ref]) return PSEUDO[ref];
    switch (resources[ref]?.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:us-east-1:123456789012:${ref}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${ref}-AbCdEf`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::SQS::Queue':
        return ref;
      default:
        return shortId(ref);
    }
  }
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return shortId(getAtt.join('.'));
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(literal).join(join[0]);
  throw new Error(`no literal for ${JSON.stringify(value)}`);
}

/** The environment the template gives the function bundled from `entry`, resolved to literals. */
function templateEnv(entry: string): Record<string, string> {
  const fn = FUNCTIONS.find((f) => f.entry === entry);
  const environment = resources[fn?.logicalId ?? '']?.Properties.Environment as
    | { Variables?: Json }
    | undefined;
  if (!environment?.Variables) throw new Error(`no function with entry ${entry} in the template`);
  return Object.fromEntries(Object.entries(environment.Variables).map(([k, v]) => [k, literal(v)]));
}

const toolEntry = (tool: Tool): string => `action-groups/${tool}/handler.ts`;

/** CreateTable input from an AWS::DynamoDB::Table resource, named by its logical id. */
function tableInput(logicalId: string, props: Json): CreateTableCommandInput {
  const gsis = props.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown[] }[] | undefined;
  return {
    TableName: logicalId,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis
      ? {
          GlobalSecondaryIndexes: gsis.map((g) => ({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema as NonNullable<CreateTableCommandInput['KeySchema']>,
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

// Runs in the child: loads the bundle, answers each event in order, writes the outcomes to a file (stdout
// carries the Powertools metric lines). A rejection is an outcome too (an authorizer denies by throwing).
const RUNNER = `
const fs = require('node:fs');
const [bundle, eventsFile, outFile] = process.argv.slice(2);
const { handler } = require(bundle);
const context = { functionName: 'kass-fn', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 };
(async () => {
  const outcomes = [];
  for (const event of JSON.parse(fs.readFileSync(eventsFile, 'utf8'))) {
    try {
      outcomes.push({ value: await handler(event, context) });
    } catch (error) {
      outcomes.push({ error: String(error && error.message) });
    }
  }
  fs.writeFileSync(outFile, JSON.stringify(outcomes));
})();
`;

interface Outcome {
  readonly value?: Json;
  readonly error?: string;
}

const fixture = (filename: string): Json => getTestEvent({ eventsPath: 'bedrock-agent', filename });
const FIXTURES = ['openapi-get-no-params', 'openapi-get-path-param', 'openapi-post-body', 'function-details'];

/** The shared fixtures and the variations their README lists (generated, not stored). */
function fixtureEvents(): { name: string; event: Json }[] {
  return FIXTURES.flatMap((name) => {
    const event = fixture(name);
    const { sessionAttributes: _dropped, ...noAttributes } = event;
    return [
      { name, event },
      { name: `${name} lower-case method`, event: { ...event, httpMethod: 'get' } },
      { name: `${name} without sessionAttributes`, event: noAttributes },
      {
        name: `${name} non-string value`,
        event: { ...event, parameters: [{ name: 'x', type: 'integer', value: 5 }] },
      },
      { name: `${name} unknown apiPath`, event: { ...event, apiPath: '/nope/{id}' } },
      { name: `${name} extra property`, event: { ...event, surprise: { nested: true } } },
    ];
  });
}

const STACK_TRACE = /\bat .*[\\/][^\s]*:\d+|Error:|\/var\/task|node_modules|\.ts:\d+/;

interface Answer {
  readonly status: number | string;
  readonly body: Json;
}

/** Checks the contract shape for the event's kind and returns status (or responseState) and parsed body. */
function readAnswer(event: Json, response: Json): Answer {
  expect(response.messageVersion).toBe('1.0');
  expect(typeof response.sessionAttributes).toBe('object');
  expect(typeof response.promptSessionAttributes).toBe('object');
  const r = response.response as Json;
  let text: string;
  let status: number | string;
  if (typeof event.function === 'string' && event.apiPath === undefined) {
    expect(Object.keys(r).sort()).toEqual(['actionGroup', 'function', 'functionResponse']);
    expect(r.function).toBe(event.function);
    const fr = r.functionResponse as { responseState?: string; responseBody: { TEXT: { body: string } } };
    text = fr.responseBody.TEXT.body;
    status = fr.responseState ?? 'OK';
  } else {
    expect(Object.keys(r).sort()).toEqual([
      'actionGroup',
      'apiPath',
      'httpMethod',
      'httpStatusCode',
      'responseBody',
    ]);
    if (typeof event.apiPath === 'string') expect(r.apiPath).toBe(event.apiPath);
    if (typeof event.httpMethod === 'string') expect(r.httpMethod).toBe(event.httpMethod);
    expect(Number.isInteger(r.httpStatusCode)).toBe(true);
    text = (r.responseBody as { 'application/json': { body: string } })['application/json'].body;
    status = r.httpStatusCode as number;
  }
  if (typeof event.actionGroup === 'string') expect(r.actionGroup).toBe(event.actionGroup);
  expect(typeof text).toBe('string');
  expect(text).not.toMatch(STACK_TRACE);
  return { status, body: JSON.parse(text) as Json };
}

describe('Bundled Lambdas (esbuild output, template environment, real-format events)', () => {
  let dir: string;
  let ddb: LocalDynamo;
  const bundles = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kass-tool-bundles-'));
    ddb = await startDynalite();
    for (const [id, r] of Object.entries(resources))
      if (r.Type === 'AWS::DynamoDB::Table')
        await ddb.client.send(new CreateTableCommand(tableInput(id, r.Properties)));
    for (const { entry } of FUNCTIONS) {
      const outfile = path.join(dir, entry.replace(/[/.]/g, '_'), 'index.js');
      await build({ ...kassBuildOptions(entry, outfile), metafile: false });
      bundles.set(entry, outfile);
    }
    writeFileSync(path.join(dir, 'runner.cjs'), RUNNER);
  });

  afterAll(async () => {
    await ddb.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `events` through the entry's bundle in a fresh process; DynamoDB is dynalite, other AWS calls fail fast. */
  async function run(
    entry: string,
    events: readonly unknown[],
    extraEnv: Record<string, string> = {},
  ): Promise<Outcome[]> {
    const name = entry.replace(/[/.]/g, '_');
    const eventsFile = path.join(dir, `${name}-events.json`);
    const outFile = path.join(dir, `${name}-outcomes.json`);
    writeFileSync(eventsFile, JSON.stringify(events));
    await execFileAsync(
      process.execPath,
      [path.join(dir, 'runner.cjs'), bundles.get(entry) ?? '', eventsFile, outFile],
      {
        env: {
          PATH: process.env.PATH,
          ...templateEnv(entry),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: ddb.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ddb.credentials.secretAccessKey,
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
          AWS_MAX_ATTEMPTS: '1',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          ...extraEnv,
        },
        timeout: 60_000,
      },
    );
    return JSON.parse(readFileSync(outFile, 'utf8')) as Outcome[];
  }

  /** A tool's answers: a tool handler never throws. */
  async function invoke(tool: Tool, events: readonly Json[]): Promise<Json[]> {
    const outcomes = await run(toolEntry(tool), events);
    for (const o of outcomes) expect(o.error).toBeUndefined();
    return outcomes.map((o) => o.value ?? {});
  }

  it('bundles every function of the stack', () => {
    expect(FUNCTIONS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(FUNCTIONS.map((f) => f.entry)).size).toBe(FUNCTIONS.length);
  });

  it.each(TOOLS)(
    '%s answers every shared event and variation in contract shape, never with a stack',
    async (tool) => {
      // Prepare
      const cases = fixtureEvents();

      // Act
      const answers = await invoke(
        tool,
        cases.map((c) => c.event),
      );

      // Assess
      expect(answers).toHaveLength(cases.length);
      cases.forEach(({ name, event }, i) => {
        const answer = readAnswer(event, answers[i] ?? {});
        // A call the tool cannot route or read is the caller's to fix: 4xx, or a reprompt for a function call.
        if (name.endsWith('non-string value') || name.endsWith('unknown apiPath')) {
          expect({ name, ok: [400, 404, 'REPROMPT'].includes(answer.status) }).toEqual({ name, ok: true });
        }
      });
    },
  );

  it('report: creates, reads and lists a ticket through the template tables and indexes', async () => {
    // Prepare: a signed-in caller (the session attribute the chat API sets) and an operator
    const schemaText = readFileSync(path.join(__dirname, '../../schemas/report.yaml'), 'utf8');
    const event = (operationId: string, input: { params?: Json; body?: Json }, roles?: string) =>
      buildAgentEvent({
        group: 'report',
        schemaText,
        operationId,
        sessionAttributes: { userId: 'cognito:ana', ...(roles ? { roles } : {}) },
        ...(input.params ? { params: input.params as Record<string, string> } : {}),
        ...(input.body ? { body: input.body } : {}),
      }) as unknown as Json;
    const created = await invoke('report', [
      event('createTicket', {
        body: { title: 'VPN drops', description: 'Every 10 minutes.', severity: 'high', reporterName: 'Ana' },
      }),
    ]);
    const ticket = readAnswer({}, created[0] ?? {});
    const ticketId = String(ticket.body.ticketId);

    // Act
    const [read, byOwner, byStatus] = (
      await invoke('report', [
        event('getTicket', { params: { ticketId } }),
        event('listTickets', {}),
        event('listTickets', { params: { status: 'open' } }, 'operator'),
      ])
    ).map((a) => readAnswer({}, a));

    // Assess
    expect(ticket.status).toBe(201);
    expect(ticketId).toMatch(/^TCK-\d+$/);
    // SNS is unreachable here: the ticket is kept and says so.
    expect(ticket.body.notified).toBe(false);
    expect(read).toMatchObject({ status: 200, body: { ticketId, severity: 'high' } });
    expect(byOwner?.status).toBe(200);
    expect(JSON.stringify(byOwner?.body)).toContain(ticketId);
    expect(byStatus?.status).toBe(200);
    expect(JSON.stringify(byStatus?.body)).toContain(ticketId);
  });

  it('report: user B sees none of user A’s tickets by any operation (real-format events, template tables)', async () => {
    // Prepare: A files a ticket through the real POST fixture; only the userId session attribute differs
    const A = 'cognito:aaaaaaaa-1111-4c3a-9e0b-2f6a8c1d5e77';
    const B = 'cognito:bbbbbbbb-2222-4d5b-8f6a-1e2d3c4b5a69';
    const secret = 'Payroll export leaks salaries of the finance team';
    const as = (userId: string, event: Json): Json => ({ ...event, sessionAttributes: { userId } });
    const post = fixture('openapi-post-body');
    const body = {
      title: secret,
      description: `${secret}; details inside.`,
      severity: 'high',
      reporter: 'ana@example.com',
    };
    const created = await invoke('report', [
      as(A, {
        ...post,
        requestBody: {
          content: {
            'application/json': {
              properties: Object.entries(body).map(([name, value]) => ({ name, type: 'string', value })),
            },
          },
        },
      }),
    ]);
    const ticket = readAnswer({}, created[0] ?? {});
    expect(ticket.status).toBe(201);
    const ticketId = String(ticket.body.ticketId);
    const list = (params: Record<string, string>) => ({
      ...fixture('openapi-get-no-params'),
      parameters: Object.entries(params).map(([name, value]) => ({ name, type: 'string', value })),
    });
    const get = {
      ...fixture('openapi-get-path-param'),
      parameters: [{ name: 'ticketId', type: 'string', value: ticketId }],
    };

    // Act: every read B can attempt, then the same reads as A
    const asB = await invoke(
      'report',
      [
        list({}),
        list({ reporter: 'ana@example.com' }),
        list({ owner: A }),
        list({ status: 'open' }),
        get,
      ].map((e) => as(B, e)),
    );
    const asA = await invoke('report', [as(A, list({})), as(A, get)]);

    // Assess: no list names A's ticket; getTicket answers as for an unknown id (it echoes only the asked id)
    for (const [i, answer] of asB.entries()) {
      const { status, body: reply } = readAnswer({}, answer);
      const text = JSON.stringify(reply);
      expect({ i, leaked: text.includes(secret) || (i < 4 && text.includes(ticketId)) }).toEqual({
        i,
        leaked: false,
      });
      expect([200, 403, 404]).toContain(status);
    }
    expect(readAnswer({}, asB[4] ?? {})).toEqual({
      status: 404,
      body: {
        error: `No ticket has the id ${ticketId}. Check the id with the user, or call listTickets to find their tickets.`,
      },
    });
    expect(JSON.stringify(readAnswer({}, asA[0] ?? {}).body)).toContain(ticketId);
    expect(readAnswer({}, asA[1] ?? {})).toMatchObject({ status: 200, body: { ticketId, owner: A } });
  });

  it('summarize: the function-details event reads the template Conversations table (unknown id → reprompt)', async () => {
    // Act
    const [answer] = await invoke('summarize', [fixture('function-details')]);

    // Assess
    const { status, body } = readAnswer(fixture('function-details'), answer ?? {});
    expect(status).toBe('REPROMPT');
    expect(String(body.error)).toContain('conv-7f3a9c');
  });

  it('records each call in the template ToolLogs table', async () => {
    // Prepare
    const logs = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.includes('ToolLogs'),
    )?.[0];
    const sessionId = 'bundle-log-check';

    // Act
    for (const tool of TOOLS) await invoke(tool, [{ ...fixture('openapi-get-no-params'), sessionId }]);

    // Assess
    const items = await ddb.client.send(new ScanCommand({ TableName: logs }));
    const mine = (items.Items ?? []).filter((item) => item.session_id?.S === sessionId);
    expect(mine.map((item) => item.tool?.S).sort()).toEqual([...TOOLS].sort());
  });

  describe('chat API and ingestion functions', () => {
    const apigw = (filename: string, patch: Json = {}): Json => ({
      ...getTestEvent({ eventsPath: 'apigw', filename }),
      ...patch,
    });

    /** The fixture's request context with the id of the stack's API key as deployed here (`literal`). */
    const withDeployedKey = (filename: string): Json => {
      const keyId =
        Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGateway::ApiKey')?.[0] ?? '';
      const context = getTestEvent<{ requestContext: Json & { identity: Json } }>({
        eventsPath: 'apigw',
        filename,
      }).requestContext;
      return { ...context, identity: { ...context.identity, apiKeyId: literal({ Ref: keyId }) } };
    };

    /** A REST answer: JSON body, no stack; returns status and body. */
    function rest(outcome: Outcome | undefined): { status: number; body: Json } {
      expect(outcome?.error).toBeUndefined();
      const value = outcome?.value as { statusCode: number; body: string };
      expect(value.body).not.toMatch(STACK_TRACE);
      return { status: value.statusCode, body: JSON.parse(value.body) as Json };
    }

    it('health answers GET /health with 200, status and version, calling nothing', async () => {
      const [outcome] = await run('functions/health/handler.ts', [apigw('rest-health')]);
      expect(rest(outcome)).toEqual({ status: 200, body: { status: 'ok', version: expect.any(String) } });
    });

    it.each([
      ['functions/chat/handler.ts', 'rest-chat'],
      ['functions/search/handler.ts', 'rest-search'],
    ])('%s answers malformed bodies with 400 and the reason', async (entry, filename) => {
      const outcomes = await run(entry, [
        apigw(filename, { body: 'not json' }),
        apigw(filename, { body: '{}' }),
      ]);
      const [notJson, empty] = outcomes.map(rest);
      expect(notJson).toEqual({
        status: 400,
        body: { error: 'The request is invalid', details: ['body: is not valid JSON'] },
      });
      expect(empty?.status).toBe(400);
      expect(empty?.body.details).toEqual([expect.any(String)]);
    });

    it('search answers 502 without internals when the knowledge base is unreachable', async () => {
      const [outcome] = await run('functions/search/handler.ts', [apigw('rest-search')]);
      expect(rest(outcome)).toEqual({ status: 502, body: { error: 'The search failed; try again later' } });
    });

    it('GET /conversations/{id} reads the template Conversations table (unknown id → 404)', async () => {
      const [outcome] = await run('functions/chat/conversations-handler.ts', [
        apigw('rest-get-conversation', { requestContext: withDeployedKey('rest-get-conversation') }),
      ]);
      expect(rest(outcome)).toMatchObject({ status: 404, body: { error: 'Conversation not found' } });
    });

    it('ingest fails the whole batch back to SQS when the ingestion API is unreachable (nothing dropped)', async () => {
      const outcomes = await run('functions/ingest/handler.ts', [
        getTestEvent({ eventsPath: 'sqs', filename: 'eventbridge-s3-object-created' }),
      ]);
      expect(outcomes).toEqual([{ error: expect.stringContaining('ECONNREFUSED') }]);
    });

    it('the WebSocket authorizer names the app of a configured key (API Gateway GetApiKey) and denies others', async () => {
      // Prepare: the API Gateway control plane, as a local HTTP server: GET /apikeys/{id}?includeValue=true
      const keyIds: string[] = [];
      const control = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://local');
        const id = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        keyIds.push(`${req.method} ${url.pathname}?includeValue=${url.searchParams.get('includeValue')}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id, name: 'kass-dev-developer', enabled: true, value: API_KEY_VALUE }));
      });
      await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', () => resolve()));
      const endpoint = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
      const connect = apigw('websocket-authorizer-connect');
      const query = (q: Record<string, string>) => ({ ...connect, queryStringParameters: q });

      // Act
      const outcomes = await run(
        'functions/websocket/authorizer.ts',
        [
          query({ token: API_KEY_VALUE, userId: 'alex' }),
          query({ token: 'kassNotAKeyOfAnyApp0123456789abcdefghijK' }),
          { ...connect, headers: {}, multiValueHeaders: {}, queryStringParameters: {} },
        ],
        { AWS_ENDPOINT_URL_API_GATEWAY: endpoint },
      );
      await new Promise<void>((resolve) => control.close(() => resolve()));

      // Assess: one key configured in dev (developer), read once for both connects
      expect(outcomes[0]?.value).toMatchObject({
        policyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke' }] },
        usageIdentifierKey: API_KEY_VALUE,
        context: { owner: 'app:developer:user:alex', app: 'developer' },
      });
      expect(JSON.stringify(outcomes[0]?.value)).not.toMatch(/"principalId":"[^"]*alex/);
      expect(outcomes.slice(1)).toEqual([{ error: 'Unauthorized' }, { error: 'Unauthorized' }]);
      expect(keyIds).toEqual([expect.stringMatching(/^GET \/apikeys\/\w+\?includeValue=true$/)]);
    });

    it('$connect and $disconnect keep the connection record in the template table', async () => {
      const table = Object.entries(resources).find(
        ([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.includes('Connections'),
      )?.[0];
      const count = async () => (await ddb.client.send(new ScanCommand({ TableName: table }))).Count ?? 0;
      const [connected] = await run('functions/websocket/connections-handler.ts', [
        apigw('websocket-connect'),
      ]);
      const afterConnect = await count();
      const [disconnected] = await run('functions/websocket/connections-handler.ts', [
        apigw('websocket-disconnect'),
      ]);
      expect([connected?.value, afterConnect]).toEqual([{ statusCode: 200 }, 1]);
      expect([disconnected?.value, await count()]).toEqual([{ statusCode: 200 }, 0]);
    });

    it('sendMessage answers a malformed frame with an error frame naming the fix', async () => {
      const [outcome] = await run('functions/websocket/message-handler.ts', [
        apigw('websocket-send-message', { body: 'nope' }),
      ]);
      expect(rest(outcome)).toMatchObject({ status: 400, body: { type: 'error', status: 400 } });
    });
  });
});
