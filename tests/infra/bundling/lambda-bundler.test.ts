import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleKey, LambdaBundler } from '../../../infra/bundling/lambda-bundler';
import { REPO_ROOT } from '../../../infra/constructs/kass-function';

/** A tiny repository: two handlers sharing a module, and a file that is not an entry. */
function fixtureRepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-bundler-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('functions/shared/greet.ts', "export const greet = (name: string) => 'hello ' + name;\n");
  write(
    'functions/a/handler.ts',
    "import { greet } from '../shared/greet';\nexport const handler = async () => greet('a');\n",
  );
  write(
    'functions/b/b-handler.ts',
    "import { greet } from '../shared/greet';\nexport async function handler() { return greet('b'); }\n",
  );
  write('functions/b/helper.ts', 'export const helper = 1;\n');
  write('action-groups/tool/handler.ts', 'export const handler = async () => 42;\n');
  return root;
}

const run = async (file: string): Promise<unknown> => {
  const mod = (await import(file)) as { handler: () => Promise<unknown> };
  return mod.handler();
};

describe('Class: LambdaBundler', () => {
  let root: string;
  let cacheDir: string;
  const entries = ['functions/a/handler.ts', 'functions/b/b-handler.ts'];

  beforeEach(() => {
    root = fixtureRepo();
    cacheDir = path.join(root, 'cache');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('Method: prepare', () => {
    it('builds every stale entry in one esbuild run, into working bundles', async () => {
      // Prepare
      const bundler = new LambdaBundler({ repoRoot: root, cacheDir });
      // Act
      bundler.prepare(entries);
      const a = bundler.bundle(entries[0] as string);
      const b = bundler.bundle(entries[1] as string);
      // Assess
      expect(bundler.runs).toEqual([entries]);
      expect(await run(path.join(a.dir, 'index.js'))).toBe('hello a');
      expect(await run(path.join(b.dir, 'index.js'))).toBe('hello b');
      expect(fs.existsSync(path.join(a.dir, 'index.js.map'))).toBe(true);
      expect(path.basename(a.dir)).toBe(bundleKey(entries[0] as string));
    });

    it('reuses the bundles of a previous run while their inputs are unchanged (even when touched)', () => {
      // Prepare
      const first = new LambdaBundler({ repoRoot: root, cacheDir });
      first.prepare(entries);
      const later = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(root, 'functions/shared/greet.ts'), later, later);
      // Act
      const second = new LambdaBundler({ repoRoot: root, cacheDir });
      second.prepare(entries);
      // Assess
      expect(second.runs).toEqual([]);
      expect(second.bundle(entries[0] as string).hash).toBe(first.bundle(entries[0] as string).hash);
    });

    it('rebuilds only the entry whose input changed', () => {
      // Prepare
      new LambdaBundler({ repoRoot: root, cacheDir }).prepare(entries);
      fs.appendFileSync(path.join(root, 'functions/a/handler.ts'), 'export const extra = 1;\n');
      // Act
      const second = new LambdaBundler({ repoRoot: root, cacheDir });
      second.prepare(entries);
      // Assess
      expect(second.runs).toEqual([['functions/a/handler.ts']]);
    });

    it('rebuilds every entry that shares a changed module', () => {
      // Prepare
      new LambdaBundler({ repoRoot: root, cacheDir }).prepare(entries);
      fs.writeFileSync(
        path.join(root, 'functions/shared/greet.ts'),
        'export const greet = (n: string) => n;\n',
      );
      // Act
      const second = new LambdaBundler({ repoRoot: root, cacheDir });
      second.prepare(entries);
      // Assess
      expect(second.runs).toEqual([entries]);
    });

    it('keeps bundles of different options apart', () => {
      // Prepare
      const plain = new LambdaBundler({ repoRoot: root, cacheDir });
      plain.prepare(entries);
      // Act
      const unminified = new LambdaBundler({ repoRoot: root, cacheDir, overrides: { minify: false } });
      unminified.prepare(entries);
      // Assess
      expect(unminified.runs).toEqual([entries]);
      expect(unminified.bundle(entries[0] as string).dir).not.toBe(plain.bundle(entries[0] as string).dir);
    });
  });

  describe('Method: bundle', () => {
    it('builds an entry nobody prepared on demand', () => {
      // Prepare
      const bundler = new LambdaBundler({ repoRoot: root, cacheDir });
      // Act
      const bundle = bundler.bundle('action-groups/tool/handler.ts');
      // Assess
      expect(bundler.runs).toEqual([['action-groups/tool/handler.ts']]);
      expect(fs.existsSync(path.join(bundle.dir, 'index.js'))).toBe(true);
    });
  });
});

describe('Lambda bundles: schemas as JSON, no YAML parser', () => {
  it('turns a YAML import into the document as JSON text and leaves the YAML parser out', async () => {
    // Prepare
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-bundler-yaml-'));
    fs.mkdirSync(path.join(root, 'functions/y'), { recursive: true });
    fs.writeFileSync(path.join(root, 'doc.yaml'), '# a comment\nopenapi: 3.0.0\ninfo:\n  title: Tickets\n');
    fs.writeFileSync(
      path.join(root, 'functions/y/handler.ts'),
      "import text from '../../doc.yaml';\nimport { parse } from 'yaml';\n" +
        'export const handler = async (parseYaml: boolean) => (parseYaml ? parse(text) : text);\n',
    );
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    // Act
    const bundle = new LambdaBundler({ repoRoot: root, cacheDir: path.join(root, 'cache') }).bundle(
      'functions/y/handler.ts',
    );
    const mod = (await import(path.join(bundle.dir, 'index.js'))) as {
      handler: (parseYaml: boolean) => Promise<unknown>;
    };
    // Assess
    expect(await mod.handler(false)).toBe('{"openapi":"3.0.0","info":{"title":"Tickets"}}');
    await expect(mod.handler(true)).rejects.toThrow('YAML parser is not bundled');
    fs.rmSync(root, { recursive: true, force: true });
  });
});
