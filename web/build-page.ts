import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processEnv } from '../contracts/env';

/** The page's source folder (`web/`). */
export const WEB_ROOT = __dirname;

/**
 * Builds the page with Vite into `outDir` (`index.html` + hashed `assets/`), in a child process so callers
 * (CDK asset bundling at synth, `kass web`, tests) stay synchronous and do not load Vite themselves.
 * Throws with Vite's output when the build fails.
 */
export function buildPage(outDir: string): void {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', WEB_ROOT, '--outDir', path.resolve(outDir), '--emptyOutDir', '--logLevel', 'warn'],
    { encoding: 'utf8', env: { ...processEnv(), VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  );
  if (result.status !== 0 || !fs.existsSync(path.join(outDir, 'index.html'))) {
    throw new Error(
      `Building the web page (vite build web/) failed:\n${result.stderr || result.stdout || result.error?.message}`,
    );
  }
}
