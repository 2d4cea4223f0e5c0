import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createDoctor } from '../../cli/commands/doctor';
import { runChecks } from '../../cli/doctor/checks';
import { needsOfTemplate, readStageNeeds, type StageNeeds } from '../../cli/doctor/needs';
import { type CommandEntry, main } from '../../cli/main';
import { buildApp } from '../../infra/app';
import { AwsAccountFake } from '../support/aws-account-server';
import { captureIo } from '../support/cli-io';
import { setEnv } from '../support/invoke-agent-server';
import { refusedEndpoint } from '../support/unreachable';

/** Synthesizes a stage (bundling skipped) into a fresh cloud assembly and returns its folder. */
function synthesize(stage: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `kass-doctor-${stage}-`));
  buildApp({ stage, outdir, context: { 'aws:cdk:bundling-stacks': [] }, nag: false }).app.synth();
  return outdir;
}

interface Checked {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly json: {
    checks: { id: string; title: string; status: string; detail: string; fix?: string }[];
    summary: Record<string, number>;
    account: string | null;
    region: string | null;
    exitCode: number;
  };
}

describe('Command: kass doctor', () => {
  let fake: AwsAccountFake;
  let dev: string;
  let prod: string;
  beforeAll(async () => {
    fake = await AwsAccountFake.start();
    dev = synthesize('dev');
    prod = synthesize('prod');
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  /** `kass doctor` through main, as the binary runs it, with the SDK pointed at the fake (plus `env`). */
  async function doctor(
    args: string[],
    env: Record<string, string | undefined> = {},
    region = 'us-east-1',
  ): Promise<Checked> {
    const restore = setEnv({ ...fake.env(region), AWS_PROFILE: undefined, ...env });
    try {
      const io = captureIo(os.tmpdir());
      const commands: Record<string, CommandEntry> = {
        doctor: { args: '', summary: '', load: async () => ({ usage: '', run: createDoctor() }) },
      };
      const code = await main(['doctor', '--app', dev, ...args], io, commands);
      const jsonIo = captureIo(os.tmpdir());
      await main(['doctor', '--app', dev, ...args, '--json'], jsonIo, commands);
      return { code, out: io.out(), err: io.err(), json: JSON.parse(jsonIo.out()) };
    } finally {
      restore();
    }
  }

  const check = (result: Checked, id: string) => {
    const found = result.json.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id} in ${result.json.checks.map((c) => c.id).join(', ')}`);
    return found;
  };

  it('passes every check on a healthy account and says the stage is ready to deploy', async () => {
    // Act
    const result = await doctor([]);
    // Assess
    expect(result.code).toBe(0);
    expect(result.json.checks.map((c) => [c.id, c.status])).toEqual([
      ['credentials', 'pass'],
      ['app', 'pass'],
      ['bootstrap', 'pass'],
      ['concurrency', 'pass'],
      ['model:us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'pass'],
      ['model:us.anthropic.claude-haiku-4-5-20251001-v1:0', 'pass'],
      ['model:amazon.titan-embed-text-v2:0', 'pass'],
      ['agents-classic', 'pass'],
      ['apigateway-logging', 'pass'],
    ]);
    expect(result.json).toMatchObject({ account: '123456789012', region: 'us-east-1', exitCode: 0 });
    expect(check(result, 'model:us.anthropic.claude-sonnet-4-5-20250929-v1:0').title).toBe(
      'Model us.anthropic.claude-sonnet-4-5-20250929-v1:0 (agent, code-review)',
    );
    expect(result.out).toContain('kass doctor: stage dev (stack kass-dev');
    expect(result.out).toContain('✓ Credentials and region');
    expect(result.out).toContain('9 passed, 0 warning(s), 0 failed, 0 skipped. Ready to deploy');
    expect(result.out).not.toContain('fix:');
    // One read-only call per question (text and --json runs).
    const operations = new Set(fake.calls.map((c) => c.operation));
    expect([...operations].sort()).toEqual([
      'GetAccount',
      'GetAccountSettings',
      'GetCallerIdentity',
      'GetFoundationModelAvailability',
      'GetInferenceProfile',
      'GetParameter',
      'ListAgents',
      'ListFoundationModels',
    ]);
  });

  describe('Credentials and region', () => {
    it('fails without a region, says how to set one, and skips what needs the account', async () => {
      const result = await doctor([], {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_CONFIG_FILE: '/nonexistent',
      });
      expect(result.code).toBe(1);
      expect(check(result, 'credentials')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('no AWS region configured'),
        fix: expect.stringContaining('export AWS_REGION=<region>'),
      });
      expect(check(result, 'bootstrap').status).toBe('skip');
      expect(result.out).toContain('fix: export AWS_REGION=<region>');
    });

    it('fails without credentials and names the ways to configure them', async () => {
      const result = await doctor([], {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      });
      expect(result.code).toBe(1);
      expect(check(result, 'credentials')).toMatchObject({
        status: 'fail',
        detail: 'no AWS credentials found',
        fix: expect.stringContaining('aws configure, or aws sso login'),
      });
      expect(fake.calls).toEqual([]);
    });

    it('fails on expired credentials with the login command', async () => {
      fake.account.stsError = 'ExpiredToken';
      const result = await doctor([]);
      expect(check(result, 'credentials')).toMatchObject({
        status: 'fail',
        detail: 'the credentials have expired (ExpiredToken)',
        fix: expect.stringContaining('aws sso login'),
      });
    });

    it('names STS and its endpoint when it cannot be reached', async () => {
      const endpoint = await refusedEndpoint();
      const result = await doctor([], { AWS_ENDPOINT_URL_STS: endpoint });
      expect(result.code).toBe(1);
      expect(check(result, 'credentials')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`Could not reach STS at ${endpoint}: the connection was refused`),
        fix: expect.stringContaining(`the endpoint override AWS_ENDPOINT_URL_STS=${endpoint}`),
      });
    });

    it('fails when the stage is pinned to another account', async () => {
      // Prepare: the dev assembly, pinned to account 999999999999
      const pinned = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-doctor-pinned-'));
      fs.cpSync(dev, pinned, { recursive: true });
      const manifest = JSON.parse(fs.readFileSync(path.join(pinned, 'manifest.json'), 'utf8'));
      manifest.artifacts['kass-dev'].environment = 'aws://999999999999/us-east-1';
      fs.writeFileSync(path.join(pinned, 'manifest.json'), JSON.stringify(manifest));
      // Act
      const result = await doctor(['--app', pinned]);
      // Assess
      expect(check(result, 'credentials')).toMatchObject({
        status: 'fail',
        detail:
          'stage dev is pinned to account 999999999999 (you are in 123456789012) by env in infra/config/stages.ts',
        fix: expect.stringContaining(
          'use credentials of that account (AWS_PROFILE) and AWS_REGION=us-east-1',
        ),
      });
    });
  });

  describe('Synthesized app', () => {
    it('fails without a cloud assembly, says how to make one, and still checks the credentials', async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-doctor-none-'));
      const result = await doctor(['--app', empty]);
      expect(result.code).toBe(1);
      expect(check(result, 'credentials').status).toBe('pass');
      expect(check(result, 'app')).toMatchObject({
        status: 'fail',
        fix: 'npm run synth -- --stage dev (or npx cdk synth -c stage=dev), then kass doctor again',
      });
      expect(check(result, 'concurrency')).toMatchObject({
        status: 'skip',
        detail: 'needs the synthesized app (see above)',
      });
    });

    it('fails when the assembly holds another stage', async () => {
      const result = await doctor(['--app', prod]);
      expect(check(result, 'app').detail).toContain('holds kass-prod, not kass-dev');
    });
  });

  describe('CDK bootstrap', () => {
    it('fails when the account is not bootstrapped, with the bootstrap command', async () => {
      fake.account.parameters = {};
      const result = await doctor([]);
      expect(result.code).toBe(1);
      expect(check(result, 'bootstrap')).toMatchObject({
        status: 'fail',
        detail: 'not bootstrapped: /cdk-bootstrap/hnb659fds/version does not exist in 123456789012/us-east-1',
        fix: expect.stringContaining('npx cdk bootstrap aws://123456789012/us-east-1'),
      });
    });

    it('fails when the bootstrap stack is older than the app needs', async () => {
      fake.account.parameters['/cdk-bootstrap/hnb659fds/version'] = '5';
      const result = await doctor([]);
      expect(check(result, 'bootstrap')).toMatchObject({
        status: 'fail',
        detail: 'bootstrap version 5, but the app needs 6 or later',
        fix: 'npx cdk bootstrap aws://123456789012/us-east-1 (upgrades the CDKToolkit stack in place)',
      });
    });

    it('warns when it may not read the parameter, naming the permission', async () => {
      fake.account.denied = ['GetParameter'];
      const result = await doctor([]);
      expect(result.code).toBe(0);
      expect(check(result, 'bootstrap')).toMatchObject({
        status: 'warn',
        fix: expect.stringContaining('ssm:GetParameter on parameter/cdk-bootstrap/hnb659fds/version'),
      });
    });
  });

  describe('Lambda concurrency quota', () => {
    it('fails prod (135 reserved) in an account whose quota is 10, with the quota it needs', async () => {
      fake.account.lambda = { quota: 10, unreserved: 10 };
      const result = await doctor(['--stage', 'prod', '--app', prod]);
      expect(result.code).toBe(1);
      expect(check(result, 'concurrency')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(
          'stage prod reserves 135 (kass-chat 50, kass-ws-turn 50, kass-search 20',
        ),
        fix: expect.stringContaining(
          'request at least 235 in Service Quotas (AWS Lambda → Concurrent executions, L-B99A9384)',
        ),
      });
    });

    it('lets dev (nothing reserved) deploy in the same account, with a warning about throttling', async () => {
      fake.account.lambda = { quota: 10, unreserved: 10 };
      const result = await doctor([]);
      expect(result.code).toBe(0);
      expect(check(result, 'concurrency')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('stage dev reserves none, so it deploys'),
      });
    });

    it('warns when other reservations leave too little unreserved', async () => {
      fake.account.lambda = { quota: 1000, unreserved: 150 };
      const result = await doctor(['--stage', 'prod', '--app', prod]);
      expect(check(result, 'concurrency')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('only 150 are unreserved now'),
        fix: expect.stringContaining('request at least 1085'),
      });
    });
  });

  describe('Model access', () => {
    const sonnet = 'model:us.anthropic.claude-sonnet-4-5-20250929-v1:0';

    it('fails a model the account has no access to, pointing at Model access and the use-case form', async () => {
      const availability = fake.account.availability['anthropic.claude-sonnet-4-5-20250929-v1:0'];
      if (availability) availability.authorizationStatus = 'NOT_AUTHORIZED';
      const result = await doctor([]);
      expect(result.code).toBe(1);
      expect(check(result, sonnet)).toMatchObject({
        status: 'fail',
        detail: 'no access to anthropic.claude-sonnet-4-5-20250929-v1:0 (authorizationStatus NOT_AUTHORIZED)',
        fix: expect.stringMatching(
          /Bedrock console → Model access \(region us-east-1\).*one-time use-case form/,
        ),
      });
    });

    it('fails a profile the region does not offer, naming agent.inferenceGeo', async () => {
      fake.account.profiles = {};
      const result = await doctor([], {}, 'eu-west-1');
      expect(check(result, sonnet)).toMatchObject({
        status: 'fail',
        detail:
          'the inference profile us.anthropic.claude-sonnet-4-5-20250929-v1:0 is not offered in eu-west-1',
        fix: expect.stringContaining("pick the geography of eu-west-1 with agent.inferenceGeo (now 'us'"),
      });
    });

    it('fails a model whose offer is not accepted, and warns while the agreement is pending', async () => {
      const haiku = fake.account.availability['anthropic.claude-haiku-4-5-20251001-v1:0'];
      const titan = fake.account.availability['amazon.titan-embed-text-v2:0'];
      if (haiku)
        haiku.agreementAvailability = { status: 'NOT_AVAILABLE', errorMessage: 'offer not accepted' };
      if (titan) titan.agreementAvailability = { status: 'PENDING' };
      const result = await doctor([]);
      expect(check(result, 'model:us.anthropic.claude-haiku-4-5-20251001-v1:0')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('is NOT_AVAILABLE: offer not accepted'),
        fix: expect.stringContaining("accept the model's offer"),
      });
      expect(check(result, 'model:amazon.titan-embed-text-v2:0').status).toBe('warn');
    });

    it('fails an embedding model the region does not list, and warns about a Legacy model', async () => {
      delete fake.account.foundationModels['amazon.titan-embed-text-v2:0'];
      fake.account.foundationModels['anthropic.claude-haiku-4-5-20251001-v1:0'] = 'LEGACY';
      const result = await doctor([]);
      expect(check(result, 'model:amazon.titan-embed-text-v2:0')).toMatchObject({
        status: 'fail',
        detail: 'amazon.titan-embed-text-v2:0 is not listed by ListFoundationModels in us-east-1',
      });
      expect(check(result, 'model:us.anthropic.claude-haiku-4-5-20251001-v1:0')).toMatchObject({
        status: 'warn',
        fix: expect.stringContaining('choose a current model'),
      });
    });

    it('fails a model that is not offered in the region', async () => {
      const titan = fake.account.availability['amazon.titan-embed-text-v2:0'];
      if (titan) titan.regionAvailability = 'NOT_AVAILABLE';
      const result = await doctor([]);
      expect(check(result, 'model:amazon.titan-embed-text-v2:0')).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('deploy to a region that offers amazon.titan-embed-text-v2:0'),
      });
    });
  });

  describe('Bedrock Agents (Classic)', () => {
    it('fails when the account may not use Agents Classic, pointing at the AgentCore engine', async () => {
      fake.account.agentsDenied = 'Amazon Bedrock Agents Classic is not available to new customers.';
      const result = await doctor([]);
      expect(result.code).toBe(1);
      expect(check(result, 'agents-classic')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('Agents Classic is not open to this account'),
        fix: expect.stringContaining("set agent.engine: 'agentcore'"),
      });
    });

    it('warns an account without Classic agents that CreateAgent may be refused', async () => {
      fake.account.agents = 0;
      const result = await doctor([]);
      expect(result.code).toBe(0);
      expect(check(result, 'agents-classic')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('closed to customers new to it since 2026-07-30'),
        fix: expect.stringContaining("agent.engine: 'agentcore'"),
      });
    });
  });

  describe('API Gateway logging role', () => {
    it('fails when the account has none and the stage does not create it, with both ways to set it', async () => {
      delete fake.account.apiGatewayRole;
      const result = await doctor([]);
      expect(result.code).toBe(1);
      expect(check(result, 'apigateway-logging')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('CloudWatch Logs role ARN must be set in account settings'),
        fix: expect.stringMatching(
          /chatApi\.accountCloudWatchRole: 'create'.*aws apigateway update-account --patch-operations op=replace,path=\/cloudwatchRoleArn/,
        ),
      });
    });

    it('warns that a stack managing the setting replaces another role, and accepts its own', async () => {
      // Prepare: the dev needs, with the stack managing the account setting
      const needs: StageNeeds = { ...readStageNeeds(dev, 'kass-dev'), apiGatewayLogging: 'managed' };
      const restore = setEnv(fake.env());
      try {
        const { openDoctorAws } = await import('../../cli/doctor/aws');
        const run = async () => {
          const aws = await openDoctorAws(5);
          try {
            return (
              await runChecks({ stage: 'dev', stackName: 'kass-dev', needs, aws, env: process.env })
            ).checks.find((c) => c.id === 'apigateway-logging');
          } finally {
            aws.close();
          }
        };
        // Act + Assess
        expect(await run()).toMatchObject({ status: 'warn', fix: expect.stringContaining("'existing'") });
        fake.account.apiGatewayRole =
          'arn:aws:iam::123456789012:role/kass-dev-ApiGatewayAccountLoggingRole-AB12';
        expect(await run()).toMatchObject({ status: 'pass' });
      } finally {
        restore();
      }
    });
  });

  it('rejects an unknown option and a bad --timeout as usage errors', async () => {
    const io = captureIo();
    expect(await main(['doctor', '--verbose'], io)).toBe(2);
    const timeout = captureIo();
    expect(await main(['doctor', '--timeout', '0'], timeout)).toBe(2);
    expect(timeout.err()).toContain('--timeout must be a number of seconds above 0');
  });
});

describe('Function: needsOfTemplate', () => {
  it('reads models with their users, reservations and features of the prod template', () => {
    const { stack } = buildApp({ stage: 'prod', nag: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const needs = needsOfTemplate(resources);
    expect(needs.models).toEqual([
      {
        id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        kind: 'inference-profile',
        roles: ['agent', 'code-review'],
      },
      { id: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'inference-profile', roles: ['summarize'] },
      { id: 'amazon.titan-embed-text-v2:0', kind: 'foundation-model', roles: ['embedding'] },
    ]);
    expect(needs.totalReserved).toBe(135);
    expect(needs.classicAgent).toBe(true);
    expect(needs.apiGatewayLogging).toBe('required');
  });
});
