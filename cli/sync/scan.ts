import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** One regular file under the synced folder. */
export interface LocalFile {
  /** Relative to the synced folder, `/`-separated: the part of the S3 key after `documents/`. */
  readonly relPath: string;
  readonly absPath: string;
  readonly size: number;
}

export interface ScanResult {
  /** Sorted by relPath. */
  readonly files: LocalFile[];
  /** Hidden files and folders (`.DS_Store`, `.git/`), symlinked folders and other non-files, not synced. */
  readonly ignored: string[];
}

/**
 * Lists every file below `root`, recursively. Names starting with a dot are skipped (editor and OS litter
 * such as `.DS_Store` must not become "unsupported file" errors); symlinks to files are followed, symlinks to
 * folders are not (no cycles).
 * @throws the fs error when `root` itself cannot be read
 */
export async function scanFolder(root: string): Promise<ScanResult> {
  const files: LocalFile[] = [];
  const ignored: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        const absPath = path.join(dir, entry.name);
        if (entry.name.startsWith('.')) {
          ignored.push(relPath);
          return;
        }
        if (entry.isDirectory()) return walk(absPath, relPath);
        const stat = entry.isFile() ? await fs.stat(absPath) : await fs.stat(absPath).catch(() => undefined);
        if (stat?.isFile()) files.push({ relPath, absPath, size: stat.size });
        else ignored.push(relPath);
      }),
    );
  };
  await walk(root, '');
  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  ignored.sort();
  return { files, ignored };
}
