import { ApiError, ChatRest } from './api';
import { Auth, SignInFailed } from './auth';
import type { CitationView } from './citations';
import type { RuntimeConfig } from './config';
import { describeProblem } from './errors';
import { connectionProblem, problemOf } from './problems';
import type { ConfirmationRequest, ServerFrame } from './protocol';
import { storedAnswerTo } from './protocol';
import { ChatSocket, type SocketState } from './socket';
import { Banner } from './ui/banner';
import { Composer } from './ui/composer';
import { ConnectionStatus } from './ui/connection-status';
import { ConversationList, conversationFromPath, conversationPath } from './ui/conversation-list';
import { h, replace } from './ui/dom';
import type { MessageView } from './ui/message-view';
import { renderShell } from './ui/shell';
import { renderSignIn } from './ui/sign-in';
import { Transcript } from './ui/transcript';

/** Re-reads after a dropped connection before the page calls an answer lost (the worker may still save it). */
const RECOVERY_ATTEMPTS = 4;
const RECOVERY_DELAY_MS = 1500;

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
  private readonly sidebar: ConversationList;
  private readonly banner = new Banner({
    signInAgain: () => {
      this.socket.close();
      this.auth.forget();
      void this.start();
    },
    newConversation: () => this.newConversation(),
  });
  private readonly composer: Composer;
  private conversationId: string | undefined;
  private pending: PendingTurn | undefined;

  private readonly connection = new ConnectionStatus();
  private readonly live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  private readonly transcript = new Transcript({
    announce: (text) => this.announce(text),
    confirm: (confirmation, yes) => void this.answerConfirmation(confirmation, yes),
  });
  private readonly main = h('main', { id: 'main', tabindex: -1 });

  constructor(
    private readonly root: HTMLElement,
    private readonly config: RuntimeConfig,
  ) {
    this.auth = new Auth(config.auth);
    this.rest = new ChatRest(config, () => this.auth.credentials());
    this.sidebar = new ConversationList({
      rest: this.rest,
      currentId: () => this.conversationId,
      open: (id) => void this.openConversation(id),
      showProblem: (error) => this.banner.show(problemOf(error)),
    });
    this.composer = new Composer(config.maxMessageChars, () => void this.sendMessage());
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
    this.transcript.watchScroll();
    await this.route();
    void this.sidebar.load();
  }

  // ---- sign-in -------------------------------------------------------------------------------------------

  private renderSignIn(problem?: string): void {
    renderSignIn(this.root, {
      config: this.config,
      auth: this.auth,
      ...(problem ? { problem } : {}),
      onKeySaved: () => void this.start(),
    });
  }

  private signOut(): void {
    this.socket.close();
    this.auth.signOut();
    if (this.config.auth.mode === 'api-key') this.renderSignIn();
  }

  // ---- layout --------------------------------------------------------------------------------------------

  private renderShell(): void {
    replace(
      this.main,
      h('div', { class: 'conversation-head' }, this.transcript.title),
      this.banner.element,
      this.transcript.messages,
      this.live,
      this.composer.form,
    );
    renderShell(this.root, {
      nav: this.sidebar.nav,
      navToggle: this.sidebar.toggle,
      connection: this.connection.element,
      main: this.main,
      signOutLabel: this.config.auth.mode === 'api-key' ? 'Change key' : 'Sign out',
      onNewConversation: () => this.newConversation(),
      onSignOut: () => this.signOut(),
    });
  }

  private announce(text: string): void {
    // Cleared first so the same text twice is announced twice.
    this.live.textContent = '';
    window.setTimeout(() => {
      this.live.textContent = text;
    }, 50);
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
    this.transcript.reset('Ask about runbooks, policies, services or tickets. Answers cite their sources.');
    this.transcript.setTitle('New conversation', 'heading only');
    document.title = 'KASS chat';
    this.banner.show(undefined);
    this.sidebar.markCurrent();
    this.composer.setBusy(false);
    this.composer.focus();
  }

  private async openConversation(id: string, push = true): Promise<void> {
    if (push) history.pushState(null, '', conversationPath(id));
    this.conversationId = id;
    this.pending = undefined;
    this.socket.keepOpen(false);
    this.composer.setBusy(false);
    this.banner.show(undefined);
    const summary = this.sidebar.find(id);
    this.transcript.setTitle(summary?.title ?? 'Conversation', 'heading only');
    this.sidebar.markCurrent();
    this.transcript.reset('Loading the conversation…');
    try {
      const stored = await this.rest.readConversation(id);
      if (this.conversationId !== id) return;
      this.transcript.reset();
      for (const message of stored) this.transcript.appendStored(message);
      const firstQuestion = stored.find((m) => m.role === 'user');
      this.transcript.setTitle(
        firstQuestion?.content.slice(0, 80) ?? this.transcript.title.textContent ?? '',
      );
    } catch (error) {
      if (this.conversationId !== id) return;
      this.transcript.reset();
      this.banner.show(problemOf(error));
    }
    this.transcript.title.focus();
  }

  // ---- turns ---------------------------------------------------------------------------------------------

  private async sendMessage(): Promise<void> {
    const message = this.composer.message;
    if (!message || this.pending) return;
    if (message.length > this.config.maxMessageChars) {
      this.banner.show({
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
      this.transcript.setTitle(message.slice(0, 80));
    }
    this.composer.clear();
    this.transcript.appendUser(message);
    this.transcript.follow();
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
    this.transcript.appendUser(note);
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
    this.banner.show(undefined);
    const view = this.transcript.newAssistantView();
    view.waiting();
    const turn: PendingTurn = { conversationId, payload, question, isQuestion, view };
    this.pending = turn;
    this.composer.setBusy(true);
    this.announce('KASS is answering.');
    this.socket.keepOpen(true);
    try {
      await this.socket.send(payload);
    } catch {
      if (this.pending?.view !== view) return;
      this.endTurn();
      const problem = await connectionProblem(this.rest, this.config.websocketUrl);
      view.fail(problem, () => void this.retry(turn));
      if (problem.action === 'sign-in') this.banner.show(problem);
      this.announce(`Error: ${problem.message}`);
    }
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
    this.composer.setBusy(false);
  }

  private onFrame(frame: ServerFrame): void {
    const turn = this.pending;
    if (!turn) return;
    if (frame.conversationId !== undefined && frame.conversationId !== turn.conversationId) return;
    switch (frame.type) {
      case 'accepted':
        turn.view.accepted();
        // The API took the turn: the conversation exists (the list is re-read after the answer).
        this.sidebar.touch(
          turn.conversationId,
          this.transcript.title.textContent ?? turn.question.slice(0, 80),
        );
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
        if (problem.action === 'sign-in') this.banner.show(problem);
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
      const answer = storedAnswerTo(stored, turn.isQuestion);
      if (answer) turn.view.setSteps(answer.toolCalls, answer.citations);
    } catch {
      // The answer is on screen already; the steps stay as the citations describe them.
    }
    void this.sidebar.load();
  }

  private onSocketState(state: SocketState): void {
    this.connection.show(state);
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
        const answer = storedAnswerTo(stored, turn.isQuestion);
        if (answer && this.pending === turn) {
          this.endTurn();
          turn.view.finish(answer.content, answer.citations);
          turn.view.setSteps(answer.toolCalls, answer.citations);
          this.announce('Reconnected. Answer complete.');
          void this.sidebar.load();
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
    this.banner.show(await connectionProblem(this.rest, this.config.websocketUrl));
  }
}
