import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateToolTypes } from './generate-types';

/**
 * Writes `action-groups/<group>/schema.generated.ts` for every `schemas/<group>.yaml` whose tool folder
 * exists. `--check` writes nothing and exits 1 when a file is missing or stale (for CI).
 *
 *   npx tsx action-groups/kit/codegen/cli.ts [--check]
 */

export interface GenerationTarget {
  readonly group: string;
  readonly schemaPath: string;
  readonly outPath: string;
}

/** Repository root: this file lives in `action-groups/kit/codegen/`. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Every schema that has a tool folder (a schema without one is not deployed as a tool yet). */
export function findTargets(root = REPO_ROOT): GenerationTarget[] {
  const schemasDir = path.join(root, 'schemas');
  if (!existsSync(schemasDir)) return [];
  return readdirSync(schemasDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const group = file.slice(0, -'.yaml'.length);
      const folder = path.join(root, 'action-groups', group);
      return { group, schemaPath: path.join(schemasDir, file), folder };
    })
    .filter(({ group, folder }) => group !== 'kit' && existsSync(folder) && statSync(folder).isDirectory())
    .map(({ group, schemaPath, folder }) => ({
      group,
      schemaPath,
      outPath: path.join(folder, 'schema.generated.ts'),
    }));
}

/** The text the generator produces for a target today. */
export const expectedText = (target: GenerationTarget): string =>
  generateToolTypes(readFileSync(target.schemaPath, 'utf8'), target.group);

export function main(argv: readonly string[], root = REPO_ROOT): number {
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const target of findTargets(root)) {
    const expected = expectedText(target);
    const current = existsSync(target.outPath) ? readFileSync(target.outPath, 'utf8') : undefined;
    const rel = path.relative(root, target.outPath);
    if (current === expected) continue;
    if (check) {
      stale.push(rel);
    } else {
      writeFileSync(target.outPath, expected);
      console.log(`wrote ${rel}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `Stale generated tool types:\n${stale.map((f) => `  ${f}`).join('\n')}\nRun: npx tsx action-groups/kit/codegen/cli.ts`,
    );
    return 1;
  }
  if (check) console.log('generated tool types are up to date');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
