import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { usage as costUsage, createCost } from '../../cli/commands/cost';
import { type SynthesizedStage, synthesizeStage } from '../../cli/cost/synthesize';
import { COMMANDS, main } from '../../cli/main';
import { AwsAccountFake } from '../support/aws-account-server';
import { captureIo, REPO_ROOT } from '../support/cli-io';
import { fencedBlocks, shellCommands, shellWords } from '../support/doc-examples';
import {
  citation,
  frame,
  type InvokeAgentServer,
  setEnv,
  startInvokeAgentServer,
} from '../support/invoke-agent-server';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = fencedBlocks(README);

/** The shell block of the README that contains `marker`, as commands. */
const commandsOf = (marker: string): string[] => {
  const found = blocks.find((b) => b.lang === 'bash' && b.text.includes(marker));
  if (!found) throw new Error(`no README shell block contains ${marker}`);
  return shellCommands(found).map((c) => c.text);
};

/** The real synthesis (bundling skipped), once per stage and overrides for the whole file. */
const synthesized = new Map<string, Promise<SynthesizedStage>>();
const synthesize = (stage: string, overrides: Record<string, unknown>) => {
  const key = `${stage} ${JSON.stringify(overrides)}`;
  if (!synthesized.has(key)) synthesized.set(key, synthesizeStage(stage, overrides));
  return synthesized.get(key) as Promise<SynthesizedStage>;
};
const commands = {
  ...COMMANDS,
  cost: { ...COMMANDS.cost, load: async () => ({ usage: costUsage, run: createCost({ synthesize }) }) },
} as typeof COMMANDS;

/**
 * README examples that need AWS, run as written against local stand-ins: CloudFormation (the stack outputs the
 * commands read) and InvokeAgent. `cmd >> file` appends the command's output to the file, as the shell would.
 */
describe('README examples, run against local AWS stand-ins', () => {
  let aws: AwsAccountFake;
  let agent: InvokeAgentServer;
  let cwd: string;
  let restoreEnv: () => void;
  beforeAll(async () => {
    aws = await AwsAccountFake.start();
    agent = await startInvokeAgentServer();
    aws.account.stacks['kass-dev'] = { AgentId: 'AGENT12345', AgentAliasId: 'ALIAS12345' };
    restoreEnv = setEnv({
      ...aws.env(),
      ...agent.env(),
      KASS_AGENT_ID: undefined,
      KASS_AGENT_ALIAS_ID: undefined,
    });
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-readme-'));
  });
  afterAll(async () => {
    restoreEnv();
    await Promise.all([aws.close(), agent.close()]);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  /** Runs one README command line (`npx kass …` or `kass …`, optionally `>> file`) in `cwd`. */
  async function run(command: string) {
    const words = shellWords(command);
    const redirect = words.indexOf('>>');
    const argv = (words[0] === 'npx' ? words.slice(2) : words.slice(1)).slice(
      0,
      redirect < 0 ? undefined : redirect - 1,
    );
    const io = captureIo(cwd);
    const code = await main(argv, io, commands);
    if (redirect >= 0) fs.appendFileSync(path.join(cwd, words[redirect + 1] ?? ''), io.out());
    return { code, out: io.out(), err: io.err() };
  }

  it('"A first answer": kass ask prints the answer with its numbered source, as the README shows', async () => {
    // Prepare: the stand-in answers with the README's own sample.
    const lines =
      blocks.find((b) => b.lang === 'bash' && b.text.includes('npx kass ask'))?.text.split('\n') ?? [];
    const ask = commandsOf('npx kass ask').find((c) => c.startsWith('npx kass ask')) ?? '';
    const shown = lines.filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
    const source = (shown.find((l) => l.startsWith('[1] ')) ?? '')
      .slice(4)
      .replace('<documents bucket>', 'kass-dev-docs');
    const answer = (shown[0] ?? '').replace(/… \[1\]$/, '');
    agent.enqueue({
      frames: [frame.text(answer, [citation(answer, { start: 0, end: answer.length }, [{ uri: source }])])],
    });
    // Act
    const { code, out } = await run(ask);
    // Assess
    expect(code).toBe(0);
    expect(out).toContain(`${answer} [1]`);
    expect(out).toContain(`[1] ${source}`);
    expect(agent.requests.at(-1)?.agentId).toBe('AGENT12345');
  });

  it('"Cost": every kass cost example runs, and --turns-from reads the turns kass ask --json recorded', async () => {
    const examples = commandsOf('kass cost --turns-from');
    expect(examples).toHaveLength(6);
    for (const command of examples) {
      if (command.startsWith('kass ask')) {
        // A turn as the agent streams it with the trace on: two model calls with their token usage.
        agent.enqueue({
          frames: [
            frame.modelUsage('t-1', 9_000, 120),
            frame.modelUsage('t-2', 6_000, 250),
            frame.text('Open the VPN client and choose Reset.'),
          ],
        });
      }
      const { code, out, err } = await run(command);
      // Progress notes ("synthesizing stage prod with …") go to stderr; failures would say "kass cost: …".
      expect({ command, code, err }).toEqual({ command, code: 0, err: expect.not.stringMatching(/^kass /m) });
      if (command.includes('--json')) expect(() => JSON.parse(out.trim().split('\n').join(''))).not.toThrow();
    }
    const recorded = fs.readFileSync(path.join(cwd, 'turns.json'), 'utf8');
    expect(JSON.parse(recorded)).toMatchObject({ answer: expect.stringContaining('Reset') });
    // The estimate from the recorded turn uses its tokens.
    const fromTurns = await run('kass cost --turns-from turns.json --json');
    expect(JSON.parse(fromTurns.out)).toMatchObject({
      workload: { inputTokensPerTurn: 15_000, outputTokensPerTurn: 370 },
    });
  });
});
