import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_LOCAL_KEY, type ServedWeb, serveWeb } from '../../cli/commands/web';
import { CANNED_CHUNKS } from '../../cli/web/fake-backend';
import { buildPage } from '../../web/build-page';
import { axeViolations, launchChromium, screenshot } from '../support/browser';

/**
 * The page in headless Chromium against `kass web --local` (the fake backend speaks the chat API's frames),
 * under the same CSP the hosting construct sets. Waits are on page state, never on fixed sleeps.
 */
jest.setTimeout(180_000);

const WAIT = { timeout: 45_000 };

let served: ServedWeb;
let browser: Browser;
const cspViolations: string[] = [];
const started = Date.now();

beforeAll(async () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-web-dist-'));
  buildPage(dist);
  served = await serveWeb({
    local: true,
    stage: 'local',
    port: 0,
    host: '127.0.0.1',
    apiKey: DEFAULT_LOCAL_KEY,
    build: false,
    distDir: dist,
    chunkDelayMs: 150,
  });
  browser = await launchChromium();
  console.info(`browser tests: page built, server and Chromium up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await browser?.close();
  await served?.server.close();
  console.info(`browser tests: ${Date.now() - started} ms in all`);
});

afterEach(() => {
  expect(cspViolations).toEqual([]);
});

async function newPage(options: { viewport?: { width: number; height: number } } = {}): Promise<{
  context: BrowserContext;
  page: Page;
}> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT.timeout);
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { context, page };
}

/** Opens the page and signs in with the fake backend's API key, using the keyboard only. */
async function signIn(page: Page, userId?: string): Promise<void> {
  await page.goto(served.server.url);
  await page.waitForSelector('#api-key:focus');
  await page.keyboard.type(DEFAULT_LOCAL_KEY);
  if (userId) {
    await page.keyboard.press('Tab'); // the hint is text, the next control is the user id
    await page.keyboard.type(userId);
  }
  await page.keyboard.press('Enter');
  await page.waitForSelector('#message');
}

/** Types a message into the composer and sends it with Enter. */
async function ask(page: Page, text: string): Promise<void> {
  await page.focus('#message');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

const lastAnswer = (page: Page) => page.locator('article.assistant').last();

describe('Web chat in headless Chromium (local fake backend)', () => {
  it('streams an answer in order, then shows its numbered sources, steps and a copy button', async () => {
    // Prepare
    const { context, page } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, 'alice');
    // Record the answer's text at every change while it streams.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const answer = document.querySelector('article.assistant:last-of-type .answer');
        const text = answer?.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.querySelector('.messages') as Node, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    // Act
    await ask(page, 'Why does my VPN keep dropping?');
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    // Assess: every snapshot holds the streamed sentences in order (chunk 3 was posted before chunk 2).
    const snapshots = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const phrases = [
      'two documents',
      'check the MTU',
      'Steps',
      'Quit the VPN',
      'large packets',
      'ping -M do',
      'lower the MTU',
    ];
    const progress = snapshots.map((text) => phrases.filter((p) => text.includes(p)).length);
    for (const [i, text] of snapshots.entries()) {
      const present = phrases.map((p) => text.includes(p));
      expect({ i, present }).toEqual({ i, present: present.map((_, k) => k < (progress[i] ?? 0)) });
    }
    expect(new Set(progress).size).toBeGreaterThanOrEqual(4);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const answer = lastAnswer(page);
    await expect(answer.locator('h4', { hasText: 'Steps' }).count()).resolves.toBe(1);
    await expect(answer.locator('pre code').textContent()).resolves.toBe(
      'ping -M do -s 1372 vpn.example.com',
    );
    await expect(answer.locator('.answer').getAttribute('aria-live')).resolves.toBe('polite');
    await expect(answer.locator('.answer').getAttribute('aria-busy')).resolves.toBe('false');
    await screenshot(page, '01-streamed-answer');

    // Citations: markers link to numbered footnotes; the web source is a link, the S3 one its file name.
    await expect(answer.locator('sup.cite a').allTextContents()).resolves.toEqual(['[1]', '[2]', '[2]']);
    const web = answer.locator('.sources li').nth(0).locator('a');
    await expect(web.getAttribute('href')).resolves.toBe('https://wiki.example.com/runbooks/vpn-drops');
    await expect(web.getAttribute('rel')).resolves.toContain('noopener');
    await expect(web.getAttribute('target')).resolves.toBe('_blank');
    const s3 = answer.locator('.sources li').nth(1);
    await expect(s3.locator('a').count()).resolves.toBe(0);
    await expect(s3.locator('.source-label').textContent()).resolves.toBe('vpn-mtu.md');
    await expect(s3.locator('.address').textContent()).resolves.toBe(
      's3://kass-documents-dev/documents/raw/vpn-mtu.md',
    );
    const firstMarker = answer.locator('sup.cite a').first();
    await expect(firstMarker.getAttribute('href')).resolves.toMatch(/#m\d+-fn-1$/);
    await firstMarker.click();
    await page.waitForFunction(() => location.hash.endsWith('-fn-1'));

    // The steps list is collapsed until opened.
    const steps = answer.locator('details.steps');
    await expect(steps.locator('summary').textContent()).resolves.toBe('How KASS answered (1 step)');
    await expect(steps.getAttribute('open')).resolves.toBeNull();
    await steps.locator('summary').click();
    await expect(steps.locator('li').allTextContents()).resolves.toEqual([
      'Searched the knowledge base: 2 documents used',
    ]);

    // Copy answer copies the Markdown without citation markers.
    await answer.locator('button.copy').click();
    await page.waitForSelector('button.copy:text("Copied")');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(CANNED_CHUNKS.join(''));
    await context.close();
  });

  it('asks for a tool confirmation with a clear yes/no and runs the tool after yes', async () => {
    // Prepare
    const { context, page } = await newPage();
    await signIn(page, 'bob');
    // Act
    await ask(page, 'Please open a ticket: VPN drops every 5 minutes');
    const card = page.locator('section.confirmation');
    await card.waitFor(WAIT);
    // Assess: what will run, with which inputs; the Yes button has the focus.
    await expect(card.locator('h4').textContent()).resolves.toBe('Confirm a tool call');
    await expect(card.locator('.operation').textContent()).resolves.toBe(
      'report POST /tickets (createTicket)',
    );
    await expect(card.locator('dt').allTextContents()).resolves.toEqual(['title', 'severity']);
    await expect(card.locator('dd').nth(1).textContent()).resolves.toBe('high');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Yes, run it');
    await screenshot(page, '02-confirmation');
    const a11y = await axeViolations(page);
    expect(a11y.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    // Act: answer yes with the keyboard.
    await page.keyboard.press('Enter');
    await page.waitForSelector('article.assistant:last-of-type[data-state="done"]', WAIT);
    // Assess
    await expect(card.locator('.outcome').textContent()).resolves.toBe('You answered yes.');
    await expect(card.locator('button').first().isDisabled()).resolves.toBe(true);
    const answer = lastAnswer(page);
    await expect(answer.locator('.answer').textContent()).resolves.toContain('Created ticket TCK-1042');
    // The stored turn (re-read after the answer) names the tool that ran.
    await answer.locator('details.steps').waitFor(WAIT);
    await expect(answer.locator('details.steps li').allTextContents()).resolves.toEqual([
      'Ran the tool report POST /tickets',
    ]);
    await screenshot(page, '03-confirmed');
    await context.close();
  });

  it('recovers the answer after the connection drops mid-stream', async () => {
    // Prepare
    const { context, page } = await newPage();
    await signIn(page, 'carol');
    await page.evaluate(() => {
      const states: string[] = [];
      (window as unknown as { states: string[] }).states = states;
      const connection = document.querySelector('.connection') as HTMLElement;
      new MutationObserver(() => states.push(connection.dataset.state ?? '')).observe(connection, {
        attributes: true,
      });
    });
    // Act: the fake stores the turn, then drops the TCP connection before the final frame.
    await ask(page, 'drop the connection while you answer');
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    // Assess: the full answer (re-read from GET /conversations/{id}) with its sources; a reconnect happened.
    const answer = lastAnswer(page);
    await expect(answer.locator('.answer').textContent()).resolves.toContain('lower the MTU to 1380');
    await expect(answer.locator('.sources li').count()).resolves.toBe(2);
    await expect(answer.locator('.error').count()).resolves.toBe(0);
    const states = await page.evaluate(() => (window as unknown as { states: string[] }).states);
    expect(states).toContain('reconnecting');
    expect(states.lastIndexOf('open')).toBeGreaterThan(states.indexOf('reconnecting'));
    await screenshot(page, '04-recovered-after-drop');
    // The same connection carries the next turn.
    await ask(page, 'and again?');
    await page.waitForSelector('article.assistant:last-of-type[data-state="done"]', WAIT);
    await context.close();
  });

  it('shows an error frame with what to do, and retries', async () => {
    // Prepare
    const { context, page } = await newPage();
    await signIn(page, 'dave');
    // Act
    await ask(page, 'make it fail with an error');
    const error = lastAnswer(page).locator('.error[role="alert"]');
    await error.waitFor(WAIT);
    // Assess
    await expect(error.locator('p').textContent()).resolves.toBe(
      'The agent could not answer this message; try again later',
    );
    await expect(error.locator('button').textContent()).resolves.toBe('Retry');
    await screenshot(page, '05-error-frame');
    const a11y = await axeViolations(page);
    expect(a11y.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    // A 429 says when to retry.
    await ask(page, 'the agent is busy');
    await page.waitForSelector('article.assistant:last-of-type .error', WAIT);
    await expect(lastAnswer(page).locator('.error p').textContent()).resolves.toBe(
      'The agent is busy right now; retry in 10 s.',
    );
    await context.close();
  });

  it('says a refused key is the problem, and offers to sign in again', async () => {
    // Prepare: a key the backend does not know (20+ characters, so it has a key's shape).
    const { context, page } = await newPage();
    await page.goto(served.server.url);
    await page.waitForSelector('#api-key:focus');
    await page.keyboard.type('wrong-key-0123456789abcdef');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#message');
    // Act
    await ask(page, 'hello?');
    // Assess
    const error = lastAnswer(page).locator('.error[role="alert"]');
    await error.waitFor(WAIT);
    await expect(error.locator('p').textContent()).resolves.toMatch(/key or sign-in was refused/);
    const again = page.locator('.banner button', { hasText: 'Sign in again' });
    await again.waitFor(WAIT);
    await screenshot(page, '09-key-refused');
    await again.click();
    await page.waitForSelector('#api-key:focus');
    await context.close();
  });

  it('lists the caller’s conversations and reopens one from the list and from its link', async () => {
    // Prepare: two conversations for erin, one for frank.
    const { context, page } = await newPage();
    await signIn(page, 'erin');
    await ask(page, 'First question about VPN');
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    const firstUrl = page.url();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await ask(page, 'Second question about VPN');
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    await page.waitForFunction(() => document.querySelectorAll('.conversation-list li').length === 2);
    // Act
    await page.locator('.conversation-link', { hasText: 'First question about VPN' }).click();
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    // Assess: the stored conversation, rendered with its footnotes, marked current in the list.
    expect(page.url()).toBe(firstUrl);
    await expect(page.locator('article.user .user-text').allTextContents()).resolves.toEqual([
      'First question about VPN',
    ]);
    await expect(lastAnswer(page).locator('.sources li').count()).resolves.toBe(2);
    await expect(page.locator('.conversation-link[aria-current="page"]').textContent()).resolves.toContain(
      'First question about VPN',
    );
    // A deep link opens the conversation in a fresh page.
    await page.goto(firstUrl);
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    await screenshot(page, '06-conversation-list');
    // Another user of the same key sees none of erin's conversations.
    const other = await newPage();
    await signIn(other.page, 'frank');
    await other.page.waitForSelector('.list-status:text("No conversations yet.")', WAIT);
    await other.page.goto(firstUrl);
    await other.page.waitForSelector('.banner:not([hidden])', WAIT);
    await expect(other.page.locator('.banner p').textContent()).resolves.toContain(
      'does not exist or is not yours',
    );
    await other.context.close();
    await context.close();
  });

  it('is usable with the keyboard alone: skip link, composer, sending', async () => {
    // Prepare
    const { context, page } = await newPage();
    await signIn(page);
    await page.goto(served.server.url);
    // The page opens with the focus in the message box.
    await page.waitForSelector('#message:focus');
    // The skip link is the first control in the tab order, and it moves the focus to the message box.
    const firstFocusable = await page.evaluate(
      () =>
        [
          ...document.querySelectorAll<HTMLElement>('a[href], button, input, textarea, select, [tabindex]'),
        ].find((el) => el.tabIndex >= 0 && !el.hasAttribute('disabled'))?.textContent,
    );
    expect(firstFocusable).toBe('Skip to the message box');
    await page.focus('.skip-link');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'message');
    await page.keyboard.type('Line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    await expect(page.inputValue('#message')).resolves.toBe('Line one\nline two');
    await page.keyboard.press('Enter');
    // Assess
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    await expect(page.locator('article.user .user-text').textContent()).resolves.toBe('Line one\nline two');
    // Tab order after the answer: the answer's links and buttons come before the composer.
    const order: string[] = [];
    await page.focus('.skip-link');
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement?.textContent ?? '').trim().slice(0, 30)));
    }
    expect(order.indexOf('Copy answer')).toBeGreaterThan(order.indexOf('New conversation'));
    await context.close();
  });

  it('has no serious or critical accessibility violations in the main views', async () => {
    const { context, page } = await newPage();
    // Sign-in view.
    await page.goto(served.server.url);
    await page.waitForSelector('#api-key');
    await screenshot(page, '00-sign-in');
    const signInView = await axeViolations(page);
    // Chat view with an answer, its sources and the opened steps.
    await signIn(page, 'grace');
    await ask(page, 'Why does my VPN keep dropping?');
    await page.waitForSelector('article.assistant[data-state="done"]', WAIT);
    await page.locator('details.steps summary').click();
    const chatView = await axeViolations(page);
    // Small screen with the conversation list open.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Conversations' }).click();
    await expect(
      page.getByRole('button', { name: 'Conversations' }).getAttribute('aria-expanded'),
    ).resolves.toBe('true');
    await screenshot(page, '07-small-screen');
    const smallView = await axeViolations(page);
    // Dark colour scheme.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, '08-dark');
    const darkView = await axeViolations(page);

    const serious = (list: Awaited<ReturnType<typeof axeViolations>>) =>
      list.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    console.info(
      `axe violations of any impact: ${JSON.stringify({ signIn: signInView, chat: chatView, small: smallView, dark: darkView })}`,
    );
    expect({
      signIn: serious(signInView),
      chat: serious(chatView),
      small: serious(smallView),
      dark: serious(darkView),
    }).toEqual({ signIn: [], chat: [], small: [], dark: [] });
    await context.close();
  });
});
