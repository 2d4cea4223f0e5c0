import { PassThrough } from 'node:stream';
import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { type AgentCommandDeps, run as ask } from '../../cli/commands/ask';
import { run as chat } from '../../cli/commands/chat';
import { captureIo } from '../support/cli-io';
import { answer, harness, useInvokeHarnessServer } from '../support/invoke-harness-server';

/**
 * `kass ask` / `kass chat` on an AgentCore stage: the engine comes from the stack's outputs (AgentEngine), the
 * turn goes to the harness endpoint served by the local InvokeHarness fake, the guardrail checks the answer and a
 * confirmed write runs through the tool Lambda.
 */

const HARNESS = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/kass_dev-AbCdEf1234';
const FAST: AgentCommandDeps = { client: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } };
const OUTPUTS = {
  AgentEngine: 'agentcore',
  HarnessArn: HARNESS,
  HarnessEndpointName: 'kass_dev',
  GuardrailId: 'gr1',
  GuardrailVersion: '2',
  ClientTools: JSON.stringify({ functions: { report: 'kass-dev-report' }, readOnly: [] }),
};

const server = useInvokeHarnessServer({
  KASS_AGENT_ID: undefined,
  KASS_HARNESS_ARN: undefined,
  NO_COLOR: undefined,
});
const cfn = mockClient(CloudFormationClient);
const bedrock = mockClient(BedrockRuntimeClient);
const lambda = mockClient(LambdaClient);

beforeEach(() => {
  cfn.reset();
  bedrock.reset();
  lambda.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'kass-dev',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  bedrock
    .on(ApplyGuardrailCommand)
    .resolves({ action: 'NONE', outputs: [], assessments: [], usage: undefined });
});

const KB_TURN = [
  harness.messageStart(),
  harness.toolUseStart(0, 'tu-1', 'kb___search', 'kass'),
  harness.toolUseInput(0, '{"query":"vpn"}'),
  harness.blockStop(0),
  harness.messageStop('tool_use'),
  harness.messageStart('user'),
  harness.toolResultStart(0, 'tu-1'),
  harness.toolResultText(
    0,
    JSON.stringify({ results: [{ rank: 1, score: 0.9, text: 'Install it.', uri: 's3://kass-docs/vpn.md' }] }),
  ),
  harness.blockStop(0),
  ...answer('Install the VPN client.'),
];

describe('Command: kass ask on an AgentCore stage', () => {
  it('finds the harness in the stack outputs, shows the checked answer with its source and the tool calls', async () => {
    // Prepare
    server.enqueue({ frames: KB_TURN });
    const io = captureIo();
    // Act
    const code = await ask(['How', 'do I get the VPN?', '--trace'], io, FAST);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe(['Install the VPN client. [1]', '', '[1] s3://kass-docs/vpn.md', ''].join('\n'));
    expect(io.err().split('\n')).toEqual(
      expect.arrayContaining([
        '  tool      kb.search query=vpn',
        '  search    "vpn" → 1 document: s3://kass-docs/vpn.md',
      ]),
    );
    expect(server.requests[0]?.query).toEqual({ harnessArn: HARNESS, qualifier: 'kass_dev' });
    expect(bedrock).toHaveReceivedCommandWith(ApplyGuardrailCommand, {
      guardrailIdentifier: 'gr1',
      source: 'OUTPUT',
    });
    expect(io.err()).toMatch(/session [0-9a-f-]{36} \(continue: kass ask --session-id/);
  });

  it('asks before a write and runs it through the tool Lambda on "y"', async () => {
    // Prepare
    server.enqueue(
      {
        frames: [
          harness.messageStart(),
          harness.toolUseStart(0, 'tu-7', 'report___createTicket'),
          harness.toolUseInput(0, '{"title":"VPN drops","severity":"high"}'),
          harness.blockStop(0),
          harness.messageStop('tool_use'),
        ],
      },
      { frames: answer('Created TCK-3.') },
    );
    lambda.on(InvokeCommand).resolves({
      Payload: Buffer.from(
        JSON.stringify({ isError: false, content: [{ type: 'text', text: '{"ticketId":"TCK-3"}' }] }),
      ) as unknown as InvokeCommandOutput['Payload'],
    });
    const input = new PassThrough();
    input.end('y\n');
    const io = captureIo();
    // Act
    const code = await ask(['open a ticket'], io, { ...FAST, input });
    // Assess
    expect(code).toBe(0);
    expect(io.err()).toContain(
      'The agent wants to run report.createTicket title=VPN drops severity=high. Allow? [y/N] ',
    );
    expect(io.out()).toBe('Created TCK-3.\n');
    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.FunctionName).toBe('kass-dev-report');
  });

  it('denies a write on "n", and the tool never runs', async () => {
    server.enqueue(
      {
        frames: [
          harness.messageStart(),
          harness.toolUseStart(0, 'tu-7', 'report___createTicket'),
          harness.toolUseInput(0, '{"title":"x"}'),
          harness.blockStop(0),
          harness.messageStop('tool_use'),
        ],
      },
      { frames: answer('Not created.') },
    );
    const io = captureIo();
    const no = new PassThrough();
    no.end('n\n');
    const code = await ask(['open a ticket'], io, { ...FAST, input: no });
    expect(code).toBe(0);
    expect(io.out()).toBe('Not created.\n');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('refuses --local-tools on an AgentCore stage (exit 2)', async () => {
    await expect(ask(['q', '--local-tools'], captureIo(), FAST)).rejects.toMatchObject({ exitCode: 2 });
    expect(server.requests).toHaveLength(0);
  });

  it('names the harness in errors', async () => {
    server.enqueue({
      httpError: { status: 404, type: 'ResourceNotFoundException', message: 'no such harness' },
    });
    await expect(ask(['q'], captureIo(), FAST)).rejects.toThrow(
      /harness kass_dev-AbCdEf1234, endpoint kass_dev/,
    );
  });
});

describe('Command: kass chat on an AgentCore stage', () => {
  it('keeps one session across lines and shows tool calls with /trace on', async () => {
    server.enqueue({ frames: KB_TURN }, { frames: answer('Yes.') });
    const input = new PassThrough();
    input.end('/trace on\nHow do I get the VPN?\nOn Linux too?\n/exit\n');
    const io = captureIo();
    const code = await chat([], io, { ...FAST, input });
    expect(code).toBe(0);
    expect(io.out()).toContain('KASS chat: harness kass_dev-AbCdEf1234, endpoint kass_dev');
    expect(io.out()).toContain('tool      kb.search query=vpn');
    const ids = server.requests.map((r) => r.headers['x-amzn-bedrock-agentcore-runtime-session-id']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });
});
