// The per-browser compatibility report: a versioned schema, validated when written and when read.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RunRecord } from './record.ts';
import { BrowserIdentity } from './browser.ts';
import { DIFFERENCES, VERDICTS } from './verdict.ts';

export const REPORT_SCHEMA_VERSION = 1;

export const CheckResult = z.object({
  id: z.string(),
  title: z.string(),
  level: z.enum(['must', 'advisory']),
  ok: z.boolean(),
  expected: z.string(),
  observed: z.string(),
  spec: z.string().optional(),
  /** The step of the anchor's algorithm the check reads ("step 5.2"). */
  step: z.string().optional(),
  /** Why an advisory check is advisory: where the spec leaves room. */
  why: z.string().optional(),
  /** Why the harness could not measure this check here (it then says nothing about the browser). */
  unmeasured: z.string().optional(),
});

export const ScenarioResult = z.object({
  id: z.string(),
  title: z.string(),
  group: z.string(),
  spec: z.array(z.string()),
  verdict: z.enum(VERDICTS),
  reason: z.string(),
  /** What kind of difference the verdict stands for (null: a plain pass, or a run that failed to run). */
  difference: z.enum(DIFFERENCES).nullable().default(null),
  expected: z.object({
    verdicts: z.array(z.enum(VERDICTS)),
    reason: z.string().optional(),
    bug: z.string().optional(),
  }),
  checks: z.array(CheckResult),
  findings: z.record(z.string(), z.unknown()).optional(),
  durationMs: z.number().nonnegative(),
  /** The player that played (group K), as npm names it and as it said its version at run time; null elsewhere. */
  player: z.object({ name: z.string(), npmPackage: z.string(), version: z.string() }).nullable().optional(),
  /** The verdict of every attempt, in order (more than one when Playwright retried); differing verdicts = flaky. */
  attempts: z.array(z.enum(VERDICTS)).default([]),
  /** The page environment as the page saw it (user agent, secure context, API surface). */
  environment: z
    .object({
      userAgent: z.string(),
      isSecureContext: z.boolean(),
      origin: z.string(),
      emeApi: z.record(z.string(), z.string()),
    })
    .nullable(),
  /**
   * The run the verdict was judged from (page timeline, license exchanges, evidence). null: the test
   * produced no run (it died before it had a result: a browser that failed to launch, a fixture error);
   * the verdict is then 'error' and the reason says why. Still schema version 1: readers must allow null.
   */
  record: RunRecord.nullable(),
});
export type ScenarioResult = z.infer<typeof ScenarioResult>;

/** The summary of a report: how many scenarios got each verdict. */
export function countVerdicts(results: { verdict: string }[]): VerdictCounts {
  const count = (v: (typeof VERDICTS)[number]) => results.filter((r) => r.verdict === v).length;
  return {
    pass: count('pass'),
    fail: count('fail'),
    unsupported: count('unsupported'),
    'not-measurable': count('not-measurable'),
    error: count('error'),
    crash: count('crash'),
    timeout: count('timeout'),
    total: results.length,
  };
}

export const VerdictCounts = z.object({
  pass: z.number(),
  fail: z.number(),
  unsupported: z.number(),
  /** Absent in reports written before the verdict existed. */
  'not-measurable': z.number().default(0),
  error: z.number(),
  crash: z.number(),
  timeout: z.number(),
  total: z.number(),
});
export type VerdictCounts = z.infer<typeof VerdictCounts>;

/** What a run was asked to cover: Playwright's project filter, grep and shard. */
export const RunSelection = z.object({
  /** The projects asked for with --project; null: every project of the browser set. */
  projects: z.array(z.string()).nullable(),
  /** Playwright's --grep / --grep-invert sources, when the run was narrowed by title. */
  grep: z.string().nullable(),
  grepInvert: z.string().nullable(),
  /** "i/n" when the run was one shard of several. */
  shard: z.string().nullable(),
});
export type RunSelection = z.infer<typeof RunSelection>;

/** The source the run was made from (wptreport's run_info.revision). */
export const SourceRevision = z.object({
  commit: z.string().nullable(),
  branch: z.string().nullable(),
  dirty: z.boolean().nullable(),
});
export type SourceRevision = z.infer<typeof SourceRevision>;

export const RunInfo = z.object({
  startedAt: z.string(),
  durationMs: z.number(),
  browserSet: z.string(),
  /** Absent in reports written before the selection was recorded. */
  selection: RunSelection.optional(),
  git: SourceRevision.optional(),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const CompatReport = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: z.string(),
  tool: z.object({ name: z.literal('eme-compat'), version: z.string(), playwright: z.string() }),
  browser: BrowserIdentity.extend({ userAgent: z.string().nullable() }),
  environment: z.object({ os: z.string(), node: z.string(), ci: z.boolean() }),
  run: RunInfo,
  summary: VerdictCounts,
  scenarios: z.array(ScenarioResult),
});
export type CompatReport = z.infer<typeof CompatReport>;

/** What a test attaches for the reporter: one scenario's result and the browser that produced it. */
export const ScenarioAttachment = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  browserSet: z.string(),
  browser: BrowserIdentity,
  result: ScenarioResult,
});
export type ScenarioAttachment = z.infer<typeof ScenarioAttachment>;
export const SCENARIO_ATTACHMENT = 'eme-scenario-result.json';

export function parseReport(value: unknown, source = 'report'): CompatReport {
  const parsed = CompatReport.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `${source} does not match the report schema v${REPORT_SCHEMA_VERSION}: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

export function readReport(path: string): CompatReport {
  return parseReport(JSON.parse(readFileSync(path, 'utf8')), path);
}
