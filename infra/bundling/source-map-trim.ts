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
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

/** Decodes one segment's VLQ fields. */
export function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`source map: "${char}" is not a base64 VLQ digit`);
    value += (digit & 31) * 2 ** shift;
    shift += 5;
    if ((digit & 32) === 0) {
      values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
      value = 0;
      shift = 0;
    }
  }
  if (shift !== 0) throw new Error(`source map: segment "${segment}" ends inside a number`);
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

interface Position {
  source: number;
  line: number;
  column: number;
  name: number;
}

/** `map` with only the sources `keep` accepts; names and sources are renumbered, content kept per source. */
export function trimSourceMap(map: RawSourceMap, keep: (source: string) => boolean): RawSourceMap {
  const sourceIndex = map.sources.map((source, index) => (keep(source) ? index : -1));
  const keptSources = sourceIndex.filter((index) => index >= 0);
  const newSource = new Map(keptSources.map((old, index) => [old, index]));
  const names = map.names ?? [];
  const newName = new Map<number, number>();
  const read: Position = { source: 0, line: 0, column: 0, name: 0 };
  const written: Position = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(';').map((line) => {
    let column = 0;
    let writtenColumn = 0;
    let unmapped = false;
    const out: string[] = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const [delta = 0, source, origLine, origColumn, name] = decodeSegment(segment);
      column += delta;
      let kept: number | undefined;
      if (source !== undefined && origLine !== undefined && origColumn !== undefined) {
        read.source += source;
        read.line += origLine;
        read.column += origColumn;
        if (name !== undefined) read.name += name;
        kept = newSource.get(read.source);
      }
      if (kept === undefined) {
        // A run of unmapped positions needs one segment: its first.
        if (!unmapped) out.push(encodeSegment([column - writtenColumn]));
        if (!unmapped) writtenColumn = column;
        unmapped = true;
        continue;
      }
      const fields = [
        column - writtenColumn,
        kept - written.source,
        read.line - written.line,
        read.column - written.column,
      ];
      if (name !== undefined) {
        const index = newName.get(read.name) ?? newName.size;
        newName.set(read.name, index);
        fields.push(index - written.name);
        written.name = index;
      }
      out.push(encodeSegment(fields));
      writtenColumn = column;
      written.source = kept;
      written.line = read.line;
      written.column = read.column;
      unmapped = false;
    }
    return out.join(',');
  });
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
