// The mdn-bcd-collector report format, the route real test results take into BCD: its `update-bcd` script
// reads `{__version, results: {<test page url>: [{name, exposure, result, message?}]}, extensions,
// userAgent}`, finds the browser and release from `userAgent` alone (ua-parser-js against BCD's
// browsers), and folds each `name` (a BCD feature path) into that release: true wins over false, false
// over null. The schema below mirrors the collector's types (types/types.d.ts: Report, TestResult,
// Exposure, TestResultValue).
//
// Feature names and results come from the same mapping as the BCD export (bcd.ts), so `name` is e.g.
// `api.MediaKeySession.close` or `api.Navigator.requestMediaKeySystemAccess.keySystem_org_w3_clearkey`.
// One report per browser report, except where update-bcd would read it as something it is not:
// - a browser BCD has no id for (WebKitGTK: its "Version/x Safari/605" user agent would pass for Safari);
// - a profile with EME preferences set (firefox-persistent): the format has no flags, so update-bcd would
//   take the pref-enabled results for the browser's default behaviour.
import { z } from 'zod';
import { runnerUrl } from '../../harness/browsers/session.ts';
import type { CompatReport } from '../../model/results.ts';
import { bcdFeatures, loadBcdBrowsers, type BcdBrowsers, type BcdTarget } from './bcd.ts';

export const COLLECTOR_EXPOSURES = ['Window', 'Worker', 'SharedWorker', 'ServiceWorker', 'WebAssembly'] as const;
/** A BCD feature path: a category, then feature names (no dots inside a name). */
const BCD_PATH =
  /^(api|css|html|http|javascript|manifests|mathml|mediatypes|svg|webassembly|webdriver|webextensions)(\.[a-zA-Z_0-9\-$@]+)+$/;

export const CollectorTestResult = z.strictObject({
  exposure: z.enum(COLLECTOR_EXPOSURES),
  name: z.string().regex(BCD_PATH, 'name must be a BCD feature path'),
  result: z.boolean().nullable(),
  message: z.string().optional(),
});
export type CollectorTestResult = z.infer<typeof CollectorTestResult>;

export const CollectorReport = z
  .strictObject({
    __version: z.string().min(1),
    results: z.record(z.url(), z.array(CollectorTestResult)),
    extensions: z.array(z.string()),
    userAgent: z.string().min(1),
  })
  // update-bcd's getSupportMap throws on a report with no results at all.
  .refine((r) => Object.values(r.results).some((list) => list.length > 0), {
    message: 'a report needs at least one result',
    path: ['results'],
  });
export type CollectorReport = z.infer<typeof CollectorReport>;

/** The release the user agent names, as ua-parser-js would read it for each BCD browser. */
const UA_RELEASE: Record<string, (ua: string) => string | null> = {
  chrome: (ua) => (/\b(Edg|OPR|SamsungBrowser)\//.test(ua) ? null : (/\bChrome\/(\d+)\./.exec(ua)?.[1] ?? null)),
  edge: (ua) => /\bEdg\/(\d+)\./.exec(ua)?.[1] ?? null,
  firefox: (ua) => /\bFirefox\/(\d+)\./.exec(ua)?.[1] ?? null,
  safari: (ua) => (/\bChrome\//.test(ua) ? null : (/\bVersion\/(\d+\.\d+).*\bSafari\//.exec(ua)?.[1] ?? null)),
};

/**
 * The user agent to report. Headless Chromium says "HeadlessChrome/N", which ua-parser-js reads as a
 * browser BCD does not know ("Chrome Headless"), so update-bcd would drop the report; the headless
 * shell runs the same build, so the token is written as "Chrome/N" (the only change).
 */
function reportedUserAgent(ua: string): string {
  return ua.replace(/\bHeadlessChrome\//, 'Chrome/');
}

export interface CollectorOptions {
  browsers?: BcdBrowsers;
}

/** The collector report for one browser report, or why update-bcd must not get one. */
export function toCollectorReport(
  r: CompatReport,
  options: CollectorOptions = {},
): { report: CollectorReport } | { omitted: string } {
  const mapped = bcdFeatures(r, options.browsers ?? loadBcdBrowsers().browsers);
  if ('omitted' in mapped) return mapped;
  const target: BcdTarget = mapped.target;
  if (target.flags.length) {
    return {
      omitted: `the profile sets ${target.flags.map((f) => `${f.name}=${f.value_to_set}`).join(', ')}; the collector format cannot say so, and update-bcd would take these results for ${target.id} ${target.release}'s default behaviour`,
    };
  }
  const rawUa = r.browser.userAgent ?? r.scenarios.find((s) => s.environment)?.environment?.userAgent ?? null;
  if (!rawUa) return { omitted: 'no page reported a user agent, and update-bcd identifies the browser by it alone' };
  const userAgent = reportedUserAgent(rawUa);
  const named = UA_RELEASE[target.id]?.(userAgent) ?? null;
  if (named !== target.release) {
    return {
      omitted: `the user agent names ${target.id} ${named ?? '(not recognised)'}, not the tested ${target.id} ${target.release}: update-bcd would file the results under the wrong browser or release`,
    };
  }
  const origin = r.scenarios.find((s) => s.environment)?.environment?.origin;
  if (!origin) return { omitted: 'no page reported its origin' };
  const results: Record<string, CollectorTestResult[]> = {};
  for (const f of [...mapped.features].sort((a, b) => a.path.join('.').localeCompare(b.path.join('.')))) {
    // A test that died before it had a run (record null) is filed under the runner page without a run id.
    const page = runnerUrl(f.scenario.environment?.origin ?? origin, f.scenario.record?.meta.id);
    const message =
      f.result === true
        ? f.partial.length
          ? `partial implementation: ${f.partial.join('; ')}`
          : undefined
        : f.notes.join('; ') || undefined;
    (results[page] ??= []).push({
      exposure: 'Window',
      name: `api.${f.path.join('.')}`,
      result: f.result,
      ...(message ? { message } : {}),
    });
  }
  const report = { __version: `${r.tool.version}-eme-compat`, results, extensions: [], userAgent };
  const parsed = CollectorReport.safeParse(report);
  if (!parsed.success)
    throw new Error(
      `collector report for ${r.browser.project} does not match the collector's Report type: ${z.prettifyError(parsed.error)}`,
    );
  return { report: parsed.data };
}
