// Firefox builds Playwright 1.64.1 cannot drive (ESR 140 rejects its BiDi command
// network.addDataCollector), through puppeteer-core over WebDriver BiDi with no geckodriver. Each run
// gets a new tab (a document nothing else has used), and scenarios that store sessions a browser
// context of their own; the next tab is opened as a run ends, ready for the next one.
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { browserEnvironment, plainMessage } from './processes.ts';
import type { BrowserProfile } from './profiles.ts';
import { runnerUrl, type BrowserSession, type OpenPage, type StartOptions } from './session.ts';
import type { BrowserIdentity } from '../../model/browser.ts';

const LAUNCH_TIMEOUT_MS = 60_000;

/** Launches a Firefox build through puppeteer-core over WebDriver BiDi. */
export async function launchPuppeteer(profile: BrowserProfile, { acceptInsecureCerts = true } = {}): Promise<Browser> {
  if (profile.engine !== 'firefox')
    throw new Error(
      `profile ${profile.project}: the puppeteer driver is for Firefox builds (this one is ${profile.engine})`,
    );
  if (!profile.executablePath) throw new Error(`profile ${profile.project}: the puppeteer driver needs executablePath`);
  const { env, home } = browserEnvironment();
  try {
    return await puppeteer.launch({
      browser: 'firefox',
      executablePath: profile.executablePath,
      headless: true,
      args: profile.args,
      extraPrefsFirefox: profile.prefs,
      acceptInsecureCerts,
      env,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (err) {
    throw new Error(
      `cannot launch ${profile.label} (${profile.executablePath}) with puppeteer-core: ${plainMessage(err)}${home ? `\n(${home})` : ''}`,
    );
  }
}

/** The build a puppeteer-driven browser is, as reports name it. */
export async function puppeteerIdentity(profile: BrowserProfile, browser: Browser): Promise<BrowserIdentity> {
  // "firefox/140.12.0esr" (the format is the driver's; the version is what follows the slash).
  const reported = await browser.version();
  const [name, version] = reported.includes('/') ? reported.split('/', 2) : ['firefox', reported];
  return {
    project: profile.project,
    label: profile.label,
    engine: profile.engine,
    name: name ?? 'firefox',
    version: version ?? reported,
    channel: profile.channel ?? null,
    driver: 'puppeteer',
    executablePath: profile.executablePath ?? null,
    args: profile.args,
    prefs: profile.prefs,
    source: profile.source ?? null,
  };
}

export async function startPuppeteerBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  const browser = await launchPuppeteer(profile);
  const identity = await puppeteerIdentity(profile, browser);
  const newTab = (context?: BrowserContext): Promise<Page> => (context ?? browser).newPage();
  let spare: Promise<Page> | null = null;
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const done = work.catch(() => undefined);
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const open = async (page: Page, baseURL: string, runId: string): Promise<void> => {
    const url = runnerUrl(baseURL, runId);
    await page.goto(url, { waitUntil: 'load' });
    if (!page.url().startsWith(url.split('?')[0]!)) throw new Error(`navigation to ${url} ended at ${page.url()}`);
  };
  const openPage = (page: Page, close: () => Promise<void>): OpenPage => ({
    // BiDi reports no renderer crash to puppeteer: a dead page shows up as a timeout.
    lost: new Promise<string>(() => {}),
    screenshot: async () => Buffer.from(await page.screenshot()),
    screenshotElement: async (selector: string) => {
      const element = await page.$(selector);
      if (!element) throw new Error(`no element matches ${selector}`);
      return Buffer.from(await element.screenshot());
    },
    close,
  });
  return {
    identity,
    async startRun(baseURL: string, runId: string, options: StartOptions = {}): Promise<OpenPage> {
      if (options.isolation === 'context') {
        const context = await browser.createBrowserContext();
        const page = await newTab(context);
        await open(page, baseURL, runId).catch(async (err: unknown) => {
          await context.close();
          throw err;
        });
        await page.bringToFront();
        return openPage(page, async () => track(context.close()));
      }
      // The tab readied when the previous run ended; a new one is made only between runs, never
      // during one, and the run's tab is brought to the front: Firefox presents no video frames in a
      // background tab (requestVideoFrameCallback never fires, the picture check would hang).
      const page = await (spare ?? newTab()).catch(() => newTab());
      spare = null;
      await open(page, baseURL, runId).catch(async (err: unknown) => {
        await page.close().catch(() => undefined);
        throw err;
      });
      await page.bringToFront();
      return openPage(page, async () => {
        track(page.close());
        spare = newTab();
        spare.catch(() => undefined);
      });
    },
    async close() {
      if (spare) track(spare.then((p) => p.close()));
      await Promise.all(pending);
      await browser.close();
    },
  };
}
