// The web terminal example in headless Chromium: a shell in a test-made container through
// nsjoin's pty, typed into an xterm.js page over a WebSocket. The screenshot is saved under
// .cache/test-output/ (git-ignored) and its path printed.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWebTerminal, type WebTerminal } from '../examples/web-terminal/server.js';
import { testIf } from './helpers/skip.js';
import { startTarget, type Target } from './helpers/target.js';

const CHROMIUM = process.env.NSJOIN_CHROMIUM ?? '/usr/bin/chromium';
const outDir = join(process.cwd(), '.cache', 'test-output');
let t: Target | undefined;
let web: WebTerminal | undefined;
let profile: string | undefined;
type Context = Awaited<ReturnType<(typeof import('playwright-core'))['chromium']['launchPersistentContext']>>;
let context: Context | undefined;

test.after(async () => {
  await context?.close().catch(() => {});
  await web?.close().catch(() => {});
  t?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// .ci/run installs chromium: a missing one is a failure there.
const noChromium = existsSync(CHROMIUM) ? '' : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`;
testIf(
  noChromium,
  "typing hostname in the page shows the target's hostname",
  async () => {
    const { chromium } = await import('playwright-core');
    t = await startTarget({ setup: 'hostname web-term-target' });
    web = await startWebTerminal({ host: '127.0.0.1', port: 0, hostPids: true }); // the target is a test-made process, in no container
    // The page's code runs in the browser, so the checks below are expressions, not functions.
    // Chromium without the sandbox needs no setuid helper and runs as root in CI containers; no
    // background traffic (updates, sync, QUIC probes) leaves the machine during the test.
    profile = mkdtempSync(join(tmpdir(), 'nsjoin-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 900, height: 500 },
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
    const page = context.pages()[0] ?? (await context.newPage());
    const wrong = await page.goto(web.url.replace(/token=[0-9a-f]+/, 'token=wrong'));
    assert.is(wrong?.status(), 403, 'a wrong token is refused');
    await page.goto(`${web.url}&target=${t.pid}`);
    await page.waitForFunction("document.getElementById('status')?.textContent?.startsWith('connected')", null, { timeout: 10_000 });
    await page.locator('.xterm').click();
    await page.keyboard.type('hostname; echo done-$((6*7))\n', { delay: 10 });
    await page.waitForFunction("(document.querySelector('.xterm-rows')?.textContent ?? '').includes('done-42')", null, { timeout: 10_000 });
    const text = await page.locator('.xterm-rows').innerText();
    assert.match(text, /web-term-target/, "the target's hostname on the page");
    mkdirSync(outDir, { recursive: true });
    const shot = join(outDir, 'web-terminal.png');
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await page.keyboard.type('exit 3\n');
    await page.waitForFunction("document.getElementById('status')?.textContent === 'exited (3)'", null, { timeout: 10_000 });
  },
  { ciInstalls: true },
);

test.run();
