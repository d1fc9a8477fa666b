// One browser for one Playwright worker, whatever drives it. Tests only open URLs: results travel
// through the server, so the same test runs on Playwright and on WebDriver.
import type { BrowserIdentity } from '../../model/browser.ts';

export interface OpenPage {
  /** PNG of the viewport, for attachments. */
  screenshot(): Promise<Buffer>;
  /** PNG of one element (the first that matches a CSS selector). */
  screenshotElement(selector: string): Promise<Buffer>;
  /** Resolves with a description if the driver sees the page die (renderer crash); never otherwise. */
  lost: Promise<string>;
  /**
   * Lets the page go; `clean` says the run reported normally, so the driver may reuse the tab for a
   * new document. A driver may finish this in the background (the session's close() waits for it).
   */
  close(options?: { clean: boolean }): Promise<void>;
}

export interface StartOptions {
  /**
   * 'document' (default): a new document nothing else has used, possibly in a reused tab of a shared
   * context. 'context': a browser context of its own, for scenarios that leave origin state behind
   * (stored sessions). Drivers without contexts (WebDriver classic) give a new document either way.
   */
  isolation?: 'document' | 'context';
}

/** The server's runner page: `?run=<id>` runs at once; without it the page waits for emeRunner.start(id). */
export const RUNNER_PATH = '/runner.html';

export function runnerUrl(baseURL: string, runId?: string): string {
  const url = new URL(RUNNER_PATH, baseURL);
  if (runId) url.searchParams.set('run', runId);
  return url.href;
}

export interface BrowserSession {
  readonly identity: BrowserIdentity;
  /**
   * Starts run `runId` (from POST /api/runs) in a runner page of the server at `baseURL`, in a
   * document no other scenario has used (a new context where the driver has them). Resolves once the
   * run has started; the page reports its own timeline to the server.
   */
  startRun(baseURL: string, runId: string, options?: StartOptions): Promise<OpenPage>;
  close(): Promise<void>;
}
