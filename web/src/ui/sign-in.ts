import type { Auth } from '../auth';
import type { RuntimeConfig } from '../config';
import { h, replace } from './dom';

export interface SignInOptions {
  readonly config: RuntimeConfig;
  readonly auth: Auth;
  /** Why the last sign-in failed, shown above the form. */
  readonly problem?: string;
  /** The API key was saved (API-key mode): the page starts again with it. */
  readonly onKeySaved: () => void;
}

/**
 * The sign-in screen: a "Sign in" button that goes to the Cognito hosted UI, or, in API-key mode, a form for the
 * key (kept in this browser, never in the page's files) and an optional user id.
 */
export function renderSignIn(root: HTMLElement, options: SignInOptions): void {
  const { config, auth, problem } = options;
  const error = problem ? h('p', { class: 'banner', role: 'alert' }, problem) : undefined;
  if (config.auth.mode === 'cognito') {
    const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
    button.addEventListener('click', () => {
      auth.beginSignIn(location.pathname).catch((e: unknown) => {
        replace(card, ...cardContent(), h('p', { class: 'banner', role: 'alert' }, (e as Error).message));
      });
    });
    const cardContent = () => [
      h('h1', {}, 'KASS chat'),
      h('p', {}, 'Sign in with your organisation account to chat with the KASS assistant.'),
      button,
    ];
    const card = h('div', { class: 'sign-in' }, ...cardContent(), error);
    replace(root, h('main', { id: 'main' }, card));
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
      `This stage${config.stage ? ` (${config.stage})` : ''} identifies callers by API key. The key stays in this browser; it is never part of the page's files.`,
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
    auth.saveApiKey(apiKey, user.value.trim() || undefined, remember.checked);
    options.onKeySaved();
  });
  replace(root, h('main', { id: 'main' }, form));
  key.focus();
}
