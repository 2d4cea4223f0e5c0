import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LambdaBundler } from '../../infra/bundling/lambda-bundler';
import { KassFunction, LAMBDA_CACHE_DIR, REPO_ROOT } from '../../infra/constructs/kass-function';
import { testStack } from '../support/cdk';

describe('Class: KassFunction', () => {
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    for (const id of ['One', 'Two']) {
      new KassFunction(stack, id, {
        entry: 'tests/fixtures/infra/echo-handler.ts',
        description: `test function ${id}`,
        serviceName: `kass-test-${id}`,
        settings: { memoryMb: 768, timeoutSeconds: 20 },
        logLevel: 'WARN',
        logRetentionDays: 14,
        retainLogs: id === 'Two',
        environment: { TABLE_NAME: 'tickets' },
      });
    }
    template = Template.fromStack(stack);
  });

  it('runs on the latest Node.js on ARM64 with explicit memory, timeout and active tracing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 768,
      Timeout: 20,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^OneLogs') } },
    });
  });

  it('keeps caller environment beside the Powertools settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'kass-test-One',
          POWERTOOLS_METRICS_NAMESPACE: 'KASS',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          TABLE_NAME: 'tickets',
        },
      },
    });
  });

  it('writes to its own log group with retention, retained only when asked', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 14 },
      DeletionPolicy: 'Delete',
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 14 },
      DeletionPolicy: 'Retain',
    });
  });

  it('gives each function its own role with no managed policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(2);
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const roleRefs = new Set(functions.map((f) => JSON.stringify(f.Properties.Role)));
    expect(roleRefs.size).toBe(2);
  });

  it('allows log writes only to the function’s own log group', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OneLogs'), 'Arn'] },
          },
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^OneRole') }],
    });
  });
});

describe('Class: KassFunction (bundled)', () => {
  it('deploys the house bundler’s bundle of its entry as its code', () => {
    // Prepare: an app that bundles (no aws:cdk:bundling-stacks context)
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bundled');
    const fn = new KassFunction(stack, 'Echo', {
      entry: 'tests/fixtures/infra/echo-handler.ts',
      description: 'bundled echo',
      serviceName: 'kass-test-echo',
      settings: { memoryMb: 256, timeoutSeconds: 5 },
      logLevel: 'WARN',
      logRetentionDays: 14,
      retainLogs: false,
    });
    // Act
    const assembly = app.synth();
    // Assess: the staged asset is the bundle the bundler keeps for this entry
    const key = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const s3Key = Object.values(key)[0]?.Properties.Code.S3Key as string;
    const staged = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js');
    const bundle = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir: LAMBDA_CACHE_DIR }).bundle(fn.entry);
    expect(fs.readFileSync(staged, 'utf8')).toBe(fs.readFileSync(path.join(bundle.dir, 'index.js'), 'utf8'));
  });
});

describe('Class: DeferredBundleCode (through KassFunction)', () => {
  it('stages each function’s own bundle as its code', () => {
    // Prepare
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Two');
    const props = {
      description: 'bundled',
      serviceName: 'kass-test',
      settings: { memoryMb: 256, timeoutSeconds: 5 },
      logLevel: 'WARN',
      logRetentionDays: 14,
      retainLogs: false,
    } as const;
    new KassFunction(stack, 'Echo', { ...props, entry: 'tests/fixtures/infra/echo-handler.ts' });
    new KassFunction(stack, 'Health', { ...props, entry: 'functions/health/handler.ts' });
    // Act
    const assembly = app.synth();
    // Assess: one staged asset per function, each the bundle of its own entry
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const staged = functions.map((f) =>
      fs.readFileSync(
        path.join(
          assembly.directory,
          `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
          'index.js',
        ),
        'utf8',
      ),
    );
    expect(staged).toHaveLength(2);
    expect(new Set(staged).size).toBe(2);
    for (const entry of ['tests/fixtures/infra/echo-handler.ts', 'functions/health/handler.ts']) {
      const bundle = new LambdaBundler({ repoRoot: REPO_ROOT, cacheDir: LAMBDA_CACHE_DIR }).bundle(entry);
      expect(staged).toContain(fs.readFileSync(path.join(bundle.dir, 'index.js'), 'utf8'));
    }
  });
});
