import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type EnvSource, processEnv } from '../../contracts/env';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, parseTimeoutSeconds } from '../aws/network';
import type { CliIo } from '../io';
import { CliError, StackOutputs } from '../stack-outputs';
import { S3DocumentsBucket } from '../sync/bucket';
import { BedrockIngestionApi, DEFAULT_POLL } from '../sync/ingestion';
import { DEFAULT_DOCUMENTS_FOLDER, DEFAULT_LIMITS } from '../sync/layout';
import { SyncOutput } from '../sync/progress';
import { type SyncDeps, syncDocuments } from '../sync/sync-documents';

const DEFAULT_CONCURRENCY = 16;
const MAX_CONCURRENCY = 64;

export const usage = `Usage: kass sync [folder] [options]

Uploads the knowledge-base documents in folder (default: ${DEFAULT_DOCUMENTS_FOLDER}/) to the documents bucket
under documents/, keeping relative paths (raw/vpn-runbook.md → documents/raw/vpn-runbook.md), then starts an
ingestion job and reports its statistics.

Only new or changed files are uploaded. A file's identity is the sha256 of its content, stored on the object as
x-amz-meta-sha256. The bucket is read with one ListObjectsV2 pass: a missing key or a different size means
upload; an ETag equal to the file's MD5 means unchanged; otherwise HeadObject compares the stored sha256.
An interrupted run (Ctrl-C, network failure) therefore resumes where it stopped.

Each file is checked before upload, and a bad file is reported without stopping the others:
  - types: .txt .md .html .doc .docx .csv .xls .xlsx .pdf, at most 50 MB, not empty;
  - metadata sidecars <file>.metadata.json beside their document: valid JSON, at most 10 KB,
    {"metadataAttributes": {...}} with string, number, boolean or string-list values, or typed values
    {"value": {"type": "STRING", "stringValue": "..."}, "includeForEmbedding": false}.
Hidden files and folders (names starting with ".") are ignored.

Only what is inside the folder is synced, and nothing outside it is ever read:
  - a symbolic link to a file inside the folder is uploaded under the link's own name;
  - a symbolic link whose target is outside the folder (or missing) is skipped and reported by name;
  - a link to a folder is not followed (skipped and reported), wherever it points;
  - FIFOs, sockets and devices are skipped and reported.

Ingestion: starts a job when files changed (or when the bucket holds files newer than the last job, e.g. after
an interrupted run). If another job is running on the data source (ConflictException), waits for it, then
starts a new one so the uploaded files are indexed. Polls until the job ends and prints scanned, new,
modified, deleted and failed counts and the failure reasons.

Ids: each comes from its flag, else its environment variable, else the outputs of stack kass-<stage>:
  --bucket             KASS_DOCUMENTS_BUCKET   output DocumentsBucketName
  --knowledge-base-id  KASS_KNOWLEDGE_BASE_ID  output KnowledgeBaseId
  --data-source-id     KASS_DATA_SOURCE_ID     output DataSourceId
AWS clients use the standard configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3,
AWS_ENDPOINT_URL_BEDROCK_AGENT). With an S3 endpoint override (s3rver, MinIO, LocalStack) requests are
path-style, as with the AWS CLI's --endpoint-url.

Options:
  --stage <name>              Stage whose stack outputs supply the ids (default: dev)
  --bucket <name>             Documents bucket
  --knowledge-base-id <id>    Knowledge base
  --data-source-id <id>       Data source of the knowledge base
  --delete                    Also delete objects under documents/ that have no local file (sidecars too)
  --dry-run                   Print the plan; upload, delete and ingest nothing
  --no-wait                   Return once the ingestion job has started
  --concurrency <n>           Parallel uploads, 1-${MAX_CONCURRENCY} (default: ${DEFAULT_CONCURRENCY})
  --timeout <seconds>         A request that stays silent this long fails (default: ${DEFAULT_REQUEST_TIMEOUT_SECONDS})
  --json                      Print one JSON report on stdout instead of text (also for a failure: {error})
  -h, --help                  Show this help

Exit status: 0 success; 1 a file rejected or failed, documents failed to index, the job failed, or nothing could
be synced (e.g. S3 unreachable: the message names the endpoint and what to check); 2 usage error; 3 the files
were uploaded but ingestion was not started, or the job could not be followed (Bedrock unreachable, access
denied, a wrong id): run kass sync again once the cause is fixed; 130 interrupted (run again to resume).
`;

const defaultDeps = (
  env: EnvSource,
  timeoutSeconds: number,
): Omit<SyncDeps, 'signal'> & { env: EnvSource } => ({
  env,
  openBucket: (name) => S3DocumentsBucket.open(name, undefined, env, timeoutSeconds),
  openIngestion: (target) => BedrockIngestionApi.open(target, undefined, timeoutSeconds),
  limits: DEFAULT_LIMITS,
  poll: DEFAULT_POLL,
  sleep: async (ms, signal) => {
    await delay(ms, undefined, { signal });
  },
  now: Date.now,
});

/** Overrides for tests: AWS clients, limits, polling, an abort signal, an upload hook, the environment. */
export type SyncOverrides = Partial<SyncDeps> & {
  readonly env?: EnvSource;
  readonly stackOutputs?: (stage: string) => StackOutputs;
};

function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
    throw new CliError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${value})`, 2);
  return n;
}

/**
 * Without a signal from the caller, Ctrl-C aborts the run gracefully (uploads stop, the report is printed,
 * exit 130); a second Ctrl-C quits at once.
 */
function interruptSignal(io: CliIo): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write('\nInterrupting (Ctrl-C again to quit now)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** Builds `run` with some dependencies replaced (tests); `run` itself uses the real ones. */
export function createSync(overrides: SyncOverrides = {}): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        bucket: { type: 'string' },
        'knowledge-base-id': { type: 'string' },
        'data-source-id': { type: 'string' },
        delete: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'no-wait': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    if (positionals.length > 1)
      throw new CliError(
        `expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}`,
        2,
      );
    const concurrency = parseConcurrency(values.concurrency);
    const timeoutSeconds = parseTimeoutSeconds(values.timeout, DEFAULT_REQUEST_TIMEOUT_SECONDS);
    const deps = { ...defaultDeps(overrides.env ?? processEnv(), timeoutSeconds), ...overrides };
    try {
      return await runSync(values, positionals, deps, overrides, io, concurrency);
    } catch (error) {
      // Scripts reading --json get a document for a failure too (the message also goes to stderr).
      if (values.json && error instanceof CliError)
        io.stdout.write(`${JSON.stringify({ error: error.message, exitCode: error.exitCode }, null, 2)}\n`);
      throw error;
    }
  };
}

type SyncValues = {
  stage: string;
  bucket?: string | undefined;
  'knowledge-base-id'?: string | undefined;
  'data-source-id'?: string | undefined;
  delete: boolean;
  'dry-run': boolean;
  'no-wait': boolean;
  json: boolean;
};

async function runSync(
  values: SyncValues,
  positionals: string[],
  deps: SyncDeps & { env: EnvSource },
  overrides: SyncOverrides,
  io: CliIo,
  concurrency: number,
): Promise<number> {
  const outputs = overrides.stackOutputs?.(values.stage) ?? new StackOutputs(values.stage, deps.env);
  const bucket = await outputs.resolve({
    flagValue: values.bucket,
    flagName: '--bucket',
    envVar: 'KASS_DOCUMENTS_BUCKET',
    output: 'DocumentsBucketName',
  });
  // Resolved before any upload, so a missing id fails fast; a dry run does not need them.
  const target = values['dry-run']
    ? undefined
    : {
        knowledgeBaseId: await outputs.resolve({
          flagValue: values['knowledge-base-id'],
          flagName: '--knowledge-base-id',
          envVar: 'KASS_KNOWLEDGE_BASE_ID',
          output: 'KnowledgeBaseId',
        }),
        dataSourceId: await outputs.resolve({
          flagValue: values['data-source-id'],
          flagName: '--data-source-id',
          envVar: 'KASS_DATA_SOURCE_ID',
          output: 'DataSourceId',
        }),
      };
  const folderDisplay = positionals[0] ?? DEFAULT_DOCUMENTS_FOLDER;
  const out = new SyncOutput(io, values.json);
  const interrupt = overrides.signal ? undefined : interruptSignal(io);
  try {
    const report = await syncDocuments(
      {
        folder: path.resolve(io.cwd, folderDisplay),
        folderDisplay,
        bucket,
        target,
        delete: values.delete,
        dryRun: values['dry-run'],
        wait: !values['no-wait'],
        concurrency,
      },
      { ...deps, signal: overrides.signal ?? interrupt?.signal },
      out,
    );
    if (values.json) out.writeJson(report);
    return report.exitCode;
  } finally {
    interrupt?.dispose();
  }
}

/** `kass sync [folder] [options]` */
export const run = createSync();
