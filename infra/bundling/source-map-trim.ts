/**
 * Trims a source map to the sources worth mapping. Node reads a bundle's whole map at cold start under
 * `--enable-source-maps`; the project's own code is a tenth of a Lambda bundle, the pinned SDK and libraries
 * the rest, and their frames are rarely what an operator reads. Positions in dropped sources become explicitly
 * unmapped (a one-field segment), so they are never attributed to the neighbouring mapped code.
 *
 * Format: https://tc39.es/ecma426/ (lines split by `;`, segments by `,`, each segment 1, 4 or 5 base64 VLQ
 * fields; all but the generated column are relative to the previous segment of the map).
 */

export interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly string[];
  readonly names?: readonly string[];
  readonly mappings: string;
  readonly sourcesContent?: readonly (string | null)[];
  readonly [other: string]: unknown;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Digit value by character code (-1: not a base64 digit); maps are megabytes, so no Map lookups per char. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** Reads VLQ numbers one character at a time. */
class VlqReader {
  private value = 0;
  private shift = 0;
  /** Feeds one character; returns the number it completes, else undefined. */
  push(code: number): number | undefined {
    const digit = code < 128 ? (DIGIT[code] ?? -1) : -1;
    if (digit < 0) throw new Error(`source map: "${String.fromCharCode(code)}" is not a base64 VLQ digit`);
    this.value += (digit & 31) * 2 ** this.shift;
    this.shift += 5;
    if ((digit & 32) !== 0) return undefined;
    const value = this.value % 2 === 1 ? -(this.value - 1) / 2 : this.value / 2;
    this.value = 0;
    this.shift = 0;
    return value;
  }
  /** Throws when a number was started and not finished; `text.slice(from, to)` is the segment (sliced only then). */
  end(text: string, from: number, to: number): void {
    if (this.shift !== 0)
      throw new Error(`source map: segment "${text.slice(from, to)}" ends inside a number`);
  }
}

/** Decodes one segment's VLQ fields. */
export function decodeSegment(segment: string): number[] {
  const reader = new VlqReader();
  const values: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const value = reader.push(segment.charCodeAt(i));
    if (value !== undefined) values.push(value);
  }
  reader.end(segment, 0, segment.length);
  return values;
}

/** Encodes VLQ fields into one segment. */
export function encodeSegment(values: readonly number[]): string {
  let out = '';
  for (const signed of values) {
    let value = signed < 0 ? -signed * 2 + 1 : signed * 2;
    do {
      let digit = value % 32;
      value = Math.floor(value / 32);
      if (value > 0) digit |= 32;
      out += BASE64[digit];
    } while (value > 0);
  }
  return out;
}

/** Calls `segment(fields, count)` for each segment of `mappings` (`fields` is reused) and `lineEnd()` at each `;`. */
function forEachSegment(
  mappings: string,
  segment: (fields: readonly number[], count: number) => void,
  lineEnd: () => void,
): void {
  const reader = new VlqReader();
  const fields = [0, 0, 0, 0, 0];
  let count = 0;
  let start = 0;
  const flush = (at: number) => {
    reader.end(mappings, start, at);
    if (count > 0) segment(fields, count);
    count = 0;
    start = at + 1;
  };
  for (let i = 0; i < mappings.length; i++) {
    const code = mappings.charCodeAt(i);
    if (code === 44 /* , */) flush(i);
    else if (code === 59 /* ; */) {
      flush(i);
      lineEnd();
    } else {
      const value = reader.push(code);
      if (value === undefined) continue;
      if (count < 5) fields[count] = value;
      count++;
    }
  }
  flush(mappings.length);
}

/** `map` with only the sources `keep` accepts; names and sources are renumbered, content kept per source. */
export function trimSourceMap(map: RawSourceMap, keep: (source: string) => boolean): RawSourceMap {
  const keptSources = map.sources.flatMap((source, index) => (keep(source) ? [index] : []));
  const newSource = new Map(keptSources.map((old, index) => [old, index]));
  const names = map.names ?? [];
  const newName = new Map<number, number>();
  const read = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0, name: 0 };
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  let writtenColumn = 0;
  let unmapped = false;
  const endLine = () => {
    lines.push(line.join(','));
    line = [];
    column = 0;
    writtenColumn = 0;
    unmapped = false;
  };
  forEachSegment(
    map.mappings,
    (fields, count) => {
      if (count !== 1 && count !== 4 && count !== 5)
        throw new Error(`source map: a segment has ${count} fields (1, 4 or 5 expected)`);
      column += fields[0] ?? 0;
      let kept: number | undefined;
      if (count >= 4) {
        read.source += fields[1] ?? 0;
        read.line += fields[2] ?? 0;
        read.column += fields[3] ?? 0;
        if (count === 5) read.name += fields[4] ?? 0;
        kept = newSource.get(read.source);
      }
      let segment: number[];
      if (kept === undefined) {
        // A run of unmapped positions needs one segment: its first.
        if (unmapped) return;
        segment = [column - writtenColumn];
        unmapped = true;
      } else {
        segment = [
          column - writtenColumn,
          kept - written.source,
          read.line - written.line,
          read.column - written.column,
        ];
        if (count === 5) {
          const index = newName.get(read.name) ?? newName.size;
          newName.set(read.name, index);
          segment.push(index - written.name);
          written.name = index;
        }
        written.source = kept;
        written.line = read.line;
        written.column = read.column;
        unmapped = false;
      }
      line.push(encodeSegment(segment));
      writtenColumn = column;
    },
    endLine,
  );
  endLine();
  const keptNames: string[] = [];
  for (const [old, index] of newName) keptNames[index] = names[old] ?? '';
  return {
    ...map,
    sources: keptSources.map((index) => map.sources[index] ?? ''),
    names: keptNames,
    mappings: lines.join(';'),
    ...(map.sourcesContent
      ? { sourcesContent: keptSources.map((index) => map.sourcesContent?.[index] ?? null) }
      : {}),
  };
}

/**
 * The sources of a KASS Lambda worth mapping, named relative to the repository root: the repository's own files,
 * not `node_modules`, nor anything outside the repository (a build plugin's virtual modules).
 */
export const isOwnSource = (source: string): boolean => {
  const parts = source.split(/[\\/]/);
  return parts[0] !== '..' && parts[0] !== '' && !parts.includes('node_modules');
};
