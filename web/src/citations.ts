import { citationMarker, safeHref } from './markdown';

/**
 * Citations arrive in two shapes: the `final` frame carries the engine's (`{text, span, references: [{uri,
 * sourceType, text}]}`), a stored conversation the table's (`{text, span, sources: [{uri, source_type}]}`).
 * Both become one shape here, and the sources of an answer are numbered [1], [2], … in order of first citation.
 */

/** One cited passage of an answer and where it came from. */
export interface CitationView {
  readonly text: string;
  readonly end?: number;
  readonly sources: readonly SourceRef[];
}

export interface SourceRef {
  readonly uri?: string;
  readonly title?: string;
  readonly kind?: string;
  readonly excerpt?: string;
}

/** A numbered source, as the footnote list shows it. */
export interface Footnote {
  readonly n: number;
  /** A link target: only http(s) addresses. */
  readonly href?: string;
  /** What the footnote says: a title, the file name of an `s3://` document, or the address. */
  readonly label: string;
  /** The full address when it is not a link (e.g. `s3://bucket/documents/runbook.md`). */
  readonly address?: string;
  /** Passages of this source the answer cites (deduplicated, trimmed). */
  readonly excerpts: readonly string[];
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function sourceOf(raw: unknown): SourceRef | undefined {
  const r = record(raw);
  if (!r) return undefined;
  const uri = str(r.uri) ?? str(r.url);
  const title = str(r.title);
  const kind = str(r.sourceType) ?? str(r.source_type) ?? str(r.type);
  const excerpt = str(r.text) ?? str(r.excerpt);
  if (!uri && !title && !excerpt) return undefined;
  return {
    ...(uri ? { uri } : {}),
    ...(title ? { title } : {}),
    ...(kind ? { kind } : {}),
    ...(excerpt ? { excerpt } : {}),
  };
}

/** Reads citations of either shape; anything unreadable is dropped, never shown raw. */
export function readCitations(raw: unknown): CitationView[] {
  if (!Array.isArray(raw)) return [];
  const out: CitationView[] = [];
  for (const item of raw) {
    const c = record(item);
    if (!c) continue;
    const list = Array.isArray(c.references) ? c.references : Array.isArray(c.sources) ? c.sources : [];
    const sources = list.map(sourceOf).filter((s): s is SourceRef => s !== undefined);
    const end = record(c.span)?.end;
    out.push({
      text: str(c.text) ?? '',
      ...(typeof end === 'number' && Number.isInteger(end) && end >= 0 ? { end } : {}),
      sources,
    });
  }
  return out;
}

const keyOf = (s: SourceRef): string => s.uri ?? s.title ?? `excerpt:${(s.excerpt ?? '').slice(0, 120)}`;

/** The last path segment of an address, for a readable label (`s3://b/documents/vpn.md` → `vpn.md`). */
function fileName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last) || uri;
  } catch {
    return last || uri;
  }
}

function footnoteOf(n: number, source: SourceRef): Footnote {
  const href = source.uri ? safeHref(source.uri) : undefined;
  const label =
    source.title ??
    (source.uri
      ? href
        ? source.uri
        : fileName(source.uri)
      : `${source.kind ?? 'Document'} without an address`);
  return {
    n,
    ...(href ? { href } : {}),
    label,
    ...(source.uri && !href ? { address: source.uri } : {}),
    excerpts: source.excerpt ? [source.excerpt.trim()] : [],
  };
}

export interface Footnoted {
  /** The answer with citation markers after each cited passage. */
  readonly text: string;
  readonly footnotes: readonly Footnote[];
}

/**
 * Numbers the sources and puts each citation's markers after the text it covers: at `span.end` when the
 * cited text ends there, else after the first occurrence of the cited text, else at the end of the answer.
 */
export function footnote(answer: string, citations: readonly CitationView[]): Footnoted {
  const byKey = new Map<string, { n: number; note: Footnote }>();
  const inserts: { at: number; markers: string }[] = [];
  let searchFrom = 0;
  for (const citation of citations) {
    const numbers: number[] = [];
    for (const source of citation.sources) {
      const key = keyOf(source);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { n: byKey.size + 1, note: footnoteOf(byKey.size + 1, source) };
        byKey.set(key, entry);
      } else if (source.excerpt && !entry.note.excerpts.includes(source.excerpt.trim())) {
        entry.note = { ...entry.note, excerpts: [...entry.note.excerpts, source.excerpt.trim()] };
      }
      if (!numbers.includes(entry.n)) numbers.push(entry.n);
    }
    if (numbers.length === 0) continue;
    const cited = citation.text;
    let at = answer.length;
    if (
      cited &&
      citation.end !== undefined &&
      answer.slice(citation.end - cited.length, citation.end) === cited
    ) {
      at = citation.end;
    } else if (cited) {
      const found = answer.indexOf(cited, searchFrom);
      if (found >= 0) at = found + cited.length;
    }
    searchFrom = Math.min(at, answer.length);
    inserts.push({ at, markers: numbers.map(citationMarker).join('') });
  }
  let text = answer;
  const ordered = inserts.map((x, i) => ({ ...x, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  for (const { at, markers } of ordered) text = `${text.slice(0, at)}${markers}${text.slice(at)}`;
  return { text, footnotes: [...byKey.values()].map((e) => e.note) };
}
