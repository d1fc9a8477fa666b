// One trace of one page in one browser, as a report: the driver that can inject the tracer before the
// page's scripts does the tracing (Playwright: Chromium, Firefox over BiDi, Playwright's WebKit;
// puppeteer: the Firefox builds Playwright cannot drive); a WebDriver-classic profile cannot, and says
// so. The merged timeline becomes a run record of scenario 'trace', so the readers of scenario runs
// (session model, timeline text, sequence diff) read it too.
import { RunRecord, joinTimeline, type PageTimeline, type RunOutcome } from '../../model/record.ts';
import type { BrowserProfile } from '../browsers/profiles.ts';
import { countEmeCalls, mergeTrace } from './merge.ts';
import { traceWithPlaywright } from './playwright-trace.ts';
import { traceWithPuppeteer } from './puppeteer-trace.ts';
import type { DriverTrace, TraceTarget } from './watch.ts';
import { TRACE_SCHEMA_VERSION, TraceReport, type TraceStatus } from './schema.ts';
import { describeWait } from './wait.ts';

export type { TraceTarget } from './watch.ts';

/** Why a profile cannot be traced, or null when its driver can inject the tracer. */
export function untraceableReason(profile: BrowserProfile): string | null {
  if (profile.driver === 'webdriver')
    return "not traceable with this driver: WebDriver classic cannot run a script before the page's own scripts (tracing needs Playwright, or WebDriver BiDi script.addPreloadScript, which this driver does not speak)";
  return null;
}

export async function traceInBrowser(
  profile: BrowserProfile,
  target: TraceTarget,
  driver: (p: BrowserProfile, t: TraceTarget) => Promise<DriverTrace> = profile.driver === 'puppeteer'
    ? traceWithPuppeteer
    : traceWithPlaywright,
): Promise<TraceReport> {
  const startedAt = new Date();
  const base = {
    schemaVersion: TRACE_SCHEMA_VERSION,
    kind: 'eme-trace' as const,
    url: target.url,
    project: profile.project,
    startedAt: startedAt.toISOString(),
    wait: target.wait,
  };
  const unable = untraceableReason(profile);
  if (unable) {
    return TraceReport.parse({
      ...base,
      browser: null,
      status: 'not-traceable',
      reason: unable,
      conditionMet: false,
      durationMs: 0,
      documents: [],
      warnings: [],
      emeCalls: 0,
      record: null,
    });
  }
  const trace = await driver(profile, target);
  return toReport(base, trace, Date.now() - startedAt.getTime());
}

/** The report of a driver's trace (pure: the unit tests feed it recorded messages). */
export function toReport(
  base: Pick<TraceReport, 'schemaVersion' | 'kind' | 'url' | 'project' | 'startedAt' | 'wait'>,
  trace: DriverTrace,
  durationMs: number,
): TraceReport {
  const merged = mergeTrace(trace.messages);
  const warnings = [
    ...merged.warnings,
    ...(trace.rejectedMessages ? [`${trace.rejectedMessages} tracer message(s) did not fit the schema`] : []),
    ...trace.pageErrors.map((e) => `page error: ${e}`),
  ];
  const emeCalls = countEmeCalls(merged.entries);
  const status: TraceStatus = trace.failure ? 'failed' : 'traced';
  const env = merged.environment;
  const emeAbsent = env && env.emeApi['navigator.requestMediaKeySystemAccess'] !== 'function';
  let outcome: RunOutcome;
  if (emeAbsent)
    outcome = {
      status: 'precondition-failed',
      reason: `navigator.requestMediaKeySystemAccess is ${env.emeApi['navigator.requestMediaKeySystemAccess']} (isSecureContext: ${env.isSecureContext})`,
    };
  else if (trace.failure) outcome = { status: 'stopped', reason: trace.failure };
  else if (!trace.conditionMet) outcome = { status: 'stopped', reason: trace.ended };
  else outcome = { status: 'completed', reason: trace.ended };
  const reason = trace.failure ?? (emeAbsent ? outcome.reason! : trace.ended);
  let record: RunRecord | null = null;
  if (env) {
    const page: PageTimeline = { entries: merged.entries, outcome, environment: env };
    record = RunRecord.parse({
      meta: {
        id: `trace-${base.project}-${base.startedAt}`,
        scenario: 'trace',
        params: { url: base.url, wait: describeWait(base.wait) },
        project: base.project,
        createdAt: base.startedAt,
      },
      finished: true,
      status: 'finished',
      page,
      exchanges: [],
      evidence: [],
      joined: joinTimeline(page, []),
    });
  }
  return TraceReport.parse({
    ...base,
    browser: trace.identity,
    status,
    reason,
    conditionMet: trace.conditionMet,
    durationMs,
    documents: merged.documents,
    warnings,
    emeCalls,
    record,
  });
}
