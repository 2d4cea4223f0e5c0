import type { Credentials } from './auth';
import type { RuntimeConfig } from './config';
import {
  type ConversationPage,
  type ConversationSummary,
  readConversationList,
  readConversationPage,
  type StoredMessage,
} from './protocol';

/** A REST call failed: `status` 0 when the API could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Pages read at most when a conversation is re-read (100 messages a page by default). */
const MAX_PAGES = 20;

/** `GET /conversations` and `GET /conversations/{id}`, authenticated like the WebSocket. */
export class ChatRest {
  constructor(
    private readonly config: RuntimeConfig,
    private readonly credentials: () => Promise<Credentials | undefined>,
  ) {}

  async listConversations(
    nextToken?: string,
  ): Promise<{ conversations: ConversationSummary[]; nextToken?: string }> {
    return readConversationList(await this.get('conversations', nextToken ? { nextToken } : {}));
  }

  /** Every stored message of a conversation, oldest first. */
  async readConversation(conversationId: string): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body: ConversationPage = readConversationPage(
        await this.get(`conversations/${encodeURIComponent(conversationId)}`, nextToken ? { nextToken } : {}),
      );
      messages.push(...body.messages);
      nextToken = body.nextToken;
      if (!nextToken) break;
    }
    return messages;
  }

  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const creds = await this.credentials();
    if (!creds) throw new ApiError(401, 'You are signed out');
    const url = new URL(path, this.config.apiUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (creds.kind === 'api-key') {
      headers['x-api-key'] = creds.apiKey;
      if (creds.userId) url.searchParams.set('userId', creds.userId);
    } else {
      headers.Authorization = creds.idToken;
    }
    let response: Response;
    try {
      response = await fetch(url, { headers, cache: 'no-store' });
    } catch {
      throw new ApiError(0, `Cannot reach the chat API at ${url.origin}`);
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const message =
        typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : '';
      const details = Array.isArray(body?.details)
        ? body.details.filter((d): d is string => typeof d === 'string')
        : [];
      throw new ApiError(response.status, message || `HTTP ${response.status}`, details);
    }
    return body;
  }
}
