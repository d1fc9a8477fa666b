// One browser for one Playwright worker, whatever drives it. Tests only open URLs: results travel
// through the server, so the same test runs on Playwright and on WebDriver.
import { z } from 'zod';
import type { BrowserProfile } from './profiles.ts';

export const BrowserIdentity = z.object({
  project: z.string(),
  label: z.string(),
  engine: z.string(),
  /** What the browser calls itself (chromium, firefox, MiniBrowser, ...). */
  name: z.string(),
  version: z.string(),
  channel: z.string().nullable(),
  driver: z.enum(['playwright', 'webdriver']),
  executablePath: z.string().nullable(),
  args: z.array(z.string()),
  prefs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type BrowserIdentity = z.infer<typeof BrowserIdentity>;

export interface OpenPage {
  /** PNG of the viewport, for attachments. */
  screenshot(): Promise<Buffer>;
  /** PNG of one element (the first that matches a CSS selector). */
  screenshotElement(selector: string): Promise<Buffer>;
  /** Resolves with a description if the driver sees the page die (renderer crash); never otherwise. */
  lost: Promise<string>;
  close(): Promise<void>;
}

export interface BrowserSession {
  readonly identity: BrowserIdentity;
  /** Opens `url` in a fresh page (a new context where the driver has them) and waits for it to load. */
  open(url: string): Promise<OpenPage>;
  close(): Promise<void>;
}

export async function startBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  if (profile.driver === 'webdriver') {
    const { startWebDriverBrowser } = await import('./webdriver-session.ts');
    return startWebDriverBrowser(profile);
  }
  const { startPlaywrightBrowser } = await import('./playwright-session.ts');
  return startPlaywrightBrowser(profile);
}
