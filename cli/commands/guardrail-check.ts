import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApplyGuardrailResponse, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { cliClientConfig, diagnoseNetwork, explainNetworkFailure } from '../aws/network';
import { DEFAULT_RETRY_POLICY, mapBounded, type RetryPolicy, withRetry } from '../guardrail/pool';
import { type GuardrailCase, PromptsFileError, parsePrompts } from '../guardrail/prompts';
import {
  type CaseResult,
  evaluateCase,
  formatCaseLine,
  formatSummary,
  jsonReport,
  layoutOf,
} from '../guardrail/report';
import type { CliIo } from '../main';
import { styleFor } from '../render/style';
import { CliError, StackOutputs } from '../stack-outputs';

const DEFAULT_FILE = 'guardrails/prompts.yaml';
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

/** ApplyGuardrail's `guardrailIdentifier` (an id or a guardrail ARN) and `guardrailVersion` patterns. */
const GUARDRAIL_ID =
  /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
const GUARDRAIL_VERSION = /^(([1-9][0-9]{0,7})|(DRAFT))$/;

export const usage = `Usage: kass guardrail check [options]

Regression run against the DEPLOYED guardrail: sends every case of the prompts file to ApplyGuardrail (the
case's source, INPUT or OUTPUT, with the guard_content qualifier) and checks that mustBlock cases are blocked
(action GUARDRAIL_INTERVENED) and mustPass cases are not. Prints one line per case (expected, got, the policies
that fired; never the matched text), then the intervention rates. Each case is one ApplyGuardrail call, billed.

Options:
  --stage <name>              Stack kass-<stage> whose outputs GuardrailId / GuardrailVersion name the
                              guardrail (default: dev)
  --guardrail-id <id>         Guardrail id or ARN (default: $KASS_GUARDRAIL_ID, else stack output GuardrailId)
  --guardrail-version <v>     Numbered version or DRAFT (default: $KASS_GUARDRAIL_VERSION, else stack output
                              GuardrailVersion: the version the agent uses)
  --file <path>               Prompts file (default: ${DEFAULT_FILE})
  --concurrency <n>           ApplyGuardrail calls in flight, 1-${MAX_CONCURRENCY} (default: ${DEFAULT_CONCURRENCY}); throttled
                              calls are retried with backoff
  --json                      Print one JSON document {guardrailId, guardrailVersion, file, passed, rates,
                              failed, cases[]} instead
  -h, --help                  Show this help

AWS: the standard configuration (AWS_PROFILE or credentials, AWS_REGION); AWS_ENDPOINT_URL_BEDROCK_RUNTIME
points the client elsewhere. Needs bedrock:ApplyGuardrail on the guardrail.

Exit status: 0 every case passed, 1 a case failed or AWS failed, 2 usage error or invalid prompts file.
`;

/** Overrides for tests: the client, the environment, the stack-output reader, the retry timing. */
export interface GuardrailCheckOverrides {
  readonly client?: () => Promise<BedrockRuntimeClient>;
  readonly env?: NodeJS.ProcessEnv;
  readonly stackOutputs?: (stage: string) => StackOutputs;
  readonly retry?: Partial<RetryPolicy>;
}

/** Maps an ApplyGuardrail failure to a message that says what to check. */
export function applyGuardrailError(
  err: unknown,
  target: { guardrailId: string; guardrailVersion: string; caseId: string; attempts: number },
): CliError {
  const unreachable = explainNetworkFailure(err, { service: 'Bedrock Runtime' });
  if (unreachable) return new CliError(unreachable);
  const name = (err as { name?: string }).name ?? 'Error';
  const message = (err as { message?: string }).message ?? String(err);
  const { guardrailId, guardrailVersion, caseId, attempts } = target;
  switch (name) {
    case 'AccessDeniedException':
      return new CliError(
        `Access denied calling bedrock:ApplyGuardrail on guardrail ${guardrailId}. Your credentials need ` +
          `bedrock:ApplyGuardrail on arn:aws:bedrock:<region>:<account>:guardrail/${guardrailId}.`,
      );
    case 'ResourceNotFoundException':
      return new CliError(
        `Guardrail ${guardrailId} version ${guardrailVersion} not found in this account/region. Check ` +
          '--guardrail-id (KASS_GUARDRAIL_ID), --guardrail-version (KASS_GUARDRAIL_VERSION), --stage and AWS_REGION.',
      );
    case 'ValidationException':
      return new CliError(`ApplyGuardrail rejected case ${caseId}: ${message}`);
    case 'ThrottlingException':
    case 'ServiceUnavailableException':
    case 'InternalServerException':
      return new CliError(
        `ApplyGuardrail still failed with ${name} on case ${caseId} after ${attempts} attempt${attempts === 1 ? '' : 's'}. ` +
          'Lower --concurrency or try again in a moment.',
      );
    case 'ServiceQuotaExceededException':
      return new CliError(
        `ApplyGuardrail quota exceeded on case ${caseId} (${message}). Lower --concurrency or raise the quota.`,
      );
    case 'CredentialsProviderError':
      return new CliError(
        'No AWS credentials found. Configure a profile (AWS_PROFILE) or environment credentials.',
      );
    default:
      if (/region/i.test(message) && /missing/i.test(message))
        return new CliError('No AWS region configured. Set AWS_REGION (or a profile with a region).');
      return new CliError(`ApplyGuardrail failed on case ${caseId} (${name}): ${message}`);
  }
}

/** Reads and validates the prompts file; problems are input errors (exit 2) naming the case and field. */
async function loadCases(file: string, cwd: string): Promise<GuardrailCase[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(
      code === 'ENOENT'
        ? `prompts file ${file} not found (relative paths resolve against ${cwd}); pass --file <path>`
        : `cannot read prompts file ${file}: ${(error as Error).message}`,
      2,
    );
  }
  try {
    return parsePrompts(text, file);
  } catch (error) {
    if (error instanceof PromptsFileError) throw new CliError(error.message, 2);
    throw error;
  }
}

function parseConcurrency(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
    throw new CliError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${raw})`, 2);
  return n;
}

export function createGuardrailCheck(
  overrides: GuardrailCheckOverrides = {},
): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        'guardrail-id': { type: 'string' },
        'guardrail-version': { type: 'string' },
        file: { type: 'string', default: DEFAULT_FILE },
        concurrency: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const concurrency = parseConcurrency(values.concurrency);
    // The file first: a broken regression set fails fast, without credentials or calls.
    const cases = await loadCases(values.file, io.cwd);

    const env = overrides.env ?? process.env;
    const outputs = overrides.stackOutputs?.(values.stage) ?? new StackOutputs(values.stage, env);
    const guardrailId = await outputs.resolve({
      flagValue: values['guardrail-id'],
      flagName: '--guardrail-id',
      envVar: 'KASS_GUARDRAIL_ID',
      output: 'GuardrailId',
    });
    const guardrailVersion = await outputs.resolve({
      flagValue: values['guardrail-version'],
      flagName: '--guardrail-version',
      envVar: 'KASS_GUARDRAIL_VERSION',
      output: 'GuardrailVersion',
    });
    if (!GUARDRAIL_ID.test(guardrailId) || guardrailId.length > 2048)
      throw new CliError(
        `the guardrail id "${guardrailId}" is neither a guardrail id (lowercase letters and digits) nor a guardrail ARN ` +
          '(check --guardrail-id, KASS_GUARDRAIL_ID or the stack output GuardrailId)',
        values['guardrail-id'] ? 2 : 1,
      );
    if (!GUARDRAIL_VERSION.test(guardrailVersion))
      throw new CliError(
        `the guardrail version "${guardrailVersion}" must be a number (1-99999999) or DRAFT ` +
          '(check --guardrail-version, KASS_GUARDRAIL_VERSION or the stack output GuardrailVersion)',
        values['guardrail-version'] ? 2 : 1,
      );

    const sdk = await import('@aws-sdk/client-bedrock-runtime');
    const client = overrides.client
      ? await overrides.client()
      : diagnoseNetwork(new sdk.BedrockRuntimeClient(cliClientConfig()));
    const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...overrides.retry };
    const style = styleFor(io.stdout as { isTTY?: boolean }, env);
    const sideStyle = styleFor(io.stderr as { isTTY?: boolean }, env);
    const layout = layoutOf(cases);

    if (!values.json) {
      io.stdout.write(
        `Guardrail ${guardrailId} version ${guardrailVersion}: ${cases.length} case${cases.length === 1 ? '' : 's'} ` +
          `from ${values.file} (concurrency ${concurrency})\n\n`,
      );
    }
    // Lines are printed in file order as soon as every earlier case has its result.
    const done: (CaseResult | undefined)[] = new Array(cases.length);
    let printed = 0;
    const onResult = (result: CaseResult, index: number) => {
      if (values.json) return;
      done[index] = result;
      for (let ready = done[printed]; ready !== undefined; ready = done[printed]) {
        io.stdout.write(`${formatCaseLine(ready, layout, style)}\n`);
        printed++;
      }
    };

    let results: CaseResult[];
    try {
      results = await mapBounded(
        cases,
        concurrency,
        async (c) => {
          const attempted = await withRetry<ApplyGuardrailResponse>(
            () =>
              client.send(
                new sdk.ApplyGuardrailCommand({
                  guardrailIdentifier: guardrailId,
                  guardrailVersion,
                  source: c.source,
                  content: [{ text: { text: c.text, qualifiers: ['guard_content'] } }],
                  outputScope: 'INTERVENTIONS',
                }),
              ),
            retry,
            ({ attempt, delayMs, error }) =>
              io.stderr.write(
                sideStyle.dim(
                  `  ${c.id}: ${(error as { name?: string }).name}, retrying in ${(delayMs / 1000).toFixed(1)} s ` +
                    `(attempt ${attempt + 1} of ${retry.maxAttempts})\n`,
                ),
              ),
          );
          if (!attempted.ok) {
            throw applyGuardrailError(attempted.error, {
              guardrailId,
              guardrailVersion,
              caseId: c.id,
              attempts: attempted.attempts,
            });
          }
          return evaluateCase(c, attempted.value, attempted.attempts);
        },
        onResult,
      );
    } finally {
      client.destroy();
    }

    const passed = results.every((r) => r.passed);
    if (values.json) {
      const report = jsonReport({ guardrailId, guardrailVersion, file: values.file }, results);
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout.write(`\n${formatSummary(results, style)}\n`);
    }
    return passed ? 0 : 1;
  };
}

/** `kass guardrail check [options]` */
export const run = createGuardrailCheck();
