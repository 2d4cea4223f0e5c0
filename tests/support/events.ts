import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Loads a real-format event from `tests/events/<eventsPath>/<filename>.json`. Each call returns a fresh
 * object, so a test can patch it freely.
 */
export function getTestEvent<T = Record<string, unknown>>({
  eventsPath,
  filename,
}: {
  eventsPath: string;
  filename: string;
}): T {
  const file = path.join(__dirname, '..', 'events', eventsPath, `${filename}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
