import { isRecord } from '../../contracts/json';
import { extractJsonObject } from '../shared/text-model';
import { inNewLines, type ReviewableFile } from './diff-files';

/** Allowed severities, most severe first (the schema lists the same values). */
export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  readonly file: string;
  /** New-file line; absent for a finding about the whole file. */
  readonly line?: number;
  readonly severity: Severity;
  readonly message: string;
  readonly suggestion?: string;
}

export const MAX_MESSAGE_CHARS = 600;
export const MAX_SUGGESTION_CHARS = 1_000;
export const MAX_SUMMARY_CHARS = 1_000;

export type ModelReview =
  | { readonly ok: true; readonly summary: string; readonly findings: Finding[]; readonly dropped: number }
  | { readonly ok: false };

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Paths as models sometimes write them (`b/src/x.ts`, `./src/x.ts`) mapped to the diff's path. */
function resolveFile(raw: unknown, byPath: ReadonlyMap<string, ReviewableFile>): ReviewableFile | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = raw.trim();
  return byPath.get(path) ?? byPath.get(path.replace(/^(?:[ab]\/|\.\/|\/)/, ''));
}

function readLine(raw: unknown): number | null | undefined {
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/**
 * Validates one finding from the model against the files of its batch: the file must be one of them, the
 * line (when given) a positive integer among the new-file lines the diff shows, the severity allowed and
 * the message non-empty. Returns undefined for anything else (hallucinated files or lines, junk).
 */
export function validateFinding(
  raw: unknown,
  byPath: ReadonlyMap<string, ReviewableFile>,
): Finding | undefined {
  if (!isRecord(raw)) return undefined;
  const file = resolveFile(raw.file, byPath);
  const line = readLine(raw.line);
  const severity = typeof raw.severity === 'string' ? raw.severity.trim().toLowerCase() : '';
  const message = typeof raw.message === 'string' ? raw.message.trim() : '';
  if (!file || line === null || message === '') return undefined;
  if (!(SEVERITIES as readonly string[]).includes(severity)) return undefined;
  if (line !== undefined && !inNewLines(file, line)) return undefined;
  const suggestion = typeof raw.suggestion === 'string' ? raw.suggestion.trim() : '';
  return {
    file: file.path,
    ...(line === undefined ? {} : { line }),
    severity: severity as Severity,
    message: clip(message, MAX_MESSAGE_CHARS),
    ...(suggestion === '' ? {} : { suggestion: clip(suggestion, MAX_SUGGESTION_CHARS) }),
  };
}

/**
 * Reads the model's answer for one batch: a JSON object `{summary, findings: [...]}`, possibly wrapped in
 * prose or a code fence. `ok: false` when there is no such object; invalid findings are dropped and counted.
 */
export function parseModelReview(text: string, files: readonly ReviewableFile[]): ModelReview {
  const answer = extractJsonObject(text);
  if (!answer || !Array.isArray(answer.findings)) return { ok: false };
  const byPath = new Map<string, ReviewableFile>();
  for (const file of files) {
    byPath.set(file.path, file);
    if (!byPath.has(file.oldPath)) byPath.set(file.oldPath, file);
  }
  const findings: Finding[] = [];
  for (const raw of answer.findings) {
    const finding = validateFinding(raw, byPath);
    if (finding) findings.push(finding);
  }
  const summary = typeof answer.summary === 'string' ? clip(answer.summary.trim(), MAX_SUMMARY_CHARS) : '';
  return { ok: true, summary, findings, dropped: answer.findings.length - findings.length };
}

const rank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/**
 * Merges batch findings: duplicates removed, most severe first, then by the merge request's file order and
 * line. `order` gives each file's position.
 */
export function mergeFindings(lists: readonly Finding[][], order: ReadonlyMap<string, number>): Finding[] {
  const seen = new Set<string>();
  const merged: Finding[] = [];
  for (const finding of lists.flat()) {
    const key = `${finding.file}\0${finding.line ?? ''}\0${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(finding);
  }
  return merged.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}
