import { h, replace } from './dom';

/** The parts of the signed-in page. */
export interface ShellParts {
  /** The sidebar and its toggle (small screens). */
  readonly nav: HTMLElement;
  readonly navToggle: HTMLElement;
  readonly connection: HTMLElement;
  /** The conversation: head, banner, messages, live region, composer. */
  readonly main: HTMLElement;
  readonly signOutLabel: string;
  readonly onNewConversation: () => void;
  readonly onSignOut: () => void;
}

/** The signed-in page's layout: skip link, top bar (toggle, brand, connection, actions), sidebar and main. */
export function renderShell(root: HTMLElement, parts: ShellParts): void {
  const newButton = h('button', { type: 'button' }, 'New conversation');
  newButton.addEventListener('click', () => parts.onNewConversation());
  const signOut = h('button', { type: 'button' }, parts.signOutLabel);
  signOut.addEventListener('click', () => parts.onSignOut());
  replace(
    root,
    h('a', { class: 'skip-link', href: '#message' }, 'Skip to the message box'),
    h(
      'header',
      { class: 'topbar' },
      parts.navToggle,
      h('h1', { class: 'brand' }, 'KASS chat'),
      h('div', { class: 'connection-wrap' }, parts.connection),
      h('div', { class: 'topbar-actions' }, newButton, signOut),
    ),
    h('div', { class: 'layout' }, parts.nav, parts.main),
  );
}
