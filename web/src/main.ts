import './styles.css';
import { ChatApp } from './app';
import { ConfigProblem, parseRuntimeConfig } from './config';
import { h, replace } from './ui/dom';

/** Loads `/config.json` (the stage's endpoints and sign-in), then starts the chat. */
async function boot(root: HTMLElement): Promise<void> {
  let raw: unknown;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new ConfigProblem(`/config.json answered HTTP ${response.status}`);
    raw = await response.json();
  } catch (error) {
    fail(root, error instanceof ConfigProblem ? error.message : '/config.json could not be read');
    return;
  }
  try {
    await new ChatApp(root, parseRuntimeConfig(raw)).start();
  } catch (error) {
    fail(root, error instanceof ConfigProblem ? error.message : 'The page could not start');
  }
}

function fail(root: HTMLElement, problem: string): void {
  replace(
    root,
    h(
      'main',
      { id: 'main', class: 'sign-in' },
      h('h1', {}, 'KASS chat cannot start'),
      h('p', { role: 'alert' }, `${problem}.`),
      h(
        'p',
        {},
        'The page reads its API endpoints from /config.json, written when the stack is deployed. Redeploy the stack, or run the page with `kass web`.',
      ),
    ),
  );
}

const root = document.getElementById('app');
if (root) void boot(root);
