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
  driver: z.enum(['playwright', 'webdriver']),
  executablePath: z.string().nullable(),
  args: z.array(z.string()),
  prefs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type BrowserIdentity = z.infer<typeof BrowserIdentity>;
