import type { Citation } from '../../client';
import type { FrameCitation, ServerFrame } from './events';

/**
 * Frames that fit API Gateway's WebSocket limit: PostToConnection takes at most 128 KB per message, counted
 * in bytes of the UTF-8 JSON (a frame of 128 KB of characters can be 4× that). Long answer pieces are split
 * over several chunk frames; citations travel in a bounded form (address, title, a short excerpt) and, when
 * even that is too much for one frame, in `citations` frames before the final one.
 */

/** PostToConnection's payload limit (API Gateway WebSocket message size). */
export const MAX_FRAME_BYTES = 128 * 1024;

/** Bounds of one citation as frames carry it (the stored turn keeps its own shape). */
export const CITATION_LIMITS = { uriChars: 1024, titleChars: 200, excerptChars: 300 } as const;

/** Bytes of a frame as PostToConnection sends it. */
export const frameBytes = (frame: ServerFrame): number => Buffer.byteLength(JSON.stringify(frame), 'utf8');

/** At most `max` code points of `text` (never half a surrogate pair), with `…` when cut. */
export function clipText(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

const fileName = (uri: string): string => {
  const last = uri.split(/[/\\]/).filter(Boolean).at(-1) ?? uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
};

/** One entry per cited source: its address, a title (metadata `title`, else the file name) and an excerpt. */
export function boundCitations(citations: readonly Citation[]): FrameCitation[] {
  return citations.flatMap((citation) =>
    citation.references.map((ref) => {
      const metaTitle = ref.metadata?.title;
      const title =
        typeof metaTitle === 'string' && metaTitle.trim() ? metaTitle : ref.uri ? fileName(ref.uri) : '';
      return {
        ...(ref.uri === undefined ? {} : { uri: clipText(ref.uri, CITATION_LIMITS.uriChars) }),
        ...(title ? { title: clipText(title, CITATION_LIMITS.titleChars) } : {}),
        excerpt: clipText(ref.text ?? citation.text, CITATION_LIMITS.excerptChars),
        ...(citation.span ? { span: { start: citation.span.start, end: citation.span.end } } : {}),
      };
    }),
  );
}

/** Bytes one code point adds inside a JSON string (escapes counted: `"` 2, control characters 6). */
const jsonBytesOf = (point: string): number => Buffer.byteLength(JSON.stringify(point), 'utf8') - 2;

/**
 * The chunk frames for one piece of answer text, numbered from `seq`: one frame when it fits, else the text
 * cut (between code points) into frames of at most `maxBytes` each, in order.
 */
export function chunkFrames(
  conversationId: string,
  seq: number,
  text: string,
  maxBytes = MAX_FRAME_BYTES,
): Extract<ServerFrame, { type: 'chunk' }>[] {
  const frame = (n: number, piece: string) => ({
    type: 'chunk' as const,
    conversationId,
    seq: n,
    text: piece,
  });
  if (frameBytes(frame(seq, text)) <= maxBytes) return [frame(seq, text)];
  // The frame without text, with the widest sequence number it may get: every piece gets this much room.
  const room = maxBytes - frameBytes(frame(seq + text.length, ''));
  if (room < 8) throw new RangeError(`maxBytes ${maxBytes} leaves no room for text`);
  const frames: Extract<ServerFrame, { type: 'chunk' }>[] = [];
  let piece = '';
  let used = 0;
  for (const point of text) {
    const bytes = jsonBytesOf(point);
    if (used + bytes > room) {
      frames.push(frame(seq + frames.length, piece));
      piece = '';
      used = 0;
    }
    piece += point;
    used += bytes;
  }
  if (piece) frames.push(frame(seq + frames.length, piece));
  return frames;
}

/**
 * The frames that end a turn, the final one last. Everything in one `final` frame when it fits; otherwise
 * the bounded citations go first in as many `citations` frames as needed (`final.citationFrames` says how
 * many) and the final frame carries the answer, or only `answerInChunks: true` when the answer alone is too
 * long for a frame (the chunk frames already delivered all of it).
 */
export function finalFrames(
  conversationId: string,
  answer: string,
  citations: readonly Citation[],
  maxBytes = MAX_FRAME_BYTES,
): ServerFrame[] {
  const bounded = boundCitations(citations);
  const whole: ServerFrame = { type: 'final', conversationId, answer, citations: bounded };
  if (frameBytes(whole) <= maxBytes) return [whole];
  const partFrame = (list: FrameCitation[]): ServerFrame => ({
    type: 'citations',
    conversationId,
    citations: list,
  });
  // A frame's size is its empty form plus its entries and the commas between them: measured once each.
  const emptyPart = frameBytes(partFrame([]));
  const parts: FrameCitation[][] = [];
  let current: FrameCitation[] = [];
  let used = emptyPart;
  for (const citation of bounded) {
    const size = Buffer.byteLength(JSON.stringify(citation), 'utf8') + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && used + size > maxBytes) {
      parts.push(current);
      current = [];
      used = emptyPart;
      used += size - 1;
    } else {
      used += size;
    }
    current.push(citation);
  }
  if (current.length > 0) parts.push(current);
  const withAnswer: ServerFrame = {
    type: 'final',
    conversationId,
    answer,
    citations: [],
    ...(parts.length > 0 ? { citationFrames: parts.length } : {}),
  };
  const final: ServerFrame =
    frameBytes(withAnswer) <= maxBytes
      ? withAnswer
      : {
          type: 'final',
          conversationId,
          answerInChunks: true,
          citations: [],
          ...(parts.length > 0 ? { citationFrames: parts.length } : {}),
        };
  return [...parts.map(partFrame), final];
}
