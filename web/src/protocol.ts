import { type CitationView, readCitations } from './citations';

/**
 * The chat API as the page speaks it. WebSocket frames from the server (`functions/websocket/events.ts`):
 * `accepted`, `chunk` (in `seq` order), then `final`, `confirmation` or `error`. REST:
 * `GET /conversations` (the caller's conversations) and `GET /conversations/{id}` (its stored messages).
 */

export interface ConfirmationCall {
  readonly tool: string;
  /** `POST /tickets (createTicket)` or the function name. */
  readonly operation: string;
  readonly inputs: readonly (readonly [string, string])[];
}

export interface ConfirmationRequest extends ConfirmationCall {
  readonly id: string;
  readonly prompt: string;
  readonly expiresAt?: string;
  readonly calls: readonly ConfirmationCall[];
}

export type ServerFrame =
  | { readonly type: 'accepted'; readonly conversationId: string }
  | { readonly type: 'chunk'; readonly conversationId: string; readonly seq: number; readonly text: string }
  | {
      readonly type: 'final';
      readonly conversationId: string;
      readonly answer: string;
      readonly citations: readonly CitationView[];
    }
  | ({ readonly type: 'confirmation'; readonly conversationId: string } & ConfirmationRequest)
  | {
      readonly type: 'error';
      readonly status: number;
      readonly error: string;
      readonly conversationId?: string;
      readonly details: readonly string[];
      readonly retryAfterSeconds?: number;
      readonly confirmation?: ConfirmationRequest;
    };

const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function operationOf(raw: unknown): string {
  const op = rec(raw);
  if (!op) return 'unknown operation';
  if (typeof op.function === 'string') return op.function;
  const line = `${str(op.method)?.toUpperCase() ?? ''} ${str(op.path) ?? ''}`.trim();
  return typeof op.operationId === 'string' ? `${line} (${op.operationId})` : line || 'unknown operation';
}

function inputsOf(raw: unknown): [string, string][] {
  const inputs = rec(raw);
  const pairs: [string, string][] = [];
  for (const group of [inputs?.parameters, inputs?.body]) {
    for (const [k, v] of Object.entries(rec(group) ?? {}))
      pairs.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return pairs;
}

function callOf(raw: unknown): ConfirmationCall {
  const c = rec(raw) ?? {};
  return { tool: str(c.tool) ?? 'tool', operation: operationOf(c.operation), inputs: inputsOf(c.inputs) };
}

/** A confirmation from a frame or an error body, or undefined when it has no id. */
export function readConfirmation(raw: unknown): ConfirmationRequest | undefined {
  const c = rec(raw);
  const id = str(c?.id);
  if (!c || !id) return undefined;
  const call = callOf(c);
  const calls = Array.isArray(c.calls) ? c.calls.map(callOf) : [call];
  const expiresAt = str(c.expiresAt);
  return {
    ...call,
    id,
    prompt: str(c.prompt) ?? `Run ${call.tool} ${call.operation}?`,
    ...(expiresAt ? { expiresAt } : {}),
    calls,
  };
}

/** Parses one WebSocket message; `undefined` for anything that is not a frame the page knows. */
export function parseFrame(data: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  const f = rec(value);
  if (!f) return undefined;
  const conversationId = str(f.conversationId);
  switch (f.type) {
    case 'accepted':
      return conversationId ? { type: 'accepted', conversationId } : undefined;
    case 'chunk':
      return conversationId && typeof f.seq === 'number' && typeof f.text === 'string'
        ? { type: 'chunk', conversationId, seq: f.seq, text: f.text }
        : undefined;
    case 'final':
      return conversationId && typeof f.answer === 'string'
        ? { type: 'final', conversationId, answer: f.answer, citations: readCitations(f.citations) }
        : undefined;
    case 'confirmation': {
      const confirmation = readConfirmation(f);
      return conversationId && confirmation
        ? { type: 'confirmation', conversationId, ...confirmation }
        : undefined;
    }
    case 'error': {
      const confirmation = readConfirmation(f.confirmation);
      return {
        type: 'error',
        status: typeof f.status === 'number' ? f.status : 500,
        error: str(f.error) ?? 'The chat service reported an error',
        ...(conversationId ? { conversationId } : {}),
        details: Array.isArray(f.details) ? f.details.filter((d): d is string => typeof d === 'string') : [],
        ...(typeof f.retryAfterSeconds === 'number' ? { retryAfterSeconds: f.retryAfterSeconds } : {}),
        ...(confirmation ? { confirmation } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** One stored message of `GET /conversations/{id}`. */
export interface StoredMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly timestamp: string;
  readonly citations: readonly CitationView[];
  /** `report POST /tickets` lines: which tools the turn ran. */
  readonly toolCalls: readonly string[];
}

export interface ConversationPage {
  readonly conversationId: string;
  readonly messages: readonly StoredMessage[];
  readonly nextToken?: string;
}

export function readConversationPage(raw: unknown): ConversationPage {
  const page = rec(raw) ?? {};
  const messages: StoredMessage[] = [];
  for (const item of Array.isArray(page.messages) ? page.messages : []) {
    const m = rec(item);
    if (!m || (m.role !== 'user' && m.role !== 'assistant') || typeof m.content !== 'string') continue;
    const toolCalls = (Array.isArray(m.toolCalls) ? m.toolCalls : [])
      .map(rec)
      .filter((t): t is Record<string, unknown> => t !== undefined)
      .map((t) => `${str(t.action_group) ?? 'tool'} ${str(t.operation) ?? ''}`.trim());
    messages.push({
      role: m.role,
      content: m.content,
      timestamp: str(m.timestamp) ?? '',
      citations: readCitations(m.citations),
      toolCalls,
    });
  }
  const nextToken = str(page.nextToken);
  return { conversationId: str(page.conversationId) ?? '', messages, ...(nextToken ? { nextToken } : {}) };
}

/** One entry of `GET /conversations`. */
export interface ConversationSummary {
  readonly conversationId: string;
  readonly title: string;
  readonly updatedAt: string;
}

export function readConversationList(raw: unknown): {
  conversations: ConversationSummary[];
  nextToken?: string;
} {
  const body = rec(raw) ?? {};
  const conversations: ConversationSummary[] = [];
  for (const item of Array.isArray(body.conversations) ? body.conversations : []) {
    const c = rec(item);
    const id = str(c?.conversationId);
    if (!c || !id) continue;
    conversations.push({ conversationId: id, title: str(c.title) ?? id, updatedAt: str(c.updatedAt) ?? '' });
  }
  const nextToken = str(body.nextToken);
  return { conversations, ...(nextToken ? { nextToken } : {}) };
}

/** The stored answer to a turn's question: the assistant message after its last occurrence. */
export function storedAnswerTo(
  stored: readonly StoredMessage[],
  isQuestion: (content: string) => boolean,
): StoredMessage | undefined {
  for (let i = stored.length - 2; i >= 0; i--) {
    const message = stored[i];
    if (message?.role === 'user' && isQuestion(message.content)) {
      const next = stored[i + 1];
      return next?.role === 'assistant' ? next : undefined;
    }
  }
  return undefined;
}
