// A run's compact summary: what the dashboard shows of a run, without the full timelines, in two gzipped
// JSONL files written once per run beside its full reports:
// - summary.jsonl.gz: a run line, a line per browser build, a line per scenario × build (verdict, expected
//   verdicts, sequence hash, and the hash of its details) — all the grid needs, read at every dashboard build;
// - details.jsonl.gz: a line per distinct cell detail (reason, rules, steps, the Mermaid diagram, picture
//   figures), keyed by that hash — read only for details the site does not have yet.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CheckResult, type CompatReport, type ScenarioResult } from '../../model/results.ts';
import { VERDICTS } from '../../model/verdict.ts';
import type { RunIndex } from '../run-index.ts';
import { emeSteps, toMermaid, toSteps } from '../sequence.ts';

export const SUMMARY_FORMAT = 5;
export const SUMMARY_FILE = 'summary.jsonl.gz';
export const DETAILS_FILE = 'details.jsonl.gz';

export const RunLine = z.object({
  kind: z.literal('run'),
  format: z.literal(SUMMARY_FORMAT),
  id: z.string(),
  startedAt: z.string(),
  scope: z.enum(['full', 'partial', 'unknown']),
  gaps: z.array(z.string()),
  commit: z.string().nullable(),
  branch: z.string().nullable(),
  browserSet: z.string().nullable(),
});
export type RunLine = z.infer<typeof RunLine>;

/** One tested browser build of the run. */
export const BuildLine = z.object({
  kind: z.literal('build'),
  /** lane|version|driver: the same build in any run has the same key. */
  key: z.string(),
  /** engine, plus the EME preferences the profile sets: one row of versions on the dashboard. */
  lane: z.string(),
  engine: z.string(),
  project: z.string(),
  label: z.string(),
  name: z.string(),
  version: z.string(),
  channel: z.string().nullable(),
  driver: z.string(),
  /** Where the build came from (e.g. npm:@sparticuz/chromium@119.0.2); null for the system's browsers. */
  source: z.string().nullable(),
  /** The full report's file name in the run folder (its .html beside it). */
  report: z.string(),
});
export type BuildLine = z.infer<typeof BuildLine>;

/** A check as the drill-down shows it: the report's own check, less its id. */
export const CheckLine = CheckResult.omit({ id: true });

export const PictureLine = z.object({
  referenceScenario: z.string().nullable(),
  meanAbsDiff: z.number().nullable(),
  maxAbsDiff: z.number().nullable(),
  stdDev: z.number(),
  threshold: z.number(),
});

/** One scenario's result in one build: what the grid, the markers and the run diff read. */
export const CellLine = z.object({
  kind: z.literal('cell'),
  scenario: z.string(),
  build: z.string(),
  verdict: z.enum(VERDICTS),
  expected: z.array(z.enum(VERDICTS)),
  /** Short hash of the comparable steps, races in one order: equal hashes, equal sequences up to what the spec leaves open. */
  sequence: z.string(),
  /** The hash of the cell's DetailLine (details.jsonl.gz). */
  detail: z.string(),
  /** The player that played (group K), as `npm-package@version`; null for the harness's own pages. */
  player: z.string().nullable().default(null),
});
export type CellLine = z.infer<typeof CellLine>;

/** What the drill-down shows of a cell, stored once per distinct content. */
export const DetailLine = z.object({
  kind: z.literal('detail'),
  hash: z.string(),
  reason: z.string(),
  expectedReason: z.string().nullable(),
  difference: z.string().nullable(),
  attempts: z.array(z.enum(VERDICTS)),
  checks: z.array(CheckLine),
  steps: z.array(z.string()),
  /** The recorded sequence as a Mermaid sequence diagram ('' without a timeline). */
  diagram: z.string(),
  pictures: z.array(PictureLine),
});
export type DetailLine = z.infer<typeof DetailLine>;

export const SummaryLine = z.discriminatedUnion('kind', [RunLine, BuildLine, CellLine]);
export type SummaryLine = z.infer<typeof SummaryLine>;

export interface RunSummary {
  run: RunLine;
  builds: BuildLine[];
  cells: CellLine[];
}

/** A run's summary and its cell details (by hash), as written. */
export interface SummarizedRun {
  summary: RunSummary;
  details: DetailLine[];
}

/** EME preferences a profile sets decide behaviour; other prefs (autoplay, host mapping) are conveniences. */
const EME_PREF = /^media\.(eme|clearkey|gmp)/;

/** The dashboard row a build belongs to: its engine, and the EME preferences its profile sets. */
export function laneOf(b: CompatReport['browser']): string {
  const prefs = Object.entries(b.prefs)
    .filter(([k]) => EME_PREF.test(k))
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}=${String(v)}`);
  return [b.engine, ...prefs].join(' + ');
}

export function buildKey(b: CompatReport['browser']): string {
  return `${laneOf(b)}|${b.version}|${b.driver}`;
}

/**
 * Short hash of the EME steps (sequence.ts emeSteps): orders the spec leaves open and the media element's
 * timing-dependent events change nothing; a missing, extra or different EME step does.
 */
export function sequenceHash(steps: string[]): string {
  return createHash('sha256').update(emeSteps(steps).join('\n')).digest('hex').slice(0, 12);
}

function detailOf(s: ScenarioResult): DetailLine {
  const entries = s.record?.page?.entries ?? [];
  const content: Omit<DetailLine, 'kind' | 'hash'> = {
    reason: s.reason,
    expectedReason: s.expected.reason ?? null,
    difference: s.difference,
    attempts: s.attempts,
    checks: s.checks.map(({ id: _id, ...check }) => check),
    steps: s.record?.page ? toSteps(entries) : [],
    diagram: s.record?.page ? toMermaid(entries) : '',
    pictures: (s.record?.evidence ?? []).flatMap((e) =>
      e.kind === 'picture'
        ? [
            {
              referenceScenario: e.referenceScenario,
              meanAbsDiff: e.meanAbsDiff,
              maxAbsDiff: e.maxAbsDiff,
              stdDev: e.stdDev,
              threshold: e.threshold,
            },
          ]
        : [],
    ),
  };
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  return { kind: 'detail', hash, ...content };
}

/** The summary of a run from its index and full reports (`files[i]` is the file name of `reports[i]`). */
export function summarize(id: string, index: RunIndex, reports: CompatReport[], files: string[]): SummarizedRun {
  const builds = reports.map(
    (r, i): BuildLine => ({
      kind: 'build',
      key: buildKey(r.browser),
      lane: laneOf(r.browser),
      engine: r.browser.engine,
      project: r.browser.project,
      label: r.browser.label,
      name: r.browser.name,
      version: r.browser.version,
      channel: r.browser.channel,
      driver: r.browser.driver,
      source: (r.browser as { source?: string | null }).source ?? null,
      report: files[i]!,
    }),
  );
  const details = new Map<string, DetailLine>();
  const cells = reports.flatMap((r, i) =>
    r.scenarios.map((s): CellLine => {
      const detail = detailOf(s);
      details.set(detail.hash, detail);
      return {
        kind: 'cell',
        scenario: s.id,
        build: builds[i]!.key,
        verdict: s.verdict,
        expected: s.expected.verdicts,
        sequence: sequenceHash(detail.steps),
        detail: detail.hash,
        player: s.player ? `${s.player.npmPackage}@${s.player.version}` : null,
      };
    }),
  );
  return {
    summary: {
      run: {
        kind: 'run',
        format: SUMMARY_FORMAT,
        id,
        startedAt: index.startedAt ?? reports[0]?.run.startedAt ?? id,
        scope: index.scope ?? 'unknown',
        gaps: index.gaps ?? [],
        commit: index.git?.commit ?? null,
        branch: index.git?.branch ?? null,
        browserSet: index.browserSet ?? reports[0]?.run.browserSet ?? null,
      },
      builds,
      cells,
    },
    details: [...details.values()],
  };
}

/** The summary as JSONL text (before gzip). */
export function toJsonl(summary: RunSummary): string {
  return `${[summary.run, ...summary.builds, ...summary.cells].map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** The details as JSONL text (before gzip). */
export function detailsToJsonl(details: DetailLine[]): string {
  return `${details.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** Parses and validates details JSONL; `source` names the file in errors. */
export function detailsFromJsonl(text: string, source: string): DetailLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = DetailLine.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${source}: line ${i + 1} is not a cell detail: ${z.prettifyError(r.error)}`);
      return r.data;
    });
}

/** Parses and validates summary JSONL; `source` names the file in errors. */
export function fromJsonl(text: string, source: string): RunSummary {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parsed = lines.map((l, i) => {
    const r = SummaryLine.safeParse(JSON.parse(l));
    if (!r.success) throw new Error(`${source}: line ${i + 1} is not a summary line: ${z.prettifyError(r.error)}`);
    return r.data;
  });
  const run = parsed[0];
  if (run?.kind !== 'run') throw new Error(`${source}: the first line must describe the run`);
  return {
    run,
    builds: parsed.filter((l): l is BuildLine => l.kind === 'build'),
    cells: parsed.filter((l): l is CellLine => l.kind === 'cell'),
  };
}
