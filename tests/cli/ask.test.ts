import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { type AgentCommandDeps, run } from '../../cli/commands/ask';
import { type CommandEntry, main } from '../../cli/main';
import { received, handler as reportHandler, schema as reportSchema } from '../fixtures/tools/report-tool';
import { captureIo, REPO_ROOT } from '../support/cli-io';
import { apiInvocation, citation, frame, useInvokeAgentServer } from '../support/invoke-agent-server';

const IDS = ['--agent-id', 'AGENT12345', '--agent-alias-id', 'ALIAS12345'];
const FAST: AgentCommandDeps = { client: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } };
const COMMANDS: Record<string, CommandEntry> = {
  ask: { args: '"<question>"', summary: 'Ask the agent', load: () => import('../../cli/commands/ask') },
};

const VPN_DOC = 's3://kass-docs/runbooks/vpn.md';
const LAPTOP_DOC = 's3://kass-docs/it/laptops.md';

const listTicketsCall = apiInvocation('get', '/tickets', { parameters: {} });

const server = useInvokeAgentServer({
  KASS_AGENT_ID: undefined,
  KASS_AGENT_ALIAS_ID: undefined,
  NO_COLOR: undefined,
});

beforeEach(() => {
  received.length = 0;
});

describe('Command: kass ask', () => {
  it('streams a multi-chunk answer in order with [n] markers and numbered source footnotes', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.text('Install the VPN client'),
        frame.text(' from the portal.', [
          citation('Install the VPN client from the portal', { start: 0, end: 38 }, [{ uri: VPN_DOC }]),
        ]),
        frame.text(' New laptops ship with it.', [
          citation('New laptops ship with it', { start: 40, end: 64 }, [
            { uri: LAPTOP_DOC },
            { uri: VPN_DOC },
          ]),
        ]),
      ],
    });
    const io = captureIo();
    // Act
    const code = await run(['How', 'do I get the VPN?', ...IDS], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe(
      [
        'Install the VPN client from the portal. [1] New laptops ship with it. [2][1]',
        '',
        `[1] ${VPN_DOC}`,
        `[2] ${LAPTOP_DOC}`,
        '',
      ].join('\n'),
    );
    const [request] = server.requests;
    expect(request?.body).toMatchObject({
      inputText: 'How do I get the VPN?',
      streamingConfigurations: { streamFinalResponse: true },
    });
    expect(io.err()).toContain(
      `session ${request?.sessionId} (continue: kass ask --session-id ${request?.sessionId}`,
    );
  });

  it('places the markers at the cited text with --no-stream and asks for one chunk', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.text('Restart the client. Then reconnect.', [
          citation('Restart the client.', { start: 0, end: 19 }, [{ uri: VPN_DOC }]),
        ]),
      ],
    });
    const io = captureIo();
    // Act
    const code = await run(['vpn?', '--no-stream', ...IDS], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe(`Restart the client. [1] Then reconnect.\n\n[1] ${VPN_DOC}\n`);
    expect(server.requests[0]?.body.streamingConfigurations).toEqual({ streamFinalResponse: false });
  });

  it('prints trace lines for an action-group call and a knowledge-base lookup with --trace', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.trace({
          orchestrationTrace: { rationale: { traceId: 't-0', text: 'Check the ticket first.' } },
        }),
        frame.actionGroupCall('t-0', {
          actionGroupName: 'report',
          verb: 'get',
          apiPath: '/tickets/{ticketId}',
          parameters: [{ name: 'ticketId', type: 'string', value: 'TCK-1042' }],
        }),
        frame.actionGroupOutput('t-0', '{"status":"OPEN"}'),
        frame.knowledgeBaseLookup('t-1', 'vpn drops every 10 minutes'),
        frame.knowledgeBaseResults('t-1', [
          { text: 'Restart.', uri: VPN_DOC },
          { text: 'Laptops.', uri: LAPTOP_DOC },
        ]),
        frame.trace({
          guardrailTrace: {
            action: 'INTERVENED',
            inputAssessments: [
              { contentPolicy: { filters: [{ type: 'INSULTS', confidence: 'HIGH', action: 'BLOCKED' }] } },
            ],
          },
        }),
        frame.modelUsage('t-1', 900, 42),
        frame.text('TCK-1042 is open.'),
      ],
    });
    const io = captureIo();
    // Act
    const code = await run(['status of TCK-1042?', '--trace', ...IDS], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe('TCK-1042 is open.\n');
    expect(io.err().split('\n')).toEqual(
      expect.arrayContaining([
        '  thinking  Check the ticket first.',
        '  tool      report GET /tickets/{ticketId} ticketId=TCK-1042',
        '  result    report: {"status":"OPEN"}',
        `  search    "vpn drops every 10 minutes" → 2 documents: ${VPN_DOC}, ${LAPTOP_DOC}`,
        '  guardrail INTERVENED: content INSULTS (HIGH): BLOCKED',
        '  tokens    in 900 · out 42',
        '  tokens    total in 900 · out 42 (1 model calls)',
      ]),
    );
  });

  it('does not print trace lines without --trace', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.trace({ orchestrationTrace: { rationale: { traceId: 't-0', text: 'Thinking.' } } }),
        frame.text('Hi.'),
      ],
    });
    const io = captureIo();
    // Act
    await run(['hi', ...IDS], io, FAST);
    // Assess
    expect(io.err()).not.toContain('thinking');
  });

  it('runs the report tool locally for a returnControl and sends its body back (--local-tools)', async () => {
    // Prepare
    server.enqueue(
      { frames: [frame.returnControl('inv-7', [listTicketsCall])] },
      { frames: [frame.text('You have one open ticket: TCK-1042.')] },
    );
    const io = captureIo();
    // Act
    const code = await run(['my tickets?', '--local-tools', '--session-id', 'dev-session-1', ...IDS], io, {
      ...FAST,
      localTools: { load: async () => ({ handler: reportHandler, schema: reportSchema }) },
    });
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe('You have one open ticket: TCK-1042.\n');
    expect(io.err()).toContain('  local     report GET /tickets → 200');
    expect(received).toEqual([{ operation: 'listTickets', input: { params: {}, body: {} } }]);
    expect(server.requests).toHaveLength(2);
    const second = server.requests[1];
    expect(second?.sessionId).toBe('dev-session-1');
    expect(second?.body.sessionState?.invocationId).toBe('inv-7');
    expect(second?.body.sessionState?.returnControlInvocationResults).toEqual([
      {
        apiResult: {
          actionGroup: 'report',
          apiPath: '/tickets',
          httpMethod: 'get',
          httpStatusCode: 200,
          responseBody: { 'application/json': { body: '[{"ticketId":"TCK-1042"}]' } },
        },
      },
    ]);
  });

  it('loads action-groups/<group>/handler.ts from the tools root lazily and passes path parameters', async () => {
    // Prepare
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-tools-'));
    fs.mkdirSync(path.join(root, 'action-groups', 'report'), { recursive: true });
    const fixture = path.join(REPO_ROOT, 'tests/fixtures/tools/report-tool').replaceAll('\\', '/');
    fs.writeFileSync(
      path.join(root, 'action-groups/report/handler.ts'),
      `export { handler } from '${fixture}';\n`,
    );
    server.enqueue(
      {
        frames: [
          frame.returnControl('inv-8', [
            apiInvocation('GET', '/tickets/{ticketId}', { parameters: { ticketId: 'TCK-404' } }),
          ]),
        ],
      },
      { frames: [frame.text('That ticket does not exist.')] },
    );
    const io = captureIo();
    // Act
    const code = await run(['ticket TCK-404?', '--local-tools', ...IDS], io, {
      ...FAST,
      localTools: { root },
    });
    // Assess
    expect(code).toBe(0);
    expect(received).toEqual([
      { operation: 'getTicket', input: { params: { ticketId: 'TCK-404' }, body: {} } },
    ]);
    const result = server.requests[1]?.body.sessionState?.returnControlInvocationResults?.[0] as {
      apiResult: { httpStatusCode: number; responseBody: { 'application/json': { body: string } } };
    };
    expect(result.apiResult.httpStatusCode).toBe(404);
    expect(JSON.parse(result.apiResult.responseBody['application/json'].body)).toEqual({
      error: 'Ticket TCK-404 not found. Check the id with the user.',
    });
    expect(io.err()).toContain('  local     report GET /tickets/{ticketId} → 404');
  });

  it('asks before running a call that needs confirmation and runs it on "y"', async () => {
    // Prepare
    server.enqueue(
      {
        frames: [
          frame.returnControl('inv-9', [
            apiInvocation('post', '/tickets', {
              body: { title: 'VPN drops', priority: 'high' },
              invocationType: 'USER_CONFIRMATION_AND_RESULT',
            }),
          ]),
        ],
      },
      { frames: [frame.text('Created TCK-2001.')] },
    );
    const input = new PassThrough();
    input.end('y\n');
    const io = captureIo();
    // Act
    const code = await run(['open a ticket', '--local-tools', ...IDS], io, {
      ...FAST,
      input,
      localTools: { load: async () => ({ handler: reportHandler, schema: reportSchema }) },
    });
    // Assess
    expect(code).toBe(0);
    expect(io.err()).toContain(
      'The agent wants to run report POST /tickets title=VPN drops priority=high. Allow? [y/N] ',
    );
    expect(received).toEqual([
      { operation: 'createTicket', input: { params: {}, body: { title: 'VPN drops', priority: 'high' } } },
    ]);
    expect(server.requests[1]?.body.sessionState?.returnControlInvocationResults?.[0]).toMatchObject({
      apiResult: { httpStatusCode: 201, confirmationState: 'CONFIRM' },
    });
    // What the tool remembered for the session travels with the results, as a Lambda tool's would.
    expect(server.requests[1]?.body.sessionState?.sessionAttributes).toEqual({ lastTicketId: 'TCK-2001' });
  });

  it('exits 1 with what to do when the agent returns control and --local-tools is off', async () => {
    // Prepare
    server.enqueue({ frames: [frame.returnControl('inv-10', [listTicketsCall])] });
    const io = captureIo();
    // Act
    const code = await main(['ask', 'my tickets?', ...IDS], io, COMMANDS);
    // Assess
    expect(code).toBe(1);
    expect(io.err()).toContain('The agent handed tool calls back to this client (report GET /tickets)');
    expect(io.err()).toContain('Run with --local-tools');
  });

  it('retries an in-stream throttlingException on the first attempt and prints the answer', async () => {
    // Prepare
    server.enqueue(
      {
        frames: [
          frame.exception('throttlingException', 'Too many requests, please wait before trying again.'),
        ],
      },
      { frames: [frame.text('Answer after the retry.')] },
    );
    const io = captureIo();
    // Act
    const code = await run(['hi', ...IDS], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe('Answer after the retry.\n');
    expect(io.err()).toMatch(/ThrottlingException: retrying in \d+\.\d s \(attempt 2\)/);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.sessionId).toBe(server.requests[0]?.sessionId);
  });

  it('exits 1 with a throttling message when every attempt is throttled', async () => {
    // Prepare
    for (let i = 0; i < 4; i++)
      server.enqueue({ frames: [frame.exception('throttlingException', 'Rate exceeded')] });
    const io = captureIo();
    // Act
    const code = await main(['ask', 'hi', ...IDS], io, COMMANDS);
    // Assess
    expect(code).toBe(1);
    expect(io.err()).toContain('kass ask: Bedrock is throttling requests after 4 attempts.');
    expect(io.err()).toContain('Rate exceeded');
  });

  it('exits non-zero with the message on stderr for an in-stream validationException', async () => {
    // Prepare
    server.enqueue({
      frames: [frame.exception('validationException', 'inputText exceeds the maximum length')],
    });
    const io = captureIo();
    // Act
    const code = await main(['ask', 'hi', ...IDS], io, COMMANDS);
    // Assess
    expect(code).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      'kass ask: Bedrock rejected the request (ValidationException): inputText exceeds the maximum length\n',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('explains access denied on the model and not-found agents', async () => {
    // Prepare
    server.enqueue(
      {
        frames: [
          frame.exception(
            'accessDeniedException',
            "You don't have access to the model with the specified model ID us.anthropic.claude-sonnet-4-5-20250929-v1:0.",
          ),
        ],
      },
      {
        httpError: { status: 404, type: 'ResourceNotFoundException', message: 'Failed to retrieve resource' },
      },
    );
    const denied = captureIo();
    const missing = captureIo();
    // Act
    const deniedCode = await main(['ask', 'hi', ...IDS], denied, COMMANDS);
    const missingCode = await main(['ask', 'hi', ...IDS], missing, COMMANDS);
    // Assess
    expect(deniedCode).toBe(1);
    expect(denied.err()).toContain(
      'enable model access for us.anthropic.claude-sonnet-4-5-20250929-v1:0 in the Bedrock console (Model access, region us-east-1',
    );
    expect(missingCode).toBe(1);
    expect(missing.err()).toContain(
      'Not found: agent AGENT12345, alias ALIAS12345, region us-east-1. The agent/alias id is wrong or the stack is not deployed here; check --agent-id',
    );
  });

  it('prints one JSON document with answer, citations, trace, usage and sessionId (--json)', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.actionGroupCall('t-0', { actionGroupName: 'report', verb: 'get', apiPath: '/tickets' }),
        frame.modelUsage('t-0', 100, 7),
        frame.text('Restart the client.', [
          citation('Restart the client.', { start: 0, end: 19 }, [{ uri: VPN_DOC }]),
        ]),
      ],
    });
    const io = captureIo();
    // Act
    const code = await run(['vpn?', '--json', '--session-id', 'json-1', ...IDS], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      answer: 'Restart the client.',
      citations: [
        {
          text: 'Restart the client.',
          span: { start: 0, end: 19 },
          references: [{ number: 1, uri: VPN_DOC, sourceType: 'S3', text: `excerpt of ${VPN_DOC}` }],
        },
      ],
      trace: {
        rationales: [],
        toolCalls: [
          {
            kind: 'toolCall',
            actionGroup: 'report',
            apiPath: '/tickets',
            httpMethod: 'get',
            parameters: {},
            phase: 'orchestration',
            traceId: 't-0',
          },
        ],
        toolOutputs: [],
        knowledgeBaseLookups: [],
        guardrailInterventions: [],
        failures: [],
      },
      usage: { inputTokens: 100, outputTokens: 7, modelCalls: 1 },
      sessionId: 'json-1',
    });
    expect(io.err()).toBe('');
  });

  it('takes the ids from KASS_AGENT_ID / KASS_AGENT_ALIAS_ID', async () => {
    // Prepare
    server.enqueue({ frames: [frame.text('ok')] });
    const io = captureIo();
    // Act
    const code = await run(['hi'], io, {
      ...FAST,
      env: { ...process.env, KASS_AGENT_ID: 'ENVAGENT1', KASS_AGENT_ALIAS_ID: 'ENVALIAS1' },
    });
    // Assess
    expect(code).toBe(0);
    expect(server.requests[0]).toMatchObject({ agentId: 'ENVAGENT1', agentAliasId: 'ENVALIAS1' });
  });

  it.each([
    { name: 'no question', argv: [...IDS], message: 'missing the question' },
    {
      name: 'an invalid session id',
      argv: ['hi', '--session-id', 'no spaces allowed', ...IDS],
      message: '--session-id must be',
    },
    {
      name: 'an unknown option',
      argv: ['hi', '--nope', ...IDS],
      message: "kass ask: unknown option '--nope'",
    },
  ])('is a usage error (exit 2) with $name', async ({ argv, message }) => {
    // Prepare
    const io = captureIo();
    // Act
    const code = await main(['ask', ...argv], io, COMMANDS);
    // Assess
    expect(code).toBe(2);
    expect(io.err()).toContain(message);
    expect(server.requests).toHaveLength(0);
  });

  it('prints its usage for --help without calling AWS', async () => {
    // Prepare
    const io = captureIo();
    // Act
    const code = await main(['ask', '--help'], io, COMMANDS);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('Usage: kass ask "<question>" [options]');
  });
});
