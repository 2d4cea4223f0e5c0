import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyRepository } from '../support/repo-copy';
import { shippedToolNames } from '../support/tools';

/**
 * The README's "How to add a tool" journey on a fresh clone: `npm run new-tool -- weather-lookup`, then
 * `npm run synth`, then the checks of `npm test` that the new tool touches — type check, lint, and every
 * test that lists the tools — all green with no other edit. Runs in a copy of the repository, so the real
 * checkout never holds a half-written tool while other test files run.
 */
describe('Journey: add a tool (npm run new-tool -- weather-lookup && npm run synth && npm test)', () => {
  // The README's name, unless this repository already has a tool of that name (someone walked the journey).
  const TOOL = shippedToolNames().includes('weather-lookup') ? 'weather-lookup-journey' : 'weather-lookup';
  let clone: ReturnType<typeof copyRepository>;
  const timings: Record<string, number> = {};
  const run = (step: string, command: string, args: string[]) => {
    const started = Date.now();
    const result = spawnSync(command, args, {
      cwd: clone.dir,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', CDK_DEFAULT_REGION: 'us-east-1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    timings[step] = Date.now() - started;
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  /** The output of a failed step, so a red journey says why. */
  const failure = (r: { status: number | null; output: string }) => (r.status === 0 ? '' : r.output);

  beforeAll(() => {
    clone = copyRepository();
  });
  afterAll(() => {
    clone.remove();
    // The journey's cost, step by step (the README promises a short loop).
    process.stderr.write(`new-tool journey timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('scaffolds the tool', () => {
    const result = run('new-tool', 'npm', ['run', '--silent', 'new-tool', '--', TOOL]);
    expect(failure(result)).toBe('');
    expect(result.output).toContain(`Created tool '${TOOL}'`);
    expect(shippedToolNames(clone.dir)).toContain(TOOL);
  });

  it('synthesizes with the tool as its own Lambda and action group, cdk-nag clean', () => {
    const result = run('synth', 'npm', ['run', '--silent', 'synth']);
    expect(failure(result)).toBe('');
    expect(result.output).toContain(`action group ${TOOL} (lambda)`);
    expect(result.output).toContain('GET /greeting (getGreeting)');
    expect(result.output).toContain('cdk-nag (AwsSolutions): no unacknowledged findings.');
    // The summary comes first: no bundler output above it (esbuild runs silently).
    expect(result.output.trimStart()).toMatch(/^Stack kass-dev: \d+ resources\n/);
    expect(result.output).not.toMatch(/esbuild|Bundling asset|⚡ Done/i);
    // The agent's action group runs a function of its own, with a role of its own.
    const template = JSON.parse(
      fs.readFileSync(path.join(clone.dir, 'cdk.out/kass-dev.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    const agent = resources.find((r) => r.Type === 'AWS::Bedrock::Agent')?.Properties;
    const groups = (agent?.ActionGroups ?? []) as {
      ActionGroupName: string;
      ActionGroupExecutor?: unknown;
    }[];
    const executor = groups.find((g) => g.ActionGroupName === TOOL)?.ActionGroupExecutor as
      | { Lambda: { 'Fn::GetAtt': [string, string] } }
      | undefined;
    const fn = template.Resources[executor?.Lambda['Fn::GetAtt'][0] ?? ''];
    expect(fn?.Type).toBe('AWS::Lambda::Function');
    const roles = resources
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => JSON.stringify(r.Properties.Role));
    expect(roles.filter((role) => role === JSON.stringify(fn?.Properties.Role))).toHaveLength(1);
  });

  it('type-checks and lints', () => {
    expect(failure(run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']))).toBe('');
    expect(failure(run('lint', 'npx', ['biome', 'ci', '--colors=off', '--error-on-warnings', '.']))).toBe('');
  });

  it("passes the tool's own test and every test that lists the tools", () => {
    // The suites that derive the tool set from schemas/ (they import tests/support/tools), and the new test.
    const listing = (fs.readdirSync(path.join(clone.dir, 'tests'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.test.ts') && !f.includes('journey'))
      .filter((f) => /support\/tools'/.test(fs.readFileSync(path.join(clone.dir, 'tests', f), 'utf8')))
      .map((f) => `tests/${f.split(path.sep).join('/')}`);
    expect(listing).toEqual(
      expect.arrayContaining(['tests/infra/kass-stack.test.ts', 'tests/infra/summary.test.ts']),
    );
    const result = run('tests', 'npx', [
      'jest',
      '--ci',
      '--runInBand',
      '--runTestsByPath',
      `tests/action-groups/${TOOL}/tool.test.ts`,
      'tests/infra/tool-discovery.test.ts',
      ...listing,
    ]);
    expect(failure(result)).toBe('');
    expect(result.output).toMatch(/Tests: +\d+ passed, \d+ total/);
  });
});
