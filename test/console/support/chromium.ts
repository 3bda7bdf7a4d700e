import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export interface Chromium {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** Debian's headless Chromium with a fresh profile, as the console's trusted-proxy user alice. */
export async function launchChromium(profilePrefix: string): Promise<Chromium> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), profilePrefix));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    extraHTTPHeaders: { 'x-forwarded-user': 'alice' },
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  targets: string[];
}

/** axe-core's violations of the page. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // Browser-side code as a string: the tests are type-checked without the DOM library.
  return (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) =>
       result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as AxeViolation[];
}
