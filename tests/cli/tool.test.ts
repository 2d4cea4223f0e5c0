import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import { type CommandEntry, main } from '../../cli/main';
import { handler as reportHandler } from '../fixtures/tools/report-tool';
import { captureIo, REPO_ROOT } from '../support/cli-io';

const SCHEMA_TEXT = fs.readFileSync(path.join(REPO_ROOT, 'tests/fixtures/schemas/kit-report.yaml'), 'utf8');
const FIXTURE_TOOL = path.join(REPO_ROOT, 'tests/fixtures/tools/report-tool');
const CONTRACTS_ENV = path.join(REPO_ROOT, 'contracts/env');
const COLD_VAR = 'KASS_TEST_COLD_TABLE_NAME';

// Until cli/main.ts registers it, the command runs through main() with its own table (same error mapping).
const COMMANDS: Record<string, CommandEntry> = {
  tool: {
    args: '<group> <operationId>',
    summary: 'Run a tool locally',
    load: () => import('../../cli/commands/tool'),
  },
};

/**
 * A repository-like folder: `report` is the kit's fixture tool (no AWS), `cold` fails its cold start on a
 * missing environment variable, `draft` has a schema but no handler.
 */
function fixtureRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-tool-'));
  const files: Record<string, string> = {
    'schemas/report.yaml': SCHEMA_TEXT,
    'action-groups/report/handler.ts': `export { handler } from ${JSON.stringify(FIXTURE_TOOL)};\n`,
    'schemas/cold.yaml': SCHEMA_TEXT,
    'action-groups/cold/handler.ts': [
      `import { envRecord, text } from ${JSON.stringify(CONTRACTS_ENV)};`,
      `export const { table } = envRecord({ table: text('${COLD_VAR}') }).read();`,
      `export { handler } from ${JSON.stringify(FIXTURE_TOOL)};`,
      '',
    ].join('\n'),
    'schemas/draft.yaml': SCHEMA_TEXT,
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

const bodyOf = (text: string): unknown => JSON.parse(text);

describe('Command: kass tool', () => {
  let root: string;
  const kass = async (...args: string[]) => {
    const io = captureIo();
    const code = await main(['tool', ...args, '--root', root], io, COMMANDS);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(() => {
    root = fixtureRoot();
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('--event', () => {
    it.each([
      {
        name: 'a path parameter, session id and attributes',
        args: [
          'getTicket',
          '--param',
          'ticketId=TCK-1042',
          '--session-id',
          's-1',
          '--session-attr',
          'userId=u1',
        ],
        input: {
          operationId: 'getTicket',
          params: { ticketId: 'TCK-1042' },
          sessionId: 's-1',
          sessionAttributes: { userId: 'u1' },
        },
      },
      {
        name: 'a request body (non-string values travel as strings)',
        args: ['createTicket', '--body', '{"title":"VPN drops","priority":"high","notify":true}'],
        input: { operationId: 'createTicket', body: { title: 'VPN drops', priority: 'high', notify: true } },
      },
      { name: 'no parameters', args: ['listTickets'], input: { operationId: 'listTickets' } },
    ])('prints the event buildAgentEvent builds: $name', async ({ args, input }) => {
      // Act
      const { code, out, err } = await kass('report', ...args, '--event');

      // Assess
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(
        buildAgentEvent({ group: 'report', schemaText: SCHEMA_TEXT, ...input }),
      );
    });

    it('does not load the handler', async () => {
      // Prepare
      delete process.env[COLD_VAR];

      // Act
      const { code, out } = await kass('cold', 'listTickets', '--event');

      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ actionGroup: 'cold', apiPath: '/tickets', httpMethod: 'GET' });
    });
  });

  describe('running the handler', () => {
    it('prints the status line and the pretty body of a 200, and exits 0', async () => {
      // Act
      const { code, out, err } = await kass('report', 'getTicket', '--param', 'ticketId=TCK-1042');

      // Assess
      expect(err).toBe('');
      expect(code).toBe(0);
      const [status, ...body] = out.trimEnd().split('\n');
      expect(status).toBe('200 OK  GET /tickets/{ticketId}  (report.getTicket)');
      expect(bodyOf(body.join('\n'))).toEqual({
        ticketId: 'TCK-1042',
        title: 'VPN drops every 10 minutes',
        status: 'OPEN',
        priority: 'high',
      });
      expect(body[1]).toBe('  "ticketId": "TCK-1042",');
    });

    it('prints the session attributes the handler changed', async () => {
      // Act
      const { code, out } = await kass(
        'report',
        'createTicket',
        '--body',
        '{"title":"VPN drops","priority":"high"}',
        '--session-attr',
        'userId=u1',
      );

      // Assess
      expect(code).toBe(0);
      expect(out).toMatch(/^201 Created {2}POST \/tickets {2}\(report\.createTicket\)\n/);
      expect(out).toContain('\nsessionAttributes: {"userId":"u1","lastTicketId":"TCK-2001"}\n');
    });

    it('prints the raw contract response with --json', async () => {
      // Prepare
      const event = buildAgentEvent({
        group: 'report',
        schemaText: SCHEMA_TEXT,
        operationId: 'getTicket',
        params: { ticketId: 'TCK-1042' },
      });

      // Act
      const { code, out } = await kass('report', 'getTicket', '--param', 'ticketId=TCK-1042', '--json');

      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(await reportHandler(event));
    });

    it.each([
      { ticketId: 'TCK-404', status: '404 Not Found', body: { error: expect.stringContaining('not found') } },
      { ticketId: 'TCK-500', status: '500 Internal Server Error', body: { error: expect.any(String) } },
      {
        ticketId: 'not-an-id',
        status: '400 Bad Request',
        body: { error: expect.any(String), fields: [expect.stringContaining('ticketId')] },
      },
    ])('exits 1 on a $status response and prints its body', async ({ ticketId, status, body }) => {
      // Act
      const { code, out } = await kass('report', 'getTicket', '--param', `ticketId=${ticketId}`);

      // Assess
      expect(code).toBe(1);
      const [statusLine, ...rest] = out.trimEnd().split('\n');
      expect(statusLine).toBe(`${status}  GET /tickets/{ticketId}  (report.getTicket)`);
      expect(bodyOf(rest.join('\n'))).toEqual(body);
    });

    it('names the missing environment variable and the AWS configuration when the cold start fails (exit 2)', async () => {
      // Prepare
      delete process.env[COLD_VAR];

      // Act
      const { code, out, err } = await kass('cold', 'listTickets');

      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain('failed at cold start: its environment is incomplete:');
      expect(err).toContain(`  - Missing environment variable ${COLD_VAR}`);
      expect(err).toContain(`${COLD_VAR}=<value> npx kass tool cold`);
      expect(err).toMatch(/AWS_PROFILE.*AWS_REGION/s);
      expect(err).toContain('AWS_ENDPOINT_URL_DYNAMODB');
    });

    it('exits 1 naming the file when the group has no handler', async () => {
      // Act
      const { code, err } = await kass('draft', 'listTickets');

      // Assess
      expect(code).toBe(1);
      expect(err).toContain(`create ${path.join('action-groups', 'draft', 'handler.ts')}`);
    });
  });

  describe('errors in the command line', () => {
    it('lists the valid operationIds for an unknown one', async () => {
      // Act
      const { code, out, err } = await kass('report', 'deleteTicket');

      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain('Unknown operationId "deleteTicket"');
      expect(err).toContain('listTickets, createTicket, getTicket');
    });

    it('lists the available groups for an unknown one', async () => {
      // Act
      const { code, err } = await kass('tickets', 'listTickets');

      // Assess
      expect(code).toBe(2);
      expect(err).toBe("kass tool: unknown action group 'tickets'; available: cold, draft, report\n");
    });

    it('lists the groups of this repository by default (no --root)', async () => {
      // Prepare
      const io = captureIo(os.tmpdir());
      const groups = fs
        .readdirSync(path.join(REPO_ROOT, 'schemas'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.replace(/\.yaml$/, ''));

      // Act
      const code = await main(['tool', 'no-such-group', 'op'], io, COMMANDS);

      // Assess
      expect(code).toBe(2);
      for (const group of groups) expect(io.err()).toContain(group);
    });

    it('names the valid parameters for an unknown one', async () => {
      // Act
      const { code, err } = await kass('report', 'getTicket', '--param', 'id=TCK-1');

      // Assess
      expect(code).toBe(2);
      expect(err).toContain('getTicket has no parameter id; valid parameters: ticketId');
    });

    it.each([
      {
        name: '--param without =',
        args: ['getTicket', '--param', 'ticketId'],
        message: 'expects name=value',
      },
      {
        name: '--param without a name',
        args: ['getTicket', '--param', '=TCK-1'],
        message: 'expects name=value',
      },
      {
        name: '--session-attr without =',
        args: ['listTickets', '--session-attr', 'userId'],
        message: 'expects',
      },
      {
        name: 'a --param given twice',
        args: ['getTicket', '--param', 'ticketId=TCK-1', '--param', 'ticketId=TCK-2'],
        message: 'given twice',
      },
      {
        name: '--body that is not JSON',
        args: ['createTicket', '--body', '{title:'],
        message: 'not valid JSON',
      },
      {
        name: '--body that is not an object',
        args: ['createTicket', '--body', '[1]'],
        message: 'JSON object',
      },
      {
        name: 'an unknown option',
        args: ['listTickets', '--verbose'],
        message: "kass tool: unknown option '--verbose'",
      },
      { name: 'a missing operationId', args: [], message: 'missing <operationId>' },
    ])('is a usage error (exit 2, usage printed): $name', async ({ args, message }) => {
      // Act
      const { code, out, err } = await kass('report', ...args);

      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(message);
      expect(err).toContain('Usage: kass tool <group> <operationId> [options]');
    });

    it('prints its help on --help', async () => {
      // Prepare
      const io = captureIo();

      // Act
      const code = await main(['tool', '--help'], io, COMMANDS);

      // Assess
      expect(code).toBe(0);
      expect(io.out()).toContain('AWS_ENDPOINT_URL_DYNAMODB');
      expect(io.out()).toContain('--root <dir>');
    });
  });
});
