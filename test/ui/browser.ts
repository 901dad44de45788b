// A real headless browser for the dashboard's tests: Debian's Chromium driven by playwright-core (design.md §6),
// screenshots kept under test-artifacts/ui/, and what the page logged as an error collected for the tests to check.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../../dev/binaries';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'ui');

export interface TestBrowser {
  page: Page;
  /** Console errors, failed page loads and CSP refusals seen so far. */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.setDefaultTimeout(60_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    errors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

/** Signs in on the dashboard at `url` with `apiKey` and waits for the list of jobs. */
export async function signIn(page: Page, url: string, apiKey: string): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.fill('#api-key', apiKey);
  await page.click('button[type=submit]');
  await page.waitForSelector('table.fleet');
}

/** The text of each KPI tile, by its metric. */
export const tileTexts = (page: Page): Promise<Record<string, string>> =>
  page.$$eval('.tile', (tiles) => Object.fromEntries(tiles.map((t) => [t.getAttribute('data-kpi'), t.querySelector('.tile-value')?.textContent ?? ''])));

/** Polls `read` until `ok` holds of what it gives (a condition, not a time); the last value is in the error. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`${what}: not so after ${timeoutMs / 1000} s; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
