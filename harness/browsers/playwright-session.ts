// Browsers Playwright can launch: Chromium (system, bundled, branded) and Firefox (BiDi or Juggler),
// and Playwright's own WebKit build.
import { chromium, firefox, webkit, type Browser, type BrowserContext, type LaunchOptions, type Page } from '@playwright/test';
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
    browser = profile.connect
      ? await TYPES[profile.engine].connect(profile.connect.wsEndpoint, { headers: profile.connect.headers, timeout: 30_000 })
      : await TYPES[profile.engine].launch(options);
  } catch (err) {
    const where = profile.connect?.wsEndpoint ?? profile.executablePath ?? profile.channel ?? `Playwright's ${profile.engine}`;
    throw new Error(`cannot launch ${profile.label} (${where}); run scripts/setup.sh, or pick another set with EME_BROWSERS. ${(err as Error).message.split('\n')[0]}`);
  }
  const fresh = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    return { context, page: await context.newPage() };
  };
  let spare: Promise<{ context: BrowserContext; page: Page }> | null = null;
  return {
    identity: {
      project: profile.project,
      label: profile.label,
      engine: profile.engine,
      name: browser.browserType().name(),
      version: browser.version(),
      channel: profile.channel ?? null,
      driver: 'playwright',
      executablePath: profile.connect ? profile.connect.wsEndpoint : (profile.executablePath ?? null),
      args: profile.args,
      prefs: profile.prefs,
    },
    async open(url: string): Promise<OpenPage> {
      // Every scenario gets a fresh context and page; the next pair is made while this one runs,
      // hiding most of the 170-300 ms a new page costs. (One shared context per worker was measured
      // too: no faster in Firefox, slower in Chromium.)
      const { context, page } = await (spare ?? fresh());
      spare = fresh();
      const lost = new Promise<string>((resolve) => page.once('crash', () => resolve('the page crashed (renderer process gone) before it reported')));
      // Only the navigation needs to have started: tests wait for the page's own report.
      await page.goto(url, { waitUntil: 'commit' });
      return {
        lost,
        screenshot: () => page.screenshot(),
        screenshotElement: (selector) => page.locator(selector).first().screenshot({ animations: 'disabled' }),
        close: () => context.close(),
      };
    },
    async close() {
      await spare?.then(({ context }) => context.close()).catch(() => undefined);
      await browser.close();
    },
  };
}
