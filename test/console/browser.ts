// Headless Chromium for the console's browser tests: Debian's `chromium` package driven by playwright-core through
// executablePath (Playwright's own browser download cannot work on a closed network). Flags keep it off the network
// but for the server under test, and each launch gets a new, empty profile that close() removes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const chromiumPath = process.env.FERRY_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser cannot be had here, or undefined when it can. */
export function browserUnavailable(): string | undefined {
  if (!existsSync(chromiumPath)) {
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set FERRY_CHROMIUM_PATH)`;
  }
  return undefined;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'ferry-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
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
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
