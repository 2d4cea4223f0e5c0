import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The repository root (tests/support/ is two levels down). */
const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * The tools this checkout ships, sorted: the base names of `schemas/*.yaml`, the single source of truth for
 * tools. Tests derive expected tool sets from here, so `npm run new-tool -- <name>` leaves them green.
 */
export function shippedToolNames(root: string = REPO_ROOT): string[] {
  return fs
    .readdirSync(path.join(root, 'schemas'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** The operationIds of every shipped tool's schema, by tool (read straight from the YAML). */
export function shippedOperations(root: string = REPO_ROOT): Record<string, string[]> {
  return Object.fromEntries(
    shippedToolNames(root).map((name) => {
      const doc = parseYaml(fs.readFileSync(path.join(root, 'schemas', `${name}.yaml`), 'utf8')) as {
        paths?: Record<string, Record<string, { operationId?: string }>>;
      };
      const ids = Object.values(doc.paths ?? {}).flatMap((item) =>
        Object.entries(item ?? {})
          .filter(([method]) => HTTP_METHODS.includes(method))
          .map(([, op]) => op.operationId ?? '?'),
      );
      return [name, ids];
    }),
  );
}
