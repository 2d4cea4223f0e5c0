/**
 * A small Markdown reader for agent answers: paragraphs, headings, fenced code, lists, quotes, rules, pipe
 * tables and inline code, emphasis, strike-through, links and bare URLs. It builds a tree of plain objects,
 * never HTML: the renderer turns the tree into DOM nodes with `textContent`, so nothing the model writes can
 * become markup. Links survive only with an http(s) address; anything else stays text. Citation markers
 * (see {@link citationMarker}) become footnote references.
 *
 * Pure (no DOM), so it runs the same in the page, in tests and while an answer is still streaming (an
 * unclosed code fence is simply a code block that has not ended yet).
 */

export type Inline =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'code'; readonly v: string }
  | { readonly t: 'strong' | 'em' | 'del'; readonly c: readonly Inline[] }
  | { readonly t: 'link'; readonly href: string; readonly c: readonly Inline[] }
  | { readonly t: 'br' }
  | { readonly t: 'cite'; readonly n: number };

export type Align = 'left' | 'center' | 'right' | undefined;

export type Block =
  | { readonly t: 'p'; readonly c: readonly Inline[] }
  | { readonly t: 'h'; readonly level: 1 | 2 | 3 | 4 | 5 | 6; readonly c: readonly Inline[] }
  | { readonly t: 'code'; readonly lang: string; readonly v: string }
  | {
      readonly t: 'list';
      readonly ordered: boolean;
      readonly start: number;
      readonly items: readonly Block[][];
    }
  | { readonly t: 'quote'; readonly c: readonly Block[] }
  | { readonly t: 'hr' }
  | {
      readonly t: 'table';
      readonly align: readonly Align[];
      readonly head: readonly (readonly Inline[])[];
      readonly rows: readonly (readonly (readonly Inline[])[])[];
    };

/** Marks footnote `n` inside answer text (private-use characters a model does not write). */
export const citationMarker = (n: number): string => `\u{E000}${n}\u{E001}`;
const MARKER = /\u{E000}(\d{1,4})\u{E001}/u;
/** Removes citation markers (for the text the copy button copies). */
export const stripMarkers = (text: string): string => text.replace(/\u{E000}\d{1,4}\u{E001}/gu, '');

/** Only absolute http(s) URLs become links; `javascript:`, `data:`, relative and odd schemes stay text. */
export function safeHref(raw: string): string | undefined {
  const value = raw.trim();
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^( {0,3})([-*+])\s+(.*)$/;
const ORDERED = /^( {0,3})(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

const isBlank = (line: string) => line.trim() === '';

/** Splits a pipe-table row into cells (a `\|` stays in the cell). */
function cells(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || BULLET.test(line);
}

/** Parses Markdown into blocks. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  return parseLines(lines, 0);
}

function parseLines(lines: readonly string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const current = lines[i] ?? '';
        if (current.trim().startsWith(marker) && current.trim().replace(/[`~]/g, '') === '') break;
        body.push(current);
        i++;
      }
      i++; // the closing fence (or the end of a still-streaming answer)
      blocks.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = (heading[1] ?? '#').length as 1 | 2 | 3 | 4 | 5 | 6;
      blocks.push({ t: 'h', level, c: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (HR.test(line)) {
      blocks.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < 8) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i] ?? '')) {
        const quoted = QUOTE.exec(lines[i] ?? '');
        body.push(quoted ? (quoted[1] ?? '') : (lines[i] ?? ''));
        i++;
      }
      blocks.push({ t: 'quote', c: parseLines(body, depth + 1) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if ((bullet || ordered) && depth < 8) {
      const isOrdered = !bullet;
      const pattern = isOrdered ? ORDERED : BULLET;
      const indent = ((bullet ?? ordered)?.[1] ?? '').length;
      const items: string[][] = [];
      while (i < lines.length) {
        const current = lines[i] ?? '';
        const item = pattern.exec(current);
        if (item && (item[1] ?? '').length <= indent) {
          items.push([item[3] ?? '']);
          i++;
          continue;
        }
        if (isBlank(current)) {
          // A blank line ends the list unless the next line continues it.
          const next = lines[i + 1] ?? '';
          const continues = pattern.test(next) || /^\s{2,}\S/.test(next);
          if (!continues) break;
          items[items.length - 1]?.push('');
          i++;
          continue;
        }
        if (/^\s{2,}\S/.test(current) || !startsBlock(current)) {
          // An indented (nested) line, or a lazy continuation of the item's paragraph.
          items[items.length - 1]?.push(current.replace(/^\s{2,4}/, ''));
          i++;
          continue;
        }
        break;
      }
      blocks.push({
        t: 'list',
        ordered: isOrdered,
        start: isOrdered ? Number(ordered?.[2] ?? 1) : 1,
        items: items.map((item) => parseLines(item, depth + 1)),
      });
      continue;
    }
    const next = lines[i + 1];
    if (line.includes('|') && next !== undefined && TABLE_RULE.test(next) && next.includes('-')) {
      const head = cells(line);
      const align: Align[] = cells(next).map((spec) =>
        spec.startsWith(':') && spec.endsWith(':')
          ? 'center'
          : spec.endsWith(':')
            ? 'right'
            : spec.startsWith(':')
              ? 'left'
              : undefined,
      );
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && (lines[i] ?? '').includes('|') && !isBlank(lines[i] ?? '')) {
        const row = cells(lines[i] ?? '');
        rows.push(head.map((_, col) => parseInline(row[col] ?? '')));
        i++;
      }
      blocks.push({ t: 'table', align, head: head.map((h) => parseInline(h)), rows });
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length) {
      const current = lines[i] ?? '';
      if (isBlank(current) || (paragraph.length > 0 && startsBlock(current))) break;
      paragraph.push(current);
      i++;
    }
    blocks.push({ t: 'p', c: parseInline(paragraph.join('\n')) });
  }
  return blocks;
}

/** Bare URLs end before trailing punctuation and closing brackets. */
const BARE_URL = /^https?:\/\/[^\s<>"'`]+/i;
const trimUrl = (url: string): string => url.replace(/[.,;:!?)\]}'"]+$/, '');

/** Parses inline Markdown. */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push({ t: 'text', v: buffer });
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i] ?? '';

    const marker = MARKER.exec(rest);
    if (marker && marker.index === 0) {
      flush();
      out.push({ t: 'cite', n: Number(marker[1]) });
      i += marker[0].length;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length && /[\\`*_{}[\]()#+\-.!|~<>]/.test(text[i + 1] ?? '')) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      // A line ending in two spaces or a backslash is a hard break; other newlines are spaces.
      if (buffer.endsWith('  ')) {
        buffer = buffer.replace(/ +$/, '');
        flush();
        out.push({ t: 'br' });
      } else {
        buffer = `${buffer.replace(/ +$/, '')} `;
      }
      i++;
      continue;
    }
    if (ch === '`') {
      const ticks = /^`+/.exec(rest)?.[0] ?? '`';
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        flush();
        out.push({ t: 'code', v: text.slice(i + ticks.length, end).replace(/^ (.+) $/, '$1') });
        i = end + ticks.length;
        continue;
      }
    }
    if (depth < 6 && (ch === '*' || ch === '_' || ch === '~')) {
      const run = ch === '~' ? '~~' : rest.startsWith(ch.repeat(2)) ? ch.repeat(2) : ch;
      if (rest.startsWith(run) && !/\s/.test(text[i + run.length] ?? ' ')) {
        const close = findClose(text, run, i + run.length);
        // `_` inside words (snake_case) is not emphasis.
        const wordInside = ch === '_' && /\w/.test(text[i - 1] ?? '');
        if (close > i + run.length && !wordInside) {
          flush();
          const inner = parseInline(text.slice(i + run.length, close), depth + 1);
          out.push({ t: run === '~~' ? 'del' : run.length === 2 ? 'strong' : 'em', c: inner });
          i = close + run.length;
          continue;
        }
      }
    }
    if (ch === '[' && depth < 6) {
      const link = /^\[((?:[^\]\\]|\\.){0,500})\]\(\s*<?([^\s)>]{1,2048})>?(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (link) {
        const href = safeHref(link[2] ?? '');
        const label = parseInline(link[1] ?? '', depth + 1);
        flush();
        if (href) out.push({ t: 'link', href, c: label.length > 0 ? label : [{ t: 'text', v: href }] });
        else out.push(...label);
        i += link[0].length;
        continue;
      }
    }
    if (ch === '<') {
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(rest);
      const href = auto ? safeHref(auto[1] ?? '') : undefined;
      if (auto && href) {
        flush();
        out.push({ t: 'link', href, c: [{ t: 'text', v: auto[1] ?? href }] });
        i += auto[0].length;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && !/\w/.test(text[i - 1] ?? '')) {
      const bare = BARE_URL.exec(rest);
      if (bare) {
        const url = trimUrl(bare[0]);
        const href = safeHref(url);
        if (href) {
          flush();
          out.push({ t: 'link', href, c: [{ t: 'text', v: url }] });
          i += url.length;
          continue;
        }
      }
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}

/** The index of the closing `run` (not preceded by whitespace), or -1. */
function findClose(text: string, run: string, from: number): number {
  let at = text.indexOf(run, from);
  while (at !== -1) {
    const before = text[at - 1] ?? '';
    const after = text[at + run.length] ?? '';
    const doubled = run.length === 1 && after === run;
    if (!/\s/.test(before) && !doubled && !(run === '_' && /\w/.test(after))) return at;
    at = text.indexOf(run, at + (doubled ? 2 : 1));
  }
  return -1;
}

/** The plain text of inline nodes (for labels and tests). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case 'text':
        case 'code':
          return n.v;
        case 'br':
          return '\n';
        case 'cite':
          return `[${n.n}]`;
        default:
          return inlineText(n.c);
      }
    })
    .join('');
}
