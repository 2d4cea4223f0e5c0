import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { needs as codeReviewNeeds } from '../../action-groups/code-review/needs';
import { needs as reportNeeds } from '../../action-groups/report/needs';
import { needs as summarizeNeeds } from '../../action-groups/summarize/needs';
import { COMMANDS, main } from '../../cli/main';
import { processEnv, setProcessEnv } from '../../contracts/env';
import { captureIo } from '../support/cli-io';

/**
 * What the `kass tool` tests share: the command run through `main()` in this process, and the variables a run
 * may set (the tools' own, the AWS configuration), reset around every test so one run's environment never
 * reaches the next. `kass tool` sets variables in its own process, as the tools read them at load.
 */

export const TOOL_VARIABLES: readonly string[] = [
  ...new Set(
    [reportNeeds, summarizeNeeds, codeReviewNeeds].flatMap((n) =>
      Object.values(n.variables).map((v) => v.name),
    ),
  ),
];

const AWS_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ENDPOINT_URL_CLOUDFORMATION',
  'KASS_AGENT_ID',
  'KASS_AGENT_ALIAS_ID',
  'KASS_AGENT_ENGINE',
  'KASS_HARNESS_ARN',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

/**
 * Before each test: no tool variable, no AWS configuration but `values` (and no ~/.aws files); after it,
 * every one of those variables as it was. Each test starts from fresh modules, so tools load (cold start) again.
 */
export function isolatedToolEnv(values: () => Record<string, string> = () => ({})): void {
  const names = [...TOOL_VARIABLES, ...AWS_VARIABLES];
  let saved: Record<string, string | undefined> = {};
  const noFile = path.join(os.tmpdir(), 'kass-tool-test-no-aws-config');
  beforeEach(() => {
    const env = processEnv();
    saved = Object.fromEntries(names.map((name) => [name, env[name]]));
    setProcessEnv({
      ...Object.fromEntries(names.map((name) => [name, undefined])),
      AWS_CONFIG_FILE: noFile,
      AWS_SHARED_CREDENTIALS_FILE: noFile,
      // Modules are reloaded for each test: the SDK's Node 20 notice would print every time.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...values(),
    });
    jest.resetModules();
  });
  afterEach(() => {
    setProcessEnv(saved);
  });
}

/** Runs `kass <args>` through `main()` with the real command table. */
export async function kass(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

/** A temporary folder, removed after the test file. */
export function tempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
