import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, type CreateTableCommandInput, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import { buildApp } from '../../infra/app';
import { LambdaBundler } from '../../infra/bundling/lambda-bundler';
import { REPO_ROOT } from '../../infra/constructs/kass-function';
import { buildTestApp } from '../support/app';
import { DISCORD, discordConfig, discordKeys, interactionFixture, signedEvent } from '../support/discord';
import { startDiscordApiServer } from '../support/discord-api-server';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { getTestEvent } from '../support/events';
import { frame, startInvokeAgentServer } from '../support/invoke-agent-server';
import { environmentOf, functionsOf, literal } from '../support/template-env';

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

type Resources = Record<string, { Type: string; Properties: Json }>;
type Engine = 'classic' | 'agentcore';

// The Discord bot is off by default; on here, so its two Lambdas are bundled and run like the others.
const discordKeyPair = discordKeys('bundle-test');

const { stack, template } = buildTestApp('dev', {
  config: { discord: discordConfig(discordKeyPair.publicKeyHex) },
});
const resources = template.toJSON().Resources as Resources;
const FUNCTIONS = functionsOf(stack);

// The same stage on the AgentCore engine: the gateway's knowledge tool, the harness hook, the tools' identity key.
const agentCoreApp = buildApp({
  stage: 'dev',
  context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { agent: { engine: 'agentcore' } } },
  nag: false,
});
const AGENTCORE = {
  resources: Template.fromStack(agentCoreApp.stack).toJSON().Resources as Resources,
  functions: functionsOf(agentCoreApp.stack),
};
const TEMPLATES: Record<Engine, { resources: Resources; functions: typeof FUNCTIONS }> = {
  classic: { resources, functions: FUNCTIONS },
  agentcore: AGENTCORE,
};
const ALL_ENTRIES = [...new Set([...FUNCTIONS, ...AGENTCORE.functions].map((f) => f.entry))];

/** The environment the template gives the function bundled from `entry`, resolved to literals. */
function templateEnv(entry: string, engine: Engine = 'classic'): Record<string, string> {
  const { resources: all, functions } = TEMPLATES[engine];
  const fn = functions.find((f) => f.entry === entry);
  if (!fn) throw new Error(`no function with entry ${entry} in the ${engine} template`);
  return environmentOf(fn.logicalId, all);
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
  for (const item of JSON.parse(fs.readFileSync(eventsFile, 'utf8'))) {
    // A gateway call: the arguments as the event, the gateway's metadata in the client context.
    const call = item && item['kass:gatewayCall'];
    const event = call ? call.args : item;
    const ctx = call ? { ...context, clientContext: { custom: call.custom } } : context;
    try {
      outcomes.push({ value: await handler(event, ctx) });
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
    // The construct's own bundler and options, all entries in one esbuild run (a fresh cache).
    const bundler = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir: path.join(dir, 'cache') });
    bundler.prepare(ALL_ENTRIES);
    for (const entry of ALL_ENTRIES) bundles.set(entry, path.join(bundler.bundle(entry).dir, 'index.js'));
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
    engine: Engine = 'classic',
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
          ...templateEnv(entry, engine),
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
      return { ...context, identity: { ...context.identity, apiKeyId: literal({ Ref: keyId }, resources) } };
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

  describe('AgentCore engine functions (the agentcore template of the same stage)', () => {
    const gatewayCall = (args: unknown, custom: Json) => ({ 'kass:gatewayCall': { args, custom } });
    const gateway = (tool: string, extra: Json = {}) => ({
      bedrockAgentCoreToolName: tool,
      bedrockAgentCoreGatewayId: 'kass-dev-abcdefghij',
      bedrockAgentCoreTargetId: 'ABCDEFGHIJ',
      ...extra,
    });
    /** A gateway answer: `isError` and the JSON text, never a stack. */
    function gatewayAnswer(outcome: Outcome | undefined): { isError: boolean; body: Json } {
      expect(outcome?.error).toBeUndefined();
      const value = outcome?.value as { isError: boolean; content: { type: string; text: string }[] };
      expect(value.content).toHaveLength(1);
      expect(value.content[0]?.type).toBe('text');
      expect(value.content[0]?.text).not.toMatch(STACK_TRACE);
      return { isError: value.isError, body: JSON.parse(value.content[0]?.text ?? '') as Json };
    }

    it('bundles the knowledge tool and the guardrail hook, which only the agentcore stack has', () => {
      const entries = AGENTCORE.functions.map((f) => f.entry);
      expect(entries).toEqual(
        expect.arrayContaining([
          'functions/knowledge-tool/handler.ts',
          'functions/guardrail-hook/handler.ts',
        ]),
      );
      expect(FUNCTIONS.map((f) => f.entry)).not.toContain('functions/knowledge-tool/handler.ts');
    });

    it.each(TOOLS)('%s answers malformed gateway calls with error results, never a throw', async (tool) => {
      const outcomes = await run(
        toolEntry(tool),
        [
          gatewayCall({}, gateway(`${tool}___noSuchTool`)),
          gatewayCall({}, { bedrockAgentCoreGatewayId: 'kass-dev-abcdefghij' }),
          gatewayCall(
            [1, 2],
            gateway(
              `${tool}___${tool === 'report' ? 'getTicket' : tool === 'summarize' ? 'summarizeConversation' : 'reviewMergeRequest'}`,
            ),
          ),
          gatewayCall({ ticketId: { nested: true } }, gateway('report___getTicket')),
        ],
        {},
        'agentcore',
      );
      const answers = outcomes.map(gatewayAnswer);
      expect(answers.map((a) => a.isError)).toEqual([true, true, true, true]);
      expect(answers[0]?.body.availableTools).toEqual(expect.any(Array));
    });

    it('report refuses a write that arrives through the gateway, and a read whose identity is forged', async () => {
      const [write, read] = (
        await run(
          toolEntry('report'),
          [
            gatewayCall(
              { title: 'x', description: 'y', severity: 'low', reporter: 'ana' },
              gateway('report___createTicket'),
            ),
            gatewayCall(
              { ticketId: 'TCK-987654' },
              gateway('report___getTicket', {
                bedrockAgentCorePropagatedHeaders: { baggage: 'kass-identity=forged.mac' },
              }),
            ),
          ],
          {},
          'agentcore',
        )
      ).map(gatewayAnswer);
      expect(write).toMatchObject({
        isError: true,
        body: { error: expect.stringContaining('confirmation') },
      });
      // A forged identity is no identity, and on AgentCore a call without one is refused, never run as operator.
      expect(read?.isError).toBe(true);
      expect(String(read?.body.error)).toMatch(/signed-in user/i);
    });

    it('the knowledge tool answers bad arguments with a 400-style result and an unreachable knowledge base with 502', async () => {
      const [bad, down] = (
        await run('functions/knowledge-tool/handler.ts', [{ query: '' }, { query: 'vpn' }], {}, 'agentcore')
      ).map(gatewayAnswer);
      expect(bad).toMatchObject({
        isError: true,
        body: { error: 'Invalid input. Fix these fields and call the tool again.' },
      });
      expect(down).toMatchObject({
        isError: true,
        body: { error: 'The knowledge base is unavailable. Answer without it, and say so.' },
      });
    });

    it('POST /chat starts on the agentcore environment (every variable its engine needs is there)', async () => {
      const [outcome] = await run(
        'functions/chat/handler.ts',
        [{ ...getTestEvent<Json>({ eventsPath: 'apigw', filename: 'rest-chat' }), body: '{}' }],
        {},
        'agentcore',
      );
      expect(outcome?.error).toBeUndefined();
      expect((outcome?.value as { statusCode?: number } | undefined)?.statusCode).toBe(400);
      expect(templateEnv('functions/chat/handler.ts', 'agentcore')).toMatchObject({
        AGENT_ENGINE: 'agentcore',
        HARNESS_QUALIFIER: 'kass_dev',
        CLIENT_TOOLS: expect.stringContaining('"readOnly":[]'),
      });
    });

    it('the guardrail hook denies when the guardrail cannot be reached (fail closed) and when no messages arrive', async () => {
      const outcomes = await run(
        'functions/guardrail-hook/handler.ts',
        [{ messages: [{ role: 'user', content: [{ text: 'hello' }] }] }, { nothing: true }],
        {},
        'agentcore',
      );
      expect(outcomes.map((o) => (o.value as { decision?: string } | undefined)?.decision)).toEqual([
        'deny',
        'deny',
      ]);
    });
  });

  describe('Discord bot functions', () => {
    const answer = (outcome: Outcome | undefined) => {
      expect(outcome?.error).toBeUndefined();
      const value = outcome?.value as { statusCode: number; body: string };
      expect(value.body).not.toMatch(STACK_TRACE);
      return { status: value.statusCode, body: JSON.parse(value.body) as Json };
    };

    it('interactions: PONG to a signed PING, 401 to a tampered one, an apology when the bus is unreachable', async () => {
      // Prepare
      const ping = signedEvent(interactionFixture('ping'), { privateKey: discordKeyPair.privateKey });
      const tampered = { ...ping, body: (ping.body ?? '').replace('"type":1', '"type": 1') };
      const ask = signedEvent(interactionFixture('slash-ask'), { privateKey: discordKeyPair.privateKey });
      // Act
      const [pong, refused, apology] = await run('functions/discord/interactions-handler.ts', [
        ping,
        tampered,
        ask,
      ]);
      // Assess
      expect(answer(pong)).toEqual({ status: 200, body: { type: 1 } });
      expect(answer(refused)).toEqual({ status: 401, body: { error: 'invalid request signature' } });
      expect(answer(apology)).toMatchObject({ status: 200, body: { type: 4, data: { flags: 64 } } });
    });

    it('worker: answers a job through the template tables, the InvokeAgent wire server and a local Discord API', async () => {
      // Prepare
      const agent = await startInvokeAgentServer({ frames: [frame.text('Reinstall the client.')] });
      const discord = await startDiscordApiServer();
      const ask = interactionFixture('slash-ask');
      const job = {
        kind: 'ask',
        command: 'slash',
        interactionId: ask.id,
        applicationId: DISCORD.applicationId,
        token: ask.token,
        receivedAtMs: Date.now(),
        userId: DISCORD.userId,
        guildId: DISCORD.guildId,
        channelId: DISCORD.channelId,
        ephemeral: false,
        question: 'How do I reset the VPN client?',
      };
      const event = {
        version: '0',
        source: 'kass.discord',
        'detail-type': 'Discord interaction',
        detail: job,
      };
      try {
        // Act: the same event twice (EventBridge delivers at least once)
        const outcomes = await run('functions/discord/worker-handler.ts', [event, event], {
          AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: agent.url,
          DISCORD_API_BASE_URL: discord.baseUrl,
        });
        // Assess
        expect(outcomes).toEqual([{}, {}]);
        expect(agent.requests.map((r) => r.sessionId)).toEqual([
          `discord-${DISCORD.channelId}-${DISCORD.userId}`,
        ]);
        expect(discord.messages()).toEqual([
          {
            method: 'PATCH',
            path: `/webhooks/${DISCORD.applicationId}/${ask.token}/messages/@original`,
            body: { content: 'Reinstall the client.', allowed_mentions: { parse: [] }, flags: 4 },
          },
        ]);
        const conversations = Object.entries(resources).find(
          ([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.includes('Conversations'),
        )?.[0];
        const items = await ddb.client.send(new ScanCommand({ TableName: conversations }));
        expect(
          (items.Items ?? [])
            .filter((i) => i.user_id?.S === `discord:${DISCORD.userId}`)
            .map((i) => i.channel?.S),
        ).toEqual(['discord', 'discord']);
      } finally {
        await agent.close();
        await discord.close();
      }
    });

    it('worker: ignores what is not a job, and a job whose token has expired, without a call', async () => {
      const stale = {
        source: 'kass.discord',
        'detail-type': 'Discord interaction',
        detail: {
          kind: 'ask',
          command: 'slash',
          interactionId: '1178500000000000999',
          applicationId: DISCORD.applicationId,
          token: 'expired-token',
          receivedAtMs: Date.now() - 20 * 60 * 1000,
          userId: DISCORD.userId,
          guildId: DISCORD.guildId,
          channelId: DISCORD.channelId,
          ephemeral: false,
          question: 'Hello?',
        },
      };
      const outcomes = await run('functions/discord/worker-handler.ts', [
        { source: 'aws.s3', detail: {} },
        stale,
      ]);
      expect(outcomes).toEqual([{}, {}]);
    });
  });
});
