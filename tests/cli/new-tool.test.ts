import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectedText, findTargets } from '../../action-groups/kit/codegen/cli';
import { buildAgentEvent } from '../../action-groups/kit/event-builder';
import { checkSchemaText } from '../../action-groups/kit/schema-rules';
import { missingHandlers, type ToolHandler } from '../../action-groups/kit/tool';
import { MAX_NAME_LENGTH } from '../../cli/commands/new-tool';
import { type CommandEntry, main } from '../../cli/main';
import { scaffoldPaths, toolFactoryOf } from '../../cli/templates/tool-scaffold';
import type { AnyToolNeeds } from '../../contracts/tool-needs';
import { discoverTools } from '../../infra/constructs/tool-discovery';
import { captureIo, REPO_ROOT } from '../support/cli-io';

// Until cli/main.ts registers it, the command runs through main() with its own table (same error mapping).
const COMMANDS: Record<string, CommandEntry> = {
  'new-tool': {
    args: '<name>',
    summary: 'Scaffold a tool',
    load: () => import('../../cli/commands/new-tool'),
  },
};

const newTool = async (...args: string[]) => {
  const io = captureIo();
  const code = await main(['new-tool', ...args], io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
};

/** A temporary folder laid out like the repository (only `schemas/` is required). */
const tempRoot = (): string => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-new-tool-'));
  fs.mkdirSync(path.join(root, 'schemas'));
  return root;
};

/** Every file under `dir`, relative to it, sorted. */
const filesUnder = (dir: string): string[] =>
  (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();

describe('Command: kass new-tool', () => {
  describe('into a temporary root (--root)', () => {
    let root: string;
    beforeEach(() => {
      root = tempRoot();
    });
    afterEach(() => {
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('writes the schema, generated types, needs, domain, tool, handler and test, and prints the next steps', async () => {
      // Act
      const { code, out, err } = await newTool('weather', '--root', root);

      // Assess
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(filesUnder(root)).toEqual([
        'action-groups/weather/domain.ts',
        'action-groups/weather/handler.ts',
        'action-groups/weather/needs.ts',
        'action-groups/weather/schema.generated.ts',
        'action-groups/weather/tool.ts',
        'schemas/weather.yaml',
        'tests/action-groups/weather/tool.test.ts',
      ]);
      expect(out).toContain('npx tsx action-groups/kit/codegen/cli.ts');
      expect(out).toContain('npx kass tool weather getGreeting --param name=Ada');
      expect(out).toContain('npm run synth picks the tool up');
    });

    it('writes a schema that passes every Bedrock rule', async () => {
      // Act
      await newTool('weather', '--root', root);

      // Assess
      const text = fs.readFileSync(path.join(root, 'schemas/weather.yaml'), 'utf8');
      expect(checkSchemaText(text, 'schemas/weather.yaml')).toEqual([]);
      expect(text).toMatch(/^openapi: 3\.0\.0$/m);
    });

    it('writes the types the codegen generates for the schema', async () => {
      // Act
      await newTool('weather', '--root', root);

      // Assess
      const [target] = findTargets(root);
      expect(target?.group).toBe('weather');
      expect(target && fs.readFileSync(target.outPath, 'utf8')).toBe(target && expectedText(target));
    });

    it('refuses to overwrite an existing tool and leaves its files alone', async () => {
      // Prepare
      await newTool('weather', '--root', root);
      const handlerFile = path.join(root, 'action-groups/weather/handler.ts');
      fs.writeFileSync(handlerFile, '// edited\n');

      // Act
      const { code, err } = await newTool('weather', '--root', root);

      // Assess
      expect(code).toBe(1);
      expect(err).toContain("tool 'weather' already exists");
      expect(err).toContain('refusing to overwrite');
      expect(fs.readFileSync(handlerFile, 'utf8')).toBe('// edited\n');
    });

    it('refuses when only the schema exists, and writes nothing', async () => {
      // Prepare
      fs.writeFileSync(path.join(root, 'schemas/weather.yaml'), 'openapi: 3.0.0\n');

      // Act
      const { code, err } = await newTool('weather', '--root', root);

      // Assess
      expect(code).toBe(1);
      expect(err).toContain('(schemas/weather.yaml)');
      expect(filesUnder(root)).toEqual(['schemas/weather.yaml']);
    });

    it.each([
      { name: 'Weather', reason: 'use lower case' },
      { name: 'weather_report', reason: "use '-' between words, not '_'" },
      { name: 'weather__report', reason: "must not contain '__'" },
      { name: 'weather report', reason: "only a-z, 0-9 and '-'" },
      { name: '../weather', reason: "only a-z, 0-9 and '-'" },
      { name: 'weather--report', reason: "a single '-' between words" },
      { name: 'weather-', reason: 'start and end with a letter or digit' },
      { name: 'kit', reason: 'reserved' },
      { name: 'shared', reason: 'reserved' },
      { name: 'w'.repeat(MAX_NAME_LENGTH + 1), reason: 'Bedrock allows at most 64' },
    ])('rejects the name $name (exit 2) with the reason', async ({ name, reason }) => {
      // Act
      const { code, err } = await newTool(name, '--root', root);

      // Assess
      expect(code).toBe(2);
      expect(err).toContain(`invalid tool name '${name}'`);
      expect(err).toContain(reason);
      expect(filesUnder(root)).toEqual([]);
    });

    it.each([
      { name: 'Weather_Lookup', suggestion: 'weather-lookup' },
      { name: 'weather_lookup', suggestion: 'weather-lookup' },
      { name: 'WeatherLookup', suggestion: 'weather-lookup' },
      { name: 'weather lookup', suggestion: 'weather-lookup' },
      { name: 'weather--lookup-', suggestion: 'weather-lookup' },
      { name: 'weather__lookup', suggestion: 'weather-lookup' },
    ])('suggests a name for $name that the command then accepts', async ({ name, suggestion }) => {
      // Act
      const rejected = await newTool(name, '--root', root);
      const suggested = /try: kass new-tool (\S+)/.exec(rejected.err)?.[1];
      const accepted = await newTool(suggested ?? '(no suggestion)', '--root', root);

      // Assess
      expect(rejected.code).toBe(2);
      expect(suggested).toBe(suggestion);
      expect(accepted.err).toBe('');
      expect(accepted.code).toBe(0);
    });

    it.each(['kit', 'Kit', '---', '../'])(
      'offers no suggestion when none would be accepted: %p',
      async (name) => {
        const { code, err } = await newTool(name, '--root', root);
        expect(code).toBe(2);
        expect(err).not.toContain('try:');
      },
    );

    it('accepts a name of the longest allowed length', async () => {
      // Act
      const { code } = await newTool('w'.repeat(MAX_NAME_LENGTH), '--root', root);

      // Assess
      expect(code).toBe(0);
      const file = `schemas/${'w'.repeat(MAX_NAME_LENGTH)}.yaml`;
      expect(checkSchemaText(fs.readFileSync(path.join(root, file), 'utf8'), file)).toEqual([]);
    });

    it.each([
      { name: 'no name', args: [], message: 'missing the tool name' },
      { name: 'two names', args: ['a', 'b'], message: 'expected one tool name' },
    ])('is a usage error with $name', async ({ args, message }) => {
      // Act
      const { code, err } = await newTool(...args, '--root', root);

      // Assess
      expect(code).toBe(2);
      expect(err).toContain(message);
      expect(err).toContain('Usage: kass new-tool <name>');
    });

    it('refuses a root that is not a KASS repository', async () => {
      // Prepare
      fs.rmdirSync(path.join(root, 'schemas'));

      // Act
      const { code, err } = await newTool('weather', '--root', root);

      // Assess
      expect(code).toBe(2);
      expect(err).toContain('has no schemas/ folder');
    });
  });

  describe('into this repository (the default root)', () => {
    it('writes into the repository of the kass command without --root (refusing an existing tool)', async () => {
      // Act: a tool the repository ships, so nothing is written into the working tree.
      const { code, err } = await newTool('report');

      // Assess
      expect(code).toBe(1);
      expect(err).toContain("tool 'report' already exists");
      expect(err).toContain('refusing to overwrite');
    });
  });

  /**
   * The full scaffold, end to end: discovered by synth, answers, type-checks, lints and its own test passes.
   * It runs in a temporary copy of the repository's layout, never in the repository itself: jest runs test
   * files in parallel, and a half-written tool in the real tree would break every test that discovers tools
   * (tool-discovery, kass-stack, nag, cfn-lint, shipped-schemas). What the generated files use is linked in.
   */
  describe('into a repository-like temporary root (end to end)', () => {
    const NAME = `zz-scaffold-test-${process.pid}`;
    const paths = scaffoldPaths(NAME);
    /** Repository paths the generated files import, type-check, lint or test against (read-only links). */
    const LINKED = [
      'node_modules',
      'action-groups/kit',
      'action-groups/shared',
      'contracts',
      'tests/support',
      'types',
      'tsconfig.json',
      'biome.json',
      'jest.config.cjs',
      '.gitignore', // biome.json reads ignores through git
    ];
    let root: string;
    let scaffolded: { code: number; out: string; err: string };

    beforeAll(async () => {
      root = tempRoot();
      for (const rel of LINKED) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.symlinkSync(path.join(REPO_ROOT, rel), path.join(root, rel));
      }
      scaffolded = await newTool(NAME, '--root', root);
    });
    // Removes the links, not what they point to.
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it('creates the tool', () => {
      expect(scaffolded.err).toBe('');
      expect(scaffolded.code).toBe(0);
    });

    it('is discovered by synth with its operation', () => {
      // Act
      const tool = discoverTools(root).find((t) => t.name === NAME);

      // Assess
      expect(tool?.handlerEntry).toBe(path.join('action-groups', NAME, 'handler.ts'));
      expect(tool?.operations.map((op) => `${op.method} ${op.path} ${op.operationId}`)).toEqual([
        'GET /greeting getGreeting',
      ]);
    });

    it('has a tool that answers the example operation and covers every operation', async () => {
      // Prepare
      const factory = toolFactoryOf(NAME);
      const module = (await import(path.join(root, paths.tool))) as Record<string, () => ToolHandler>;
      const tool = (module[factory] as () => ToolHandler)();
      const schemaText = fs.readFileSync(path.join(root, paths.schema), 'utf8');
      const event = buildAgentEvent({
        group: NAME,
        schemaText,
        operationId: 'getGreeting',
        params: { name: 'Ada' },
      });

      // Act
      const response = await tool(event);

      // Assess
      expect(missingHandlers(tool)).toEqual([]);
      expect(response.response.httpStatusCode).toBe(200);
      expect(JSON.parse(response.response.responseBody['application/json'].body)).toEqual({
        message: 'Hello, Ada!',
      });
    });

    it('has a handler that reads what needs.ts declares at cold start, naming a missing variable', async () => {
      // Prepare: infra sets the needs' variables; without them the Lambda must not start half-configured.
      const needs = (await import(path.join(root, paths.needs))) as { needs: AnyToolNeeds };

      // Act
      const cold = import(path.join(root, paths.handler));

      // Assess
      expect(needs.needs.env.names).toEqual(['TOOL_LOGS_TABLE_NAME']);
      await expect(cold).rejects.toThrow(/TOOL_LOGS_TABLE_NAME/);
    });

    it('generates files that type-check and pass biome', () => {
      // Prepare
      const tsconfig = path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'kass-new-tool-tsc-')),
        'tsconfig.json',
      );
      fs.writeFileSync(
        tsconfig,
        JSON.stringify({
          extends: path.join(REPO_ROOT, 'tsconfig.json'),
          compilerOptions: { typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')] },
          include: [],
          files: [
            path.join(REPO_ROOT, 'types/text-modules.d.ts'),
            ...[paths.needs, paths.domain, paths.tool, paths.handler, paths.test].map((p) =>
              path.join(root, p),
            ),
          ],
        }),
      );
      const bin = (name: string) => path.join(REPO_ROOT, 'node_modules/.bin', name);

      // Act
      const tsc = spawnSync(bin('tsc'), ['--noEmit', '-p', tsconfig], { cwd: root, encoding: 'utf8' });
      fs.rmSync(path.dirname(tsconfig), { recursive: true, force: true });
      const biome = spawnSync(
        bin('biome'),
        [
          'ci',
          '--colors=off',
          '--error-on-warnings',
          paths.schema,
          paths.needs,
          paths.domain,
          paths.tool,
          paths.handler,
          paths.test,
        ],
        { cwd: root, encoding: 'utf8' },
      );

      // Assess
      expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
      expect(tsc.status).toBe(0);
      expect(biome.status === 0 ? '' : `${biome.stdout}${biome.stderr}`).toBe('');
    });

    it('generates a test that passes', () => {
      // Act
      const jest = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'),
          '--ci',
          '--runInBand',
          '--config',
          path.join(REPO_ROOT, 'jest.config.cjs'),
          '--rootDir',
          root,
          '--runTestsByPath',
          paths.test,
        ],
        { cwd: root, encoding: 'utf8' },
      );

      // Assess
      expect(jest.status === 0 ? '' : jest.stderr).toBe('');
      expect(jest.stderr).toMatch(/Tests: +4 passed, 4 total/);
    });
  });
});
