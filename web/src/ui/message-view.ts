import { type CitationView, type Footnote, footnote } from '../citations';
import type { Problem } from '../errors';
import { parseMarkdown, stripMarkers } from '../markdown';
import type { ConfirmationRequest } from '../protocol';
import { h, replace } from './dom';
import { renderBlocks } from './render-markdown';

export interface MessageViewEvents {
  copied(): void;
  /** The message grew (the page keeps the newest text in view). */
  rendered(): void;
  confirm(confirmation: ConfirmationRequest, yes: boolean): void;
}

/**
 * One assistant message: the answer (streamed into a polite live region that is `aria-busy` until the answer is
 * complete, so screen readers read it once, whole), its numbered sources, the steps the agent took, a copy
 * button, a tool confirmation or an error with the action that helps.
 */
export class MessageView {
  readonly element: HTMLElement;
  private readonly status = h('p', { class: 'status' });
  private readonly answer = h('div', { class: 'answer', 'aria-live': 'polite', 'aria-busy': 'false' });
  private readonly extras = h('div', { class: 'extras' });
  private readonly steps = h('div', { class: 'steps-slot' });
  private readonly sources = h('div', { class: 'sources-slot' });
  private readonly actions = h('div', { class: 'actions', hidden: true });
  private readonly chunks = new Map<number, string>();
  private nextSeq = 0;
  private text = '';
  private plain = '';
  private frame = 0;

  constructor(
    private readonly id: string,
    private readonly events: MessageViewEvents,
  ) {
    const copy = h('button', { type: 'button', class: 'copy' }, 'Copy answer');
    copy.addEventListener('click', () => void this.copy(copy));
    this.actions.append(copy);
    this.element = h(
      'article',
      { class: 'message assistant', 'aria-label': 'KASS answered', id: id },
      h('h3', { class: 'speaker' }, 'KASS'),
      this.status,
      this.answer,
      this.sources,
      this.steps,
      this.extras,
      this.actions,
    );
  }

  waiting(): void {
    this.answer.setAttribute('aria-busy', 'true');
    this.setStatus('Thinking…');
  }

  accepted(): void {
    if (!this.text) this.setStatus('Thinking…');
  }

  /** A streamed piece: applied in `seq` order (a duplicate is ignored, a gap waits for the missing piece). */
  chunk(seq: number, text: string): void {
    if (seq < this.nextSeq || this.chunks.has(seq)) return;
    this.chunks.set(seq, text);
    while (this.chunks.has(this.nextSeq)) {
      this.text += this.chunks.get(this.nextSeq);
      this.chunks.delete(this.nextSeq);
      this.nextSeq++;
    }
    this.setStatus('');
    this.scheduleRender();
  }

  /** The complete answer (authoritative: it replaces what was streamed). */
  finish(answer: string, citations: readonly CitationView[]): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.text = answer;
    this.plain = answer;
    const { text, footnotes } = footnote(answer, citations);
    this.renderAnswer(text);
    this.renderSources(footnotes);
    this.setStatus('');
    this.extras.replaceChildren();
    this.answer.setAttribute('aria-busy', 'false');
    this.element.classList.remove('failed', 'interrupted');
    this.element.dataset.state = 'done';
    this.actions.hidden = answer.length === 0;
    this.events.rendered();
  }

  /** What the agent did: the knowledge-base lookup (from the citations) and each tool it ran. */
  setSteps(toolCalls: readonly string[], citations: readonly CitationView[]): void {
    const documents = new Set(
      citations.flatMap((c) => c.sources.map((s) => s.uri ?? s.title ?? '')).filter(Boolean),
    );
    const items: HTMLElement[] = [];
    if (documents.size > 0) {
      items.push(
        h(
          'li',
          {},
          `Searched the knowledge base: ${documents.size} document${documents.size === 1 ? '' : 's'} used`,
        ),
      );
    }
    for (const call of toolCalls) items.push(h('li', {}, `Ran the tool ${call}`));
    if (items.length === 0) {
      this.steps.replaceChildren();
      return;
    }
    replace(
      this.steps,
      h(
        'details',
        { class: 'steps' },
        h('summary', {}, `How KASS answered (${items.length} step${items.length === 1 ? '' : 's'})`),
        h('ol', {}, ...items),
      ),
    );
  }

  /** The agent waits for a yes or no before it runs a tool. */
  confirm(confirmation: ConfirmationRequest, note?: string): void {
    this.answer.setAttribute('aria-busy', 'false');
    this.setStatus('');
    if (this.text) this.renderAnswer(this.text);
    const headingId = `${this.id}-confirm`;
    const yes = h('button', { type: 'button', class: 'primary' }, 'Yes, run it');
    const no = h('button', { type: 'button' }, 'No, don’t run it');
    const outcome = h('p', { class: 'outcome', hidden: true });
    const answer = (value: boolean) => {
      yes.disabled = true;
      no.disabled = true;
      outcome.hidden = false;
      outcome.textContent = value ? 'You answered yes.' : 'You answered no.';
      this.events.confirm(confirmation, value);
    };
    yes.addEventListener('click', () => answer(true));
    no.addEventListener('click', () => answer(false));
    const inputs = confirmation.calls.flatMap((call) => call.inputs);
    const expires = confirmation.expiresAt ? new Date(confirmation.expiresAt) : undefined;
    const card = h(
      'section',
      { class: 'confirmation', 'aria-labelledby': headingId },
      h('h4', { id: headingId }, 'Confirm a tool call'),
      note ? h('p', {}, note) : undefined,
      h('p', { class: 'prompt' }, confirmation.prompt),
      h(
        'p',
        { class: 'operation' },
        ...confirmation.calls.map((call) => h('code', {}, `${call.tool} ${call.operation}`)),
      ),
      inputs.length > 0
        ? h('dl', { class: 'inputs' }, ...inputs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
        : undefined,
      expires && !Number.isNaN(expires.getTime())
        ? h('p', { class: 'hint' }, `Answer before ${expires.toLocaleTimeString()}.`)
        : undefined,
      h('div', { class: 'buttons' }, yes, no),
      outcome,
    );
    replace(this.extras, card);
    this.element.dataset.state = 'confirm';
    yes.focus();
  }

  /** The turn failed: what happened, what to do, and (when it helps) a retry button. */
  fail(problem: Problem, retry: () => void): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.answer.setAttribute('aria-busy', 'false');
    if (this.text) this.renderAnswer(this.text);
    this.setStatus('');
    const button =
      problem.action === 'retry' ? h('button', { type: 'button', class: 'action' }, 'Retry') : undefined;
    button?.addEventListener('click', retry);
    replace(
      this.extras,
      h(
        'div',
        { class: 'error', role: 'alert' },
        h('p', {}, problem.message),
        problem.details.length > 0 ? h('ul', {}, ...problem.details.map((d) => h('li', {}, d))) : undefined,
        button,
      ),
    );
    this.element.classList.add('failed');
    this.element.dataset.state = 'error';
  }

  interrupted(message: string): void {
    this.element.classList.add('interrupted');
    this.setStatus(message);
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = text.length === 0;
  }

  private scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderAnswer(this.text);
      this.element.dataset.state = 'streaming';
    });
  }

  private renderAnswer(markdown: string): void {
    replace(this.answer, ...renderBlocks(parseMarkdown(markdown), (n) => `#${this.id}-fn-${n}`));
    this.events.rendered();
  }

  private renderSources(footnotes: readonly Footnote[]): void {
    if (footnotes.length === 0) {
      this.sources.replaceChildren();
      return;
    }
    const headingId = `${this.id}-sources`;
    replace(
      this.sources,
      h(
        'section',
        { class: 'sources', 'aria-labelledby': headingId },
        h('h4', { id: headingId }, 'Sources'),
        h(
          'ol',
          {},
          ...footnotes.map((note) =>
            h(
              'li',
              { id: `${this.id}-fn-${note.n}`, value: note.n, tabindex: -1 },
              note.href
                ? h(
                    'a',
                    { href: note.href, target: '_blank', rel: 'noopener noreferrer nofollow' },
                    note.label,
                  )
                : h('span', { class: 'source-label' }, note.label),
              note.address ? h('span', { class: 'address' }, note.address) : undefined,
              ...note.excerpts
                .slice(0, 2)
                .map((e) => h('blockquote', {}, e.length > 300 ? `${e.slice(0, 300)}…` : e)),
            ),
          ),
        ),
      ),
    );
  }

  private async copy(button: HTMLButtonElement): Promise<void> {
    const text = stripMarkers(this.plain || this.text);
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
      this.events.copied();
    } catch {
      button.textContent = 'Copy failed: select the text instead';
    }
    window.setTimeout(() => {
      button.textContent = 'Copy answer';
    }, 2000);
  }
}
