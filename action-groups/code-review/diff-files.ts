import type { ChangedFile } from './merge-requests';

/** Why a changed file was not reviewed (the schema lists the same values). */
export type SkipReason =
  | 'binary'
  | 'generated'
  | 'too-large'
  | 'over-budget'
  | 'no-time'
  | 'blocked'
  | 'model-error';

export interface SkippedFile {
  readonly file: string;
  readonly reason: SkipReason;
}

/** Inclusive range of line numbers in the new version of a file. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

export type FileChange = 'added' | 'modified' | 'renamed' | 'deleted';

/** A changed file prepared for the model. */
export interface ReviewableFile {
  /** Path in the new version (the old path for a deleted file). */
  readonly path: string;
  readonly oldPath: string;
  readonly change: FileChange;
  /** The diff as the model sees it: every line prefixed with its new-file line number. */
  readonly text: string;
  /** New-file lines the diff shows (hunks); a finding's line must fall in one. Empty: no new lines. */
  readonly newLines: readonly LineRange[];
  /** Position in GitLab's list, to keep the merge request's order in prompts and results. */
  readonly order: number;
}

export type Classified =
  | { readonly kind: 'review'; readonly file: ReviewableFile }
  | { readonly kind: 'skip'; readonly skipped: SkippedFile };

const BINARY_EXTENSIONS = new Set(
  [
    'png jpg jpeg gif bmp ico webp tiff avif heic psd svgz',
    'pdf doc docx xls xlsx ppt pptx odt',
    'zip gz tgz bz2 xz 7z rar tar jar war ear whl nupkg',
    'exe dll so dylib a o obj class pyc wasm bin dat db sqlite',
    'woff woff2 ttf otf eot mp3 mp4 mov avi wav ogg webm flac',
  ]
    .join(' ')
    .split(' '),
);

/** Lock files, build output and generated code: large, machine-written, rarely worth a model's attention. */
const GENERATED_PATTERNS: readonly RegExp[] = [
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?)$/,
  /(^|\/)(Gemfile\.lock|Cargo\.lock|poetry\.lock|Pipfile\.lock|composer\.lock|go\.sum|uv\.lock|flake\.lock)$/,
  /(^|\/)(gradle\.lockfile|packages\.lock\.json|Podfile\.lock|mix\.lock|pubspec\.lock)$/,
  /\.min\.(js|css|mjs)$/,
  /\.(js|css)\.map$/,
  /(^|[./_-])generated\.[a-z]+$/i,
  /\.pb\.(go|cc|h)$|_pb2(_grpc)?\.py$/,
  /(^|\/)(node_modules|vendor|dist|\.next|coverage|__snapshots__)\//,
  /\.snap$/,
];

const extensionOf = (path: string): string => {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
};

/** GitLab writes binary changes as a one-line note instead of hunks. */
const BINARY_NOTE = /^Binary files .* differ\s*$/m;

export const isBinaryPath = (path: string): boolean => BINARY_EXTENSIONS.has(extensionOf(path));
export const isGeneratedPath = (path: string): boolean => GENERATED_PATTERNS.some((re) => re.test(path));

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/**
 * Renders hunks with new-file line numbers, so the model reports lines it can see instead of counting:
 * `   12 + added`, `   13   context`, `      - removed`. Returns the text and the new-line ranges of the hunks.
 */
export function numberDiff(diff: string): { text: string; newLines: LineRange[] } {
  const out: string[] = [];
  const newLines: LineRange[] = [];
  let next = 0;
  for (const line of diff.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) newLines.push({ start, end: start + count - 1 });
      next = start;
      out.push(line);
    } else if (line.startsWith('+') || line.startsWith(' ')) {
      out.push(`${String(next).padStart(6)} ${line.charAt(0) === '+' ? '+' : ' '} ${line.slice(1)}`);
      next += 1;
    } else if (line.startsWith('-')) {
      out.push(`${''.padStart(6)} - ${line.slice(1)}`);
    } else {
      out.push(line);
    }
  }
  return { text: out.join('\n'), newLines };
}

function changeOf(file: ChangedFile): FileChange {
  if (file.deletedFile) return 'deleted';
  if (file.newFile) return 'added';
  if (file.renamedFile) return 'renamed';
  return 'modified';
}

/**
 * Decides whether a changed file goes to the model. Binary and generated files (GitLab's flag or a known
 * pattern) and files GitLab left out as too large are skipped. A deleted file is reviewed as a one-line note
 * (its removed lines cost budget and cannot carry line findings); a rename without changes likewise.
 */
export function classifyFile(file: ChangedFile, order: number): Classified {
  const change = changeOf(file);
  const path = change === 'deleted' ? file.oldPath : file.newPath;
  const skip = (reason: SkipReason): Classified => ({ kind: 'skip', skipped: { file: path, reason } });
  if (isBinaryPath(path) || BINARY_NOTE.test(file.diff.slice(0, 500))) return skip('binary');
  if (file.generated || isGeneratedPath(path)) return skip('generated');
  if (file.tooLarge) return skip('too-large');
  if (change === 'deleted') {
    return {
      kind: 'review',
      file: { path, oldPath: file.oldPath, change, text: '(file deleted)', newLines: [], order },
    };
  }
  const numbered =
    file.diff.trim() === '' ? { text: '(no content change)', newLines: [] } : numberDiff(file.diff);
  return {
    kind: 'review',
    file: { path, oldPath: file.oldPath, change, text: numbered.text, newLines: numbered.newLines, order },
  };
}

/** Whether `line` is one of the new-file lines the diff shows. */
export const inNewLines = (file: ReviewableFile, line: number): boolean =>
  file.newLines.some((range) => line >= range.start && line <= range.end);
