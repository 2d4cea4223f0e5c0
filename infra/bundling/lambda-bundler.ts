import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, version as esbuildVersion, type Metafile } from 'esbuild';
import { buildBlocking } from './blocking-build';
import { isOwnSource, type RawSourceMap, trimSourceMap } from './source-map-trim';

/**
 * The esbuild options of every KASS Lambda: one CJS file for Node 24, minified with a source map, the
 * pinned SDK bundled (what is tested is what runs) from its tree-shakable ESM build, instructions imported as
 * text, OpenAPI schemas as JSON text (see `blocking-build.ts`).
 */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // ESM builds first: the SDK's dist-es tree-shakes (a client without its unused commands), its dist-cjs does not.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces map to file and line without the sources inside the map: a third of the size, faster to load
  // under --enable-source-maps. The bundler then trims the map to the project's own sources (source-map-trim.ts).
  sourcesContent: false,
  loader: { '.yaml': 'text', '.md': 'text' },
  external: [],
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** Bumped when the build itself changes (plugins): cached bundles of another version are rebuilt. */
const BUNDLER_VERSION = 3;

/** A Lambda bundle on disk: `index.js` and `index.js.map` in `dir`. */
export interface LambdaBundle {
  /** The handler entry, relative to the repository root. */
  readonly entry: string;
  readonly dir: string;
  /** sha256 of the bundle's files: the asset hash, so an unchanged bundle is an unchanged asset. */
  readonly hash: string;
}

/** What a bundle was built from: each input with its size, mtime and content hash. */
interface Manifest {
  readonly key: string;
  readonly entry: string;
  readonly hash: string;
  readonly inputs: readonly (readonly [file: string, size: number, mtimeMs: number, sha256: string])[];
}

export interface LambdaBundlerOptions {
  /** Entry paths and esbuild's working directory are relative to this. */
  readonly repoRoot: string;
  /** Bundles and their manifests live here between runs. */
  readonly cacheDir: string;
  /** Extra esbuild options (the cold-start bench builds an SDK-external variant). @default none */
  readonly overrides?: BuildOptions;
}

/** One directory name per entry: `functions/chat/handler.ts` → `functions--chat--handler`. */
export const bundleKey = (entry: string): string => entry.replace(/\.[cm]?[jt]s$/, '').replaceAll('/', '--');

const readMap = (dir: string): RawSourceMap =>
  JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as RawSourceMap;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Builds Lambda bundles once and reuses them while their inputs are unchanged. `prepare(entries)` builds every
 * stale entry in ONE esbuild run (the SDK and the shared code are parsed once for all of them); `bundle(entry)`
 * returns a fresh bundle, building that entry alone if nothing prepared it. An input is unchanged when its size
 * and mtime match the manifest, or else when its content hash does; the options and esbuild version are part
 * of the key. Bundles are written to a temporary directory and moved into place, so a parallel run never reads
 * half a bundle.
 */
export class LambdaBundler {
  private readonly bundlesDir: string;
  private readonly manifestsDir: string;
  private readonly fresh = new Map<string, LambdaBundle>();
  /** The esbuild runs this bundler made, each with the entries it built (for the bench and tests). */
  public readonly runs: string[][] = [];
  /** Content hashes of inputs already checked in this process (many entries share most inputs). */
  private readonly checked = new Map<string, string | undefined>();

  constructor(private readonly options: LambdaBundlerOptions) {
    const optionsKey = sha256(
      JSON.stringify([esbuildVersion, BUNDLER_VERSION, LAMBDA_BUILD_OPTIONS, options.overrides ?? {}]),
    );
    // One folder per option set: the SDK-external bench variant never overwrites the deployed bundles.
    const root = path.join(options.cacheDir, optionsKey.slice(0, 16));
    this.bundlesDir = path.join(root, 'bundles');
    this.manifestsDir = path.join(root, 'manifests');
  }

  /** Builds every stale entry of `entries` in one esbuild run. Entries that do not exist are ignored. */
  prepare(entries: readonly string[]): void {
    const stale = [...new Set(entries)].filter(
      (entry) => fs.existsSync(path.join(this.options.repoRoot, entry)) && !this.reuse(entry),
    );
    if (stale.length > 0) this.build(stale);
  }

  /** The bundle of `entry`, built now if it is missing or stale. */
  bundle(entry: string): LambdaBundle {
    const known = this.fresh.get(entry) ?? this.reuse(entry);
    if (known) return known;
    this.build([entry]);
    const built = this.fresh.get(entry);
    if (!built) throw new Error(`esbuild produced no bundle for ${entry}`);
    return built;
  }

  /** The cached bundle of `entry` if every input is unchanged. */
  private reuse(entry: string): LambdaBundle | undefined {
    const key = bundleKey(entry);
    const manifest = this.readManifest(key);
    if (!manifest || manifest.entry !== entry) return undefined;
    const dir = path.join(this.bundlesDir, key);
    if (!fs.existsSync(path.join(dir, 'index.js'))) return undefined;
    for (const [file, size, mtimeMs, hash] of manifest.inputs) {
      if (!this.unchanged(file, size, mtimeMs, hash)) return undefined;
    }
    const bundle = { entry, dir, hash: manifest.hash };
    this.fresh.set(entry, bundle);
    return bundle;
  }

  private unchanged(file: string, size: number, mtimeMs: number, hash: string): boolean {
    const absolute = path.join(this.options.repoRoot, file);
    if (!this.checked.has(file)) {
      let current: string | undefined;
      try {
        const stat = fs.statSync(absolute);
        current = stat.size === size && stat.mtimeMs === mtimeMs ? hash : sha256(fs.readFileSync(absolute));
      } catch {
        current = undefined; // deleted or unreadable: stale
      }
      this.checked.set(file, current);
    }
    return this.checked.get(file) === hash;
  }

  private build(entries: readonly string[]): void {
    fs.mkdirSync(this.bundlesDir, { recursive: true });
    fs.mkdirSync(this.manifestsDir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(this.options.cacheDir, '.build-'));
    try {
      this.runs.push([...entries]);
      const metafile = buildBlocking({
        ...LAMBDA_BUILD_OPTIONS,
        ...this.options.overrides,
        absWorkingDir: this.options.repoRoot,
        entryPoints: entries.map((entry) => ({ in: entry, out: `${bundleKey(entry)}/index` })),
        outdir: staging,
      });
      // Entries share most inputs (the SDK): each input is read and hashed once per build, not once per entry.
      const inputs = new Map<string, Manifest['inputs'][number]>();
      for (const entry of entries) this.install(entry, staging, metafile, inputs);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Moves one built entry from the staging directory into the cache and records its inputs. */
  private install(
    entry: string,
    staging: string,
    metafile: Metafile,
    known: Map<string, Manifest['inputs'][number]>,
  ): void {
    const key = bundleKey(entry);
    const built = path.join(staging, key);
    const js = fs.readFileSync(path.join(built, 'index.js'));
    const map = Buffer.from(JSON.stringify(this.ownSourceMap(built)));
    fs.writeFileSync(path.join(built, 'index.js.map'), map);
    const hash = sha256(Buffer.concat([js, map]));
    const output = Object.entries(metafile.outputs).find(
      ([file, out]) => out.entryPoint !== undefined && file.endsWith(`${key}/index.js`),
    )?.[1];
    if (!output) throw new Error(`esbuild's metafile has no output for ${entry}`);
    const inputs = Object.keys(output.inputs).flatMap((file) => {
      const seen = known.get(file);
      if (seen) return [seen];
      const absolute = path.join(this.options.repoRoot, file);
      if (!fs.existsSync(absolute)) return []; // a plugin's virtual module
      const stat = fs.statSync(absolute);
      const content = sha256(fs.readFileSync(absolute));
      this.checked.set(file, content);
      const input = [file, stat.size, stat.mtimeMs, content] as const;
      known.set(file, input);
      return [input];
    });
    const dir = path.join(this.bundlesDir, key);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(built, dir);
    const manifest: Manifest = { key, entry, hash, inputs };
    const manifestFile = this.manifestFile(key);
    fs.writeFileSync(`${manifestFile}.tmp`, JSON.stringify(manifest));
    fs.renameSync(`${manifestFile}.tmp`, manifestFile);
    this.fresh.set(entry, { entry, dir, hash });
  }

  /**
   * The bundle's map, trimmed to the repository's own sources, with sources named from the repository root: in
   * a Lambda, a frame reads `/var/task/contracts/env.ts:135`, whatever machine or folder built it.
   */
  private ownSourceMap(built: string): RawSourceMap {
    const map = readMap(built);
    const sources = map.sources.map((source) =>
      path.relative(this.options.repoRoot, path.resolve(built, source)),
    );
    return trimSourceMap({ ...map, sources }, isOwnSource);
  }

  private manifestFile(key: string): string {
    return path.join(this.manifestsDir, `${key}.json`);
  }

  private readManifest(key: string): Manifest | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.manifestFile(key), 'utf8')) as Manifest;
    } catch {
      return undefined;
    }
  }
}
