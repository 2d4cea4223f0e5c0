import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { type EnvSource, processEnv } from '../../contracts/env';
import {
  cliClientConfig,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  diagnoseNetwork,
  parseTimeoutSeconds,
} from '../aws/network';
import type { CliIo } from '../io';
import { CliError, StackOutputs, stackNameOf } from '../stack-outputs';
import { fatalS3Error, s3AddressingFor } from '../sync/bucket';
import { isYes, readOneLine } from './ask';

export const usage = `Usage: kass empty-buckets [--stage <name>] [options]

Deletes every object version and delete marker of a stage's documents bucket and its access-log bucket, so
that \`npx cdk destroy -c stage=<name>\` can delete them (CloudFormation deletes only empty buckets; the buckets
are versioned, so removing the current objects is not enough). Refuses a stage that retains its data (prod:
its buckets outlive the stack by design). The buckets come from the outputs of stack kass-<stage>.

Run it right before cdk destroy: S3 delivers access logs with a delay, so a late log file can arrive in the
log bucket; if cdk destroy then stops with DELETE_FAILED on it, run this again and cdk destroy again.

Options:
  --stage <name>       The stage (default: dev)
  --yes                Do not ask for confirmation (needed when stdin is not a terminal)
  --timeout <seconds>  A request that stays silent this long fails (default: ${DEFAULT_REQUEST_TIMEOUT_SECONDS})
  --json               Print one JSON report {stage, buckets: [{name, versions, deleteMarkers, failed}], exitCode}
  -h, --help           Show this help

Exit status: 0 emptied, 1 failed (a version could not be deleted, or the stage retains its data), 2 usage error.
`;

/** What one bucket lost. */
export interface EmptiedBucket {
  readonly name: string;
  versions: number;
  deleteMarkers: number;
  failed: { key: string; versionId: string; error: string }[];
}

/** Overrides for tests. */
export interface EmptyBucketsDeps {
  readonly env?: EnvSource;
  /** Where the confirmation is read. @default process.stdin */
  readonly input?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Versions listed per ListObjectVersions page (S3's maximum is 1000). */
  readonly pageSize?: number;
}

/** Deletes every version and delete marker of `bucket`, one page (≤ 1000 entries) per DeleteObjects call. */
async function emptyBucket(
  client: S3Client,
  sdk: typeof import('@aws-sdk/client-s3'),
  name: string,
  pageSize: number,
  onProgress: (emptied: EmptiedBucket) => void,
): Promise<EmptiedBucket> {
  const emptied: EmptiedBucket = { name, versions: 0, deleteMarkers: 0, failed: [] };
  const failedIds = new Set<string>();
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await client
      .send(
        new sdk.ListObjectVersionsCommand({
          Bucket: name,
          MaxKeys: pageSize,
          ...(keyMarker ? { KeyMarker: keyMarker, VersionIdMarker: versionIdMarker } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw fatalS3Error(error, name, 'list the versions of') ?? error;
      });
    const entries = [
      ...(page.Versions ?? []).map((v) => ({
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        marker: false,
      })),
      ...(page.DeleteMarkers ?? []).map((m) => ({
        key: m.Key ?? '',
        versionId: m.VersionId ?? 'null',
        marker: true,
      })),
    ].filter((e) => !failedIds.has(`${e.key}\u0000${e.versionId}`));
    if (entries.length > 0) {
      const out = await client
        .send(
          new sdk.DeleteObjectsCommand({
            Bucket: name,
            Delete: { Objects: entries.map((e) => ({ Key: e.key, VersionId: e.versionId })), Quiet: true },
          }),
        )
        .catch((error: unknown) => {
          throw fatalS3Error(error, name, 'delete from') ?? error;
        });
      const errors = new Map(
        (out.Errors ?? []).map((e) => [`${e.Key}\u0000${e.VersionId}`, `${e.Code}: ${e.Message}`]),
      );
      for (const entry of entries) {
        const id = `${entry.key}\u0000${entry.versionId}`;
        const error = errors.get(id);
        if (error) {
          failedIds.add(id);
          emptied.failed.push({ key: entry.key, versionId: entry.versionId, error });
        } else if (entry.marker) emptied.deleteMarkers++;
        else emptied.versions++;
      }
      onProgress(emptied);
    }
    if (!page.IsTruncated) break;
    // Deleted entries vanish from the listing, so the next page starts over at the front; only entries that
    // failed stay there, and a page with failures continues after its last entry instead.
    const failedHere =
      entries.length === 0 || entries.some((e) => failedIds.has(`${e.key}\u0000${e.versionId}`));
    keyMarker = failedHere ? page.NextKeyMarker : undefined;
    versionIdMarker = failedHere ? page.NextVersionIdMarker : undefined;
  }
  return emptied;
}

/** Builds `run` with dependencies replaced (tests); `run` uses the process's. */
export function createEmptyBuckets(
  deps: EmptyBucketsDeps = {},
): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        yes: { type: 'boolean', default: false },
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
    const timeoutSeconds = parseTimeoutSeconds(values.timeout, DEFAULT_REQUEST_TIMEOUT_SECONDS);
    const env = deps.env ?? processEnv();
    const stage = values.stage;
    const outputs = new StackOutputs(stage, env);
    const output = (key: string) =>
      outputs.resolve({ flagValue: undefined, flagName: '--stage', envVar: `KASS_${key}`, output: key });
    const retention = await output('DataRetention');
    if (retention !== 'destroy')
      throw new CliError(
        `stage ${stage} retains its data (stack output DataRetention = ${retention}): cdk destroy keeps its buckets ` +
          'by design, so there is nothing to empty. Delete them yourself (aws s3 rb) if you really mean to.',
      );
    const names = [await output('DocumentsBucketName'), await output('DocumentsAccessLogBucketName')];

    if (!values.yes) {
      const input = deps.input ?? process.stdin;
      if (deps.input === undefined && input.isTTY !== true)
        throw new CliError('stdin is not a terminal: pass --yes to confirm deleting every object version', 2);
      io.stderr.write(
        `This deletes every object version in ${names.map((n) => `s3://${n}`).join(' and ')} (stage ${stage}). ` +
          'Continue? [y/N] ',
      );
      if (!isYes(await readOneLine(input))) {
        io.stderr.write('Nothing deleted.\n');
        return 1;
      }
    }

    const sdk = await import('@aws-sdk/client-s3');
    const client = diagnoseNetwork(
      new sdk.S3Client({ ...s3AddressingFor(env), ...cliClientConfig(timeoutSeconds) }),
    );
    const emptied: EmptiedBucket[] = [];
    try {
      for (const name of names) {
        const result = await emptyBucket(client, sdk, name, deps.pageSize ?? 1000, (progress) => {
          if (!values.json)
            io.stderr.write(`  s3://${name}: ${progress.versions + progress.deleteMarkers} deleted so far\n`);
        });
        emptied.push(result);
      }
    } finally {
      client.destroy();
    }
    const exitCode = emptied.some((b) => b.failed.length > 0) ? 1 : 0;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ stage, stackName: stackNameOf(stage), buckets: emptied, exitCode }, null, 2)}\n`,
      );
      return exitCode;
    }
    for (const b of emptied) {
      io.stdout.write(
        `Emptied s3://${b.name}: ${b.versions} object version(s) and ${b.deleteMarkers} delete marker(s) deleted` +
          `${b.failed.length > 0 ? `, ${b.failed.length} failed` : ''}\n`,
      );
      for (const f of b.failed.slice(0, 20))
        io.stderr.write(`  failed ${f.key} (${f.versionId}): ${f.error}\n`);
    }
    io.stdout.write(
      exitCode === 0
        ? `Now run: npx cdk destroy -c stage=${stage}\n`
        : 'Some versions could not be deleted (see above); fix the permissions and run kass empty-buckets again.\n',
    );
    return exitCode;
  };
}

/** `kass empty-buckets [--stage <name>]` */
export const run = createEmptyBuckets();
