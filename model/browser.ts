// Which browser build produced a result, as reports and attachments carry it.
import { z } from 'zod';

export const BrowserIdentity = z.object({
  project: z.string(),
  label: z.string(),
  engine: z.string(),
  /** What the browser calls itself (chromium, firefox, MiniBrowser, ...). */
  name: z.string(),
  version: z.string(),
  channel: z.string().nullable(),
  /** How it was driven: Playwright (CDP / BiDi), W3C WebDriver classic, or puppeteer-core (BiDi). */
  driver: z.enum(['playwright', 'webdriver', 'puppeteer']),
  executablePath: z.string().nullable(),
  args: z.array(z.string()),
  prefs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /**
   * The build, exactly, as its source names it: npm:@sparticuz/chromium@119.0.2,
   * debian:chromium=150.0.7871.100-1~deb12u1, debian:firefox-esr=153.8.0esr-1~deb12u1; null when unknown
   * (a remote browser, a branded channel); absent in reports written before builds were named.
   */
  source: z.string().nullable().optional(),
});
export type BrowserIdentity = z.infer<typeof BrowserIdentity>;
