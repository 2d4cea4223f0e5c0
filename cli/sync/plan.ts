import type { ContentHash } from './hash';
import type { LocalFile } from './scan';

/** A local file ready to compare: its S3 key and content hashes. */
export interface HashedFile extends LocalFile, ContentHash {
  readonly key: string;
}

/** One object from ListObjectsV2 (no user metadata: that needs a HeadObject). */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  /** The ETag without quotes, lower case. */
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
}

export type Change = 'new' | 'modified';

/**
 * How one local file compares with the listing:
 * - `new`: no object with its key;
 * - `modified`: sizes differ (no need to look further);
 * - `unchanged`: the ETag equals the file's MD5 (a single-part upload of the same bytes);
 * - `check`: same size, ETag not an MD5 of it (multipart upload, SSE-KMS, or changed bytes): only the
 *   object's `x-amz-meta-sha256` can tell.
 */
export function classify(file: HashedFile, remote: RemoteObject | undefined): Change | 'unchanged' | 'check' {
  if (!remote) return 'new';
  if (remote.size !== file.size) return 'modified';
  if (remote.etag === file.md5) return 'unchanged';
  return 'check';
}

/** After a HeadObject: the file is unchanged exactly when the stored sha256 is its own. */
export const resolveCheck = (file: HashedFile, remoteSha256: string | undefined): Change | 'unchanged' =>
  remoteSha256 === file.sha256 ? 'unchanged' : 'modified';

export interface SyncPlan {
  readonly uploads: { file: HashedFile; change: Change }[];
  readonly unchanged: HashedFile[];
  /** Same size, inconclusive ETag: resolve with {@link resolveCheck} after a HeadObject. */
  readonly toCheck: { file: HashedFile; remote: RemoteObject }[];
  /** Objects under the prefix with no local file of that name (deleted only with `--delete`). */
  readonly remoteOnly: RemoteObject[];
}

/**
 * Compares local files with the bucket listing. Pure.
 * @param files accepted local files, hashed
 * @param remote every object under the documents prefix
 * @param localKeys keys of every local file, rejected ones included: a file that exists locally but fails
 *   validation keeps its remote copy
 */
export function planSync(
  files: readonly HashedFile[],
  remote: readonly RemoteObject[],
  localKeys: ReadonlySet<string>,
): SyncPlan {
  const byKey = new Map(remote.map((object) => [object.key, object]));
  const uploads: SyncPlan['uploads'] = [];
  const unchanged: HashedFile[] = [];
  const toCheck: SyncPlan['toCheck'] = [];
  for (const file of files) {
    const object = byKey.get(file.key);
    const verdict = classify(file, object);
    if (verdict === 'unchanged') unchanged.push(file);
    else if (verdict === 'check' && object) toCheck.push({ file, remote: object });
    else if (verdict !== 'check') uploads.push({ file, change: verdict });
  }
  const remoteOnly = remote.filter((object) => !localKeys.has(object.key));
  return { uploads, unchanged, toCheck, remoteOnly };
}
