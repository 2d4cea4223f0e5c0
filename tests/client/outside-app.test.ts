import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/cli-io';
import { type DocBlock, fencedBlocks, shellCommands, shellWords } from '../support/doc-examples';
import {
  citation,
  frame,
  type InvokeAgentServer,
  startInvokeAgentServer,
} from '../support/invoke-agent-server';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const block = (lang: string, tag: string): DocBlock => {
  const found = fencedBlocks(README).find((b) => b.lang === lang && b.tag === tag);
  if (!found) throw new Error(`README has no \`\`\`${lang} ${tag} block`);
  return found;
};

/** Every `import … from '<specifier>'` / `export … from` / `import('<specifier>')` of a TypeScript file. */
const specifiersOf = (text: string): string[] =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)].map((m) => m[1] ?? '');

/** A package name out of a specifier (`@aws-sdk/client-s3/dist` → `@aws-sdk/client-s3`). */
const packageOf = (specifier: string): string =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] ?? specifier);

/**
 * README "Using client/ in an app outside this repository", done literally in an empty folder: the copy
 * command, the install line (checked against what the copied code imports; node_modules linked in instead of
 * downloading), the example type-checked with the repository's strict compiler settings and run against a
 * local InvokeAgent stand-in.
 */
describe('client/ used from an app outside the repository, as the README says', () => {
  let work: string;
  let app: string;
  let copied: string;
  let installed: Map<string, string | undefined>;

  beforeAll(() => {
    // Prepare: a clone named kass beside an app with a src/ folder, as the README's commands assume.
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-outside-'));
    fs.symlinkSync(REPO_ROOT, path.join(work, 'kass'));
    app = path.join(work, 'my-app');
    fs.mkdirSync(path.join(app, 'src'), { recursive: true });
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true }));
    const commands = shellCommands(block('bash', 'client-install')).map((c) => c.text);
    const install = commands.find((c) => c.startsWith('npm install '));
    // Act: the copy commands as written; the install line is read, not run (no network in tests).
    const copy = commands.filter((c) => !c.startsWith('npm ') && !c.startsWith('cd ')).join(' && ');
    expect(copy).toContain('cp -r kass/client');
    const result = spawnSync('bash', ['-c', copy], { cwd: work, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${copy}: ${result.stderr}`);
    copied = path.join(app, 'src', 'kass');
    const words = shellWords(install ?? '');
    installed = new Map(
      words
        .filter((w) => !w.startsWith('-') && !['npm', 'install'].includes(w))
        .map((w) => {
          const at = w.lastIndexOf('@');
          return at > 0 ? [w.slice(0, at), w.slice(at + 1)] : [w, undefined];
        }),
    );
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(app, 'node_modules'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('copies folders whose code imports nothing outside them but packages', () => {
    const files = (fs.readdirSync(copied, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(path.join('client', 'index.ts'));
    for (const file of files) {
      for (const specifier of specifiersOf(fs.readFileSync(path.join(copied, file), 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = path.resolve(path.dirname(path.join(copied, file)), specifier);
        const inside =
          target.startsWith(`${copied}${path.sep}`) &&
          (fs.existsSync(`${target}.ts`) || fs.existsSync(path.join(target, 'index.ts')));
        expect({ file, specifier, inside }).toEqual({ file, specifier, inside: true });
      }
    }
  });

  it('installs every package the copied code imports, at the versions KASS pins', () => {
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const files = (fs.readdirSync(copied, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const packages = new Set(
      files
        .flatMap((f) => specifiersOf(fs.readFileSync(path.join(copied, f), 'utf8')))
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
        .map(packageOf),
    );
    expect([...packages].filter((p) => !installed.has(p))).toEqual([]);
    for (const [name, version] of installed) {
      const pinned =
        dependencies[name] ??
        (
          JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
            version: string;
          }
        ).version;
      expect({ name, version }).toEqual({ name, version: pinned });
    }
  });

  it("type-checks the README example with the repository's strict settings, as CommonJS", () => {
    // Prepare
    fs.writeFileSync(path.join(app, 'src', 'app.ts'), block('ts', 'client-example').text);
    const { compilerOptions } = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'tsconfig.json'), 'utf8'),
    ) as {
      compilerOptions: Record<string, unknown>;
    };
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: ['node'],
        },
        include: ['src'],
      }),
    );
    // Act
    const tsc = spawnSync(
      path.join(REPO_ROOT, 'node_modules/.bin/tsc'),
      ['--noEmit', '-p', 'tsconfig.json'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    // Assess
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('fails the same check for the example as the README had it (an unused import, top-level await)', () => {
    // Prepare: written next to the app's own tsconfig from the test above.
    const old = [
      "import { AgentClient, Session } from './kass/client';",
      "const agent = new AgentClient({ agentId: 'ABCDEFGHIJ', agentAliasId: 'KLMNOPQRST' });",
      "const answer = await agent.ask({ text: 'How do I reset the VPN client?' });",
      'console.log(answer.text);',
    ].join('\n');
    fs.writeFileSync(path.join(app, 'src', 'app.ts'), old);
    // Act
    const tsc = spawnSync(
      path.join(REPO_ROOT, 'node_modules/.bin/tsc'),
      ['--noEmit', '-p', 'tsconfig.json'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    // Assess
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/TS6133: 'Session' is declared but its value is never read/);
    expect(tsc.stdout).toMatch(/src\/app\.ts\(3,16\): error TS\d+: .*await/);
  });

  describe('running the README example', () => {
    let server: InvokeAgentServer;
    beforeAll(async () => {
      server = await startInvokeAgentServer();
    });
    afterAll(() => server.close());

    it('answers with its sources, then streams a turn and confirms the write the agent asks about', async () => {
      // Prepare: an answer with a citation, then a write that needs the user's consent, then its result.
      server.enqueue(
        {
          frames: [
            frame.text('Hold the reset button for 10 seconds.', [
              citation('Hold the reset button', { start: 0, end: 21 }, [{ uri: 's3://kass-docs/vpn.md' }]),
            ]),
          ],
        },
        {
          frames: [
            frame.returnControl('inv-1', [
              {
                functionInvocationInput: {
                  actionGroup: 'report',
                  function: 'createTicket',
                  parameters: [{ name: 'severity', type: 'string', value: 'high' }],
                  actionInvocationType: 'USER_CONFIRMATION',
                },
              },
            ]),
          ],
        },
        { frames: [frame.text('Created TCK-1042.')] },
      );
      fs.writeFileSync(path.join(app, 'src', 'app.ts'), block('ts', 'client-example').text);
      // Act
      const { stdout } = await promisify(execFile)(
        path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
        ['src/app.ts'],
        {
          cwd: app,
          env: { ...process.env, ...server.env() },
        },
      );
      // Assess
      expect(stdout).toContain("Hold the reset button for 10 seconds. [ [ 's3://kass-docs/vpn.md' ] ]");
      expect(stdout).toContain('Created TCK-1042.');
      expect(server.requests.map((r) => [r.agentId, r.agentAliasId])).toEqual([
        ['ABCDEFGHIJ', 'KLMNOPQRST'],
        ['ABCDEFGHIJ', 'KLMNOPQRST'],
        ['ABCDEFGHIJ', 'KLMNOPQRST'],
      ]);
      expect(server.requests[1]?.body.sessionState?.sessionAttributes).toEqual({ userId: 'u-42' });
      expect(server.requests[2]?.body.sessionState?.returnControlInvocationResults).toEqual([
        { functionResult: { actionGroup: 'report', function: 'createTicket', confirmationState: 'CONFIRM' } },
      ]);
    });
  });
});
