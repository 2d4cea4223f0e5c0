import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The house rules over production code, as pure checkers over an in-memory map of files (path relative to the
 * repository root → source text), so each rule can be shown to fail on a small fixture; and the one function
 * that reads the real production files from disk.
 */

/** Source files, by path relative to the repository root (forward slashes). */
export type SourceFiles = ReadonlyMap<string, string>;

/** Folders that hold no production code (tests, benchmarks, build output, dependencies, local state). */
export const NON_PRODUCTION_DIRS: readonly string[] = [
  '.git',
  '.scratch',
  '.kass-sync-state',
  'bench',
  'cdk.out',
  'coverage',
  'node_modules',
  'tests',
  'web/dist',
];

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Generated files (e.g. `schema.generated.ts`, written by `kass schemas check --write`) are not read by people. */
export const isGenerated = (file: string): boolean => /\.generated\.[cm]?[jt]s$/.test(file);

/** Every production source file under `root`, with its text. */
export function readProductionFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const file = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!NON_PRODUCTION_DIRS.includes(file)) walk(file);
      } else if (SOURCE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !isGenerated(file)) {
        files.set(file, fs.readFileSync(path.join(root, file), 'utf8'));
      }
    }
  };
  walk('');
  return files;
}

// Scanning: comments and string literals, so rules look at code, not at prose.

/** A string literal: its value (escapes left as written) and its 1-based line. */
export interface Literal {
  readonly value: string;
  readonly line: number;
  /** A template literal with `${…}` (its value is the text before the first substitution). */
  readonly template: boolean;
}

/**
 * Splits `source` into code (comments replaced by spaces, line breaks kept) and its string literals. A small
 * scanner, not a parser: enough for sources that biome formats (a regular expression literal holding a quote
 * is the one case it can misread; none of this project's production files has one that matters).
 */
export function scan(source: string): { readonly code: string; readonly literals: readonly Literal[] } {
  let code = '';
  const literals: Literal[] = [];
  let line = 1;
  let i = 0;
  const blank = (text: string): string => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      code += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      const text = source.slice(i, stop);
      code += blank(text);
      line += text.split('\n').length - 1;
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let template = false;
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\') j += 1;
        else if (c === '`' && source[j] === '$' && source[j + 1] === '{') template = true;
        else if (c !== '`' && source[j] === '\n') break;
        j += 1;
      }
      const raw = source.slice(i + 1, j);
      const value = template ? raw.slice(0, raw.indexOf('${')) : raw;
      literals.push({ value, line, template });
      code += source.slice(i, Math.min(j + 1, source.length));
      line += raw.split('\n').length - 1;
      i = j + 1;
    } else {
      if (c === '\n') line += 1;
      code += c;
      i += 1;
    }
  }
  return { code, literals };
}

// (a) Import cycles.

const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\bjest\.mock\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;

/** The file a relative specifier names, if it is one of `files` (extension-less, `/index`, or exact). */
function resolve(files: SourceFiles, from: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((ext) => `${base}${ext}`),
    ...SOURCE_EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ];
  // `require('./x.js')` of a TypeScript source resolves to `x.ts`.
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.([cm]?)js$/, '.$1ts'));
  return candidates.find((candidate) => files.has(candidate));
}

/** Each file's relative imports (static, dynamic, `require`, `export … from`, type-only included). */
export function importGraph(files: SourceFiles): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    const { code } = scan(source);
    // The scanner kept literals in `code`; comments are gone, so commented-out imports do not count.
    const targets = new Set<string>();
    for (const match of code.matchAll(RELATIVE_IMPORT)) {
      const target = resolve(files, file, match[2] as string);
      if (target !== undefined && target !== file) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The import cycles of `graph`: one path per strongly connected component of more than one file (Tarjan),
 * e.g. `['a.ts', 'b.ts', 'a.ts']`.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** One cycle through the component's smallest file, found by a breadth-first walk inside the component. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0] as string;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = parent.get(at)) {
          path.splice(1, 0, at);
        }
        return [...path, start];
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component];
}

// (b) File size.

/** Lines of a file as `wc -l` counts them (a final line without a newline counts too). */
export const lineCount = (source: string): number =>
  source.length === 0 ? 0 : source.split('\n').length - (source.endsWith('\n') ? 1 : 0);

/** Files over `limit` lines, longest first. */
export function oversizedFiles(files: SourceFiles, limit: number): { file: string; lines: number }[] {
  return [...files]
    .map(([file, source]) => ({ file, lines: lineCount(source) }))
    .filter((f) => f.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}

// (c) process.env.

const PROCESS_ENV =
  /\bprocess\s*(?:\.\s*env\b|\[\s*(['"`])env\1\s*\])|\{[^{}]*\benv\b[^{}]*\}\s*=\s*process\b/g;

/** Every use of `process.env` (in code, not in comments or strings) outside the `allowed` files. */
export function processEnvUses(files: SourceFiles, allowed: ReadonlySet<string>): string[] {
  const uses: string[] = [];
  for (const [file, source] of files) {
    if (allowed.has(file)) continue;
    const { code } = scan(source);
    // Strings stay in `code`; blank them (all but `'env'` itself, for `process['env']`) so
    // `'process.env'` in a message is not a use.
    const bare = code.replace(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g, (s) =>
      s.slice(1, -1) === 'env' ? s : s.replace(/[^\n]/g, ' '),
    );
    for (const match of bare.matchAll(PROCESS_ENV)) {
      const line = bare.slice(0, match.index).split('\n').length;
      uses.push(`${file}:${line}`);
    }
  }
  return uses.sort();
}

// (d) Tool names in infra.

/** The tool names: each `schemas/<name>.yaml` and each `action-groups/<name>/` with a handler, in kebab and camel case. */
export function toolNames(schemaFiles: readonly string[], toolFolders: readonly string[]): string[] {
  const names = new Set<string>();
  for (const name of [...schemaFiles.map((f) => path.basename(f, '.yaml')), ...toolFolders]) {
    names.add(name);
    names.add(name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
  }
  return [...names].sort();
}

/** Every string literal equal to a tool name (or starting one, in a template) in `files`. */
export function toolNameLiterals(files: SourceFiles, names: readonly string[]): string[] {
  const found: string[] = [];
  const known = new Set(names);
  for (const [file, source] of files) {
    for (const literal of scan(source).literals) {
      if (known.has(literal.value)) found.push(`${file}:${literal.line}: '${literal.value}'`);
    }
  }
  return found.sort();
}

// Dependency rules: which top-level folder may import which (design.md, README "Layout").

/** The top-level folder of a repository path (`(root)` for a file at the top). */
export const folderOf = (file: string): string =>
  file.includes('/') ? (file.split('/')[0] as string) : '(root)';

/**
 * Imports that cross folders against `allowed` (folder → the other folders it may import), as
 * `from → to` lines; a folder `allowed` does not know is reported once with the edge that found it.
 */
export function dependencyViolations(
  graph: ReadonlyMap<string, readonly string[]>,
  allowed: ReadonlyMap<string, readonly string[]>,
): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a === b) continue;
      const rule = allowed.get(a);
      if (!rule) out.push(`${from} → ${to} (no rule for ${a}/)`);
      else if (!rule.includes(b)) out.push(`${from} → ${to}`);
    }
  }
  return out.sort();
}

const PACKAGE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

/** Files of `folders` that import one of `packages` (or a subpath of it), as `file: package` lines. */
export function packageImports(
  files: SourceFiles,
  folders: readonly string[],
  packages: readonly string[],
): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    if (!folders.includes(folderOf(file))) continue;
    for (const match of scan(source).code.matchAll(PACKAGE_IMPORT)) {
      const specifier = match[2] as string;
      const hit = packages.find((p) => specifier === p || specifier.startsWith(`${p}/`));
      if (hit) out.push(`${file}: ${hit}`);
    }
  }
  return out.sort();
}
