// The trace's driver for browsers Playwright drives (Chromium, Firefox over BiDi, Playwright's WebKit): a
// context per trace, the sink as a binding, the tracer as an init script (harness/trace/watch.ts does the rest).
import { launchPlaywright, playwrightIdentity } from '../browsers/playwright-session.ts';
import type { BrowserProfile } from '../browsers/profiles.ts';
import { traceWith, type DriverTrace, type TraceBrowser, type TraceTarget } from './watch.ts';

export async function openPlaywright(profile: BrowserProfile): Promise<TraceBrowser> {
  const browser = await launchPlaywright(profile);
  return {
    identity: playwrightIdentity(profile, browser),
    async newPage({ ignoreHttpsErrors }) {
      const context = await browser.newContext({ ignoreHTTPSErrors: ignoreHttpsErrors });
      let page: ReturnType<typeof context.newPage> | null = null;
      const pageOf = () => (page ??= context.newPage());
      return {
        // Bindings and init scripts go on the context, before the page exists: its first document gets them.
        expose: async (name, sink) => {
          await context.exposeBinding(name, (_source, raw: unknown) => sink(raw));
        },
        addInitScript: async (source) => {
          await context.addInitScript({ content: source });
        },
        async goto(url, timeoutMs) {
          const response = await (await pageOf()).goto(url, { waitUntil: 'load', timeout: timeoutMs });
          return response ? { status: response.status(), statusText: response.statusText() } : null;
        },
        evaluate: async (expression) => (await pageOf()).evaluate(expression),
        onPageError: (listener) => void pageOf().then((p) => p.on('pageerror', listener)),
        onCrash: (listener) => void pageOf().then((p) => p.on('crash', listener)),
      };
    },
    close: () => browser.close(),
  };
}

export function traceWithPlaywright(profile: BrowserProfile, target: TraceTarget): Promise<DriverTrace> {
  return traceWith(profile.label, () => openPlaywright(profile), target);
}
