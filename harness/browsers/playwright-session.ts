// Browsers Playwright can launch: Chromium (system, bundled, branded) and Firefox (BiDi or Juggler),
// and Playwright's own WebKit build.
import { chromium, firefox, webkit, type Browser, type LaunchOptions } from '@playwright/test';
import type { BrowserProfile } from './profiles.ts';
import type { BrowserSession, OpenPage } from './session.ts';

const TYPES = { chromium, firefox, webkit } as const;

export async function startPlaywrightBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  const options: LaunchOptions = {
    ...(profile.channel ? { channel: profile.channel } : {}),
    ...(profile.executablePath ? { executablePath: profile.executablePath } : {}),
    ...(profile.args.length ? { args: profile.args } : {}),
    ...(profile.engine === 'firefox' ? { firefoxUserPrefs: profile.prefs } : {}),
  };
  let browser: Browser;
  try {
    browser = await TYPES[profile.engine].launch(options);
  } catch (err) {
    const where = profile.executablePath ?? profile.channel ?? `Playwright's ${profile.engine}`;
    throw new Error(`cannot launch ${profile.label} (${where}); run scripts/setup.sh, or pick another set with EME_BROWSERS. ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    identity: {
      project: profile.project,
      label: profile.label,
      engine: profile.engine,
      name: browser.browserType().name(),
      version: browser.version(),
      channel: profile.channel ?? null,
      driver: 'playwright',
      executablePath: profile.executablePath ?? null,
      args: profile.args,
      prefs: profile.prefs,
    },
    async open(url: string): Promise<OpenPage> {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const lost = new Promise<string>((resolve) => page.once('crash', () => resolve('the page crashed (renderer process gone) before it reported')));
      await page.goto(url, { waitUntil: 'load' });
      return {
        lost,
        screenshot: () => page.screenshot(),
        screenshotElement: (selector) => page.locator(selector).first().screenshot({ animations: 'disabled' }),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
