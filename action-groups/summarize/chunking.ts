/**
 * Splitting inputs that do not fit one model call (map-reduce summarization). Pure functions only.
 */

/** What joins two messages (or paragraphs) inside one chunk. */
export const SEPARATOR = '\n\n';

/** Smallest budget accepted: below it a chunk cannot hold a meaningful piece of text. */
export const MIN_BUDGET = 16;

/** One message, or one piece of a message that alone exceeded the budget, inside a chunk. */
export interface ChunkPiece {
  /** Index of the message in the input list. */
  readonly message: number;
  readonly text: string;
  /** Present only when the message was cut: this is piece `index` (1-based) of `of`. */
  readonly part?: { readonly index: number; readonly of: number };
}

export interface Chunk {
  readonly pieces: readonly ChunkPiece[];
  /** The pieces joined with SEPARATOR: the data of one model call. Never longer than the budget. */
  readonly text: string;
}

function assertBudget(budget: number): void {
  if (!Number.isInteger(budget) || budget < MIN_BUDGET) {
    throw new RangeError(`budget must be an integer of at least ${MIN_BUDGET} characters (got ${budget})`);
  }
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * Where to cut `text` so the first piece has at most `budget` characters: after the last line break in the
 * second half of the window, else after the last whitespace there, else at the budget (never between the
 * two halves of a surrogate pair).
 */
function cutPosition(text: string, budget: number): number {
  const window = text.slice(0, budget);
  const floor = Math.floor(budget / 2);
  const newline = window.lastIndexOf('\n');
  if (newline >= floor) return newline + 1;
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space >= floor) return space + 1;
  return isLowSurrogate(text.charCodeAt(budget)) ? budget - 1 : budget;
}

/** Cuts a text longer than the budget into pieces of at most `budget` characters that concatenate back to it. */
export function splitOversized(text: string, budget: number): string[] {
  assertBudget(budget);
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > budget) {
    const at = cutPosition(rest, budget);
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/**
 * Packs messages, in order, into as few chunks as fit the budget (greedy, so every chunk but the last is
 * full enough that the next message would not fit). A chunk boundary always falls between two messages; a
 * message is cut only when it alone is longer than the budget, and its pieces then come in order, on
 * line or word boundaries where possible.
 *
 * @param messages rendered messages (or paragraphs), oldest first
 * @param budget most characters of one chunk's `text`
 * @returns the chunks; empty for no messages
 */
export function chunkTranscript(messages: readonly string[], budget: number): Chunk[] {
  assertBudget(budget);
  const chunks: Chunk[] = [];
  let pieces: ChunkPiece[] = [];
  let length = 0;
  const flush = (): void => {
    if (pieces.length === 0) return;
    chunks.push({ pieces, text: pieces.map((p) => p.text).join(SEPARATOR) });
    pieces = [];
    length = 0;
  };
  messages.forEach((message, index) => {
    const parts = message.length > budget ? splitOversized(message, budget) : [message];
    parts.forEach((text, part) => {
      if (pieces.length > 0 && length + SEPARATOR.length + text.length > budget) flush();
      length = pieces.length === 0 ? text.length : length + SEPARATOR.length + text.length;
      pieces.push(
        parts.length === 1
          ? { message: index, text }
          : { message: index, text, part: { index: part + 1, of: parts.length } },
      );
    });
  });
  flush();
  return chunks;
}

/**
 * Groups partial summaries for the merge (reduce) step: consecutive partials whose joined text fits the
 * budget share one merge call. Partials are never cut. If no two neighbours fit together (each is over half
 * the budget, which only a budget far below the model's answer size can cause), they are paired anyway, so
 * every round shrinks the list and the reduction ends.
 *
 * @param partials rendered partial summaries, in input order
 * @param budget most characters of one merge call's data
 * @returns the groups, in order; one group means a single, final merge call
 */
export function mergePlan(partials: readonly string[], budget: number): string[][] {
  assertBudget(budget);
  const groups: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const partial of partials) {
    if (current.length > 0 && length + SEPARATOR.length + partial.length > budget) {
      groups.push(current);
      current = [];
    }
    length = current.length === 0 ? partial.length : length + SEPARATOR.length + partial.length;
    current.push(partial);
  }
  if (current.length > 0) groups.push(current);
  if (partials.length > 1 && groups.length === partials.length) {
    const pairs: string[][] = [];
    for (let i = 0; i < partials.length; i += 2) pairs.push(partials.slice(i, i + 2));
    return pairs;
  }
  return groups;
}

/** Paragraphs of a text: the runs between blank lines, without the blank lines; empty ones dropped. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\n/)
    .map((p) => p.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd())
    .filter((p) => p.trim().length > 0);
}
