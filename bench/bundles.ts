import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { buildApp } from '../infra/app';
import { buildBlocking } from '../infra/bundling/blocking-build';
import { LAMBDA_BUILD_OPTIONS } from '../infra/bundling/lambda-bundler';
import { KassFunction } from '../infra/constructs/kass-function';

/**
 * Bundles every Lambda entry of the stack (each KassFunction: the tools and the functions/ handlers) with the
 * house options (`LAMBDA_BUILD_OPTIONS` of infra/bundling/lambda-bundler.ts) and reports the size of
 * each bundle, its five largest packages, and the size when the AWS SDK is left to the Lambda runtime.
 *   npx tsx bench/bundles.ts [<name filter>]
 */

export const REPO_ROOT = path.join(__dirname, '..');

/** A Lambda entry: `report` for `action-groups/report/handler.ts`, `fn/ingest` for `functions/…`. */
export interface BundleEntry {
  readonly name: string;
  /** Path relative to the repository root. */
  readonly entry: string;
}

export interface BuiltBundle extends BundleEntry {
  /** The bundle (`index.js`), with `index.js.map` beside it. */
  readonly outfile: string;
  /** Size of `index.js` in bytes. */
  readonly bytes: number;
  /** Size of `index.js.map` in bytes. */
  readonly mapBytes: number;
  readonly metafile: Metafile;
}

export interface BundleFailure extends BundleEntry {
  readonly error: string;
}

export interface BuildBundlesOptions {
  /** Directory the bundles go to (one sub-directory per entry). */
  readonly outDir: string;
  /** Mark `@aws-sdk/*` external, as NodejsFunction does by default (the runtime provides the SDK). */
  readonly sdkExternal?: boolean;
  /** Only entries whose name contains this. */
  readonly filter?: string;
}

/** `report` for a tool, `fn/chat` for `functions/chat/handler.ts`, `fn/websocket/authorizer` for other files. */
export function bundleName(entry: string): string {
  const tool = /^action-groups\/([^/]+)\/handler\.ts$/.exec(entry);
  if (tool?.[1]) return tool[1];
  return `fn/${entry
    .replace(/^functions\//, '')
    .replace(/\/handler\.ts$/, '')
    .replace(/\.ts$/, '')}`;
}

const DISCORD_ON = {
  enabled: true,
  applicationId: '100000000000000001',
  publicKey: '0'.repeat(64),
  guildIds: ['100000000000000002'],
};

/** The Lambda entries of the stack (every KassFunction of the dev app, bundling skipped), in a stable order. */
export function lambdaEntries(): BundleEntry[] {
  const entries = new Map<string, BundleEntry>();
  // Both engines (the AgentCore stack adds the knowledge tool and the harness hook), and the Discord bot, off by
  // default, on here (any key will do) so its two Lambdas are measured too.
  for (const agent of [{}, { engine: 'agentcore' }]) {
    const { stack } = buildApp({
      stage: 'dev',
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { discord: DISCORD_ON, agent } },
      nag: false,
    });
    for (const f of stack.node.findAll().filter((c): c is KassFunction => c instanceof KassFunction)) {
      entries.set(f.entry, { name: bundleName(f.entry), entry: f.entry });
    }
  }
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The house esbuild options (what every KassFunction is built with), for one entry and output file. */
export function kassBuildOptions(entry: string, outfile: string, sdkExternal = false): BuildOptions {
  return {
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [path.join(REPO_ROOT, entry)],
    outfile,
    external: sdkExternal ? ['@aws-sdk/*'] : [],
    metafile: true,
    absWorkingDir: REPO_ROOT,
  };
}

/** Builds every entry; an entry that does not build is reported, not thrown (others may be mid-edit). */
export async function buildBundles(
  options: BuildBundlesOptions,
): Promise<{ built: BuiltBundle[]; failed: BundleFailure[] }> {
  const built: BuiltBundle[] = [];
  const failed: BundleFailure[] = [];
  for (const item of lambdaEntries().filter((e) => e.name.includes(options.filter ?? ''))) {
    const outfile = path.join(options.outDir, item.name.replaceAll('/', '-'), 'index.js');
    try {
      // The deployed build: the house options and the bundler's plugins (schemas as JSON, no YAML parser).
      const metafile = buildBlocking(kassBuildOptions(item.entry, outfile, options.sdkExternal));
      built.push({
        ...item,
        outfile,
        bytes: statSync(outfile).size,
        mapBytes: statSync(`${outfile}.map`).size,
        metafile,
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      failed.push({ ...item, error: message });
    }
  }
  return { built, failed };
}

/** `zod` for `node_modules/zod/v4/…`, `@aws-sdk/client-sns` for scoped ones, `(app)` for repository code. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(app)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

/** Bytes each package contributes to the minified output, largest first. */
export function packageSizes(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

export const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const outDir = mkdtempSync(path.join(tmpdir(), 'kass-bundles-'));
  try {
    const bundled = await buildBundles({ outDir: path.join(outDir, 'bundled'), filter });
    const external = await buildBundles({
      outDir: path.join(outDir, 'sdk-external'),
      sdkExternal: true,
      filter,
    });
    const externalBytes = new Map(external.built.map((b) => [b.name, b.bytes]));
    console.log(
      'bundle               minified   source map   @aws-sdk external   top 5 packages (bytes in output)',
    );
    for (const b of bundled.built) {
      const top = packageSizes(b.metafile)
        .slice(0, 5)
        .map(([name, bytes]) => `${name} ${kB(bytes)}`)
        .join(', ');
      const ext = externalBytes.get(b.name);
      console.log(
        `${b.name.padEnd(20)} ${kB(b.bytes).padStart(9)} ${kB(b.mapBytes).padStart(12)} ${(ext === undefined ? 'n/a' : kB(ext)).padStart(19)}   ${top}`,
      );
    }
    for (const f of [...bundled.failed, ...external.failed]) console.log(`${f.name}: FAILED (${f.error})`);
    if (bundled.failed.length > 0) process.exitCode = 1;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
