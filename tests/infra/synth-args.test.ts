import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { aws_sqs as sqs, Validations } from 'aws-cdk-lib';
import { buildApp } from '../../infra/app';
import { main, parseContext, parseSynthArgs } from '../../infra/synth';
import { REPO_ROOT } from '../support/cli-io';

describe('Function: parseContext', () => {
  it('parses JSON values and keeps other values as text, as `cdk synth -c` does', () => {
    expect(
      parseContext(['kass:config={"agent":{"model":"claude-haiku-4-5"}}', 'stage=prod', 'n=3', 'a=b=c']),
    ).toEqual({ 'kass:config': { agent: { model: 'claude-haiku-4-5' } }, stage: 'prod', n: 3, a: 'b=c' });
  });

  it.each(['novalue', '=x'])('refuses %p with a usage error naming it', (pair) => {
    expect(() => parseContext([pair])).toThrow(`-c expects key=value, got "${pair}"`);
  });
});

describe('Function: parseSynthArgs', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus' (options: --stage, -c/--context, --out, --help)"],
    [['--stage'], "Option '--stage' needs a value, e.g. --stage prod or -c stage=prod"],
    [['prod'], "Unexpected argument 'prod': npm run synth takes options only (settings go in -c key=value)"],
  ])('answers %j with one readable line', (argv, message) => {
    expect(() => parseSynthArgs(argv)).toThrow(message);
  });
});

describe('Function: main (npm run synth)', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  let warn: jest.SpyInstance;
  let outDir: string;
  const printed = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0])).join('\n');
  beforeEach(() => {
    out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-synth-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  /** The real app with bundling skipped, plus whatever `extend` adds to the stack. */
  const building =
    (extend: (built: ReturnType<typeof buildApp>) => void = () => undefined): typeof buildApp =>
    (options) => {
      const built = buildApp({ ...options, context: { ...options?.context, 'aws:cdk:bundling-stacks': [] } });
      extend(built);
      return built;
    };

  it('prints its usage for --help and exits 0 without synthesizing', () => {
    expect(main(['--help'])).toBe(0);
    expect(out).toHaveBeenCalledWith(expect.stringContaining('Usage: npm run synth -- [--stage <name>]'));
  });

  it('answers an unknown option with the message and the usage, exit 2 (no stack trace)', () => {
    expect(main(['--bogus'])).toBe(2);
    expect(err).toHaveBeenCalledWith(expect.stringMatching(/^Unknown option '--bogus'[\s\S]*Usage:/));
  });

  it('fails with exit 1 naming the key and the reason for a bad override, before synthesizing', () => {
    expect(main(['--stage', 'prod', '-c', 'kass:config={"logRetentionDays":4}'])).toBe(1);
    expect(err).toHaveBeenCalledWith(
      expect.stringContaining('logRetentionDays: must be a CloudWatch retention period'),
    );
  });

  it('names kass:config and the JSON problem for a malformed override (no SyntaxError stack)', () => {
    expect(main(['-c', 'kass:config={"agent":{"model":"claude-haiku-4-5"}', '--out', outDir])).toBe(1);
    const text = printed(err);
    expect(text).toMatch(/^Invalid -c kass:config:\n {2}- kass:config: not valid JSON \(/);
    expect(text).not.toMatch(/SyntaxError|\n\s+at /);
  });

  it('prints the summary, then each warning once (the Legacy model), and what to run next', () => {
    // Act
    const code = main(['-c', 'kass:config={"agent":{"model":"claude-3-5-sonnet-v2"}}', '--out', outDir], {
      build: building(),
    });
    // Assess
    expect(code).toBe(0);
    expect(printed(out)).toContain('Agent kass-dev: model us.anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(printed(out)).toContain('Engine: classic');
    expect(printed(out)).toContain(
      'Next: npx kass doctor --stage dev, then npx cdk deploy kass-dev -c stage=dev',
    );
    const legacy = warn.mock.calls.filter((c) =>
      String(c[0]).includes("'claude-3-5-sonnet-v2' is a Legacy model"),
    );
    expect(legacy).toHaveLength(1);
    expect(String(legacy[0]?.[0])).toMatch(/^ {2}\[Warning at \/kass-dev\/Agent\] agent\.model/);
    expect(printed(warn)).toMatch(/\d+ warning\(s\): read them before deploying\./);
  });

  it('ends a cdk-nag failure in a readable list of findings and exit 1, not a stack trace', () => {
    // Act: a queue with neither a DLQ nor an SSL-only policy breaks two AwsSolutions rules.
    const code = main(['--out', outDir], {
      build: building((built) => new sqs.Queue(built.stack, 'PlainQueue')),
    });
    // Assess
    expect(code).toBe(1);
    const text = printed(err);
    expect(text).toMatch(/^Synth failed: 2 unacknowledged finding\(s\)\./);
    expect(text).toContain('  AwsSolutions-SQS3 (error) at kass-dev/PlainQueue/Resource');
    expect(text).toContain('  AwsSolutions-SQS4 (error) at kass-dev/PlainQueue/Resource');
    expect(text).toContain('    defined at tests/infra/synth-args.test.ts:');
    expect(text).toContain('    acknowledge id: AwsSolutions-SQS3');
    expect(text).toContain(
      "Validations.of(construct).acknowledge({ id: 'AwsSolutions-SQS3', reason: '…' });",
    );
    expect(text).toContain(
      `Full report: ${path.relative(process.cwd(), path.join(outDir, 'validation-report.json'))}`,
    );
    expect(printed(out)).not.toContain('Stack kass-dev');
  });

  it('passes once each finding is acknowledged the way the failure says', () => {
    // Act
    const code = main(['--out', outDir], {
      build: building((built) => {
        const queue = new sqs.Queue(built.stack, 'PlainQueue');
        for (const id of ['AwsSolutions-SQS3', 'AwsSolutions-SQS4']) {
          Validations.of(queue).acknowledge({ id, reason: 'A test queue that exists only in this test.' });
        }
      }),
    });
    // Assess
    expect(printed(err)).toBe('');
    expect(code).toBe(0);
  });
});

/**
 * The app path `npx cdk synth` / `cdk deploy` run (`npx tsx infra/app.ts`), given its context the way the CDK
 * CLI passes `-c key=value` (CDK_CONTEXT_JSON), bundling skipped.
 */
describe('infra/app.ts (npx cdk synth -c …)', () => {
  const synthApp = (kassConfig: string) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-app-'));
    const result = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ 'kass:config': kassConfig, 'aws:cdk:bundling-stacks': [] }),
      },
    });
    const template = path.join(outdir, 'kass-dev.template.json');
    const synthesized = fs.existsSync(template)
      ? (JSON.parse(fs.readFileSync(template, 'utf8')) as object)
      : undefined;
    fs.rmSync(outdir, { recursive: true, force: true });
    return { ...result, synthesized };
  };

  it('names kass:config for malformed JSON and exits 1 without a stack trace', () => {
    const { status, stderr } = synthApp('{"agent":');
    expect(status).toBe(1);
    expect(stderr).toMatch(/^Invalid -c kass:config:\n {2}- kass:config: not valid JSON/);
    expect(stderr).not.toMatch(/SyntaxError|\n\s+at /);
  });

  it('merges a partial chunking override into the stage (no need to repeat the strategy)', () => {
    const { status, stderr, synthesized } = synthApp('{"knowledgeBase":{"chunking":{"maxTokens":512}}}');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.stringify(synthesized)).toContain(
      '"ChunkingConfiguration":{"ChunkingStrategy":"FIXED_SIZE","FixedSizeChunkingConfiguration":{"MaxTokens":512,"OverlapPercentage":20}}',
    );
  });
});
