import type { Problem } from '../errors';
import { h, replace } from './dom';

/** What the banner's action buttons do besides retrying. */
export interface BannerActions {
  signInAgain(): void;
  newConversation(): void;
}

/** The problem banner above the conversation: the message, its details, and the one action that helps. */
export class Banner {
  readonly element = h('div', { class: 'banner', role: 'alert', hidden: true });

  constructor(private readonly actions: BannerActions) {}

  /** Shows `problem`, or hides the banner. */
  show(problem: Problem | undefined): void {
    if (!problem) {
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    const action = this.actionButton(problem, () => this.show(undefined));
    replace(
      this.element,
      h('p', {}, problem.message),
      problem.details.length > 0 ? h('ul', {}, ...problem.details.map((d) => h('li', {}, d))) : undefined,
      action,
    );
    this.element.hidden = false;
  }

  /** The button for a problem's action (`retry` calls `retry`), if it has one. */
  private actionButton(problem: Problem, retry: () => void): HTMLButtonElement | undefined {
    if (!problem.action) return undefined;
    const labels = { retry: 'Retry', 'sign-in': 'Sign in again', 'new-conversation': 'New conversation' };
    const button = h('button', { type: 'button', class: 'action' }, labels[problem.action]);
    button.addEventListener('click', () => {
      if (problem.action === 'sign-in') this.actions.signInAgain();
      else if (problem.action === 'new-conversation') this.actions.newConversation();
      else retry();
    });
    return button;
  }
}
