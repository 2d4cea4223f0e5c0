import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); no browser is downloaded. */
export const CHROMIUM = process.env.KASS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a sandbox without a network: no GPU, no QUIC, no first-run, and no background traffic (a closed
 * network refuses it, many connections at a time). Playwright adds `--headless` and a fresh profile
 * (`--user-data-dir` in a new temporary folder) itself.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium, or fails with what to install. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Screenshots of the page's states, for people to look at (gitignored). */
export const SCREENSHOTS = path.resolve(__dirname, '../web/screenshots');

/** The visible viewport (a full-page capture would stitch the sticky composer into the middle). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays on) against
 * WCAG 2.0/2.1 A and AA and best practices; returns every violation.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })) as { violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }));
  });
}
