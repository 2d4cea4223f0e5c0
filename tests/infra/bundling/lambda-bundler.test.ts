import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleKey, LambdaBundler } from '../../../infra/bundling/lambda-bundler';
import { REPO_ROOT } from '../../../infra/constructs/kass-function';

/** A repository in a temporary folder holding `files` (path → text). */
function repoWith(prefix: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** A tiny repository: two handlers sharing a module, and a file that is not an entry. */
const fixtureRepo = (): string =>
  repoWith('kass-bundler-', {
    'functions/shared/greet.ts': "export const greet = (name: string) => 'hello ' + name;\n",
    'functions/a/handler.ts':
      "import { greet } from '../shared/greet';\nexport const handler = async () => greet('a');\n",
    'functions/b/b-handler.ts':
      "import { greet } from '../shared/greet';\nexport async function handler() { return greet('b'); }\n",
    'functions/b/helper.ts': 'export const helper = 1;\n',
    'action-groups/tool/handler.ts': 'export const handler = async () => 42;\n',
  });

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
    const root = repoWith('kass-bundler-yaml-', {
      'doc.yaml': '# a comment\nopenapi: 3.0.0\ninfo:\n  title: Tickets\n',
      'functions/y/handler.ts':
        "import text from '../../doc.yaml';\nimport { parse } from 'yaml';\n" +
        'export const handler = async (parseYaml: boolean) => (parseYaml ? parse(text) : text);\n',
    });
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

/** Runs `script` in a fresh node with `env` and returns what it printed. */
const node = (script: string, env: Record<string, string>, options: string[] = []): string =>
  execFileSync(process.execPath, [...options, '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

describe('Lambda bundles: source maps of the project’s own code', () => {
  it('maps frames of the repository’s files and leaves library frames at their bundle position', () => {
    // Prepare: the library throws; our handler calls it from its third line
    const root = repoWith('kass-bundler-maps-', {
      'node_modules/fake-lib/package.json': '{"name":"fake-lib","main":"index.js"}',
      'node_modules/fake-lib/index.js':
        'exports.explode = function explode(what) {\n  throw new Error("library failed on " + what);\n};\n',
      'functions/m/handler.ts':
        "import { explode } from 'fake-lib';\n\nexport const handler = async (what: string) => explode(what);\n",
    });
    try {
      const bundle = new LambdaBundler({ repoRoot: root, cacheDir: path.join(root, 'cache') }).bundle(
        'functions/m/handler.ts',
      );
      // Act
      const stack = node(
        `require(${JSON.stringify(path.join(bundle.dir, 'index.js'))}).handler('x').catch((e) => console.log(e.stack))`,
        {},
        ['--enable-source-maps'],
      );
      // Assess: sources named from the repository root, library gone from the map
      const map = JSON.parse(fs.readFileSync(path.join(bundle.dir, 'index.js.map'), 'utf8')) as {
        sources: string[];
      };
      expect(map.sources).toEqual(['functions/m/handler.ts']);
      const frames = stack.split('\n').filter((line) => line.trim().startsWith('at '));
      expect(frames[0]).toContain(`${path.join(bundle.dir, 'index.js')}:`);
      expect(frames[0]).not.toContain('handler.ts');
      expect(frames[1]).toContain(`${path.join(bundle.dir, 'functions/m/handler.ts')}:3:`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Lambda bundles: X-Ray without the AWS SDK v2 patcher', () => {
  it('traces SDK v3 clients, and leaves the v2 patcher and semver out', () => {
    // Prepare
    const root = repoWith('kass-bundler-xray-', {
      'functions/t/handler.ts':
        "import { Tracer } from '@aws-lambda-powertools/tracer';\n" +
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
        "const tracer = new Tracer({ serviceName: 'bundle-test' });\n" +
        'export const middlewares = () => tracer.captureAWSv3Client(new DynamoDBClient({})).middlewareStack.identify();\n' +
        'export const captureV2 = () => tracer.captureAWS({});\n',
    });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    try {
      const bundle = new LambdaBundler({ repoRoot: root, cacheDir: path.join(root, 'cache') }).bundle(
        'functions/t/handler.ts',
      );
      const file = JSON.stringify(path.join(bundle.dir, 'index.js'));
      const lambdaEnv = {
        AWS_REGION: 'us-east-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_LAMBDA_FUNCTION_NAME: 't',
      };
      // Act
      const middlewares = node(`console.log(JSON.stringify(require(${file}).middlewares()))`, lambdaEnv);
      const v2 = node(`try { require(${file}).captureV2() } catch (e) { console.log(e.message) }`, lambdaEnv);
      // Assess
      expect(middlewares).toContain('XRaySDKInstrumentation');
      expect(v2).toContain('X-Ray capture of AWS SDK v2 is not bundled');
      expect(fs.readFileSync(path.join(bundle.dir, 'index.js'), 'utf8')).not.toContain('Invalid comparator');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
