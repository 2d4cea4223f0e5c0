import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type EnvSource, processEnv } from '../../contracts/env';
import { parseTimeoutSeconds } from '../aws/network';
import type { DoctorAws } from '../doctor/aws';
import { type CheckResult, type CheckStatus, type DoctorReport, runChecks } from '../doctor/checks';
import { AssemblyError, readStageNeeds, type StageNeeds } from '../doctor/needs';
import type { CliIo } from '../io';
import { styleFor } from '../render/style';
import { stackNameOf } from '../stack-outputs';

const DEFAULT_TIMEOUT_SECONDS = 10;

export const usage = `Usage: kass doctor [options]

Checks what only the AWS account can tell before a deploy of a stage, and prints a pass/fail list with the fix
for each:
  - credentials and region (STS GetCallerIdentity), and the account/region the stage is pinned to;
  - the synthesized app (cdk.out): what the stage needs, read from its template;
  - CDK bootstrap: the version in SSM (/cdk-bootstrap/<qualifier>/version) against what the app needs;
  - Lambda concurrency quota (GetAccountSettings) against what the stage reserves (+ the 100 kept unreserved);
  - model access for every model the stage calls (agent, summarize, code-review, embedding): the inference
    profile in this region (GetInferenceProfile), access and agreement (GetFoundationModelAvailability), lifecycle
    (ListFoundationModels);
  - whether Bedrock Agents (Classic) is open to the account (ListAgents); if not, use agent.engine: 'agentcore';
  - the account's API Gateway logging role (GetAccount), which the chat API's logs need.
Every call is read-only.

Options:
  --stage <name>       The stage to check (default: dev); its stack is kass-<stage>
  --app <dir>          The cloud assembly to read (default: cdk.out; write it with npm run synth -- --stage <name>)
  --timeout <seconds>  A request that stays silent this long fails (default: ${DEFAULT_TIMEOUT_SECONDS})
  --json               Print one JSON document {stage, stackName, account, region, checks, summary, exitCode}
  -h, --help           Show this help

AWS: the standard configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>).

Exit status: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage error.
`;

const MARK: Readonly<Record<CheckStatus, string>> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

/** Overrides for tests. */
export interface DoctorDeps {
  readonly aws?: (timeoutSeconds: number) => Promise<DoctorAws>;
  readonly env?: EnvSource;
}

/** The checks' totals. */
const summarize = (checks: readonly CheckResult[]) => ({
  passed: checks.filter((c) => c.status === 'pass').length,
  warnings: checks.filter((c) => c.status === 'warn').length,
  failed: checks.filter((c) => c.status === 'fail').length,
  skipped: checks.filter((c) => c.status === 'skip').length,
});

function render(
  io: CliIo,
  env: EnvSource,
  head: { stage: string; stackName: string; app: string },
  report: DoctorReport,
): void {
  const style = styleFor(io.stdout as { isTTY?: boolean }, env);
  const color: Readonly<Record<CheckStatus, (t: string) => string>> = {
    pass: style.green,
    warn: style.yellow,
    fail: style.red,
    skip: style.dim,
  };
  const lines = [
    `kass doctor: stage ${head.stage} (stack ${head.stackName}, app ${head.app})` +
      `${report.account ? `, account ${report.account}` : ''}${report.region ? `, region ${report.region}` : ''}`,
    '',
  ];
  for (const check of report.checks) {
    lines.push(
      `  ${color[check.status](MARK[check.status])} ${style.bold(check.title)}`,
      `      ${check.detail}`,
    );
    if (check.fix && check.status !== 'pass')
      for (const [i, line] of check.fix.split('\n').entries())
        lines.push(`      ${i === 0 ? 'fix: ' : '     '}${line.trim()}`);
  }
  const totals = summarize(report.checks);
  lines.push(
    '',
    `${totals.passed} passed, ${totals.warnings} warning(s), ${totals.failed} failed, ${totals.skipped} skipped.` +
      (totals.failed > 0 ? ' Fix the failures above before deploying.' : ' Ready to deploy: npx cdk deploy'),
  );
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** Builds `run` with the AWS port replaced (tests); `run` uses the SDK. */
export function createDoctor(deps: DoctorDeps = {}): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        app: { type: 'string', default: 'cdk.out' },
        timeout: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const timeoutSeconds = parseTimeoutSeconds(values.timeout, DEFAULT_TIMEOUT_SECONDS);
    const env = deps.env ?? processEnv();
    const stackName = stackNameOf(values.stage);
    const app = path.resolve(io.cwd, values.app);
    let needs: StageNeeds | { problem: string };
    try {
      needs = readStageNeeds(app, stackName);
    } catch (error) {
      if (!(error instanceof AssemblyError) && !(error instanceof SyntaxError)) throw error;
      needs = { problem: error.message };
    }
    const open = deps.aws ?? (await import('../doctor/aws')).openDoctorAws;
    const aws = await open(timeoutSeconds);
    let report: DoctorReport;
    try {
      report = await runChecks({ stage: values.stage, stackName, needs, aws, env });
    } finally {
      aws.close();
    }
    const exitCode = report.checks.some((c) => c.status === 'fail') ? 1 : 0;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify(
          {
            stage: values.stage,
            stackName,
            app,
            account: report.account ?? null,
            region: report.region ?? null,
            checks: report.checks,
            summary: summarize(report.checks),
            exitCode,
          },
          null,
          2,
        )}\n`,
      );
    } else
      render(io, env, { stage: values.stage, stackName, app: path.relative(io.cwd, app) || '.' }, report);
    return exitCode;
  };
}

/** `kass doctor [--stage <name>]` */
export const run = createDoctor();
