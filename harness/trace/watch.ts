// Traces a page in a browser a driver can inject the tracer into: the tracer goes in as an init script
// (every frame, every navigation, before the page's scripts) and sends its entries through a function the
// driver exposes; the page is opened, the user script run, and the wait condition polled. What the page
// said stays in `messages`, whatever happens after, so a failed wait or a throwing script still leaves
// the timeline up to that point. The drivers (playwright-trace.ts, puppeteer-trace.ts) only adapt their
// API to TraceDriver.
import type { BrowserIdentity } from '../../model/browser.ts';
import { plainMessage } from '../browsers/processes.ts';
import { tracerScript } from './bundle.ts';
import { TRACE_SINK, TraceMessage, type WaitSpec } from './schema.ts';

const POLL_MS = 100;

export interface TraceTarget {
  url: string;
  wait: WaitSpec;
  ignoreHttpsErrors: boolean;
}

export interface DriverTrace {
  identity: BrowserIdentity | null;
  messages: TraceMessage[];
  /** The page loaded and was watched to the end of the wait. */
  loaded: boolean;
  conditionMet: boolean;
  /** Why the trace stopped short (launch, navigation, user script); null when it did not. */
  failure: string | null;
  /** What ended the wait, in words. */
  ended: string;
  /** Uncaught errors of the page itself (not ours), for the report. */
  pageErrors: string[];
  rejectedMessages: number;
}

/** One page in a launched browser, as the trace needs it. */
export interface TracePage {
  /** Makes window[name] call `sink` in every frame and document, before any navigation. */
  expose(name: string, sink: (raw: unknown) => void): Promise<void>;
  /** Runs `source` in every frame and document before their own scripts. */
  addInitScript(source: string): Promise<void>;
  /** Navigates and waits for load; the main response's status, if there was one. */
  goto(url: string, timeoutMs: number): Promise<{ status: number; statusText: string } | null>;
  evaluate(expression: string): Promise<unknown>;
  onPageError(listener: (error: unknown) => void): void;
  /** Drivers that cannot tell a crash leave this alone: a dead page then shows up as a timeout. */
  onCrash(listener: () => void): void;
}

/** A launched browser: its identity, a page to trace, and how to let it go. */
export interface TraceBrowser {
  identity: BrowserIdentity;
  newPage(options: { ignoreHttpsErrors: boolean }): Promise<TracePage>;
  close(): Promise<void>;
}

export async function traceWith(
  label: string,
  launch: () => Promise<TraceBrowser>,
  target: TraceTarget,
): Promise<DriverTrace> {
  const out: DriverTrace = {
    identity: null,
    messages: [],
    loaded: false,
    conditionMet: false,
    failure: null,
    ended: '',
    pageErrors: [],
    rejectedMessages: 0,
  };
  const { wait } = target;
  let browser: TraceBrowser;
  try {
    browser = await launch();
  } catch (err) {
    out.failure = `cannot launch ${label}: ${plainMessage(err).split('\n')[0]}`;
    return out;
  }
  out.identity = browser.identity;
  const started = Date.now();
  const deadline = started + wait.timeoutMs;
  try {
    const page = await browser.newPage({ ignoreHttpsErrors: target.ignoreHttpsErrors });
    let eventSeen = false;
    await page.expose(TRACE_SINK, (raw: unknown) => {
      const parsed = TraceMessage.safeParse(raw);
      if (!parsed.success) {
        out.rejectedMessages++;
        return;
      }
      out.messages.push(parsed.data);
      const m = parsed.data;
      if (m.kind === 'entry' && wait.untilEvent !== null && m.entry['name'] === wait.untilEvent) {
        if (m.entry['type'] === 'event' || m.entry['type'] === 'promise') eventSeen = true;
      }
    });
    await page.addInitScript(await tracerScript());
    page.onPageError((error) => out.pageErrors.push(plainMessage(error).slice(0, 500)));
    let crashed = false;
    page.onCrash(() => (crashed = true));

    let response;
    try {
      response = await page.goto(target.url, wait.timeoutMs);
    } catch (err) {
      out.failure = `could not load ${target.url}: ${plainMessage(err)
        .split('\n')[0]
        ?.replace(/^page\.goto: /, '')}`;
      return out;
    }
    if (response && response.status >= 400) {
      out.failure = `${target.url} answered HTTP ${response.status} ${response.statusText}`;
      return out;
    }
    if (wait.script !== null) {
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<'overdue'>((r) => (timer = setTimeout(() => r('overdue'), deadline - Date.now())));
      try {
        const ran = await Promise.race([page.evaluate(`(async () => {\n${wait.script}\n})()`), overdue]);
        if (ran === 'overdue') {
          out.failure = `the --script did not finish within ${wait.timeoutMs / 1000} s`;
          return out;
        }
      } catch (err) {
        out.failure = `the --script threw in the page: ${plainMessage(err).split('\n')[0]}`;
        return out;
      } finally {
        clearTimeout(timer);
      }
    }
    out.loaded = true;
    let lastUntilError = '';
    while (Date.now() < deadline && !crashed) {
      if (wait.untilEvent !== null && eventSeen) break;
      if (wait.until !== null) {
        const held = await page.evaluate(`!!(${wait.until}\n)`).then(
          (v) => v === true,
          (err: unknown) => {
            // A page that navigates, or an expression about something not made yet: not yet.
            lastUntilError = plainMessage(err).split('\n')[0] ?? '';
            return false;
          },
        );
        if (held) {
          out.conditionMet = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (wait.untilEvent !== null) out.conditionMet = eventSeen;
    if (wait.until === null && wait.untilEvent === null) out.conditionMet = !crashed;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (crashed) out.failure = 'the page crashed (renderer process gone)';
    else if (out.conditionMet && (wait.until !== null || wait.untilEvent !== null)) {
      out.ended = `${wait.until !== null ? `--until ${wait.until}` : `${wait.untilEvent}`} held after ${seconds} s`;
      // Let what the condition's event set going settle (results, the next events) before closing.
      await new Promise((r) => setTimeout(r, wait.settleMs));
    } else if (out.conditionMet) out.ended = `watched for ${seconds} s`;
    else
      out.ended = `${wait.until !== null ? `--until ${wait.until}` : `no ${wait.untilEvent}`} within ${wait.timeoutMs / 1000} s${lastUntilError ? ` (last evaluation: ${lastUntilError})` : ''}`;
  } catch (err) {
    out.failure ??= plainMessage(err).split('\n')[0] ?? String(err);
  } finally {
    await browser.close().catch(() => undefined);
  }
  return out;
}
