import { extractJsonObject } from '../shared/text-model';
import { MAX_ACTION_ITEMS, MAX_FALLBACK_SUMMARY_CHARS, MAX_ITEM_CHARS } from './limits';

/** Allowed sentiment values (the schema lists them in the description: Bedrock schemas have no enum). */
export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

/** What one model answer contributes: the fields the tool returns. */
export interface Summary {
  readonly summary: string;
  readonly keyPoints: string[];
  readonly actionItems: string[];
  readonly sentiment: Sentiment;
}

export interface ParsedSummary extends Summary {
  /**
   * False when the answer was not the requested JSON (or had no usable `summary`) and the answer's text was
   * used as the summary, with empty lists and a neutral sentiment.
   */
  readonly structured: boolean;
}

export interface ParseOptions {
  /** Most key points kept. @default 20 */
  readonly maxKeyPoints?: number;
}

const isSentiment = (value: string): value is Sentiment => (SENTIMENTS as readonly string[]).includes(value);

/** Non-empty trimmed strings of a list (anything else in it is dropped), each at most MAX_ITEM_CHARS long. */
function stringList(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => (item.length > MAX_ITEM_CHARS ? `${item.slice(0, MAX_ITEM_CHARS - 1)}…` : item))
    .slice(0, max);
}

const CODE_FENCE = /^```[a-z]*\s*|\s*```$/gi;

/**
 * The `summary` string of an answer whose JSON is unusable, typically cut at maxTokens:
 * `{"summary": "The team agreed…", "keyPoints": ["…` still has a complete summary.
 */
function salvageSummary(text: string): string | undefined {
  const match = /"summary"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!match?.[1]) return undefined;
  try {
    const value: unknown = JSON.parse(match[1]);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Reads a model answer into a summary. The answer should be one JSON object
 * `{summary, keyPoints[], actionItems[], sentiment}`; models sometimes wrap it in prose or code fences, drop
 * fields or invent values, so each field is checked on its own: lists keep only their non-empty strings, an
 * unknown sentiment becomes `neutral`. Without a usable `summary` the answer degrades instead of failing:
 * the summary is the salvaged `summary` string or the answer's trimmed text, the lists are empty and the
 * sentiment is `neutral` (`structured: false`).
 *
 * @param text the model's answer
 * @returns the summary; `summary` is empty only when the answer is blank
 */
export function parseSummary(text: string, options: ParseOptions = {}): ParsedSummary {
  const maxKeyPoints = options.maxKeyPoints ?? 20;
  const json = extractJsonObject(text);
  const summary = json?.summary;
  if (json && typeof summary === 'string' && summary.trim() !== '') {
    const sentiment = typeof json.sentiment === 'string' ? json.sentiment.trim().toLowerCase() : '';
    return {
      summary: clip(summary.trim(), MAX_FALLBACK_SUMMARY_CHARS),
      keyPoints: stringList(json.keyPoints, maxKeyPoints),
      actionItems: stringList(json.actionItems, MAX_ACTION_ITEMS),
      sentiment: isSentiment(sentiment) ? sentiment : 'neutral',
      structured: true,
    };
  }
  const fallback = salvageSummary(text) ?? text.trim().replace(CODE_FENCE, '').trim();
  return {
    summary: clip(fallback, MAX_FALLBACK_SUMMARY_CHARS),
    keyPoints: [],
    actionItems: [],
    sentiment: 'neutral',
    structured: false,
  };
}
