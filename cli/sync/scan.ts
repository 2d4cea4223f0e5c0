import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** One regular file under the synced folder. */
export interface LocalFile {
  /** Relative to the synced folder, `/`-separated: the part of the S3 key after `documents/`. */
  readonly relPath: string;
  /** The file to read: its own path, or for a link, the real path of its target (inside the folder). */
  readonly absPath: string;
  readonly size: number;
}

/** A name under the folder that is not synced, and why. */
export interface SkippedEntry {
  readonly relPath: string;
  readonly reason: string;
}

export interface ScanResult {
  /** Sorted by relPath. */
  readonly files: LocalFile[];
  /** Hidden files and folders (`.DS_Store`, `.git/`): not synced, listed by name. */
  readonly ignored: string[];
  /** Links that lead outside the folder or to a folder, broken links and special files; sorted. */
  readonly skipped: SkippedEntry[];
}

export const SKIP_REASONS = {
  outside: 'symbolic link to outside the folder (skipped; nothing outside the folder is read)',
  folderLink: 'symbolic link to a folder (links to folders are not followed)',
  broken: 'broken symbolic link',
  special: 'not a regular file (FIFO, socket or device)',
} as const;

const isInside = (root: string, target: string): boolean => {
  const rel = path.relative(root, target);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
};

/**
 * Lists every file below `root`, recursively, without ever leaving it. Names starting with a dot are ignored
 * (editor and OS litter such as `.DS_Store` must not become "unsupported file" errors). A symbolic link to a
 * file is synced under the link's own name when its target is inside the folder, and skipped when the
 * target is outside it, missing, or a folder (links to folders are not followed: no cycles, no escapes);
 * FIFOs, sockets and devices are skipped. Skipped entries are reported by name; nothing outside the folder
 * is read (only the link's target path is resolved to decide).
 * @throws the fs error when `root` itself cannot be read
 */
export async function scanFolder(root: string): Promise<ScanResult> {
  const rootReal = await fs.realpath(root);
  const files: LocalFile[] = [];
  const ignored: string[] = [];
  const skipped: SkippedEntry[] = [];
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
        if (entry.isFile()) {
          files.push({ relPath, absPath, size: (await fs.lstat(absPath)).size });
          return;
        }
        if (!entry.isSymbolicLink()) {
          skipped.push({ relPath, reason: SKIP_REASONS.special });
          return;
        }
        const target = await fs.realpath(absPath).catch(() => undefined);
        if (target === undefined) return void skipped.push({ relPath, reason: SKIP_REASONS.broken });
        if (target === rootReal) return void skipped.push({ relPath, reason: SKIP_REASONS.folderLink });
        if (!isInside(rootReal, target)) return void skipped.push({ relPath, reason: SKIP_REASONS.outside });
        const stat = await fs.stat(target);
        if (stat.isDirectory()) return void skipped.push({ relPath, reason: SKIP_REASONS.folderLink });
        if (!stat.isFile()) return void skipped.push({ relPath, reason: SKIP_REASONS.special });
        files.push({ relPath, absPath: target, size: stat.size });
      }),
    );
  };
  await walk(rootReal, '');
  const byPath = (a: { relPath: string }, b: { relPath: string }) =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
  files.sort(byPath);
  skipped.sort(byPath);
  ignored.sort();
  return { files, ignored, skipped };
}

/**
 * Opens a scanned file for reading without following a link in its last path component, so a file replaced
 * by a link after the scan is not read through it (ELOOP instead), and checks it is still a regular file.
 */
export async function openScanned(absPath: string): Promise<fs.FileHandle> {
  const handle = await fs.open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (!(await handle.stat()).isFile())
      throw Object.assign(new Error(`${absPath} is not a regular file`), { code: 'EINVAL' });
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The whole content of a scanned file (see {@link openScanned}). */
export async function readScanned(absPath: string): Promise<Buffer>;
export async function readScanned(absPath: string, encoding: 'utf8'): Promise<string>;
export async function readScanned(absPath: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const handle = await openScanned(absPath);
  try {
    return encoding ? await handle.readFile({ encoding }) : await handle.readFile();
  } finally {
    await handle.close();
  }
}
