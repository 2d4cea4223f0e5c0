import { h } from './dom';

/** The message box: Enter sends, Shift+Enter starts a new line, a counter against the API's limit. */
export class Composer {
  private readonly input = h('textarea', {
    id: 'message',
    name: 'message',
    rows: 3,
    'aria-describedby': 'message-hint message-count',
    autocomplete: 'off',
  });
  private readonly counter = h('span', { id: 'message-count', class: 'counter' });
  private readonly sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send');
  readonly form = h(
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

  constructor(
    private readonly maxChars: number,
    onSend: () => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      onSend();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => this.updateCounter());
    this.updateCounter();
  }

  /** The message as typed, without surrounding blanks. */
  get message(): string {
    return this.input.value.trim();
  }

  clear(): void {
    this.input.value = '';
    this.updateCounter();
  }

  focus(): void {
    this.input.focus();
  }

  /** While an answer streams, Send waits. */
  setBusy(busy: boolean): void {
    this.sendButton.disabled = busy;
    this.sendButton.textContent = busy ? 'Answering…' : 'Send';
  }

  private updateCounter(): void {
    const used = this.input.value.length;
    this.counter.textContent = `${used} / ${this.maxChars}`;
    this.counter.classList.toggle('over', used > this.maxChars);
  }
}
