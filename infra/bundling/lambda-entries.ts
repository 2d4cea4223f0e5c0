import * as fs from 'node:fs';
import * as path from 'node:path';

/** A module is a Lambda entry when it exports `handler` (the house functions all name it so). */
const EXPORTS_HANDLER = /^export (?:const|async function|function) handler\b/m;

/**
 * Every Lambda entry of the repository, relative to `repoRoot`: each tool's `action-groups/<tool>/handler.ts`
 * and every module under `functions/` that exports `handler`. The synth builds them all in one esbuild run
 * before the constructs ask for them; an entry outside this list (a test fixture) is built on demand.
 */
export function lambdaEntries(repoRoot: string): string[] {
  const entries: string[] = [];
  const toolsDir = path.join(repoRoot, 'action-groups');
  for (const tool of safeReaddir(toolsDir)) {
    const handler = path.join('action-groups', tool, 'handler.ts');
    if (fs.existsSync(path.join(repoRoot, handler))) entries.push(handler);
  }
  const walk = (dir: string): void => {
    for (const name of safeReaddir(path.join(repoRoot, dir))) {
      const relative = path.join(dir, name);
      const absolute = path.join(repoRoot, relative);
      if (fs.statSync(absolute).isDirectory()) walk(relative);
      else if (name.endsWith('.ts') && EXPORTS_HANDLER.test(fs.readFileSync(absolute, 'utf8')))
        entries.push(relative);
    }
  };
  walk('functions');
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
