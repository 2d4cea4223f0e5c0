import * as path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../cli/local-aws';
import { setProcessEnv } from '../../contracts/env';
import { TABLE_INDEXES, TABLE_KEYS } from '../../contracts/tables';
import { isolatedToolEnv, kass, tempDir } from './tool-harness';

const TICKET = '{"title":"VPN drops","description":"Every 10 minutes since the update","severity":"high"}';

describe('kass tool --local', () => {
  isolatedToolEnv();
  const dir = tempDir('kass-tool-local-');

  it('creates a ticket in the local DynamoDB, and a later run lists it', async () => {
    // Prepare
    const data = path.join(dir(), 'tickets');

    // Act
    const created = await kass(
      'tool',
      'report',
      'createTicket',
      '--body',
      TICKET,
      '--local',
      '--local-data',
      data,
    );
    jest.resetModules(); // the next run is a new process: a new cold start
    const listed = await kass('tool', 'report', 'listTickets', '--local', '--local-data', data);

    // Assess
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^201 Created {2}POST \/tickets/);
    const { ticketId } = JSON.parse(created.out.slice(created.out.indexOf('{'))) as { ticketId: string };
    expect(created.err).toContain(
      `local SNS: Publish to arn:aws:sns:us-east-1:000000000000:kass-local-notifications recorded, not delivered: [HIGH] ${ticketId}: VPN drops`,
    );
    expect(created.err).not.toContain('AWS calls that failed');
    expect(listed.code).toBe(0);
    const body = JSON.parse(listed.out.slice(listed.out.indexOf('{'))) as { tickets: { ticketId: string }[] };
    expect(body.tickets.map((t) => t.ticketId)).toEqual([ticketId]);
  });

  it('says at once that Bedrock is not available locally, next to the message for the model', async () => {
    // Prepare
    setProcessEnv({ MAX_OUTPUT_TOKENS: '500' });
    const started = Date.now();

    // Act
    const { code, out, err } = await kass(
      'tool',
      'summarize',
      'summarizeText',
      '--body',
      '{"text":"The VPN drops every ten minutes since the last update."}',
      '--local',
      '--local-data',
      path.join(dir(), 'summarize'),
    );

    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/^502 Bad Gateway {2}POST \/summaries/);
    expect(err).toContain('AWS calls that failed (the model sees only the response above):');
    expect(err).toContain(
      'Bedrock Runtime Converse (model kass-local-model-unavailable): UnavailableLocallyException: Bedrock (model calls) is not available with kass tool --local',
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('still names the settings only a stage can give (summarize: MAX_OUTPUT_TOKENS)', async () => {
    // Act
    const { code, err } = await kass(
      'tool',
      'summarize',
      'summarizeText',
      '--body',
      '{"text":"x"}',
      '--local',
      '--local-data',
      path.join(dir(), 'settings'),
    );

    // Assess
    expect(code).toBe(2);
    expect(err).toContain('summarize cannot run: 1 environment variable is missing or invalid');
    expect(err).toContain('MAX_OUTPUT_TOKENS  missing: tools.summarize.maxOutputTokens of the stage config');
    expect(err).not.toContain('TABLE_NAME');
  });

  it('creates the tables with the keys and indexes of contracts/tables.ts', async () => {
    // Prepare: a run creates the Tickets and ToolLogs tables.
    const data = path.join(dir(), 'schema');
    await kass('tool', 'report', 'listTickets', '--local', '--local-data', data);
    const dynalite = require('dynalite') as (o: { path: string }) => import('node:http').Server;
    const server = dynalite({ path: data });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });

    try {
      // Act
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'kass-local-tickets' }));

      // Assess
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: TABLE_KEYS.tickets.partitionKey, KeyType: 'HASH' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual(
        TABLE_INDEXES.tickets.map((i) => [
          i.name,
          [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
        ]),
      );
      expect(createTableInput('t', 'toolLogs').KeySchema).toEqual([
        { AttributeName: TABLE_KEYS.toolLogs.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.toolLogs.sortKey, KeyType: 'RANGE' },
      ]);
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is a usage error together with --stage', async () => {
    // Act
    const { code, err } = await kass('tool', 'report', 'listTickets', '--local', '--stage', 'dev');

    // Assess
    expect(code).toBe(2);
    expect(err).toContain('--stage and --local exclude each other');
  });

  it('says in --help that it needs the dev install', async () => {
    // Act
    const { code, out } = await kass('tool', '--help');

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/--local .*dynalite, a\s+devDependency: needs the dev install/s);
  });
});

describe('kass tool --help examples', () => {
  isolatedToolEnv();
  const dir = tempDir('kass-tool-examples-');

  /** The words of one example line, as a shell splits them (single-quoted JSON stays one word). */
  const words = (line: string): string[] =>
    [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');

  it('runs every --local and --event example of the help as printed (exit 0)', async () => {
    // Prepare
    const { out: help } = await kass('tool', '--help');
    const examples = help
      .slice(help.indexOf('Examples:'), help.indexOf('Exit status:'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('npx kass tool '));
    const offline = examples.filter((line) => / --(local|event)\b/.test(line));
    expect(offline.length).toBeGreaterThanOrEqual(3);

    for (const line of offline) {
      // Act
      jest.resetModules();
      const args = words(line).slice(2);
      const local = args.includes('--local') ? ['--local-data', dir()] : [];
      const { code, err } = await kass(...args, ...local);

      // Assess
      expect({ line, code, err: err.replace(/^local SNS: .*\n/gm, '') }).toEqual({ line, code: 0, err: '' });
    }
  });
});
