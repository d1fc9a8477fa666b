// The trace's driver for Firefox builds Playwright cannot drive (ESR 140), through puppeteer-core over
// WebDriver BiDi: the sink as an exposed function, the tracer as a preload script
// (harness/trace/watch.ts does the rest). BiDi tells puppeteer of no renderer crash.
import { launchPuppeteer, puppeteerIdentity } from '../browsers/puppeteer-session.ts';
import type { BrowserProfile } from '../browsers/profiles.ts';
import { traceWith, type DriverTrace, type TraceBrowser, type TraceTarget } from './watch.ts';

export async function openPuppeteer(profile: BrowserProfile, ignoreHttpsErrors: boolean): Promise<TraceBrowser> {
  const browser = await launchPuppeteer(profile, { acceptInsecureCerts: ignoreHttpsErrors });
  return {
    identity: await puppeteerIdentity(profile, browser),
    async newPage() {
      const page = await browser.newPage();
      return {
        expose: async (name, sink) => {
          await page.exposeFunction(name, (raw: unknown) => sink(raw));
        },
        addInitScript: async (source) => {
          await page.evaluateOnNewDocument(source);
        },
        async goto(url, timeoutMs) {
          const response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
          return response ? { status: response.status(), statusText: response.statusText() } : null;
        },
        evaluate: (expression) => page.evaluate(expression),
        onPageError: (listener) => void page.on('pageerror', listener),
        onCrash: () => undefined,
      };
    },
    close: () => browser.close(),
  };
}

export function traceWithPuppeteer(profile: BrowserProfile, target: TraceTarget): Promise<DriverTrace> {
  return traceWith(profile.label, () => openPuppeteer(profile, target.ignoreHttpsErrors), target);
}
