import { ApiError, type ChatRest } from '../api';
import type { ConversationSummary } from '../protocol';
import { h, replace } from './dom';

/** The page's address of a conversation, and back. */
export const conversationPath = (id: string) => `/c/${encodeURIComponent(id)}`;
export const conversationFromPath = (path: string): string | undefined => {
  const match = /^\/c\/([^/]+)\/?$/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
};

const formatTime = (iso: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
};

/** What the list asks of the page. */
export interface ConversationListHost {
  readonly rest: ChatRest;
  /** The conversation on screen (marked as the current page in the list). */
  currentId(): string | undefined;
  open(id: string): void;
  /** A sign-in problem while reading the list (401/403) goes to the page's banner. */
  showProblem(error: unknown): void;
}

/** The sidebar: the caller's conversations, newest first, paged with "Load older", and its toggle on small screens. */
export class ConversationList {
  private conversations: ConversationSummary[] = [];
  private nextToken: string | undefined;
  private readonly list = h('ul', { class: 'conversation-list' });
  private readonly status = h('p', { class: 'list-status' });
  private readonly moreButton = h(
    'button',
    { type: 'button', class: 'link-button', hidden: true },
    'Load older',
  );
  readonly nav = h('nav', { id: 'conversations', 'aria-label': 'Conversations', class: 'sidebar' });
  readonly toggle = h(
    'button',
    { type: 'button', class: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'conversations' },
    'Conversations',
  );

  constructor(private readonly host: ConversationListHost) {
    this.toggle.addEventListener('click', () => {
      const open = this.toggle.getAttribute('aria-expanded') !== 'true';
      this.toggle.setAttribute('aria-expanded', String(open));
      this.nav.classList.toggle('open', open);
    });
    this.moreButton.addEventListener('click', () => void this.load(this.nextToken));
    replace(
      this.nav,
      h('h2', { class: 'sidebar-title' }, 'Conversations'),
      this.status,
      this.list,
      this.moreButton,
    );
  }

  /** The summary of a listed conversation. */
  find(id: string): ConversationSummary | undefined {
    return this.conversations.find((c) => c.conversationId === id);
  }

  /** Reads the first page (or the page after `nextToken`) from the chat API. */
  async load(nextToken?: string): Promise<void> {
    this.status.textContent = 'Loading…';
    try {
      const page = await this.host.rest.listConversations(nextToken);
      const known = new Set(this.conversations.map((c) => c.conversationId));
      this.conversations = nextToken
        ? [...this.conversations, ...page.conversations.filter((c) => !known.has(c.conversationId))]
        : page.conversations;
      this.nextToken = page.nextToken;
      this.status.textContent = this.conversations.length === 0 ? 'No conversations yet.' : '';
      this.render();
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      if (status === 401 || status === 403) this.host.showProblem(error);
      this.status.textContent =
        status === 0
          ? 'The conversation list could not be loaded (network). It reloads after your next answer.'
          : `The conversation list could not be loaded (HTTP ${status}).`;
    }
  }

  /** Marks the conversation on screen as the current page. */
  markCurrent(): void {
    const id = this.host.currentId();
    for (const link of this.list.querySelectorAll('a')) {
      const current = link.getAttribute('href') === (id ? conversationPath(id) : '');
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** Puts the current conversation first in the list (the server list is re-read after each answer). */
  touch(id: string, title: string): void {
    const existing = this.find(id);
    const entry = {
      conversationId: id,
      title: existing?.title ?? title,
      updatedAt: new Date().toISOString(),
    };
    this.conversations = [entry, ...this.conversations.filter((c) => c.conversationId !== id)];
    this.status.textContent = '';
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.conversations.map((c) => {
        const link = h(
          'a',
          { href: conversationPath(c.conversationId), class: 'conversation-link' },
          h('span', { class: 'conversation-title' }, c.title),
          h('time', { datetime: c.updatedAt }, formatTime(c.updatedAt)),
        );
        link.addEventListener('click', (event) => {
          event.preventDefault();
          this.closeOnSmallScreens();
          this.host.open(c.conversationId);
        });
        return h('li', {}, link);
      }),
    );
    this.moreButton.hidden = !this.nextToken;
    this.markCurrent();
  }

  private closeOnSmallScreens(): void {
    this.toggle.setAttribute('aria-expanded', 'false');
    this.nav.classList.remove('open');
  }
}
