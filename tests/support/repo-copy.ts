import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (tests/support/ is two levels down). */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** What a fresh clone does not have (build output, caches, local state) when git cannot list the files. */
const NOT_IN_A_CLONE = new Set([
  '.git',
  'node_modules',
  'cdk.out',
  'coverage',
  '.scratch',
  '.kass-sync-state',
  'bench/results',
  'web/dist',
  'tests/web/screenshots',
]);

/** The repository's files as a fresh clone holds them: git's tracked and unignored files, else a walk. */
function cloneFiles(root: string): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (git.status === 0) {
    return git.stdout
      .split('\0')
      .filter(
        (f) =>
          f !== '' &&
          f !== 'node_modules' &&
          fs.lstatSync(path.join(root, f), { throwIfNoEntry: false })?.isFile(),
      );
  }
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (NOT_IN_A_CLONE.has(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk('');
  return files;
}

/**
 * A throw-away copy of the repository, as a fresh clone after `npm ci`: every file a clone has, and the
 * installed `node_modules` linked in (never copied: 400 MB). Commands run in it cannot touch this checkout.
 */
export function copyRepository(root: string = REPO_ROOT): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-clone-'));
  for (const file of cloneFiles(root)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
