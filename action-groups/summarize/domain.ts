import type { Logger } from '@aws-lambda-powertools/logger';
import { DependencyFailed, InvalidInput, NotFound } from '../kit/errors';
import type { TextModel } from '../shared/text-model';
import { type Chunk, chunkTranscript, mergePlan, SEPARATOR, splitParagraphs } from './chunking';
import type { ConversationStore } from './conversation-store';
import { CHAR_BUDGET, MAP_CONCURRENCY, MAX_CHUNKS } from './limits';
import { type ParsedSummary, parseSummary, type Summary } from './parse-summary';
import { buildPrompt, type PromptStage, renderMessage, renderPartial, type SourceKind } from './prompt';

/** What the summarize domain works with: ports and limits, injected so tests can shrink the budget. */
export interface SummarizeDeps {
  readonly store: ConversationStore;
  readonly model: TextModel;
  /** Most tokens of each model answer (MAX_OUTPUT_TOKENS). */
  readonly maxOutputTokens: number;
  /** Most characters of data in one model call. @default CHAR_BUDGET */
  readonly charBudget?: number;
  /** Most chunks summarized for one request. @default MAX_CHUNKS */
  readonly maxChunks?: number;
  readonly logger?: Pick<Logger, 'warn'>;
}

/** The tool's answer: the summary plus how it was made. */
export interface SummaryResult extends Summary {
  /** Model calls that read the input: 1, or the number of parts a long input was split into. */
  readonly chunks: number;
  /** Present (true) when only part of the input was summarized. */
  readonly truncated?: true;
  /** Present when the result is partial or unstructured, in words the agent can pass on. */
  readonly note?: string;
}

export interface ConversationRequest {
  readonly conversationId: string;
  readonly maxKeyPoints: number;
  readonly focus?: string;
  /**
   * The verified caller of the agent session (session attribute `userId`). Only a conversation whose every
   * message belongs to this user is summarised; any other is answered exactly like an unknown one, so ids
   * cannot be probed.
   */
  readonly userId: string;
}

export interface TextRequest {
  readonly text: string;
  readonly maxKeyPoints: number;
  readonly focus?: string;
}

/**
 * Guardrail intervention. Decision: 502 DependencyFailed, with a message the agent can relay. Not 400
 * InvalidInput, because no change of the parameters can fix it and the agent must not be invited to reword
 * the content until it passes the policy; not 503, because retrying the same content is blocked again. The
 * 5xx counts in the tool's failure metric, which is acceptable: blocked summaries are rare and worth seeing.
 */
export const BLOCKED_MESSAGE =
  'The content could not be summarised because it was blocked by the content policy.';

const EMPTY_ANSWER_MESSAGE = 'The language model returned no summary. Try again later.';

const NOTES = {
  conversationTruncated:
    'The conversation is too long to summarize completely: only its most recent part was summarized.',
  textTruncated: 'The text is too long to summarize completely: only its beginning was summarized.',
  unstructured:
    'The model did not return a structured summary: the summary is its plain answer, and key points and ' +
    'action items are not available.',
} as const;

/**
 * Summarizes a stored conversation: loads its messages (oldest first; for a very long one only the most
 * recent part), renders them as a transcript and summarizes it (map-reduce when it exceeds the budget).
 *
 * @throws NotFound when the conversation has no messages, or any message that is not the caller's
 */
export async function summarizeConversation(
  deps: SummarizeDeps,
  request: ConversationRequest,
): Promise<SummaryResult> {
  const budget = deps.charBudget ?? CHAR_BUDGET;
  const maxChunks = deps.maxChunks ?? MAX_CHUNKS;
  const loaded = await deps.store.load(request.conversationId, { maxChars: budget * maxChunks });
  if (loaded.skipped > 0) {
    deps.logger?.warn('conversation items ignored', { skipped: loaded.skipped });
  }
  // A message without an owner is not the caller's either (it proves nothing about who wrote it).
  const foreign = loaded.messages.some((m) => m.userId !== request.userId);
  if (loaded.messages.length === 0 || foreign) {
    if (foreign) deps.logger?.warn('conversation of another user requested');
    throw new NotFound(
      `No stored conversation has the id "${request.conversationId}". Check the id: for the current conversation ` +
        'use the conversationId from the session, and do not guess ids.',
    );
  }
  return summarizeItems(deps, {
    source: 'conversation',
    items: loaded.messages.map(renderMessage),
    keep: 'newest',
    olderLeftOut: !loaded.complete,
    maxKeyPoints: request.maxKeyPoints,
    ...(request.focus === undefined ? {} : { focus: request.focus }),
  });
}

/**
 * Summarizes a text given in the request, split on paragraphs when it exceeds the budget.
 *
 * @throws InvalidInput when the text has no non-blank character
 */
export async function summarizeText(deps: SummarizeDeps, request: TextRequest): Promise<SummaryResult> {
  const paragraphs = splitParagraphs(request.text);
  if (paragraphs.length === 0) {
    throw new InvalidInput(
      'text: must contain some non-blank text. Expected: The text to summarize, verbatim',
    );
  }
  return summarizeItems(deps, {
    source: 'text',
    items: paragraphs,
    keep: 'first',
    olderLeftOut: false,
    maxKeyPoints: request.maxKeyPoints,
    ...(request.focus === undefined ? {} : { focus: request.focus }),
  });
}

interface Job {
  readonly source: SourceKind;
  /** Rendered messages or paragraphs, in order. */
  readonly items: readonly string[];
  /** Which chunks to keep when there are more than maxChunks. */
  readonly keep: 'newest' | 'first';
  /** The store already left older messages out. */
  readonly olderLeftOut: boolean;
  readonly maxKeyPoints: number;
  readonly focus?: string;
}

/** One call whole, or map (one call per chunk) then reduce (merge calls until one summary is left). */
async function summarizeItems(deps: SummarizeDeps, job: Job): Promise<SummaryResult> {
  const budget = deps.charBudget ?? CHAR_BUDGET;
  const maxChunks = deps.maxChunks ?? MAX_CHUNKS;
  const all = chunkTranscript(job.items, budget);
  const chunks: Chunk[] =
    all.length <= maxChunks ? all : job.keep === 'newest' ? all.slice(-maxChunks) : all.slice(0, maxChunks);
  const truncated = job.olderLeftOut || chunks.length < all.length;
  const ask = (stage: PromptStage, data: string): Promise<ParsedSummary> => complete(deps, job, stage, data);

  let result: ParsedSummary;
  if (chunks.length === 1) {
    result = await ask({ kind: 'whole' }, chunks[0]?.text ?? '');
  } else {
    const partials = await mapLimit(chunks, MAP_CONCURRENCY, (chunk, i) =>
      ask({ kind: 'part', index: i + 1, of: chunks.length }, chunk.text),
    );
    result = await reduce(partials, budget, ask);
  }
  if (!result.structured) deps.logger?.warn('model answer was not the requested JSON; using its text');

  const notes = [
    ...(truncated ? [job.source === 'conversation' ? NOTES.conversationTruncated : NOTES.textTruncated] : []),
    ...(result.structured ? [] : [NOTES.unstructured]),
  ];
  return {
    summary: result.summary,
    keyPoints: result.keyPoints,
    actionItems: result.actionItems,
    sentiment: result.sentiment,
    chunks: chunks.length,
    ...(truncated ? { truncated: true as const } : {}),
    ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
  };
}

/** Merges partial summaries, in rounds planned by mergePlan, until one is left. */
async function reduce(
  partials: readonly ParsedSummary[],
  budget: number,
  ask: (stage: PromptStage, data: string) => Promise<ParsedSummary>,
): Promise<ParsedSummary> {
  let round = partials;
  for (;;) {
    const rendered = round.map((s, i) => renderPartial(s, i + 1, round.length));
    const groups = mergePlan(rendered, budget);
    round = await mapLimit(groups, MAP_CONCURRENCY, (group) =>
      ask({ kind: 'merge', parts: group.length }, group.join(SEPARATOR)),
    );
    const [only] = round;
    if (round.length === 1 && only) return only;
  }
}

/** One model call: prompt, completion, guardrail check, parsing. */
async function complete(
  deps: SummarizeDeps,
  job: Job,
  stage: PromptStage,
  data: string,
): Promise<ParsedSummary> {
  const { system, prompt } = buildPrompt({
    source: job.source,
    stage,
    data,
    maxKeyPoints: job.maxKeyPoints,
    ...(job.focus === undefined ? {} : { focus: job.focus }),
  });
  const answer = await deps.model.complete({ system, prompt, maxTokens: deps.maxOutputTokens });
  if (answer.guardrailIntervened) throw new DependencyFailed(BLOCKED_MESSAGE);
  if (answer.truncated)
    deps.logger?.warn('model answer cut at maxTokens', { maxTokens: deps.maxOutputTokens });
  const parsed = parseSummary(answer.text, { maxKeyPoints: job.maxKeyPoints });
  if (parsed.summary === '') throw new DependencyFailed(EMPTY_ANSWER_MESSAGE);
  return parsed;
}

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls running; results keep the input order. After a
 * failure no new call starts, and the first failure is thrown.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
