// The browser-support dashboard: a static site built from the results history (one folder per run).
// Everything it shows comes from the data embedded in index.html, so it can be deployed to any static
// host (and the harness server serves it at /dashboard/).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { SCENARIOS } from '../harness/catalog.ts';
import { GROUPS } from '../harness/scenario.ts';
import { readReport, type CompatReport } from '../model/results.ts';
import { toSteps } from './sequence.ts';
import type { RunIndex } from './compat-reporter.ts';

export interface DashboardCell {
  verdict: string;
  reason: string;
  expected: string[];
  /** Short hash of the recorded step sequence, so run diffs can say "sequence changed". */
  sequence: string;
}

export interface DashboardRun {
  id: string;
  startedAt: string;
  /** 'full': the whole catalog in every project, complete; 'partial': narrowed or incomplete; 'unknown': recorded before runs said. */
  scope: 'full' | 'partial' | 'unknown';
  /** Why the run is partial (selection, missing projects or scenarios, shard). */
  gaps: string[];
  commit: string | null;
  branch: string | null;
  columns: { key: string; project: string; name: string; version: string }[];
  /** scenario id → column key → cell */
  cells: Record<string, Record<string, DashboardCell>>;
}

export interface DashboardData {
  generatedAt: string;
  groups: Record<string, string>;
  scenarios: { id: string; title: string; group: string }[];
  runs: DashboardRun[];
}

function runFrom(id: string, index: RunIndex, reports: CompatReport[]): DashboardRun {
  const startedAt = index.startedAt ?? reports[0]?.run.startedAt ?? id;
  const cells: DashboardRun['cells'] = {};
  const columns = reports.map((r) => ({
    key: `${r.browser.project}@${r.browser.version}`,
    project: r.browser.project,
    name: r.browser.name,
    version: r.browser.version,
  }));
  for (const [i, r] of reports.entries()) {
    for (const s of r.scenarios) {
      const steps = s.record?.page ? toSteps(s.record.page.entries).join('\n') : '';
      (cells[s.id] ??= {})[columns[i]!.key] = {
        verdict: s.verdict,
        reason: s.reason,
        expected: s.expected.verdicts,
        sequence: createHash('sha256').update(steps).digest('hex').slice(0, 12),
      };
    }
  }
  return {
    id,
    startedAt,
    scope: index.scope ?? 'unknown',
    gaps: index.gaps ?? [],
    commit: index.git?.commit ?? null,
    branch: index.git?.branch ?? null,
    columns,
    cells,
  };
}

/** Reads every run folder (those with an index.json) of a results directory, oldest first. */
export function readHistory(resultsDir: string): { data: DashboardData; skipped: string[] } {
  const runs: DashboardRun[] = [];
  const skipped: string[] = [];
  const folders = existsSync(resultsDir)
    ? readdirSync(resultsDir)
        .filter((f) => existsSync(join(resultsDir, f, 'index.json')))
        .sort()
    : [];
  for (const folder of folders) {
    try {
      const index = JSON.parse(readFileSync(join(resultsDir, folder, 'index.json'), 'utf8')) as RunIndex;
      const reports = index.reports.map((f) => readReport(join(resultsDir, folder, f)));
      runs.push(runFrom(folder, index, reports));
    } catch (err) {
      skipped.push(`${folder}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const data: DashboardData = {
    generatedAt: new Date().toISOString(),
    groups: { ...GROUPS },
    scenarios: SCENARIOS.map((s) => ({ id: s.id, title: s.title, group: s.group })),
    runs,
  };
  return { data, skipped };
}

export function buildDashboard(resultsDir: string, outDir: string): { runs: number; skipped: string[] } {
  const { data, skipped } = readHistory(resultsDir);
  mkdirSync(outDir, { recursive: true });
  for (const run of data.runs) {
    const cross = join(resultsDir, run.id, 'cross-browser.html');
    if (existsSync(cross)) {
      mkdirSync(join(outDir, 'runs', run.id), { recursive: true });
      cpSync(cross, join(outDir, 'runs', run.id, 'cross-browser.html'));
    }
  }
  const app = readFileSync(new URL('./dashboard-app.js', import.meta.url), 'utf8');
  // '<' is escaped so the embedded JSON can never close its script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EME browser support</title>
<style>${DASHBOARD_STYLE}</style></head><body><h1>EME browser support</h1><div id="app">Loading…</div>
<script id="data" type="application/json">${json}</script><script>${app}</script></body></html>\n`,
  );
  return { runs: data.runs.length, skipped };
}

const DASHBOARD_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.2rem;color:#1d1d1f}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top}th{background:#f4f4f6;position:sticky;top:0}
.v{display:inline-block;min-width:5.5rem;text-align:center;border-radius:3px;font-weight:600;cursor:pointer}
.pass{background:#d8f5dc}.fail{background:#fbd6d6}.unsupported{background:#ececec}.error,.crash,.timeout{background:#fde2b8}
.unexpected{outline:2px solid #c00}.partial{background:#fff4d6;border:1px solid #e0c060;padding:.4rem .6rem;margin:.4rem 0}.group td{background:#eef;font-weight:600}.controls{display:flex;gap:1rem;flex-wrap:wrap;margin:.6rem 0}
#detail,#diff{margin-top:1rem;padding:.6rem;border:1px solid #ccd;background:#fbfbff}.muted{color:#666}`;
