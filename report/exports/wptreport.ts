// wptreport JSON (wptrunner's format) as wpt.fyi's results-processor reads it: a scenario is a test, its
// checks are subtests. The zod schema below is the contract; toWptReport() validates what it returns, and
// throws (with the reason) rather than hand back a report wpt.fyi would refuse.
//
// What wpt.fyi requires (results-processor/wptreport.py, finalize()): run_info.product, browser_version,
// os and revision, or the upload fails with MissingMetadataError; revision must be the full 40-character
// commit (the results API refuses a shorter full_revision_hash). Every result has `test` (starting with
// '/'), `status` and `subtests`.
//
// `expected` follows mozlog/wptrunner: it is present only where the expected status differs from the
// actual one (mozlog drops it when they are equal, and its formatters count a result as unexpected exactly
// when `expected` is there). So a FAIL subtest that was expected to fail carries no `expected`, and a FAIL
// subtest of a scenario expected to pass carries `expected: 'PASS'`.
import { z } from 'zod';
import type { Verdict } from '../../model/verdict.ts';
import type { BrowserIdentity } from '../../model/browser.ts';
import type { CompatReport, ScenarioResult } from '../../model/results.ts';

export const WPT_TEST_STATUSES = ['OK', 'ERROR', 'TIMEOUT', 'CRASH', 'PRECONDITION_FAILED', 'SKIP'] as const;
export const WPT_SUBTEST_STATUSES = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'] as const;
/** Product names wpt.fyi knows (its browser names; the first six are the ones this harness can produce). */
export const WPT_FYI_PRODUCTS = [
  'chrome',
  'chromium',
  'edge',
  'firefox',
  'safari',
  'webkitgtk',
  'wpewebkit',
  'servo',
  'ladybird',
  'deno',
  'node.js',
  'android_webview',
  'chrome_android',
  'chrome_ios',
  'firefox_android',
  'uc',
  'wktr',
] as const;
/** wpt.fyi's release channels (results-processor CHANNEL_TO_LABEL maps them to stable/beta/experimental). */
export const WPT_FYI_CHANNELS = ['stable', 'beta', 'dev', 'nightly', 'experimental'] as const;
export const WPT_FYI_OS = ['linux', 'mac', 'windows', 'android'] as const;

type TestStatus = (typeof WPT_TEST_STATUSES)[number];
type SubtestStatus = (typeof WPT_SUBTEST_STATUSES)[number];
type Product = (typeof WPT_FYI_PRODUCTS)[number];
type Channel = (typeof WPT_FYI_CHANNELS)[number];
type Os = (typeof WPT_FYI_OS)[number];

const Subtest = z
  .strictObject({
    name: z.string().min(1),
    status: z.enum(WPT_SUBTEST_STATUSES),
    message: z.string().nullable(),
    expected: z.enum(WPT_SUBTEST_STATUSES).optional(),
    known_intermittent: z.array(z.enum(WPT_SUBTEST_STATUSES)).optional(),
  })
  .refine((s) => s.expected === undefined || s.expected !== s.status, {
    message: '`expected` equal to `status` (wptrunner omits it then; mozlog would count the subtest as unexpected)',
  });

const Result = z
  .strictObject({
    test: z.string().regex(/^\/\S+$/, 'a test path starts with /'),
    subsuite: z.string().optional(),
    status: z.enum(WPT_TEST_STATUSES),
    expected: z.enum(WPT_TEST_STATUSES).optional(),
    known_intermittent: z.array(z.enum(WPT_TEST_STATUSES)).optional(),
    message: z.string().nullable(),
    duration: z.number().nonnegative().optional(),
    subtests: z.array(Subtest),
  })
  .superRefine((r, ctx) => {
    if (r.expected !== undefined && r.expected === r.status)
      ctx.addIssue({ code: 'custom', path: ['expected'], message: '`expected` equal to `status`' });
    if (r.known_intermittent && r.expected === undefined)
      ctx.addIssue({ code: 'custom', path: ['known_intermittent'], message: 'known_intermittent without expected' });
    const names = r.subtests.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      ctx.addIssue({ code: 'custom', path: ['subtests'], message: `duplicate subtest name ${JSON.stringify(dup)}` });
  });

/** run_info as wpt.fyi reads it: four required keys, wpt.fyi's vocabularies, any extra scalar keys. */
export const WptRunInfo = z
  .object({
    product: z.enum(WPT_FYI_PRODUCTS, {
      error: (i) => `product ${JSON.stringify(i.input)} is not a wpt.fyi product name`,
    }),
    browser_version: z.string().min(1),
    os: z.enum(WPT_FYI_OS, {
      error: (i) => `os ${JSON.stringify(i.input)} is not one of wpt.fyi's ${WPT_FYI_OS.join(', ')}`,
    }),
    revision: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'revision must be the full 40-character commit (wpt.fyi refuses anything shorter)'),
    os_version: z.string().min(1).optional(),
    browser_channel: z.enum(WPT_FYI_CHANNELS).optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const WptReportSchema = z
  .strictObject({
    run_info: WptRunInfo,
    time_start: z.number().int().nonnegative(),
    time_end: z.number().int().nonnegative(),
    results: z.array(Result).min(1),
  })
  .superRefine((r, ctx) => {
    if (r.time_end < r.time_start)
      ctx.addIssue({ code: 'custom', path: ['time_end'], message: 'time_end before time_start' });
    const tests = r.results.map((x) => x.test);
    const dup = tests.find((t, i) => tests.indexOf(t) !== i);
    // wpt.fyi's summarize() raises ConflictingDataError on a test that appears twice.
    if (dup) ctx.addIssue({ code: 'custom', path: ['results'], message: `test ${dup} appears twice` });
  });
export type WptReport = z.infer<typeof WptReportSchema>;

/** Parses a wptreport as wpt.fyi would accept it; throws with every problem otherwise. */
export function parseWptReport(value: unknown, source = 'wptreport'): WptReport {
  const parsed = WptReportSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${source} is not a wptreport wpt.fyi accepts: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const TEST_STATUS: Record<Verdict, TestStatus> = {
  pass: 'OK',
  fail: 'OK', // the harness ran; the failing rules are FAIL subtests, as in WPT
  unsupported: 'PRECONDITION_FAILED',
  // The harness could not observe it here: like a missing precondition, it says nothing about the browser.
  'not-measurable': 'PRECONDITION_FAILED',
  error: 'ERROR',
  timeout: 'TIMEOUT',
  crash: 'CRASH',
};

/**
 * Browser identity → wpt.fyi product and channel, first match wins. Channels:
 * - Debian's Chromium (a distribution build, executablePath set, no Playwright channel) packages Chromium's
 *   stable releases, and Firefox ESR is Mozilla's extended-support *release* branch: both are `stable`
 *   (wpt.fyi has no `esr` channel; ESR builds are release-quality and carry release version numbers).
 *   Debian's WebKitGTK is a stable release series (even minor number) too.
 * - Playwright's channels name their release channel (chrome-beta, msedge-dev, moz-firefox-nightly, ...);
 *   canary maps to `nightly`.
 * - Playwright's own downloaded Chromium/Firefox (no executablePath, no channel) are builds from the
 *   branch that becomes the next release (Playwright pins Chromium beta-branch builds and Firefox beta):
 *   `beta`.
 */
const PRODUCT_TABLE: {
  when: (b: BrowserIdentity) => boolean;
  product: Product;
  channel: (b: BrowserIdentity) => Channel;
}[] = [
  {
    when: (b) => b.engine === 'chromium' && /^msedge/.test(b.channel ?? ''),
    product: 'edge',
    channel: (b) => channelSuffix(b.channel!),
  },
  {
    when: (b) => b.engine === 'chromium' && /^chrome/.test(b.channel ?? ''),
    product: 'chrome',
    channel: (b) => channelSuffix(b.channel!),
  },
  {
    when: (b) => b.engine === 'chromium' && b.channel === null,
    product: 'chromium',
    channel: (b) => (b.executablePath || b.driver === 'webdriver' ? 'stable' : 'beta'),
  },
  {
    when: (b) => b.engine === 'firefox' && (b.channel === null || /^moz-firefox/.test(b.channel)),
    product: 'firefox',
    channel: (b) => (b.channel ? channelSuffix(b.channel) : b.executablePath ? 'stable' : 'beta'),
  },
  {
    when: (b) => b.engine === 'webkit' && /^minibrowser$/i.test(b.name),
    product: 'webkitgtk',
    channel: () => 'stable',
  },
  {
    when: (b) => b.engine === 'webkit' && /^safari$/i.test(b.name),
    product: 'safari',
    channel: (b) => (/preview/i.test(b.version) ? 'experimental' : 'stable'),
  },
];

function channelSuffix(channel: string): Channel {
  if (/-beta$/.test(channel)) return 'beta';
  if (/-dev$/.test(channel)) return 'dev';
  if (/-(canary|nightly)$/.test(channel)) return 'nightly';
  return 'stable';
}

/** The wpt.fyi product and channel of a browser; throws for one wpt.fyi has no name for. */
export function wptProduct(b: BrowserIdentity): { product: Product; channel: Channel } {
  const row = PRODUCT_TABLE.find((r) => r.when(b));
  if (!row)
    throw new Error(
      `no wpt.fyi product for ${b.engine} browser "${b.name}" (channel ${b.channel ?? 'none'}, project ${b.project})`,
    );
  return { product: row.product, channel: row.channel(b) };
}

/**
 * The report's OS description (the reporter writes `<PRETTY_NAME> (<os.type()> <os.release()>)`, or just
 * `<os.type()> <os.release()>`) → wpt.fyi's short os and os_version. Linux: os_version is the
 * distribution's version as wptrunner/mozinfo reports it ("Debian GNU/Linux 12 (bookworm)" → "12",
 * "Ubuntu 24.04.1 LTS" → "24.04"), not the kernel; none when the distribution names no number. Windows:
 * the NT major version. macOS: none (Darwin's kernel version is not the macOS version).
 */
export function wptOs(description: string): { os: Os; os_version?: string } {
  const m =
    /^(.*?)\s*\((Linux|Darwin|Windows_NT) ([^()]*)\)\s*$/.exec(description) ??
    /^()(Linux|Darwin|Windows_NT) (\S+)$/.exec(description);
  if (!m)
    throw new Error(
      `cannot tell wpt.fyi's os from ${JSON.stringify(description)} (expected "<distribution> (Linux <release>)", "Darwin <release>" or "Windows_NT <release>")`,
    );
  const [, pretty, kernel, release] = m as unknown as [string, string, string, string];
  if (kernel === 'Linux') {
    const version = /\b(\d+(?:\.\d+)?)/.exec(pretty)?.[1];
    return version ? { os: 'linux', os_version: version } : { os: 'linux' };
  }
  if (kernel === 'Windows_NT') return { os: 'windows', os_version: release.split('.')[0]! };
  return { os: 'mac' };
}

/** Expected test statuses of a scenario (no expectation: expected to pass, as wptrunner assumes). */
function expectedTestStatuses(s: ScenarioResult): TestStatus[] {
  const verdicts = s.expected.verdicts.length ? s.expected.verdicts : (['pass'] as const);
  return [...new Set(verdicts.map((v) => TEST_STATUS[v]))];
}

/**
 * A check's subtest. A `must` check is expected to PASS, or may FAIL when the scenario is expected to
 * fail; an `advisory` check records a deviation real CDMs may show, so either status is expected.
 */
function subtest(
  s: ScenarioResult,
  c: ScenarioResult['checks'][number],
  name: string,
): WptReport['results'][number]['subtests'][number] {
  const status: SubtestStatus = c.ok ? 'PASS' : 'FAIL';
  const expected: SubtestStatus[] =
    c.level === 'advisory' ? ['PASS', 'FAIL'] : s.expected.verdicts.includes('fail') ? ['FAIL', 'PASS'] : ['PASS'];
  return {
    name,
    status,
    message: c.ok ? null : `expected ${c.expected}; observed ${c.observed}`,
    ...(expected.includes(status) ? {} : { expected: expected[0]! }),
  };
}

/** Subtest names are unique within a test (wptrunner keys on them); a repeated title gets its check id. */
function subtestNames(checks: ScenarioResult['checks']): string[] {
  const titles = checks.map((c) => c.title);
  return checks.map((c, i) =>
    titles.indexOf(c.title) === titles.lastIndexOf(c.title) ? c.title : `${c.title} [${c.id}#${i}]`,
  );
}

export interface WptOptions {
  /** The source revision (full 40-character commit) when the report does not carry run.git.commit. */
  revision?: string;
}

/**
 * wptreport JSON for one browser report. Throws when wpt.fyi would refuse the result: no known revision
 * (neither run.git.commit nor options.revision), a browser with no wpt.fyi product name, an OS it cannot
 * name, or anything else its schema rejects.
 */
export function toWptReport(report: CompatReport, options: WptOptions = {}): WptReport {
  const revision = options.revision ?? report.run.git?.commit ?? null;
  if (!revision)
    throw new Error(
      `no source revision for ${report.browser.project}: the report has no run.git.commit and none was given; wpt.fyi refuses a report without run_info.revision`,
    );
  const { product, channel } = wptProduct(report.browser);
  const { os, os_version } = wptOs(report.environment.os);
  const start = Date.parse(report.run.startedAt);
  if (!Number.isFinite(start)) throw new Error(`run.startedAt ${JSON.stringify(report.run.startedAt)} is not a time`);
  const dirty = report.run.git?.dirty;
  const wpt = {
    run_info: {
      product,
      browser_version: report.browser.version,
      browser_channel: channel,
      os,
      ...(os_version ? { os_version } : {}),
      revision,
      headless: report.browser.driver === 'playwright',
      // Extra keys wpt.fyi carries along: what the harness called the browser, and the OS in full.
      eme_compat_project: report.browser.project,
      eme_compat_browser: `${report.browser.name} ${report.browser.version}`,
      eme_compat_os: report.environment.os,
      ...(typeof dirty === 'boolean' ? { eme_compat_dirty: dirty } : {}),
    },
    time_start: start,
    time_end: start + Math.round(report.run.durationMs),
    results: report.scenarios.map((s) => {
      const status = TEST_STATUS[s.verdict];
      const expected = expectedTestStatuses(s);
      const unexpected = !expected.includes(status);
      // A precondition failure has nothing under test: its checks (if any) are not subtests.
      const checks = status === 'PRECONDITION_FAILED' ? [] : s.checks;
      const names = subtestNames(checks);
      return {
        test: `/eme-compat/${s.id}`,
        subsuite: '',
        status,
        ...(unexpected
          ? { expected: expected[0]!, ...(expected.length > 1 ? { known_intermittent: expected.slice(1) } : {}) }
          : {}),
        message: s.verdict === 'pass' ? null : s.reason,
        duration: s.durationMs,
        subtests: checks.map((c, i) => subtest(s, c, names[i]!)),
      };
    }),
  };
  return parseWptReport(wpt, `wptreport for ${report.browser.project}`);
}
