import type { S3Client } from '@aws-sdk/client-s3';
import { cliClientConfig, diagnoseNetwork, explainNetworkFailure, networkFailure } from '../aws/network';
import { CliError } from '../stack-outputs';
import { hashBuffer } from './hash';
import type { RemoteObject } from './plan';
import { readScanned } from './scan';

/** What `kass sync` needs from the documents bucket. */
export interface DocumentsBucketPort {
  readonly name: string;
  /** Every object under `prefix` (one ListObjectsV2 call per 1,000 keys). */
  list(prefix: string): Promise<RemoteObject[]>;
  /** The `x-amz-meta-sha256` of an object, undefined when it has none or is gone. */
  headSha256(key: string): Promise<string | undefined>;
  /** Uploads a file (read once, hashed, sent with its sha256 as metadata); returns the hash that was sent. */
  put(upload: { key: string; absPath: string; contentType: string }, signal?: AbortSignal): Promise<string>;
  /** Deletes keys in batches of 1,000; failures are returned, not thrown. */
  deleteKeys(keys: readonly string[]): Promise<{ key: string; error: string }[]>;
  /** Releases the client's sockets. */
  destroy(): void;
}

/** Name of the user-metadata entry (`x-amz-meta-sha256` on the wire). */
export const SHA256_METADATA = 'sha256';

const errorName = (err: unknown): string => (err as { name?: string }).name ?? 'Error';
const errorMessage = (err: unknown): string => (err as { message?: string }).message ?? String(err);

/**
 * Errors that no other file would escape (credentials, permissions, a missing bucket, a wrong region):
 * the sync stops with one message instead of failing every file the same way.
 * @returns a CliError for such an error, undefined for a per-file failure
 */
export function fatalS3Error(
  err: unknown,
  bucket: string,
  action: string,
  options: { readonly perFile?: boolean } = {},
): CliError | undefined {
  // S3 that cannot be reached fails every file alike; a reset or a timeout of one upload may be that file's own.
  const kind = networkFailure(err)?.kind;
  const transient = kind === 'reset' || kind === 'timeout';
  const unreachable =
    options.perFile && transient ? undefined : explainNetworkFailure(err, { service: 'S3' });
  if (unreachable) return new CliError(`${unreachable}\n(Trying to ${action} s3://${bucket}.)`);
  const name = errorName(err);
  const message = errorMessage(err);
  if (name === 'CredentialsProviderError' || /credential/i.test(message))
    return new CliError(
      `No AWS credentials found to ${action} s3://${bucket}. Configure a profile (AWS_PROFILE).`,
    );
  if (name === 'NoSuchBucket')
    return new CliError(
      `Bucket ${bucket} does not exist. Check --bucket / KASS_DOCUMENTS_BUCKET or the stage.`,
    );
  if (['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(name))
    return new CliError(
      `Access denied to ${action} s3://${bucket} (${name}). kass sync needs s3:ListBucket, s3:GetObject and ` +
        's3:PutObject on the bucket (s3:DeleteObject with --delete).',
    );
  if (
    ['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException'].includes(name)
  )
    return new CliError(
      `Bucket ${bucket} is in another region (${name}). Set AWS_REGION to the bucket's region.`,
    );
  if (/region/i.test(message) && /missing/i.test(message))
    return new CliError('No AWS region configured. Set AWS_REGION (or a profile with a region).');
  return undefined;
}

/**
 * Path-style requests when an endpoint override sends S3 calls elsewhere (s3rver, MinIO, LocalStack), as the
 * AWS CLI does for --endpoint-url: the SDK's default virtual-hosted style would resolve `<bucket>.localhost`,
 * which does not exist. Real S3 keeps the default.
 */
export function s3AddressingFor(env: NodeJS.ProcessEnv): { forcePathStyle?: boolean } {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return {};
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {};
}

/** A per-file failure for the report: `Name: message`, without stack or request ids. */
export const describeError = (err: unknown): string => `${errorName(err)}: ${errorMessage(err)}`;

/** {@link DocumentsBucketPort} over the S3 SDK. */
export class S3DocumentsBucket implements DocumentsBucketPort {
  constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    readonly name: string,
  ) {}

  /** Loads the S3 SDK (lazily) and builds a client from the standard configuration (AWS_ENDPOINT_URL_S3...). */
  static async open(
    name: string,
    makeClient?: () => Promise<S3Client>,
    env: NodeJS.ProcessEnv = process.env,
    timeoutSeconds?: number,
  ): Promise<S3DocumentsBucket> {
    const sdk = await import('@aws-sdk/client-s3');
    const client = makeClient
      ? await makeClient()
      : diagnoseNetwork(new sdk.S3Client({ ...s3AddressingFor(env), ...cliClientConfig(timeoutSeconds) }));
    return new S3DocumentsBucket(client, sdk, name);
  }

  destroy(): void {
    this.client.destroy();
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    const objects: RemoteObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new this.sdk.ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
        )
        .catch((err: unknown) => {
          throw fatalS3Error(err, this.name, 'list') ?? err;
        });
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        objects.push({
          key: o.Key,
          size: o.Size ?? 0,
          etag: o.ETag?.replaceAll('"', '').toLowerCase(),
          lastModified: o.LastModified,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async headSha256(key: string): Promise<string | undefined> {
    try {
      const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.name, Key: key }));
      return head.Metadata?.[SHA256_METADATA];
    } catch (err) {
      if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') return undefined;
      throw fatalS3Error(err, this.name, 'read') ?? err;
    }
  }

  async put(
    upload: { key: string; absPath: string; contentType: string },
    signal?: AbortSignal,
  ): Promise<string> {
    // A Buffer body (files are at most 50 MB): one read, the metadata hash is of exactly the bytes sent.
    const body = await readScanned(upload.absPath);
    const { sha256 } = hashBuffer(body);
    try {
      await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.name,
          Key: upload.key,
          Body: body,
          ContentType: upload.contentType,
          Metadata: { [SHA256_METADATA]: sha256 },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      throw fatalS3Error(err, this.name, 'upload to', { perFile: true }) ?? err;
    }
    return sha256;
  }

  async deleteKeys(keys: readonly string[]): Promise<{ key: string; error: string }[]> {
    const failed: { key: string; error: string }[] = [];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        const out = await this.client.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: this.name,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        for (const e of out.Errors ?? [])
          failed.push({ key: e.Key ?? '?', error: `${e.Code}: ${e.Message}` });
      } catch (err) {
        const fatal = fatalS3Error(err, this.name, 'delete from');
        if (fatal) throw fatal;
        for (const key of batch) failed.push({ key, error: describeError(err) });
      }
    }
    return failed;
  }
}
