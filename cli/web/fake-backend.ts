import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { CONVERSATION_ID_PATTERN, USER_ID_PATTERN } from '../../contracts/ids';
import {
  CANNED_CHUNKS,
  CONFIRM_TEXT,
  type Conversation,
  citationsFor,
  type PendingConfirmation,
  type StoredMessage,
  toStored,
} from './fake-answers';
import { acceptWebSocket, refuseUpgrade, type WebSocketConnection } from './websocket-server';

/**
 * A local stand-in for the chat API, speaking its wire formats (`functions/websocket/events.ts` frames,
 * `GET /conversations[/{id}]` bodies) with canned answers, so the page can be developed and tested without
 * AWS. What a message contains picks the scenario:
 *
 * - `ticket`: the agent asks to confirm `report POST /tickets (createTicket)`; yes creates it, no declines.
 * - `error`: an `error` frame (502, the agent could not answer).
 * - `busy`: an `error` frame (429 with `retryAfterSeconds`).
 * - `drop`: streams part of the answer, stores the turn, then drops the TCP connection before `final`
 *   (the page must reconnect and re-read the conversation).
 * - anything else: a streamed Markdown answer (a heading, a list, a code block) citing a web page and an S3
 *   document; two chunks are posted out of order (the page orders them by `seq`).
 *
 * Authentication is API-key mode: `?token=<key>[&userId=…]` on the WebSocket, `x-api-key` on REST; each key
 * and user id sees only its own conversations.
 */

export { CANNED_CHUNKS } from './fake-answers';

export interface FakeBackendOptions {
  /** The one API key accepted. */
  readonly apiKey: string;
  /** Pause between streamed chunks. @default 120 */
  readonly chunkDelayMs?: number;
  /** Prefix of the REST routes. @default '/api/' */
  readonly restPrefix?: string;
  /** The WebSocket path. @default '/ws' */
  readonly socketPath?: string;
}

const ownerOf = (apiKey: string, userId: string | undefined): string => {
  const digest = createHash('sha256').update(apiKey).digest('hex').slice(0, 32);
  return userId ? `apikey:${digest}:user:${userId}` : `apikey:${digest}`;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeChatBackend {
  private readonly conversations = new Map<string, Map<string, Conversation>>();
  private readonly confirmations = new Map<string, PendingConfirmation>();
  private readonly sockets = new Set<WebSocketConnection>();
  private readonly chunkDelayMs: number;
  readonly restPrefix: string;
  readonly socketPath: string;

  constructor(private readonly options: FakeBackendOptions) {
    this.chunkDelayMs = options.chunkDelayMs ?? 120;
    this.restPrefix = options.restPrefix ?? '/api/';
    this.socketPath = options.socketPath ?? '/ws';
  }

  /** Open connections (tests drop them). */
  get connections(): readonly WebSocketConnection[] {
    return [...this.sockets];
  }

  /** Closes every connection (server shutdown). */
  closeAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  // ---- REST ----------------------------------------------------------------------------------------------

  /** Answers `GET <prefix>conversations[/{id}]`; false when the path is not a REST route. */
  handleRest(request: IncomingMessage, response: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith(this.restPrefix)) return false;
    const route = url.pathname.slice(this.restPrefix.length);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') {
      json(405, { message: 'Method not allowed' });
      return true;
    }
    // API Gateway's own answer to a missing or unknown key.
    if (request.headers['x-api-key'] !== this.options.apiKey) {
      json(403, { message: 'Forbidden' });
      return true;
    }
    const userId = url.searchParams.get('userId') ?? undefined;
    if (userId !== undefined && !USER_ID_PATTERN.test(userId)) {
      json(400, {
        error: 'The request is invalid',
        details: ['userId: must be 1-128 characters of 0-9 a-z A-Z . _ @ : -'],
      });
      return true;
    }
    const mine = this.mine(ownerOf(this.options.apiKey, userId));
    if (route === 'conversations') {
      const list = [...mine.values()]
        .filter((c) => c.messages.length > 0)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .map((c) => ({
          conversationId: c.id,
          title: (c.messages.find((m) => m.role === 'user')?.content ?? c.id).slice(0, 120),
          updatedAt: c.updatedAt,
        }));
      json(200, { conversations: list });
      return true;
    }
    const match = /^conversations\/([^/]+)$/.exec(route);
    const id = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    if (!id) {
      json(403, { message: 'Missing Authentication Token' });
      return true;
    }
    const conversation = mine.get(id);
    if (!conversation || conversation.messages.length === 0) {
      json(404, { error: 'Conversation not found', conversationId: id });
      return true;
    }
    json(200, { conversationId: id, messages: conversation.messages });
    return true;
  }

  // ---- WebSocket -----------------------------------------------------------------------------------------

  /** Accepts `$connect` on the socket path (401 without the right key, as the authorizer answers). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, url: URL): boolean {
    if (url.pathname !== this.socketPath) return false;
    const token = url.searchParams.get('token');
    const userId = url.searchParams.get('userId') ?? undefined;
    if (token !== this.options.apiKey || (userId !== undefined && !USER_ID_PATTERN.test(userId))) {
      refuseUpgrade(socket, 401, 'Unauthorized');
      return true;
    }
    const connection = acceptWebSocket(request, socket);
    if (!connection) return true;
    const owner = ownerOf(token, userId);
    this.sockets.add(connection);
    connection.onClose(() => this.sockets.delete(connection));
    connection.onMessage((text) => void this.onMessage(connection, owner, text));
    return true;
  }

  private mine(owner: string): Map<string, Conversation> {
    let map = this.conversations.get(owner);
    if (!map) {
      map = new Map();
      this.conversations.set(owner, map);
    }
    return map;
  }

  private conversation(owner: string, id: string): Conversation {
    const mine = this.mine(owner);
    let c = mine.get(id);
    if (!c) {
      c = { id, messages: [], updatedAt: new Date().toISOString(), busy: false };
      mine.set(id, c);
    }
    return c;
  }

  private async onMessage(connection: WebSocketConnection, owner: string, text: string): Promise<void> {
    const post = (frame: Record<string, unknown>) => connection.send(JSON.stringify(frame));
    const invalid = (detail: string) =>
      post({ type: 'error', status: 400, error: 'The request is invalid', details: [detail] });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return invalid('body: is not valid JSON; send {"action":"sendMessage","message":"…"}');
    }
    if (body.action !== 'sendMessage')
      return invalid(`action: unknown action ${JSON.stringify(body.action ?? null)}`);
    const conversationId = typeof body.conversationId === 'string' ? body.conversationId : randomUUID();
    if (!CONVERSATION_ID_PATTERN.test(conversationId)) {
      return invalid('conversationId: must be 2-100 characters of 0-9 a-z A-Z . _ : -');
    }
    const confirmation = body.confirmation as { id?: unknown; confirm?: unknown } | undefined;
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    if (!confirmation && !message) return invalid('message: is required and must be a string');

    const conversation = this.conversation(owner, conversationId);
    if (conversation.busy) {
      return post({
        type: 'error',
        status: 409,
        error: 'This conversation is still answering a previous message; retry when it is done',
        conversationId,
      });
    }
    post({ type: 'accepted', conversationId });
    conversation.busy = true;
    try {
      if (confirmation) await this.answerConfirmation(connection, owner, conversation, confirmation);
      else await this.answer(connection, conversation, message);
    } finally {
      conversation.busy = false;
    }
  }

  private store(conversation: Conversation, question: string, answer: StoredMessage): void {
    const asked = new Date().toISOString();
    conversation.messages.push({ role: 'user', content: question, timestamp: asked });
    conversation.messages.push({ ...answer, timestamp: `${asked}#1` });
    conversation.updatedAt = asked;
  }

  private async stream(connection: WebSocketConnection, conversationId: string, chunks: readonly string[]) {
    const frames = chunks.map((text, seq) => ({ type: 'chunk', conversationId, seq, text }));
    // Posted out of order on purpose (2 before 1... here 3 before 2): the page must order by `seq`.
    if (frames.length > 3)
      [frames[2], frames[3]] = [frames[3] as (typeof frames)[number], frames[2] as (typeof frames)[number]];
    for (const frame of frames) {
      if (!connection.isOpen) return false;
      connection.send(JSON.stringify(frame));
      await sleep(this.chunkDelayMs);
    }
    return connection.isOpen;
  }

  private async answer(connection: WebSocketConnection, conversation: Conversation, message: string) {
    const id = conversation.id;
    const post = (frame: Record<string, unknown>) => connection.send(JSON.stringify(frame));
    await sleep(this.chunkDelayMs);
    if (/\berror\b|\bfail/i.test(message)) {
      return post({
        type: 'error',
        status: 502,
        error: 'The agent could not answer this message; try again later',
        conversationId: id,
      });
    }
    if (/\bbusy\b/i.test(message)) {
      return post({
        type: 'error',
        status: 429,
        error: 'The agent is busy right now; retry in a few seconds',
        retryAfterSeconds: 10,
        conversationId: id,
      });
    }
    if (/\bticket\b/i.test(message)) {
      if (!(await this.stream(connection, id, [CONFIRM_TEXT]))) return;
      const pending: PendingConfirmation = {
        id: randomUUID(),
        conversationId: id,
        owner: this.ownerOfConversation(conversation),
        title: message.slice(0, 80),
        expiresAt: Date.now() + 10 * 60_000,
      };
      this.confirmations.set(pending.id, pending);
      const inputs = { parameters: {}, body: { title: pending.title, severity: 'high' } };
      this.store(conversation, message, {
        role: 'assistant',
        content: `${CONFIRM_TEXT}\n\nRun report createTicket with title=${pending.title}, severity=high?`,
        timestamp: '',
      });
      return post({
        type: 'confirmation',
        conversationId: id,
        id: pending.id,
        tool: 'report',
        operation: { method: 'POST', path: '/tickets', operationId: 'createTicket' },
        inputs,
        prompt: `Run report createTicket with title=${pending.title}, severity=high?`,
        expiresAt: new Date(pending.expiresAt).toISOString(),
      });
    }
    const answer = CANNED_CHUNKS.join('');
    const citations = citationsFor(answer);
    const stored: StoredMessage = {
      role: 'assistant',
      content: answer,
      timestamp: '',
      citations: citations.map(toStored),
      toolCalls: [],
    };
    if (/\bdrop\b/i.test(message)) {
      // The worker finishes and stores the turn, but the connection is gone before `final` arrives.
      if (!(await this.stream(connection, id, CANNED_CHUNKS.slice(0, 2)))) return;
      this.store(conversation, message, stored);
      connection.terminate();
      return;
    }
    if (!(await this.stream(connection, id, CANNED_CHUNKS))) return;
    this.store(conversation, message, stored);
    post({ type: 'final', conversationId: id, answer, citations });
  }

  private ownerOfConversation(conversation: Conversation): string {
    for (const [owner, map] of this.conversations)
      if (map.get(conversation.id) === conversation) return owner;
    return '';
  }

  private async answerConfirmation(
    connection: WebSocketConnection,
    owner: string,
    conversation: Conversation,
    reply: { id?: unknown; confirm?: unknown },
  ) {
    const post = (frame: Record<string, unknown>) => connection.send(JSON.stringify(frame));
    const pending = typeof reply.id === 'string' ? this.confirmations.get(reply.id) : undefined;
    if (
      !pending ||
      pending.owner !== owner ||
      pending.conversationId !== conversation.id ||
      pending.expiresAt < Date.now()
    ) {
      return post({
        type: 'error',
        status: 404,
        error:
          'Confirmation not found: it was already answered or does not belong to this conversation; send your message again',
        conversationId: conversation.id,
      });
    }
    this.confirmations.delete(pending.id);
    const yes = reply.confirm === true;
    // As the API stores an answered confirmation (`replyText` of functions/shared/confirmations.ts).
    const action = `report createTicket with title=${pending.title}, severity=high`;
    const question = yes ? `Yes, run ${action}.` : `No, do not run ${action}.`;
    const answer = yes
      ? `Created ticket **TCK-1042** "${pending.title}" with severity high. The on-call engineer has been notified.`
      : 'OK, I did not create a ticket.';
    if (!(await this.stream(connection, conversation.id, [answer]))) return;
    this.store(conversation, question, {
      role: 'assistant',
      content: answer,
      timestamp: '',
      toolCalls: yes ? [{ action_group: 'report', operation: 'POST /tickets' }] : [],
    });
    post({ type: 'final', conversationId: conversation.id, answer, citations: [] });
  }
}
