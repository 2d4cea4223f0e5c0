import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  findCycles,
  importGraph,
  isGenerated,
  lineCount,
  oversizedFiles,
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
