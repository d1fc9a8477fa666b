// The results store: one folder per run under the results directory, holding the run's full reports (as
// report/history.ts copies them) and its compact summary (summary.jsonl.gz + details.jsonl.gz). The
// dashboard reads only the summaries; a run stored before summaries existed is summarized once, on first
// read. Retention prunes the full reports of old runs and keeps their summaries, so the history the
// dashboard draws stays whole.
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readReport } from '../../model/results.ts';
import { keepInHistory } from '../history.ts';
import { REPORT_INDEX, type RunIndex } from '../run-index.ts';
import {
  DETAILS_FILE,
  type DetailLine,
  detailsFromJsonl,
  detailsToJsonl,
  fromJsonl,
  type RunSummary,
  SUMMARY_FILE,
  summarize,
  toJsonl,
} from './summary.ts';

/** Keep the full reports of the newest `count` runs and of runs younger than `maxAgeDays`; null: no bound. */
export interface Retention {
  count: number | null;
  maxAgeDays: number | null;
}

/**
 * EME_RESULTS_RETENTION: "all", "<runs>", "<days>d", or both ("30,90d": a run keeps its full reports
 * while it is among the 30 newest and younger than 90 days).
 */
export function parseRetention(text: string): Retention {
  const value = text.trim().toLowerCase();
  if (value === 'all') return { count: null, maxAgeDays: null };
  const retention: Retention = { count: null, maxAgeDays: null };
  for (const part of value.split(',').map((p) => p.trim())) {
    const days = /^(\d+)d$/.exec(part);
    if (days && retention.maxAgeDays === null && Number(days[1]) > 0) retention.maxAgeDays = Number(days[1]);
    else if (/^\d+$/.test(part) && retention.count === null && Number(part) > 0) retention.count = Number(part);
    else
      throw new Error(
        `EME_RESULTS_RETENTION=${JSON.stringify(text)}: expected "all", a run count ("30"), an age ("90d") or both ("30,90d"), each above 0`,
      );
  }
  return retention;
}

/** Run folders of a results directory (those with a summary or an index), oldest first. */
export function runFolders(resultsDir: string): string[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((f) => existsSync(join(resultsDir, f, SUMMARY_FILE)) || existsSync(join(resultsDir, f, REPORT_INDEX)))
    .sort();
}

/** Summarizes a run folder from its full reports and writes summary.jsonl.gz and details.jsonl.gz beside them. */
export function writeSummary(folder: string): RunSummary {
  const index = JSON.parse(readFileSync(join(folder, REPORT_INDEX), 'utf8')) as RunIndex;
  if (!Array.isArray(index.reports)) throw new Error(`${join(folder, REPORT_INDEX)} lists no reports`);
  const reports = index.reports.map((f) => readReport(join(folder, f)));
  const { summary, details } = summarize(folder.split(/[\\/]/).filter(Boolean).at(-1)!, index, reports, index.reports);
  // Details first: a folder with a summary always has its details.
  writeFileSync(join(folder, DETAILS_FILE), gzipSync(detailsToJsonl(details)));
  writeFileSync(join(folder, SUMMARY_FILE), gzipSync(toJsonl(summary)));
  return summary;
}

/**
 * A run's summary: read from summary.jsonl.gz, or made from the full reports (and written) the first time,
 * or when the stored one is of another format.
 */
export function readSummary(folder: string): { summary: RunSummary; made: boolean } {
  const file = join(folder, SUMMARY_FILE);
  if (existsSync(file)) {
    try {
      return { summary: fromJsonl(gunzipSync(readFileSync(file)).toString('utf8'), file), made: false };
    } catch (err) {
      // A summary of another format: made again from the full reports while the run still has them.
      if (!hasFullReports(folder)) throw err;
    }
  }
  return { summary: writeSummary(folder), made: true };
}

/** The cell details of a run (details.jsonl.gz), which the summary's cells name by hash. */
export function readDetails(folder: string): DetailLine[] {
  const file = join(folder, DETAILS_FILE);
  return detailsFromJsonl(gunzipSync(readFileSync(file)).toString('utf8'), file);
}

/** Whether a run folder still holds its full reports (retention may have pruned them). */
export function hasFullReports(folder: string): boolean {
  return existsSync(join(folder, REPORT_INDEX));
}

/**
 * Prunes the full reports of runs beyond the retention, keeping each run's summary (written first if it
 * is missing). Returns the pruned run folders' names. A folder is pruned only once its summary exists.
 */
export function applyRetention(resultsDir: string, retention: Retention, now = new Date()): string[] {
  const folders = runFolders(resultsDir).filter((f) => hasFullReports(join(resultsDir, f)));
  const pruned: string[] = [];
  folders.forEach((f, i) => {
    const folder = join(resultsDir, f);
    const newerRuns = folders.length - 1 - i;
    const tooMany = retention.count !== null && newerRuns >= retention.count;
    const started = startedAt(folder);
    const tooOld =
      retention.maxAgeDays !== null &&
      started !== null &&
      now.getTime() - started.getTime() > retention.maxAgeDays * 86_400_000;
    if (!tooMany && !tooOld) return;
    if (!existsSync(join(folder, SUMMARY_FILE))) writeSummary(folder);
    for (const entry of readdirSync(folder))
      if (entry !== SUMMARY_FILE && entry !== DETAILS_FILE) rmSync(join(folder, entry), { recursive: true });
    pruned.push(f);
  });
  return pruned;
}

function startedAt(folder: string): Date | null {
  try {
    const index = JSON.parse(readFileSync(join(folder, REPORT_INDEX), 'utf8')) as RunIndex;
    const t = new Date(index.startedAt);
    return Number.isNaN(t.getTime()) ? new Date(statSync(folder).mtimeMs) : t;
  } catch {
    return null;
  }
}

export type RecordedRun =
  | { kept: true; folder: string; files: string[]; pruned: string[] }
  | { kept: false; why: string; pruned: string[] };

/**
 * Keeps a finished run in the store: its reports copied into a new run folder (report/history.ts), the
 * per-browser HTML reports beside them (the dashboard links to them), its summary written, and the
 * retention applied to older runs.
 */
export function recordRun(reportDir: string, resultsDir: string, retention: Retention): RecordedRun {
  const kept = keepInHistory(reportDir, resultsDir);
  if (!kept.kept) return { ...kept, pruned: [] };
  const pages = kept.files
    .filter((f) => /\.json$/.test(f) && !/\.(wptreport|collector)\.json$|^(bcd|index)\.json$/.test(f))
    .map((f) => f.replace(/\.json$/, '.html'))
    .filter((f) => existsSync(join(reportDir, f)));
  for (const f of pages) copyFileSync(join(reportDir, f), join(kept.folder, f));
  writeSummary(kept.folder);
  return {
    ...kept,
    files: [...kept.files, ...pages, DETAILS_FILE, SUMMARY_FILE],
    pruned: applyRetention(resultsDir, retention),
  };
}
