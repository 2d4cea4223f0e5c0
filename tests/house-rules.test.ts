import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  dependencyViolations,
  findCycles,
  importGraph,
  isGenerated,
  lineCount,
  oversizedFiles,
  packageImports,
  processEnvUses,
  readProductionFiles,
  scan,
  toolNameLiterals,
  toolNames,
} from './support/house-rules';

const ROOT = path.resolve(__dirname, '..');

/** The most lines a production file may have: past it, a file holds more than one concern. */
const MAX_LINES = 400;

/** The one module that reads and sets the process environment. */
const ENV_MODULE = 'contracts/env.ts';

/**
 * Files that may touch `process.env` besides the env module, each with the reason. Kept to scripts that run
 * before any TypeScript can load (a plain CommonJS entry point); empty today.
 */
const PROCESS_ENV_ALLOWED: ReadonlyMap<string, string> = new Map();

const fixture = (files: Record<string, string>): Map<string, string> => new Map(Object.entries(files));

/**
 * Which folder may import which (design.md "Dependency rules"; README "Layout"). `contracts/` imports nothing of
 * the project; nothing imports `cli/`; `infra/` reaches runtime code only through pure modules it needs at synth.
 */
const ALLOWED_IMPORTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['contracts', []],
  ['action-groups', ['contracts']],
  ['client', ['contracts']],
  ['functions', ['contracts', 'action-groups', 'client']],
  ['web', ['contracts']],
  ['knowledge', []],
  ['types', []],
  ['(root)', []],
  // action-groups/kit's schema loader and rules, web/'s page build (a build step, run at synth): see below.
  ['infra', ['contracts', 'action-groups', 'web']],
  ['cli', ['contracts', 'client', 'action-groups', 'functions', 'infra', 'web']],
]);

/** What runs in Lambda, in an app or in a browser: none of it may load the CDK. */
const RUNTIME_FOLDERS = ['contracts', 'action-groups', 'functions', 'client', 'web'];

describe('House rules over production code', () => {
  const files = readProductionFiles(ROOT);

  it('reads the production files and nothing else', () => {
    expect(files.has(ENV_MODULE)).toBe(true);
    expect(files.has('infra/app.ts')).toBe(true);
    expect(files.has('cli/bin/kass.cjs')).toBe(true);
    for (const file of files.keys()) {
      expect(file).not.toMatch(/^(tests|bench|node_modules|cdk\.out|web\/dist)\//);
      expect(isGenerated(file)).toBe(false);
    }
  });

  it('has no import cycle', () => {
    const cycles = findCycles(importGraph(files)).map((cycle) => cycle.join(' → '));
    expect(cycles).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    expect(oversizedFiles(files, MAX_LINES).map((f) => `${f.file}: ${f.lines} lines`)).toEqual([]);
  });

  it(`touches process.env only in ${ENV_MODULE}`, () => {
    expect(processEnvUses(files, new Set([ENV_MODULE, ...PROCESS_ENV_ALLOWED.keys()]))).toEqual([]);
  });

  it('imports across folders only as the dependency rules allow', () => {
    const graph = importGraph(files);
    expect(dependencyViolations(graph, ALLOWED_IMPORTS)).toEqual([]);
    // infra/ reaches runtime folders only through the kit's pure schema modules and the page build step.
    const infraReaches = [...graph]
      .filter(([from]) => from.startsWith('infra/'))
      .flatMap(([, targets]) => targets.filter((t) => /^(action-groups|web)\//.test(t)));
    expect(infraReaches.filter((t) => !/^action-groups\/kit\/|^web\/build-page\.ts$/.test(t))).toEqual([]);
  });

  it('loads no CDK in code that runs in Lambda, an app or a browser', () => {
    expect(packageImports(files, RUNTIME_FOLDERS, ['aws-cdk-lib', 'constructs', 'cdk-nag'])).toEqual([]);
  });

  it('names no tool in infra/: tools are discovered from schemas/ and wired by their needs.ts', () => {
    const schemas = fs.readdirSync(path.join(ROOT, 'schemas')).filter((f) => f.endsWith('.yaml'));
    const folders = fs
      .readdirSync(path.join(ROOT, 'action-groups'))
      .filter((d) => fs.existsSync(path.join(ROOT, 'action-groups', d, 'handler.ts')));
    const names = toolNames(schemas, folders);
    expect(names).toEqual(expect.arrayContaining(['report', 'summarize', 'code-review', 'codeReview']));
    const infra = new Map([...files].filter(([file]) => file.startsWith('infra/')));
    expect(infra.size).toBeGreaterThan(20);
    expect(toolNameLiterals(infra, names)).toEqual([]);
  });
});

describe('Checkers (each can fail)', () => {
  describe('scan', () => {
    it('separates comments from code and keeps string literals with their lines', () => {
      const source = ["// 'a'", "const x = 'b'; /* 'c'", ' */ const y = `d$', '{x}e`;', ''].join('\n');
      const { code, literals } = scan(source.replace('$\n', '$'));
      expect(code).not.toContain("'a'");
      expect(code).not.toContain("'c'");
      expect(code.split('\n')).toHaveLength(4);
      expect(literals).toEqual([
        { value: 'b', line: 2, template: false },
        { value: 'd', line: 3, template: true },
      ]);
    });
  });

  describe('import cycles', () => {
    it('finds a cycle through static, type-only, re-exported and required imports, and shows its path', () => {
      const graph = importGraph(
        fixture({
          'a/main.ts': "import { b } from './b';\n",
          'a/b.ts': "import type { C } from '../c/index';\n",
          'c/index.ts': "export { main } from '../a/main';\n",
          'd.cjs': "require('./a/main.ts');\n",
          'e.ts': "// import { d } from './d.cjs';\nconst text = 'no import here';\n",
        }),
      );
      expect(graph.get('a/b.ts')).toEqual(['c/index.ts']);
      expect(graph.get('d.cjs')).toEqual(['a/main.ts']);
      expect(graph.get('e.ts')).toEqual([]);
      expect(findCycles(graph)).toEqual([['a/b.ts', 'c/index.ts', 'a/main.ts', 'a/b.ts']]);
    });

    it('finds a cycle of a dynamic import and none in a chain', () => {
      const cyclic = fixture({ 'x.ts': "import('./y');\n", 'y.ts': "import './x';\n" });
      expect(findCycles(importGraph(cyclic))).toEqual([['x.ts', 'y.ts', 'x.ts']]);
      const chain = fixture({ 'x.ts': "import './y';\n", 'y.ts': "import './z';\n", 'z.ts': '' });
      expect(findCycles(importGraph(chain))).toEqual([]);
    });
  });

  describe('dependency rules', () => {
    it('reports an import a folder may not make, and a folder without a rule', () => {
      const graph = importGraph(
        fixture({
          'contracts/ids.ts': "import { x } from '../client/x';\n",
          'client/x.ts': "import { ids } from '../contracts/ids';\n",
          'lab/y.ts': "import { x } from '../client/x';\n",
        }),
      );
      const allowed = new Map([
        ['contracts', []],
        ['client', ['contracts']],
      ]);
      expect(dependencyViolations(graph, allowed)).toEqual([
        'contracts/ids.ts → client/x.ts',
        'lab/y.ts → client/x.ts (no rule for lab/)',
      ]);
    });

    it('finds a CDK import in a runtime folder, in every import form, not in comments', () => {
      const files = fixture({
        'functions/a.ts': "import { Stack } from 'aws-cdk-lib';\n",
        'functions/b.ts': "const s3 = require('aws-cdk-lib/aws-s3');\n",
        'client/c.ts':
          "// import { Construct } from 'constructs';\nimport type { Construct } from 'constructs';\n",
        'infra/d.ts': "import { Stack } from 'aws-cdk-lib';\n",
        'client/e.ts': "import { X } from 'aws-cdk-lib-lookalike';\n",
      });
      expect(packageImports(files, ['functions', 'client'], ['aws-cdk-lib', 'constructs'])).toEqual([
        'client/c.ts: constructs',
        'functions/a.ts: aws-cdk-lib',
        'functions/b.ts: aws-cdk-lib',
      ]);
    });
  });

  describe('file size', () => {
    it('counts lines like wc -l and names the files over the limit', () => {
      expect(lineCount('a\nb\n')).toBe(2);
      expect(lineCount('a\nb')).toBe(2);
      const files = fixture({ 'long.ts': 'x\n'.repeat(401), 'fit.ts': 'x\n'.repeat(400) });
      expect(oversizedFiles(files, 400)).toEqual([{ file: 'long.ts', lines: 401 }]);
    });
  });

  describe('process.env', () => {
    it('finds every form of reading it outside the allowed files, not in comments or strings', () => {
      const files = fixture({
        'env.ts': 'export const env = process.env;\n',
        'dot.ts': '\nconst region = process.env.AWS_REGION;\n',
        'index.ts': "const all = process['env'];\n",
        'destructured.ts': 'const { env } = process;\n',
        'prose.ts': "// process.env is read in env.ts\nconst hint = 'set process.env.X';\n",
      });
      expect(processEnvUses(files, new Set(['env.ts']))).toEqual([
        'destructured.ts:1',
        'dot.ts:2',
        'index.ts:1',
      ]);
    });
  });

  describe('tool names', () => {
    it('derives kebab and camel names and finds them as literals, not as identifiers or in comments', () => {
      const names = toolNames(['schemas/code-review.yaml'], ['code-review', 'report']);
      expect(names).toEqual(['code-review', 'codeReview', 'report']);
      const files = fixture({
        'infra/stack.ts': [
          "if (tools.has('report')) grant();",
          'const settings = { codeReview: 1 }; // wires code-review',
          'const timeouts = { "code-review": 120 };',
          'const id = `codeReview`;',
          "const label = 'reports';",
        ].join('\n'),
      });
      expect(toolNameLiterals(files, names)).toEqual([
        "infra/stack.ts:1: 'report'",
        "infra/stack.ts:3: 'code-review'",
        "infra/stack.ts:4: 'codeReview'",
      ]);
    });
  });
});
