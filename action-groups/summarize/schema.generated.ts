// Generated from schemas/summarize.yaml by action-groups/kit/codegen/cli.ts. Do not edit by hand.
// Regenerate: npx tsx action-groups/kit/codegen/cli.ts (CI: --check)

import type { ToolContext, WithStatus } from '../kit/tool';

/** Input of summarizeConversation: GET /conversations/{conversationId}/summary. Summarizes a stored KASS chat conversation: a short summary, the key points, the action items (who should do what) and the overall sentiment. Use it when the user asks to recap, summarize or catch up on a conversation, usually the current one. Only the signed-in user's own conversations can be summarized. Read-only; nothing is changed. */
export interface SummarizeConversationInput {
  params: {
    /** Id of the stored conversation to summarize, as the chat API returns it (for the current conversation, use the conversationId from the session). Do not invent ids. */
    conversationId: string;
    /** At most how many key points to return, 1 to 20. Defaults to 5. */
    maxKeyPoints: number;
    /** Optional topic to concentrate on, in a few words, e.g. "decisions about the release date" or "open questions". At most 200 characters. */
    focus?: string;
  };
  body: Record<string, never>;
}

/** Output of summarizeConversation (its success response schema). */
export interface SummarizeConversationOutput {
  /** A few sentences summarizing the conversation. */
  summary?: string;
  /** The most important points, most important first. */
  keyPoints?: string[];
  /** Tasks someone agreed or was asked to do, with the owner when known. Empty when there are none. */
  actionItems?: string[];
  /** Overall tone. One of: positive, neutral, negative, mixed. */
  sentiment?: string;
  /** How many parts the input was read in: 1 normally; more when it was too long for one pass and was summarized part by part, then merged. */
  chunks?: number;
  /** Present and true when only part of the input was summarized (see note). */
  truncated?: boolean;
  /** Present when the result is partial or has no key points and action items for a reason the user should know; pass it on. */
  note?: string;
}

/** Input of summarizeText: POST /summaries. Summarizes a piece of text the user pasted or quoted (an email, a document excerpt, meeting notes, a log): a short summary, the key points, the action items and the overall sentiment. Use it for text given in the chat, not for stored conversations (use summarizeConversation for those). Read-only: it stores and changes nothing, so no confirmation is needed. */
export interface SummarizeTextInput {
  params: Record<string, never>;
  body: {
    /** The text to summarize, verbatim, at most 100000 characters. */
    text: string;
    /** At most how many key points to return, 1 to 20. Defaults to 5. */
    maxKeyPoints: number;
    /** Optional topic to concentrate on, in a few words, e.g. "deadlines" or "open questions". At most 200 characters. */
    focus?: string;
  };
}

/** Output of summarizeText (its success response schema). */
export interface SummarizeTextOutput {
  /** A few sentences summarizing the text. */
  summary?: string;
  /** The most important points, most important first. */
  keyPoints?: string[];
  /** Tasks the text asks someone to do, with the owner when known. Empty when there are none. */
  actionItems?: string[];
  /** Overall tone. One of: positive, neutral, negative, mixed. */
  sentiment?: string;
  /** How many parts the input was read in: 1 normally; more when it was too long for one pass and was summarized part by part, then merged. */
  chunks?: number;
  /** Present and true when only part of the input was summarized (see note). */
  truncated?: boolean;
  /** Present when the result is partial or has no key points and action items for a reason the user should know; pass it on. */
  note?: string;
}

/** Handlers of the summarize action group: `defineTool<SummarizeOperations>({ ... })`. */
export type SummarizeOperations = {
  summarizeConversation: (input: SummarizeConversationInput, ctx: ToolContext) => Promise<SummarizeConversationOutput | WithStatus<SummarizeConversationOutput>>;
  summarizeText: (input: SummarizeTextInput, ctx: ToolContext) => Promise<SummarizeTextOutput | WithStatus<SummarizeTextOutput>>;
};
