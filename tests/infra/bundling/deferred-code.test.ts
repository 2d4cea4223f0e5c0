import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeferredBundleCode } from '../../../infra/bundling/deferred-code';
import { LambdaBundler } from '../../../infra/bundling/lambda-bundler';
import { REPO_ROOT } from '../../../infra/constructs/kass-function';

describe('Class: DeferredBundleCode', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-deferred-'));
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  const fn = (stack: Stack, id: string, code: lambda.Code) =>
    new lambda.Function(stack, id, { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X });

  it('builds every bundle a stack uses in one esbuild run once the stack is constructed, and nothing else', () => {
    // Prepare
    const bundler = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir });
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Deferred');
    const entries = ['functions/health/handler.ts', 'tests/fixtures/infra/echo-handler.ts'];
    for (const [i, entry] of entries.entries())
      fn(stack, `F${i}`, new DeferredBundleCode(entry, () => bundler));
    // Assess: nothing is built while the stack is being constructed
    expect(bundler.runs).toEqual([]);
    // Act
    const assembly = app.synth();
    // Assess: one run with exactly the stack's entries; each function's asset is its bundle
    expect(bundler.runs).toEqual([entries]);
    const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((f) =>
      String(f.Properties.Code.S3Key).replace(/\.zip$/, ''),
    );
    for (const [i, key] of keys.entries()) {
      const staged = fs.readFileSync(path.join(assembly.directory, `asset.${key}`, 'index.js'), 'utf8');
      const built = fs.readFileSync(path.join(bundler.bundle(entries[i] as string).dir, 'index.js'), 'utf8');
      expect(staged).toBe(built);
    }
  });

  it('refuses to serve two functions (its asset belongs to one)', () => {
    // Prepare
    const bundler = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir });
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Twice');
    const code = new DeferredBundleCode('functions/health/handler.ts', () => bundler);
    fn(stack, 'A', code);
    // Act + Assess
    expect(() => fn(stack, 'B', code)).toThrow('already bound');
  });
});
