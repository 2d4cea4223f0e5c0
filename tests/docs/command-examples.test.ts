import { checkCommand } from '../support/command-examples';
import {
  fencedBlocks,
  fillPlaceholders,
  inlineCommands,
  shellCommands,
  shellWords,
} from '../support/doc-examples';

/** The checks the README and --help tests rely on must be able to fail: each broken example is caught. */
describe('Function: checkCommand', () => {
  it.each([
    ['an unknown kass command', 'npx kass deploy', "kass has no command 'deploy'"],
    [
      'a mistyped option',
      'kass ask --jsn "How do I reset the VPN?"',
      "rejects the arguments: kass ask: unknown option '--jsn'",
    ],
    ['an option without its value', 'kass sync --stage', 'option --stage needs a value'],
    ['an option the help does not list', 'kass ask --debug hi', 'kass ask --help does not document --debug'],
    [
      'the old kass tool example (a body property the schema no longer has)',
      `npx kass tool report createTicket --body '{"title":"VPN drops","priority":"high"}' --event`,
      'createTicket has no body property priority',
    ],
    [
      'a tool parameter the schema does not have',
      'npx kass tool report getTicket --param id=TCK-1042',
      'exits 2',
    ],
    ['a filter that does not parse', `kass retrieve vpn --filter 'year>=recent'`, 'compares numbers'],
    ['an npm script that does not exist', 'npm run deploy', "package.json has no script 'deploy'"],
    ['a bench that does not exist', 'npm run bench -- warp', 'matches no bench/*.bench.ts'],
    ['a bad synth option', 'npm run synth -- --stag prod', "Unknown option '--stag'"],
    ['a stage that does not exist', 'npx cdk deploy -c stage=qa', "unknown stage 'qa'"],
    ['a stack the app does not build', 'npx cdk deploy kass-qa -c stage=dev', 'unexpected argument kass-qa'],
    ['an AWS CLI command that is not the CLI’s own', 'aws cloudtrail lookup-logs', 'aws cloudtrail'],
    [
      'an invalid override',
      `npx cdk synth -c 'kass:config={"agent":{"model":"gpt"}}'`,
      'agent.model: must be one of',
    ],
    ['malformed override JSON', `-c kass:config='{"agent":'`, 'kass:config: not valid JSON'],
    [
      'a geography the region cannot call',
      `npx cdk deploy -c 'kass:config={"agent":{"inferenceGeo":"eu"},"env":{"region":"us-east-1"}}'`,
      'agent.inferenceGeo',
    ],
    ['a CDK command that does not exist', 'npx cdk publish', 'not a CDK CLI command'],
    ['a file that does not exist', 'npx tsx scripts/nothing.ts', 'does not exist'],
    ['an AWS operation that does not exist', 'aws bedrock list-guardrailz', 'has no ListGuardrailzCommand'],
    ['a program no check knows', 'make deploy', "no check knows the program 'make'"],
  ])('catches %s', async (_name, command, problem) => {
    const problems = await checkCommand(command);
    expect(problems.join('\n')).toContain(problem);
  });

  it.each([
    'npx kass doctor',
    'kass schemas check',
    'npx kass tool report getTicket --param ticketId=TCK-1042',
    `kass retrieve "VPN profile expiry" --top 3 --filter 'year>=2024'`,
    'kass sync [folder]',
    'npx kass discord register --guild <server id>',
    'npm run synth -- --stage prod',
    'aws apigateway get-account',
    'aws sso login',
  ])('accepts %s', async (command) => {
    expect(await checkCommand(command)).toEqual([]);
  });
});

describe('Documentation extraction', () => {
  it('splits words as a shell does', () => {
    expect(shellWords(`kass ask "it's \\"quoted\\"" -c 'a={"b":1}' x\\ y`)).toEqual([
      'kass',
      'ask',
      'it\'s "quoted"',
      '-c',
      'a={"b":1}',
      'x y',
    ]);
    expect(() => shellWords(`kass ask "open`)).toThrow('unbalanced');
  });

  it('fills a synopsis so it parses', () => {
    expect(fillPlaceholders('kass doctor [--stage <name>]')).toBe('kass doctor --stage PLACEHOLDER');
    expect(fillPlaceholders('kass web [--local]')).toBe('kass web --local');
  });

  it('reads fenced blocks (also indented), their markers, shell commands and inline commands', () => {
    const markdown = [
      'Run `npx kass sync` or `kass retrieve "x"`; not `code`.',
      '',
      '```bash',
      'npm ci && npm test   # both',
      '# output, not a command',
      'npx cdk deploy \\',
      '  -c stage=prod',
      '```',
      '',
      '1. Step',
      '   ```ts stage-config',
      '   discord: { enabled: false },',
      '   ```',
    ].join('\n');
    const blocks = fencedBlocks(markdown);
    expect(blocks.map((b) => [b.lang, b.tag, b.line])).toEqual([
      ['bash', '', 3],
      ['ts', 'stage-config', 11],
    ]);
    expect(blocks[1]?.text).toBe('discord: { enabled: false },');
    expect(shellCommands(blocks[0] ?? { lang: '', tag: '', line: 0, text: '' }).map((c) => c.text)).toEqual([
      'npm ci',
      'npm test',
      'npx cdk deploy    -c stage=prod',
    ]);
    expect(inlineCommands(markdown).map((c) => c.text)).toEqual(['npx kass sync', 'kass retrieve "x"']);
  });
});
