import type { Citation, Reference } from './events';

/** A numbered source of an answer. */
export interface Footnote {
  readonly number: number;
  /** The source address, or a description when the source has none. */
  readonly source: string;
  readonly reference: Reference;
}

const keyOf = (ref: Reference): string =>
  ref.uri ?? `${ref.sourceType ?? 'source'}:${(ref.text ?? '').slice(0, 200)}`;

/**
 * Numbers the sources of one answer: [1], [2], … in order of first citation; a source cited twice keeps its
 * number.
 */
export class Footnotes {
  private readonly byKey = new Map<string, Footnote>();

  /** The footnote of a reference (numbered on first sight). */
  footnoteOf(ref: Reference): Footnote {
    const key = keyOf(ref);
    let note = this.byKey.get(key);
    if (!note) {
      note = {
        number: this.byKey.size + 1,
        source: ref.uri ?? `(${ref.sourceType ?? 'unknown'} source without an address)`,
        reference: ref,
      };
      this.byKey.set(key, note);
    }
    return note;
  }

  /** The numbers of a citation's sources, e.g. `[1][2]` (empty when it has none). */
  markers(citation: Citation): string {
    const numbers = [...new Set(citation.references.map((r) => this.footnoteOf(r).number))];
    return numbers.map((n) => `[${n}]`).join('');
  }

  get all(): readonly Footnote[] {
    return [...this.byKey.values()];
  }

  /** `[1] s3://bucket/doc.md` lines. */
  lines(): string[] {
    return this.all.map((note) => `[${note.number}] ${note.source}`);
  }
}

/**
 * Inserts each citation's markers after the cited text (found from `span.end` when it points at that text,
 * else by searching for it), or at the end when the text is not found. For answers rendered at once.
 */
export function insertMarkers(text: string, citations: readonly Citation[], footnotes: Footnotes): string {
  const inserts: { at: number; marker: string }[] = [];
  let searchFrom = 0;
  for (const citation of citations) {
    const marker = footnotes.markers(citation);
    if (!marker) continue;
    const cited = citation.text;
    const end = citation.span?.end;
    let at: number;
    if (cited && end !== undefined && text.slice(end - cited.length, end) === cited) at = end;
    else {
      const found = cited ? text.indexOf(cited, searchFrom) : -1;
      at = found >= 0 ? found + cited.length : text.length;
    }
    searchFrom = Math.min(at, text.length);
    inserts.push({ at, marker: ` ${marker}` });
  }
  let out = text;
  // From the end, so earlier offsets stay valid; markers at the same offset keep their order.
  const ordered = inserts
    .map((insert, index) => ({ ...insert, index }))
    .sort((a, b) => b.at - a.at || b.index - a.index);
  for (const { at, marker } of ordered) {
    out = `${out.slice(0, at)}${marker}${out.slice(at)}`;
  }
  return out;
}
