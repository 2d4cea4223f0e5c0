import { Readable } from 'node:stream';
import type { AgentCommandDeps } from '../../cli/commands/ask';
import { run } from '../../cli/commands/chat';
import { type CommandEntry, main } from '../../cli/main';
import { received, handler as reportHandler, schema as reportSchema } from '../fixtures/tools/report-tool';
import { type CapturedIo, captureIo as captureCliIo, REPO_ROOT } from '../support/cli-io';
import { apiInvocation, citation, frame, useInvokeAgentServer } from '../support/invoke-agent-server';

const IDS = ['--agent-id', 'AGENT12345', '--agent-alias-id', 'ALIAS12345'];
const VPN_DOC = 's3://kass-docs/runbooks/vpn.md';
const ESC = '\u001b[';

/** An in-memory CliIo; `tty` makes stdout look like a terminal (colours). */
const captureIo = (tty = false): CapturedIo =>
  captureCliIo(REPO_ROOT, tty ? { stdout: { isTTY: true } } : {});

/** Scripted keyboard input: one line per string. */
const typed = (...lines: string[]): AgentCommandDeps => ({
  input: Readable.from(lines.map((line) => `${line}\n`)),
  client: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
});

const server = useInvokeAgentServer({ NO_COLOR: undefined });

beforeEach(() => {
  received.length = 0;
});

describe('Command: kass chat', () => {
  it('keeps one session id across turns and starts a new one on /new', async () => {
    // Prepare
    server.enqueue(
      { frames: [frame.text('Hello! '), frame.text('How can I help?')] },
      { frames: [frame.text('Your VPN is fine.')] },
      { frames: [frame.text('Fresh start.')] },
    );
    const io = captureIo();
    // Act
    const code = await run([...IDS], io, typed('hi', 'is my vpn ok?', '/new', 'hello again', '/exit'));
    // Assess
    expect(code).toBe(0);
    const [first, second, third] = server.requests;
    expect(server.requests).toHaveLength(3);
    expect(first?.body.inputText).toBe('hi');
    expect(second?.body.inputText).toBe('is my vpn ok?');
    expect(second?.sessionId).toBe(first?.sessionId);
    expect(third?.sessionId).not.toBe(first?.sessionId);
    expect(io.out()).toContain(`session ${first?.sessionId}`);
    expect(io.out()).toContain(`New session ${third?.sessionId}.`);
    expect(io.out()).toContain('kass › Hello! How can I help?\n');
    expect(io.out()).toContain('kass › Your VPN is fine.\n');
    expect(io.err()).toBe('');
  });

  it('continues a given session with --session-id and shows footnotes per answer', async () => {
    // Prepare
    server.enqueue({
      frames: [
        frame.text('Restart the client.', [
          citation('Restart the client.', { start: 0, end: 19 }, [{ uri: VPN_DOC }]),
        ]),
      ],
    });
    const io = captureIo();
    // Act
    await run(['--session-id', 'team-chat-42', ...IDS], io, typed('vpn?'));
    // Assess
    expect(server.requests[0]?.sessionId).toBe('team-chat-42');
    expect(io.out()).toContain(`kass › Restart the client. [1]\n\n[1] ${VPN_DOC}\n`);
  });

  it('shows trace steps after /trace on and hides them after /trace off', async () => {
    // Prepare
    const traced = {
      frames: [
        frame.knowledgeBaseLookup('t-0', 'vpn setup'),
        frame.knowledgeBaseResults('t-0', [{ text: 'x', uri: VPN_DOC }]),
        frame.text('Done.'),
      ],
    };
    server.enqueue(traced, traced);
    const io = captureIo();
    // Act
    await run([...IDS], io, typed('/trace on', 'first', '/trace off', 'second'));
    // Assess
    const searchLine = `  search    "vpn setup" → 1 document: ${VPN_DOC}`;
    expect(io.out().split(searchLine)).toHaveLength(2);
    expect(io.out()).toContain('Trace on.');
    expect(io.out()).toContain('Trace off.');
  });

  it('reports a failed turn on stderr and goes on with the next one', async () => {
    // Prepare
    server.enqueue(
      { frames: [frame.exception('validationException', 'Input is too long')] },
      { frames: [frame.text('Short answer.')] },
    );
    const io = captureIo();
    // Act
    const code = await run([...IDS], io, typed('x'.repeat(50), 'short?'));
    // Assess
    expect(code).toBe(0);
    expect(io.err()).toBe('Bedrock rejected the request (ValidationException): Input is too long\n');
    expect(io.out()).toContain('kass › Short answer.');
    expect(server.requests[1]?.sessionId).toBe(server.requests[0]?.sessionId);
  });

  it('runs local tools and asks for confirmation in the conversation (--local-tools)', async () => {
    // Prepare
    server.enqueue(
      {
        frames: [
          frame.returnControl('inv-1', [
            apiInvocation('post', '/tickets', {
              body: { title: 'Printer jams', priority: 'low' },
              invocationType: 'USER_CONFIRMATION_AND_RESULT',
            }),
          ]),
        ],
      },
      { frames: [frame.text('Created TCK-2001.')] },
    );
    const io = captureIo();
    // Act
    await run(['--local-tools', ...IDS], io, {
      ...typed('open a ticket for the printer', 'yes'),
      localTools: { load: async () => ({ handler: reportHandler, schema: reportSchema }) },
    });
    // Assess
    expect(received).toEqual([
      { operation: 'createTicket', input: { params: {}, body: { title: 'Printer jams', priority: 'low' } } },
    ]);
    expect(io.out()).toContain(
      'The agent wants to run report POST /tickets title=Printer jams priority=low. Allow? [y/N] ',
    );
    expect(io.out()).toContain('  local     report POST /tickets → 201');
    expect(io.out()).toContain('kass › Created TCK-2001.');
    expect(server.requests[1]?.body.sessionState).toMatchObject({
      invocationId: 'inv-1',
      returnControlInvocationResults: [
        {
          apiResult: {
            httpStatusCode: 201,
            confirmationState: 'CONFIRM',
            responseBody: { 'application/json': { body: '{"ticketId":"TCK-2001"}' } },
          },
        },
      ],
    });
  });

  it('uses colours only on a terminal without NO_COLOR', async () => {
    // Prepare
    server.enqueue(
      { frames: [frame.text('Hi.')] },
      { frames: [frame.text('Hi.')] },
      { frames: [frame.text('Hi.')] },
    );
    const plain = captureIo(false);
    const tty = captureIo(true);
    const noColor = captureIo(true);
    // Act
    await run([...IDS], plain, typed('hi'));
    await run([...IDS], tty, typed('hi'));
    await run([...IDS], noColor, { ...typed('hi'), env: { ...process.env, NO_COLOR: '1' } });
    // Assess
    expect(plain.out()).not.toContain(ESC);
    expect(tty.out()).toContain(`${ESC}1m${ESC}36mkass › `);
    expect(noColor.out()).not.toContain(ESC);
  });

  it('prints its usage for --help (as a command module main.ts can load)', async () => {
    // Prepare
    const io = captureIo();
    const entry: CommandEntry = {
      args: '[options]',
      summary: 'Chat with the agent',
      load: () => import('../../cli/commands/chat'),
    };
    // Act
    const code = await main(['chat', '--help'], io, { chat: entry });
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('Usage: kass chat [options]');
    expect(server.requests).toHaveLength(0);
  });
});
