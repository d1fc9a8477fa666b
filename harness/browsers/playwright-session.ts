// Browsers Playwright can launch: Chromium (system, bundled, branded) and Firefox (BiDi or Juggler),
// and Playwright's own WebKit build.
import {
  chromium,
  firefox,
  webkit,
  type Browser,
  type BrowserContext,
  type LaunchOptions,
  type Page,
} from '@playwright/test';
import type { BrowserIdentity } from '../../model/browser.ts';
import { browserEnvironment, plainMessage } from './processes.ts';
import type { BrowserProfile } from './profiles.ts';
import { runnerUrl, type BrowserSession, type OpenPage, type StartOptions } from './session.ts';

const TYPES = { chromium, firefox, webkit } as const;

/** A viewport screenshot clipped to the first element matching `selector` (scrolled into view first). */
async function clipShot(page: Page, selector: string): Promise<Buffer> {
  const box = await page.evaluate((sel) => {
    const element = document.querySelector(sel);
    if (!element) return null;
    element.scrollIntoView({ block: 'center', inline: 'center' });
    const r = element.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, selector);
  if (!box?.width || !box.height) throw new Error(`no visible element matches ${selector}`);
  return page.screenshot({ clip: box, animations: 'disabled' });
}

/**
 * Launches (or connects to) the profile's browser as Playwright drives it; a failure says where it
 * looked and what to do, with the browser's whole message.
 */
export async function launchPlaywright(profile: BrowserProfile): Promise<Browser> {
  // Root with a HOME of another uid (GitHub container jobs): the browser gets a HOME of root's own.
  const { env, home } = browserEnvironment();
  const options: LaunchOptions = {
    ...(profile.channel ? { channel: profile.channel } : {}),
    ...(profile.executablePath ? { executablePath: profile.executablePath } : {}),
    ...(profile.args.length ? { args: profile.args } : {}),
    ...(profile.engine === 'firefox' ? { firefoxUserPrefs: profile.prefs } : {}),
    ...(home ? { env } : {}),
  };
  try {
    return profile.connect
      ? await TYPES[profile.engine].connect(profile.connect.wsEndpoint, {
          headers: profile.connect.headers,
          timeout: 30_000,
        })
      : await TYPES[profile.engine].launch(options);
  } catch (err) {
    // The whole message: Playwright's first line is only "Failed to launch the browser process"; the
    // browser's own words (its stderr, in the call log) come after it.
    const where =
      profile.connect?.wsEndpoint ?? profile.executablePath ?? profile.channel ?? `Playwright's ${profile.engine}`;
    const hint = profile.connect
      ? 'check that the browser server runs and is reachable'
      : `run scripts/setup.sh, or pick another set with EME_BROWSERS${home ? `; ${home}` : ''}`;
    throw new Error(`cannot launch ${profile.label} (${where}): ${plainMessage(err)}\n(${hint})`);
  }
}

/** The build a Playwright-driven browser is, as reports name it. */
export function playwrightIdentity(profile: BrowserProfile, browser: Browser): BrowserIdentity {
  return {
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
    source: profile.source ?? null,
  };
}

export async function startPlaywrightBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  const browser = await launchPlaywright(profile);
  // Isolation. A new context costs the browser far more than the scenarios it would hold: measured on
  // 2 cores, a context + page + runner load takes ~0.7 s of CPU in Chromium and ~1.1 s in Firefox
  // (Playwright's per-context and per-tab set-up), a navigation in an open tab ~0.16 s and ~0.3 s.
  // So each scenario gets a document nothing else has used, in a few tabs of one context per worker
  // that are readied (navigated to the runner) while another scenario runs. State a document leaves
  // behind it is discarded with it; what outlives a document (origin storage, stored sessions) is
  // only written by scenarios that ask for `isolation: 'context'`, which get a context of their own.
  // A tab whose run did not end cleanly (crash, hang) is closed rather than reused.
  const TABS = 3;
  interface Tab {
    page: Page;
    crashed: Promise<string>;
  }
  const armTab = async (tab: Tab, url: string): Promise<Tab> => {
    await tab.page.goto(url, { waitUntil: 'load' });
    // Module scripts run before the load event, so the runner has settled by now unless it broke.
    const state = await tab.page
      .waitForFunction(() => document.body?.dataset['state'], undefined, { timeout: 10_000 })
      .then(
        (handle) => handle.jsonValue(),
        () => 'none',
      );
    if (state !== 'armed') throw new Error(`the runner page at ${url} did not arm (state: ${String(state)})`);
    return tab;
  };
  const tabOf = (page: Page): Tab => ({
    page,
    crashed: new Promise<string>((resolve) =>
      page.once('crash', () => resolve('the page crashed (renderer process gone) before it reported')),
    ),
  });
  // Chromium renders video only in the topmost of a context's windows (the others count as occluded:
  // no presented frames, 4 s screenshots), so a run's tab is brought to the front, and no tab may be
  // created while a run is on: takeTab() waits for the page creations under way.
  const creating = new Set<Promise<unknown>>();
  const openTab = async (context: BrowserContext, url: string): Promise<Tab> => {
    const created = context.newPage();
    const settled = created.catch(() => undefined);
    creating.add(settled);
    void settled.then(() => creating.delete(settled));
    const page = await created;
    return armTab(tabOf(page), url).catch(async (err: unknown) => {
      await page.close().catch(() => undefined);
      throw err;
    });
  };
  let shared: Promise<BrowserContext> | null = null;
  const sharedContext = () => (shared ??= browser.newContext({ ignoreHTTPSErrors: true }));
  let poolUrl = '';
  let tabsOpen = 0;
  const ready: Promise<Tab>[] = [];
  const pending = new Set<Promise<unknown>>(); // closes and re-arms in flight; close() waits for them
  const track = (work: Promise<unknown>) => {
    const done = work.catch(() => undefined);
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const retire = (tab: Tab) => {
    tabsOpen--;
    track(tab.page.close());
  };
  /** A new armed tab of the shared context, counted in the pool while it lives. */
  const newTab = (url: string): Promise<Tab> => {
    tabsOpen++;
    const tab = sharedContext().then((context) => openTab(context, url));
    tab.catch(() => tabsOpen--);
    return tab;
  };
  const takeTab = async (url: string): Promise<Tab> => {
    if (url !== poolUrl) {
      for (const tab of ready.splice(0)) void tab.then(retire, () => undefined);
      poolUrl = url;
    }
    const next = ready.shift() ?? newTab(url);
    while (tabsOpen < TABS) ready.push(newTab(url));
    // A tab that failed to arm is replaced once; a second failure is the one reported.
    const tab = await next.catch(() => newTab(url));
    await Promise.all(creating);
    await tab.page.bringToFront();
    return tab;
  };
  const start = (page: Page, runId: string) =>
    page.evaluate((id) => (window as unknown as { emeRunner: { start(id: string): void } }).emeRunner.start(id), runId);
  return {
    identity: playwrightIdentity(profile, browser),
    async startRun(baseURL: string, runId: string, options: StartOptions = {}): Promise<OpenPage> {
      const url = runnerUrl(baseURL);
      const shot = (page: Page) => ({
        screenshot: () => page.screenshot(),
        screenshotElement: (selector: string) =>
          page
            .locator(selector)
            .first()
            .screenshot({ animations: 'disabled' })
            .catch((err: unknown) => {
              // Playwright 1.64's element checks call Element.checkVisibility(), which Chromium lacks
              // before 105: photograph the element's box from the viewport instead.
              if (!/checkVisibility is not a function/.test(plainMessage(err))) throw err;
              return clipShot(page, selector);
            }),
      });
      if (options.isolation === 'context') {
        const context = await browser.newContext({ ignoreHTTPSErrors: true });
        const tab = await openTab(context, url).catch(async (err: unknown) => {
          await context.close();
          throw err;
        });
        await start(tab.page, runId);
        // Closed before the test ends, never in the background: at each test's start Playwright's
        // trace recorder starts a chunk on every open context (and its request context), and one
        // still closing fails that next test with "Target page, context or browser has been closed".
        return { lost: tab.crashed, ...shot(tab.page), close: () => context.close() };
      }
      const tab = await takeTab(url);
      await start(tab.page, runId);
      return {
        lost: tab.crashed,
        ...shot(tab.page),
        close: async ({ clean } = { clean: false }) => {
          if (!clean || tab.page.isClosed()) return retire(tab);
          // Ready it again in the background: a new document for the next scenario.
          const rearmed = armTab(tab, poolUrl);
          rearmed.catch(() => retire(tab));
          ready.push(rearmed);
          track(rearmed);
        },
      };
    },
    async close() {
      for (const tab of ready.splice(0)) void tab.then(retire, () => undefined);
      await Promise.all(pending);
      await browser.close();
    },
  };
}
