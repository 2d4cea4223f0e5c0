/** Message rules every Discord message KASS sends follows (the interactions function uses these too). */

/** Discord's limit on a message's `content`. */
export const MAX_MESSAGE_CHARS = 2000;

/** Message flags. */
export const EPHEMERAL = 1 << 6;
export const SUPPRESS_EMBEDS = 1 << 2;

/** No `@everyone`, role or user ping, whatever the text contains. */
export const NO_MENTIONS = Object.freeze({ parse: Object.freeze([]) as readonly never[] });

/** Cuts `text` to `max` characters (an ellipsis marks the cut), never inside a surrogate pair. */
export function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** `content` (clipped to the limit) with mentions disabled. */
export const noMentions = (content: string) => ({ content: clip(content), allowed_mentions: NO_MENTIONS });

export const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
