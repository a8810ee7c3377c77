// Drives the gateway's GraphiQL page in headless Debian Chromium (playwright-core: no bundled browser download,
// which a closed network could not fetch anyway). Kept apart from the test so the steps read as what a person does.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(__dirname, '.artifacts');
const STEP_TIMEOUT_MS = 30_000;

export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: STEP_TIMEOUT_MS,
      // CI runs as root in a container: no sandbox, no GPU; nothing may phone home on a closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (err) {
    throw new Error(
      `Could not launch Chromium at ${CHROMIUM_PATH}: ${err instanceof Error ? err.message : String(err)}\n` +
        'Install it as .ci/run does: apt-get update && apt-get install -y --no-install-recommends chromium',
    );
  }
}

/** Script and stylesheet URLs of a page that are not on the page's own origin (inline assets have none). */
export function externalAssetUrls(html: string, pageUrl: string): string[] {
  const origin = new URL(pageUrl).origin;
  const urls: string[] = [];
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)=["']?([^"'\s>]+)/gi)) {
    const tag = match[0];
    // A favicon does not stop the page from working; scripts, stylesheets and module preloads do.
    if (/^<link/i.test(tag) && !/rel=["']?(?:stylesheet|modulepreload|preload)/i.test(tag)) continue;
    const url = new URL(match[1], pageUrl);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== origin) urls.push(url.href);
  }
  // Web workers fetched at run time, e.g. `workerUrls = { json: "https://…" }`.
  for (const match of html.matchAll(/["'](https?:\/\/[^"']+\.js)["']/g)) {
    if (new URL(match[1]).origin !== origin && !urls.includes(match[1])) urls.push(match[1]);
  }
  return urls;
}

export interface PageDiagnostics {
  /** Requests the page tried to send off the loopback interface (aborted: the network is closed). */
  blocked: string[];
  consoleErrors: string[];
}

/** Only loopback traffic is allowed, so the test proves GraphiQL works offline instead of timing out on DNS. */
export async function openGraphiQL(browser: Browser, url: string): Promise<{ page: Page; diagnostics: PageDiagnostics }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const diagnostics: PageDiagnostics = { blocked: [], consoleErrors: [] };
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return route.continue();
    diagnostics.blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('console', (message) => {
    if (message.type() === 'error') diagnostics.consoleErrors.push(message.text());
  });
  page.on('pageerror', (err) => diagnostics.consoleErrors.push(err.message));
  await page.goto(url, { waitUntil: 'load' });
  return { page, diagnostics };
}

/**
 * Run the named operation the way a person does: put the cursor in it, press the run button, and if
 * GraphiQL asks which of the document's operations to run, pick it from the menu.
 */
export async function runOperation(page: Page, operationName: string): Promise<void> {
  const query = page.locator('.graphiql-query-editor');
  await query.waitFor({ state: 'visible' });
  await query.getByText(operationName, { exact: true }).first().click();
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible' });
  await run.click();
  const choice = page.getByRole('menuitem', { name: operationName, exact: true });
  // Older GraphiQL versions ask with a menu when the document has several operations; newer ones run the one under the cursor.
  if (await choice.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) await choice.click();
}

/** The response pane's text; the editor renders spaces as NBSP, normalised here. */
export async function responseText(page: Page): Promise<string> {
  const text = await page.locator('.graphiql-response').first().textContent();
  return (text ?? '').replace(/\u00a0/g, ' ');
}

export async function waitForResponse(page: Page, expected: string[]): Promise<string> {
  await page.waitForFunction(
    (needles: string[]) => {
      const text = (document.querySelector('.graphiql-response')?.textContent ?? '').replace(/\u00a0/g, ' ');
      return needles.every((needle) => text.includes(needle));
    },
    expected,
    { timeout: STEP_TIMEOUT_MS },
  );
  return responseText(page);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
