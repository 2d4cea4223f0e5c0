import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, type CreateTableCommandInput, ScanCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import { kassBuildOptions } from '../../bench/bundles';
import { buildTestApp } from '../support/app';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { getTestEvent } from '../support/events';

/**
 * The tool Lambdas as deployed: each bundled by esbuild with KassFunction's options, started in a fresh
 * Node process with the environment the synthesized template gives it, fed the shared real-format events
 * (and the variations their README asks for), with DynamoDB served by dynalite from the template's own table
 * definitions. This catches what in-process tests cannot: a bundle that does not load, an environment
 * variable the construct forgot, a key or index name that differs between the code and the template.
 */

const execFileAsync = promisify(execFile);
const TOOLS = ['report', 'summarize', 'code-review'] as const;
type Tool = (typeof TOOLS)[number];
type Json = Record<string, unknown>;

const { template } = buildTestApp('dev');
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;

/** A deploy-time value as a plausible literal: table names are logical ids, ARNs look like ARNs. */
function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) {
    switch (resources[ref]?.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:us-east-1:123456789012:${ref}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${ref}-AbCdEf`;
      default:
        return ref;
    }
  }
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `${getAtt[0]}${getAtt[1]}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
  throw new Error(`no literal for ${JSON.stringify(value)}`);
}

/** The environment of the tool's function in the template, resolved to literals. */
function templateEnv(tool: Tool): Record<string, string> {
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties.Environment as { Variables?: Json } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME ===
        `kass-${tool}`,
  );
  const variables = (fn?.Properties.Environment as { Variables: Json } | undefined)?.Variables;
  if (!variables) throw new Error(`no function for tool ${tool} in the template`);
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, literal(v)]));
}

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

// Runs in the child: loads the bundle, answers each event in order, writes the answers to a file (stdout
// carries the Powertools metric lines).
const RUNNER = `
const fs = require('node:fs');
const [bundle, eventsFile, outFile] = process.argv.slice(2);
const { handler } = require(bundle);
const context = { functionName: 'kass-tool', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 };
(async () => {
  const answers = [];
  for (const event of JSON.parse(fs.readFileSync(eventsFile, 'utf8'))) answers.push(await handler(event, context));
  fs.writeFileSync(outFile, JSON.stringify(answers));
})();
`;

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

describe('Bundled tool Lambdas (esbuild output, template environment, shared events)', () => {
  let dir: string;
  let ddb: LocalDynamo;
  const bundles = new Map<Tool, string>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kass-tool-bundles-'));
    ddb = await startDynalite();
    for (const [id, r] of Object.entries(resources))
      if (r.Type === 'AWS::DynamoDB::Table')
        await ddb.client.send(new CreateTableCommand(tableInput(id, r.Properties)));
    for (const tool of TOOLS) {
      const outfile = path.join(dir, tool, 'index.js');
      await build({ ...kassBuildOptions(`action-groups/${tool}/handler.ts`, outfile), metafile: false });
      bundles.set(tool, outfile);
    }
    writeFileSync(path.join(dir, 'runner.cjs'), RUNNER);
  });

  afterAll(async () => {
    await ddb.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `events` through the tool's bundle in a fresh process; DynamoDB is dynalite, every other AWS call fails fast. */
  async function invoke(tool: Tool, events: readonly Json[]): Promise<Json[]> {
    const eventsFile = path.join(dir, `${tool}-events.json`);
    const outFile = path.join(dir, `${tool}-answers.json`);
    writeFileSync(eventsFile, JSON.stringify(events));
    await execFileAsync(
      process.execPath,
      [path.join(dir, 'runner.cjs'), bundles.get(tool) ?? '', eventsFile, outFile],
      {
        env: {
          PATH: process.env.PATH,
          ...templateEnv(tool),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: ddb.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ddb.credentials.secretAccessKey,
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
          AWS_MAX_ATTEMPTS: '1',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
        timeout: 60_000,
      },
    );
    return JSON.parse(readFileSync(outFile, 'utf8')) as Json[];
  }

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
    // Prepare
    const schemaText = readFileSync(path.join(__dirname, '../../schemas/report.yaml'), 'utf8');
    const event = (operationId: string, input: { params?: Json; body?: Json }) =>
      buildAgentEvent({
        group: 'report',
        schemaText,
        operationId,
        ...(input.params ? { params: input.params as Record<string, string> } : {}),
        ...(input.body ? { body: input.body } : {}),
      }) as unknown as Json;
    const created = await invoke('report', [
      event('createTicket', {
        body: {
          title: 'VPN drops',
          description: 'Every 10 minutes.',
          severity: 'high',
          reporter: 'ana@example.com',
        },
      }),
    ]);
    const ticket = readAnswer({}, created[0] ?? {});
    const ticketId = String(ticket.body.ticketId);

    // Act
    const [read, byReporter, byStatus] = (
      await invoke('report', [
        event('getTicket', { params: { ticketId } }),
        event('listTickets', { params: { reporter: 'ana@example.com' } }),
        event('listTickets', { params: { status: 'open' } }),
      ])
    ).map((a) => readAnswer({}, a));

    // Assess
    expect(ticket.status).toBe(201);
    expect(ticketId).toMatch(/^TCK-\d+$/);
    // SNS is unreachable here: the ticket is kept and says so.
    expect(ticket.body.notified).toBe(false);
    expect(read).toMatchObject({ status: 200, body: { ticketId, severity: 'high' } });
    expect(byReporter?.status).toBe(200);
    expect(JSON.stringify(byReporter?.body)).toContain(ticketId);
    expect(byStatus?.status).toBe(200);
    expect(JSON.stringify(byStatus?.body)).toContain(ticketId);
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
});
