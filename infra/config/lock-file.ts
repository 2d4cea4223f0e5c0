import * as fs from 'node:fs';
import type { z } from 'zod';
import { ConfigError, describeIssues } from './config-error';

/**
 * A per-stage lock file under `knowledge/` (chunking, vector store): what each stage's resources were created
 * with, so a setting that cannot change in place fails synth instead of the deploy.
 */

/** Reads a lock file; a missing file is an empty lock. Throws a ConfigError for a malformed file. */
export function readLockFile<T extends z.ZodType<Record<string, unknown>>>(
  path: string,
  schema: T,
): z.output<T> {
  const raw: unknown = fs.existsSync(path) ? parseJson(path) : {};
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(path, describeIssues(result.error));
  return result.data;
}

function parseJson(path: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [`(root): not valid JSON (${(error as Error).message})`]);
  }
}

/** Writes a lock with stages in name order, formatted as the repository's formatter keeps JSON. */
export function writeLockFile(path: string, lock: Readonly<Record<string, unknown>>): void {
  const sorted = Object.fromEntries(Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}
