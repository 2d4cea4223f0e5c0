import { ApiError, ChatRest } from './api';
import { Auth, SignInFailed } from './auth';
import type { CitationView } from './citations';
import type { RuntimeConfig } from './config';
import { describeProblem, type Problem } from './errors';
import type { ConfirmationRequest, ConversationSummary, ServerFrame, StoredMessage } from './protocol';
import { ChatSocket, type SocketState } from './socket';
import { h, replace } from './ui/dom';
import { MessageView } from './ui/message-view';

const CONNECTION_TEXT: Record<SocketState, string> = {
  offline: 'Ready',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
};

/** Re-reads after a dropped connection before the page calls an answer lost (the worker may still save it). */
const RECOVERY_ATTEMPTS = 4;
const RECOVERY_DELAY_MS = 1500;

const conversationPath = (id: string) => `/c/${encodeURIComponent(id)}`;
const conversationFromPath = (path: string): string | undefined => {
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

/** A turn the page is waiting for. */
interface PendingTurn {
  readonly conversationId: string;
  /** What was sent: a message, or the answer to a confirmation. */
  readonly payload: Record<string, unknown>;
  /** What the user said, as shown. */
  readonly question: string;
  /** Recognises the stored question of this turn (to find its answer when re-reading). */
  readonly isQuestion: (stored: string) => boolean;
  readonly view: MessageView;
}

/** The chat page: sign-in, conversation list, messages, composer; one conversation open at a time. */
export class ChatApp {
  private readonly auth: Auth;
  private readonly rest: ChatRest;
  private readonly socket: ChatSocket;
  private conversationId: string | undefined;
  private pending: PendingTurn | undefined;
  private messageCount = 0;
  /** The reader is at the end of the conversation: new text keeps it there (not when they scrolled up). */
  private followingAnswer = true;
  private conversations: ConversationSummary[] = [];
  private listNextToken: string | undefined;

  private readonly connection = h('span', { class: 'connection', 'data-state': 'offline' }, 'Ready');
  private readonly live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  private readonly banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  private readonly title = h('h2', { id: 'conversation-title', tabindex: -1 }, 'New conversation');
  private readonly messages = h('div', { class: 'messages', 'aria-labelledby': 'conversation-title' });
  private readonly list = h('ul', { class: 'conversation-list' });
  private readonly listStatus = h('p', { class: 'list-status' });
  private readonly moreButton = h(
    'button',
    { type: 'button', class: 'link-button', hidden: true },
    'Load older',
  );
  private readonly nav = h('nav', { id: 'conversations', 'aria-label': 'Conversations', class: 'sidebar' });
  private readonly navToggle = h(
    'button',
    { type: 'button', class: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'conversations' },
    'Conversations',
  );
  private readonly input = h('textarea', {
    id: 'message',
    name: 'message',
    rows: 3,
    'aria-describedby': 'message-hint message-count',
    autocomplete: 'off',
  });
  private readonly counter = h('span', { id: 'message-count', class: 'counter' });
  private readonly sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send');
  private readonly main = h('main', { id: 'main', tabindex: -1 });

  constructor(
    private readonly root: HTMLElement,
    private readonly config: RuntimeConfig,
  ) {
    this.auth = new Auth(config.auth);
    this.rest = new ChatRest(config, () => this.auth.credentials());
    this.socket = new ChatSocket(config.websocketUrl, () => this.auth.credentials(), {
      frame: (frame) => this.onFrame(frame),
      state: (state) => this.onSocketState(state),
      reopened: () => void this.recover(),
      unreachable: () => void this.diagnoseConnection(),
    });
  }

  async start(): Promise<void> {
    const url = new URL(location.href);
    try {
      const returnTo = await this.auth.completeSignIn(url);
      if (returnTo !== undefined) history.replaceState(null, '', returnTo);
    } catch (error) {
      history.replaceState(null, '', '/');
      this.renderSignIn(error instanceof SignInFailed ? error.message : 'Sign-in failed; sign in again.');
      return;
    }
    if (!(await this.auth.credentials())) {
      this.renderSignIn();
      return;
    }
    this.renderShell();
    window.addEventListener('popstate', () => void this.route());
    window.addEventListener(
      'scroll',
      () => {
        const bottom = window.scrollY + window.innerHeight;
        this.followingAnswer = bottom >= document.documentElement.scrollHeight - 160;
      },
      { passive: true },
    );
    await this.route();
    void this.loadConversations();
  }

  // ---- sign-in -------------------------------------------------------------------------------------------

  private renderSignIn(problem?: string): void {
    const error = problem ? h('p', { class: 'banner', role: 'alert' }, problem) : undefined;
    if (this.config.auth.mode === 'cognito') {
      const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
      button.addEventListener('click', () => {
        this.auth.beginSignIn(location.pathname).catch((e: unknown) => {
          replace(card, ...cardContent(), h('p', { class: 'banner', role: 'alert' }, (e as Error).message));
        });
      });
      const cardContent = () => [
        h('h1', {}, 'KASS chat'),
        h('p', {}, 'Sign in with your organisation account to chat with the KASS assistant.'),
        button,
      ];
      const card = h('div', { class: 'sign-in' }, ...cardContent(), error);
      replace(this.root, h('main', { id: 'main' }, card));
      button.focus();
      return;
    }
    const key = h('input', {
      id: 'api-key',
      name: 'api-key',
      type: 'password',
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'api-key-hint',
    });
    const user = h('input', {
      id: 'user-id',
      name: 'user-id',
      type: 'text',
      autocomplete: 'username',
      pattern: '[0-9A-Za-z._@:\\-]{1,128}',
      'aria-describedby': 'user-id-hint',
    });
    const remember = h('input', { id: 'remember', name: 'remember', type: 'checkbox' });
    const form = h(
      'form',
      { class: 'sign-in' },
      h('h1', {}, 'KASS chat'),
      h(
        'p',
        {},
        `This stage${this.config.stage ? ` (${this.config.stage})` : ''} identifies callers by API key. The key stays in this browser; it is never part of the page's files.`,
      ),
      error,
      h('label', { for: 'api-key' }, 'API key'),
      key,
      h(
        'p',
        { id: 'api-key-hint', class: 'hint' },
        'Read it with: aws apigateway get-api-key --include-value --api-key <ChatApiKeyId output>',
      ),
      h('label', { for: 'user-id' }, 'Your user id (optional)'),
      user,
      h(
        'p',
        { id: 'user-id-hint', class: 'hint' },
        'Keeps your conversations apart from others using the same key: letters, digits and . _ @ : -',
      ),
      h(
        'div',
        { class: 'checkbox' },
        remember,
        h('label', { for: 'remember' }, 'Remember the key in this browser'),
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Start chatting'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const apiKey = key.value.trim();
      if (!apiKey) return;
      this.auth.saveApiKey(apiKey, user.value.trim() || undefined, remember.checked);
      void this.start();
    });
    replace(this.root, h('main', { id: 'main' }, form));
    key.focus();
  }

  private signOut(): void {
    this.socket.close();
    this.auth.signOut();
    if (this.config.auth.mode === 'api-key') this.renderSignIn();
  }

  // ---- layout --------------------------------------------------------------------------------------------

  private renderShell(): void {
    const newButton = h('button', { type: 'button' }, 'New conversation');
    newButton.addEventListener('click', () => this.newConversation());
    const signOut = h(
      'button',
      { type: 'button' },
      this.config.auth.mode === 'api-key' ? 'Change key' : 'Sign out',
    );
    signOut.addEventListener('click', () => this.signOut());
    this.navToggle.addEventListener('click', () => {
      const open = this.navToggle.getAttribute('aria-expanded') !== 'true';
      this.navToggle.setAttribute('aria-expanded', String(open));
      this.nav.classList.toggle('open', open);
    });
    this.moreButton.addEventListener('click', () => void this.loadConversations(this.listNextToken));
    replace(
      this.nav,
      h('h2', { class: 'sidebar-title' }, 'Conversations'),
      this.listStatus,
      this.list,
      this.moreButton,
    );

    const form = h(
      'form',
      { class: 'composer', 'aria-label': 'Send a message' },
      h('label', { for: 'message' }, 'Message'),
      this.input,
      h(
        'div',
        { class: 'composer-row' },
        h('p', { id: 'message-hint', class: 'hint' }, 'Enter sends; Shift+Enter starts a new line.'),
        this.counter,
        this.sendButton,
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.sendMessage();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => this.updateCounter());
    this.updateCounter();

    replace(
      this.main,
      h('div', { class: 'conversation-head' }, this.title),
      this.banner,
      this.messages,
      this.live,
      form,
    );
    replace(
      this.root,
      h('a', { class: 'skip-link', href: '#message' }, 'Skip to the message box'),
      h(
        'header',
        { class: 'topbar' },
        this.navToggle,
        h('h1', { class: 'brand' }, 'KASS chat'),
        h('div', { class: 'connection-wrap' }, this.connection),
        h('div', { class: 'topbar-actions' }, newButton, signOut),
      ),
      h('div', { class: 'layout' }, this.nav, this.main),
    );
  }

  private updateCounter(): void {
    const used = this.input.value.length;
    const max = this.config.maxMessageChars;
    this.counter.textContent = `${used} / ${max}`;
    this.counter.classList.toggle('over', used > max);
  }

  private announce(text: string): void {
    // Cleared first so the same text twice is announced twice.
    this.live.textContent = '';
    window.setTimeout(() => {
      this.live.textContent = text;
    }, 50);
  }

  private showBanner(problem: Problem | undefined): void {
    if (!problem) {
      this.banner.hidden = true;
      this.banner.replaceChildren();
      return;
    }
    const action = this.actionButton(problem, () => this.showBanner(undefined));
    replace(
      this.banner,
      h('p', {}, problem.message),
      problem.details.length > 0 ? h('ul', {}, ...problem.details.map((d) => h('li', {}, d))) : undefined,
      action,
    );
    this.banner.hidden = false;
  }

  private actionButton(problem: Problem, retry: () => void): HTMLButtonElement | undefined {
    if (!problem.action) return undefined;
    const labels = { retry: 'Retry', 'sign-in': 'Sign in again', 'new-conversation': 'New conversation' };
    const button = h('button', { type: 'button', class: 'action' }, labels[problem.action]);
    button.addEventListener('click', () => {
      if (problem.action === 'sign-in') {
        this.socket.close();
        this.auth.forget();
        void this.start();
      } else if (problem.action === 'new-conversation') this.newConversation();
      else retry();
    });
    return button;
  }

  // ---- conversations -------------------------------------------------------------------------------------

  private async route(): Promise<void> {
    const id = conversationFromPath(location.pathname);
    if (id) await this.openConversation(id, false);
    else this.newConversation(false);
  }

  private newConversation(push = true): void {
    if (push && location.pathname !== '/') history.pushState(null, '', '/');
    this.conversationId = undefined;
    this.pending = undefined;
    this.socket.keepOpen(false);
    this.messages.replaceChildren(
      h(
        'p',
        { class: 'empty' },
        'Ask about runbooks, policies, services or tickets. Answers cite their sources.',
      ),
    );
    this.title.textContent = 'New conversation';
    document.title = 'KASS chat';
    this.showBanner(undefined);
    this.markCurrent();
    this.setBusy(false);
    this.input.focus();
  }

  private async openConversation(id: string, push = true): Promise<void> {
    if (push) history.pushState(null, '', conversationPath(id));
    this.conversationId = id;
    this.pending = undefined;
    this.socket.keepOpen(false);
    this.setBusy(false);
    this.showBanner(undefined);
    const summary = this.conversations.find((c) => c.conversationId === id);
    this.title.textContent = summary?.title ?? 'Conversation';
    this.markCurrent();
    this.messages.replaceChildren(h('p', { class: 'empty' }, 'Loading the conversation…'));
    try {
      const stored = await this.rest.readConversation(id);
      if (this.conversationId !== id) return;
      this.messages.replaceChildren();
      for (const message of stored) this.appendStored(message);
      const firstQuestion = stored.find((m) => m.role === 'user');
      if (firstQuestion) this.title.textContent = firstQuestion.content.slice(0, 80);
      document.title = `${this.title.textContent} · KASS chat`;
    } catch (error) {
      if (this.conversationId !== id) return;
      this.messages.replaceChildren();
      this.showBanner(this.problemOf(error));
    }
    this.title.focus();
  }

  private appendStored(message: StoredMessage): void {
    if (message.role === 'user') {
      this.appendUser(message.content);
      return;
    }
    const view = this.newAssistantView();
    view.finish(message.content, message.citations);
    view.setSteps(message.toolCalls, message.citations);
  }

  private async loadConversations(nextToken?: string): Promise<void> {
    this.listStatus.textContent = 'Loading…';
    try {
      const page = await this.rest.listConversations(nextToken);
      const known = new Set(this.conversations.map((c) => c.conversationId));
      this.conversations = nextToken
        ? [...this.conversations, ...page.conversations.filter((c) => !known.has(c.conversationId))]
        : page.conversations;
      this.listNextToken = page.nextToken;
      this.listStatus.textContent = this.conversations.length === 0 ? 'No conversations yet.' : '';
      this.renderList();
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      if (status === 401 || status === 403) this.showBanner(this.problemOf(error));
      this.listStatus.textContent =
        status === 0
          ? 'The conversation list could not be loaded (network). It reloads after your next answer.'
          : `The conversation list could not be loaded (HTTP ${status}).`;
    }
  }

  private renderList(): void {
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
          this.closeNavOnSmallScreens();
          void this.openConversation(c.conversationId);
        });
        return h('li', {}, link);
      }),
    );
    this.moreButton.hidden = !this.listNextToken;
    this.markCurrent();
  }

  private markCurrent(): void {
    for (const link of this.list.querySelectorAll('a')) {
      const current =
        link.getAttribute('href') === (this.conversationId ? conversationPath(this.conversationId) : '');
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  private closeNavOnSmallScreens(): void {
    this.navToggle.setAttribute('aria-expanded', 'false');
    this.nav.classList.remove('open');
  }

  /** Puts the current conversation first in the list (the server list is re-read after each answer). */
  private touchConversation(id: string, title: string): void {
    const existing = this.conversations.find((c) => c.conversationId === id);
    const entry = {
      conversationId: id,
      title: existing?.title ?? title,
      updatedAt: new Date().toISOString(),
    };
    this.conversations = [entry, ...this.conversations.filter((c) => c.conversationId !== id)];
    this.listStatus.textContent = '';
    this.renderList();
  }

  // ---- turns ---------------------------------------------------------------------------------------------

  private appendUser(text: string): void {
    this.messages.querySelector('.empty')?.remove();
    this.messages.append(
      h(
        'article',
        { class: 'message user', 'aria-label': 'You said' },
        h('h3', { class: 'speaker' }, 'You'),
        h('div', { class: 'user-text', text }),
      ),
    );
  }

  private newAssistantView(): MessageView {
    this.messages.querySelector('.empty')?.remove();
    const view = new MessageView(`m${++this.messageCount}`, {
      copied: () => this.announce('Answer copied to the clipboard.'),
      rendered: () => {
        if (this.followingAnswer) window.scrollTo({ top: document.documentElement.scrollHeight });
      },
      confirm: (confirmation, yes) => void this.answerConfirmation(confirmation, yes),
    });
    this.messages.append(view.element);
    return view;
  }

  private setBusy(busy: boolean): void {
    this.sendButton.disabled = busy;
    this.sendButton.textContent = busy ? 'Answering…' : 'Send';
  }

  private async sendMessage(): Promise<void> {
    const message = this.input.value.trim();
    if (!message || this.pending) return;
    if (message.length > this.config.maxMessageChars) {
      this.showBanner({
        message: `The message is ${message.length} characters; the limit is ${this.config.maxMessageChars}. Shorten it and send again.`,
        details: [],
      });
      return;
    }
    const isNew = !this.conversationId;
    const conversationId = this.conversationId ?? crypto.randomUUID();
    if (isNew) {
      this.conversationId = conversationId;
      history.pushState(null, '', conversationPath(conversationId));
      this.title.textContent = message.slice(0, 80);
      document.title = `${this.title.textContent} · KASS chat`;
    }
    this.input.value = '';
    this.updateCounter();
    this.appendUser(message);
    this.followingAnswer = true;
    await this.startTurn(
      conversationId,
      { action: 'sendMessage', message, conversationId },
      message,
      (stored) => stored === message,
    );
  }

  private async answerConfirmation(confirmation: ConfirmationRequest, yes: boolean): Promise<void> {
    const conversationId = this.conversationId;
    if (!conversationId || this.pending) return;
    const note = yes
      ? `Yes, run ${confirmation.tool} ${confirmation.operation}.`
      : `No, do not run ${confirmation.tool} ${confirmation.operation}.`;
    this.appendUser(note);
    // The API stores the answer as "Yes, run <tool> <operation> …" / "No, do not run …".
    const prefix = yes ? 'Yes, run ' : 'No, do not run ';
    await this.startTurn(
      conversationId,
      { action: 'sendMessage', conversationId, confirmation: { id: confirmation.id, confirm: yes } },
      note,
      (stored) => stored.startsWith(prefix),
    );
  }

  private async startTurn(
    conversationId: string,
    payload: Record<string, unknown>,
    question: string,
    isQuestion: (stored: string) => boolean,
  ): Promise<void> {
    this.showBanner(undefined);
    const view = this.newAssistantView();
    view.waiting();
    const turn: PendingTurn = { conversationId, payload, question, isQuestion, view };
    this.pending = turn;
    this.setBusy(true);
    this.announce('KASS is answering.');
    this.socket.keepOpen(true);
    try {
      await this.socket.send(payload);
    } catch {
      if (this.pending?.view !== view) return;
      this.endTurn();
      const problem = await this.connectionProblem();
      view.fail(problem, () => void this.retry(turn));
      if (problem.action === 'sign-in') this.showBanner(problem);
      this.announce(`Error: ${problem.message}`);
    }
  }

  /**
   * Why the WebSocket would not open. Browsers hide the status of a refused `$connect`, so the REST API is
   * asked with the same credentials: 401/403 means the key or sign-in, no answer means the network.
   */
  private async connectionProblem(): Promise<Problem> {
    const host = new URL(this.config.websocketUrl).host;
    try {
      await this.rest.listConversations();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 0)) {
        return this.problemOf(error);
      }
      return describeProblem(0, `Cannot open the streaming connection to ${host}`);
    }
    return {
      message: `The chat API answers, but the streaming connection to ${host} does not open: a proxy or firewall may block WebSockets. Retry, or try another network.`,
      details: [],
      action: 'retry',
    };
  }

  /** Sends the failed turn again, in place of its failed answer. */
  private async retry(failed: PendingTurn): Promise<void> {
    if (this.conversationId !== failed.conversationId || this.pending) return;
    failed.view.element.remove();
    await this.startTurn(failed.conversationId, failed.payload, failed.question, failed.isQuestion);
  }

  private endTurn(): void {
    this.pending = undefined;
    this.socket.keepOpen(false);
    this.setBusy(false);
  }

  private onFrame(frame: ServerFrame): void {
    const turn = this.pending;
    if (!turn) return;
    if (frame.conversationId !== undefined && frame.conversationId !== turn.conversationId) return;
    switch (frame.type) {
      case 'accepted':
        turn.view.accepted();
        // The API took the turn: the conversation exists (the list is re-read after the answer).
        this.touchConversation(turn.conversationId, this.title.textContent ?? turn.question.slice(0, 80));
        return;
      case 'chunk':
        turn.view.chunk(frame.seq, frame.text);
        return;
      case 'final':
        this.endTurn();
        this.finishAnswer(turn, frame.answer, frame.citations);
        return;
      case 'confirmation':
        this.endTurn();
        turn.view.confirm(frame);
        this.announce(`KASS asks for confirmation: ${frame.prompt}`);
        return;
      case 'error': {
        this.endTurn();
        if (frame.status === 409 && frame.confirmation) {
          turn.view.confirm(frame.confirmation, frame.error);
          return;
        }
        const problem = describeProblem(frame.status, frame.error, frame.details, frame.retryAfterSeconds);
        turn.view.fail(problem, () => void this.retry(turn));
        this.announce(`Error: ${problem.message}`);
        if (problem.action === 'sign-in') this.showBanner(problem);
        return;
      }
    }
  }

  private finishAnswer(turn: PendingTurn, answer: string, citations: readonly CitationView[]): void {
    turn.view.finish(answer, citations);
    turn.view.setSteps([], citations);
    this.announce('Answer complete.');
    void this.refreshAfterAnswer(turn);
  }

  /** After an answer: the stored turn holds the tool calls (the trace); the list shows the new conversation. */
  private async refreshAfterAnswer(turn: PendingTurn): Promise<void> {
    try {
      const stored = await this.rest.readConversation(turn.conversationId);
      const answer = this.storedAnswerTo(stored, turn.isQuestion);
      if (answer) turn.view.setSteps(answer.toolCalls, answer.citations);
    } catch {
      // The answer is on screen already; the steps stay as the citations describe them.
    }
    void this.loadConversations();
  }

  /** The stored answer to a turn's question: the assistant message after its last occurrence. */
  private storedAnswerTo(
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

  private onSocketState(state: SocketState): void {
    this.connection.textContent = CONNECTION_TEXT[state];
    this.connection.dataset.state = state;
    if (state === 'reconnecting' && this.pending) {
      this.pending.view.interrupted('The connection dropped; reconnecting to fetch the rest of the answer…');
      this.announce('Connection lost. Reconnecting.');
    }
  }

  /**
   * The connection came back during a turn: the answer may have been completed and stored meanwhile (frames
   * posted to the old connection are lost). Re-read the conversation until it shows the answer, or say so.
   */
  private async recover(): Promise<void> {
    const turn = this.pending;
    if (!turn) return;
    for (let attempt = 0; attempt < RECOVERY_ATTEMPTS; attempt++) {
      if (this.pending !== turn) return;
      try {
        const stored = await this.rest.readConversation(turn.conversationId);
        const answer = this.storedAnswerTo(stored, turn.isQuestion);
        if (answer && this.pending === turn) {
          this.endTurn();
          turn.view.finish(answer.content, answer.citations);
          turn.view.setSteps(answer.toolCalls, answer.citations);
          this.announce('Reconnected. Answer complete.');
          void this.loadConversations();
          return;
        }
      } catch (error) {
        if (error instanceof ApiError && error.status !== 404 && error.status !== 0) break;
      }
      await new Promise((resolve) => window.setTimeout(resolve, RECOVERY_DELAY_MS));
    }
    if (this.pending !== turn) return;
    this.endTurn();
    turn.view.fail(
      {
        message: 'The connection dropped before the answer was saved. Ask again to get the full answer.',
        details: [],
        action: 'retry',
      },
      () => void this.retry(turn),
    );
  }

  /** The socket kept failing while a turn waited for it: say why, once. */
  private async diagnoseConnection(): Promise<void> {
    this.showBanner(await this.connectionProblem());
  }

  private problemOf(error: unknown): Problem {
    if (error instanceof ApiError) return describeProblem(error.status, error.message, error.details);
    return describeProblem(500, 'Something went wrong; reload the page');
  }
}
