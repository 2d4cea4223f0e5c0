import type { Citation } from '../../client/events';
import { Footnotes, insertMarkers } from '../../client/footnotes';
import type { ConfirmationView } from '../shared/confirmation-view';
import { confirmButtonId } from './commands';
import { clip, isHighSurrogate, MAX_MESSAGE_CHARS } from './messages';

/**
 * Turns an agent answer into Discord messages: agent-written masked links shown with their real address,
 * numbered source markers and a sources list (web addresses as links), split into messages of at most
 * 2,000 characters at paragraph, line or word boundaries (code blocks closed and reopened across a cut),
 * trimmed with a note past `maxMessages`, and, when the agent waits for a confirmation, Confirm / Cancel
 * buttons under the last message. Pure; the worker sends what it returns.
 */

/** One message to send: text and, for the last one of a confirmation, its buttons. */
export interface RenderedMessage {
  readonly content: string;
  readonly components?: readonly unknown[];
}

const FENCE = '```';
const TRIM_NOTE = '\n\n_(Answer trimmed here: it is longer than I can post. Ask for a shorter version.)_';

/**
 * `[text](url)` written by the agent becomes `text (<url>)`: a masked link could hide where it goes
 * (checklist LLM05). The agent's text is untrusted.
 */
export function unmaskLinks(text: string): string {
  return text.replace(/\[([^\]\n]{1,300})\]\(\s*<?(https?:\/\/[^\s)>]+)>?\s*\)/g, '$1 (<$2>)');
}

const WEB = /^https?:\/\/[^\s<>()]+$/;

/** A source as shown: a masked link for web addresses, the object name in code style for `s3://…`. */
export function sourceLabel(uri: string | undefined, fallback: string): string {
  if (!uri) return fallback;
  if (WEB.test(uri)) {
    const name = decodeSafely(uri.split(/[?#]/)[0]?.split('/').filter(Boolean).at(-1) ?? uri);
    return `[${escapeLinkText(name)}](<${uri}>)`;
  }
  const name = uri.split('/').filter(Boolean).at(-1) ?? uri;
  return `\`${name.replace(/`/g, "'")}\``;
}

const decodeSafely = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const escapeLinkText = (text: string): string => clip(text.replace(/[[\]]/g, ''), 100);

/** The answer with source markers, followed by the numbered sources. */
export function answerText(answer: string, citations: readonly Citation[]): string {
  const footnotes = new Footnotes();
  const body = insertMarkers(unmaskLinks(answer), citations, footnotes).trim();
  const sources = footnotes.all.map(
    (note) => `[${note.number}] ${sourceLabel(note.reference.uri, note.source)}`,
  );
  const text = body || '_(The assistant returned no text.)_';
  return sources.length > 0 ? `${text}\n\n**Sources**\n${sources.join('\n')}` : text;
}

/** Where to cut `text` (at most `limit` characters): a paragraph, line or word boundary when one is near. */
function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit);
  const floor = Math.floor(limit / 2);
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at >= floor) return at + separator.length;
  }
  return isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

const openFences = (text: string): number => text.split(FENCE).length - 1;

/**
 * Splits text into pieces of at most `max` characters. A cut inside a code block closes the block at the
 * end of the piece and reopens it at the start of the next, so each message renders on its own.
 */
export function splitText(text: string, max = MAX_MESSAGE_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  // Room for a closing fence on a piece cut inside a code block.
  const limit = max - (FENCE.length + 1);
  while (rest.length > max) {
    const at = cutPoint(rest, limit);
    let piece = rest.slice(0, at).trimEnd();
    // Only line breaks go: the next piece may start an indented code line.
    rest = rest.slice(at).replace(/^\n+/, '');
    if (openFences(piece) % 2 === 1) {
      piece = `${piece}\n${FENCE}`;
      rest = `${FENCE}\n${rest}`;
    }
    if (piece.length > 0) pieces.push(piece);
  }
  if (rest.trim().length > 0) pieces.push(rest);
  return pieces;
}

/** The confirmation question and its buttons (only the asker's clicks are accepted). */
function confirmationPart(view: ConfirmationView, askerId: string): RenderedMessage {
  const expires = Math.floor(Date.parse(view.expiresAt) / 1000);
  const prompt = clip(unmaskLinks(view.prompt), 1500);
  const button = (label: string, style: number, confirm: boolean) => ({
    type: 2,
    style,
    label,
    custom_id: confirmButtonId({ confirmationId: view.id, askerId, confirm }),
  });
  return {
    content: `**Confirm?** ${prompt}\nOnly <@${askerId}> can answer${Number.isFinite(expires) ? `, until <t:${expires}:t>` : ''}.`,
    components: [{ type: 1, components: [button('Confirm', 3, true), button('Cancel', 4, false)] }],
  };
}

export interface AnswerToRender {
  readonly answer: string;
  readonly citations: readonly Citation[];
  /** The agent waits for the asker to confirm a tool call. */
  readonly confirmation?: { readonly view: ConfirmationView; readonly askerId: string };
  /** A line before the answer (e.g. "✅ Confirmed."). */
  readonly heading?: string;
  /** At most this many messages; the text is trimmed with a note past it. */
  readonly maxMessages: number;
}

/** The messages of an answer, in order (at least one). */
export function renderAnswer(input: AnswerToRender): RenderedMessage[] {
  const text = answerText(input.answer, input.citations);
  const full = input.heading ? `${input.heading}\n${text}` : text;
  const tail = input.confirmation
    ? confirmationPart(input.confirmation.view, input.confirmation.askerId)
    : undefined;
  const room = Math.max(1, input.maxMessages - (tail ? 1 : 0));
  let pieces = splitText(full);
  if (pieces.length > room) {
    pieces = pieces.slice(0, room);
    let last = clip(pieces[room - 1] ?? '', MAX_MESSAGE_CHARS - TRIM_NOTE.length - FENCE.length - 1);
    if (openFences(last) % 2 === 1) last = `${last}\n${FENCE}`;
    pieces[room - 1] = `${last}${TRIM_NOTE}`;
  }
  const messages: RenderedMessage[] = pieces.map((content) => ({ content }));
  if (tail) {
    // The question joins the last piece when both fit in one message.
    const last = messages.at(-1);
    const joined = last ? `${last.content}\n\n${tail.content}` : tail.content;
    if (last && joined.length <= MAX_MESSAGE_CHARS)
      messages[messages.length - 1] = { ...tail, content: joined };
    else messages.push(tail);
  }
  return messages;
}
