import type { ConfirmationRequest, StoredMessage } from '../protocol';
import { h } from './dom';
import { MessageView } from './message-view';

/** What the transcript tells the page. */
export interface TranscriptEvents {
  /** Text for screen readers (the page's live region). */
  announce(text: string): void;
  /** The reader answered a confirmation in an answer. */
  confirm(confirmation: ConfirmationRequest, yes: boolean): void;
}

/** The open conversation: its title and messages, kept scrolled to the end while the reader follows it. */
export class Transcript {
  readonly title = h('h2', { id: 'conversation-title', tabindex: -1 }, 'New conversation');
  readonly messages = h('div', { class: 'messages', 'aria-labelledby': 'conversation-title' });
  private messageCount = 0;
  /** The reader is at the end of the conversation: new text keeps it there (not when they scrolled up). */
  private followingAnswer = true;

  constructor(private readonly events: TranscriptEvents) {}

  /** Follows the reader's scrolling (call once the page shows the transcript). */
  watchScroll(): void {
    window.addEventListener(
      'scroll',
      () => {
        const bottom = window.scrollY + window.innerHeight;
        this.followingAnswer = bottom >= document.documentElement.scrollHeight - 160;
      },
      { passive: true },
    );
  }

  /** Keeps the end in view again (the reader just sent a message). */
  follow(): void {
    this.followingAnswer = true;
  }

  /** Sets the heading, and the document's title unless `heading only`. */
  setTitle(text: string, scope: 'page' | 'heading only' = 'page'): void {
    this.title.textContent = text;
    if (scope === 'page') document.title = `${text} · KASS chat`;
  }

  /** Replaces the messages with a note (`undefined`: nothing). */
  reset(note?: string): void {
    this.messages.replaceChildren(...(note ? [h('p', { class: 'empty' }, note)] : []));
  }

  appendStored(message: StoredMessage): void {
    if (message.role === 'user') {
      this.appendUser(message.content);
      return;
    }
    const view = this.newAssistantView();
    view.finish(message.content, message.citations);
    view.setSteps(message.toolCalls, message.citations);
  }

  appendUser(text: string): void {
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

  newAssistantView(): MessageView {
    this.messages.querySelector('.empty')?.remove();
    const view = new MessageView(`m${++this.messageCount}`, {
      copied: () => this.events.announce('Answer copied to the clipboard.'),
      rendered: () => {
        if (this.followingAnswer) window.scrollTo({ top: document.documentElement.scrollHeight });
      },
      confirm: (confirmation, yes) => this.events.confirm(confirmation, yes),
    });
    this.messages.append(view.element);
    return view;
  }
}
