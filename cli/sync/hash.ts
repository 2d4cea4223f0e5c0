import { createHash } from 'node:crypto';
import { openScanned, readScanned } from './scan';

/** Content hashes of one file, lower-case hex. */
export interface ContentHash {
  /** The sync's identity of a file: stored on the object as `x-amz-meta-sha256`. */
  readonly sha256: string;
  /**
   * Equal to the ETag S3 returns for a single-part PUT with SSE-S3 or no encryption, so one ListObjectsV2
   * page can prove 1,000 objects unchanged without a HeadObject each.
   */
  readonly md5: string;
}

/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ_LIMIT = 4 * 1024 * 1024;

export function hashBuffer(data: Uint8Array): ContentHash {
  return {
    sha256: createHash('sha256').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('hex'),
  };
}

/** Hashes a file's content (sha256 and md5 in one read). */
export async function hashFile(absPath: string, size: number): Promise<ContentHash> {
  if (size <= WHOLE_READ_LIMIT) return hashBuffer(await readScanned(absPath));
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const handle = await openScanned(absPath);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) {
      sha256.update(chunk as Buffer);
      md5.update(chunk as Buffer);
    }
  } finally {
    await handle.close();
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}
