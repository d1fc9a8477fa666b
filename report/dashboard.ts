// The browser-support dashboard: a static site built from the results store's run summaries (never the
// full reports). index.html embeds every run's verdicts; the drill-down details of a cell (rules, the
// recorded sequence as a Mermaid diagram, picture figures) are small scripts loaded when it is opened;
// Mermaid itself is copied from node_modules into vendor/. Script tags, not fetch(), so the site works from
// file:// as well as from any static host (the harness server serves it at /dashboard/).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SCENARIOS } from '../harness/catalog.ts';
import { GROUPS } from '../harness/scenario.ts';
import { SPEC_BASE } from '../model/verdict.ts';
import { hasFullReports, readDetails, readSummary, runFolders } from './store/store.ts';
import type { BuildLine, RunSummary } from './store/summary.ts';

/**
 * A cell as the page gets it: [verdict, expected verdicts joined by '|', sequence hash], and for a player
 * scenario the player that played ('shaka-player@5.2.12').
 */
export type DashboardCell = [verdict: string, expected: string, sequence: string, player?: string];

export interface DashboardRun {
  id: string;
  startedAt: string;
  /** 'full': the whole catalog in every project, complete; 'partial': narrowed or incomplete; 'unknown': recorded before runs said. */
  scope: 'full' | 'partial' | 'unknown';
  /** Why the run is partial (selection, missing projects or scenarios, shard). */
  gaps: string[];
  commit: string | null;
  branch: string | null;
  /** Build keys, in the run's report order. */
  builds: string[];
  /** Build key → the per-browser HTML report in the site, when the run still has its full reports. */
  pages: Record<string, string>;
  /** The run's cross-browser view in the site, when kept. */
  cross: string | null;
  /** Build key → the drill-down script of this run and build. */
  details: Record<string, string>;
  /** scenario id → build key → cell */
  cells: Record<string, Record<string, DashboardCell>>;
}

export type DashboardBuild = Omit<BuildLine, 'kind' | 'key' | 'report'>;

export interface DashboardData {
  generatedAt: string;
  specBase: string;
  groups: Record<string, string>;
  scenarios: { id: string; title: string; group: string }[];
  /** Build key → the build (as its latest run named it). */
  builds: Record<string, DashboardBuild>;
  runs: DashboardRun[];
}

/** Reads every run's summary (making the missing ones from full reports), oldest first by start time. */
export function readStore(resultsDir: string): { summaries: RunSummary[]; made: string[]; skipped: string[] } {
  const summaries: RunSummary[] = [];
  const made: string[] = [];
  const skipped: string[] = [];
  for (const folder of runFolders(resultsDir)) {
    try {
      const read = readSummary(join(resultsDir, folder));
      summaries.push(read.summary);
      if (read.made) made.push(folder);
    } catch (err) {
      skipped.push(`${folder}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  // Oldest first by start time (folder names sort so for the history, not for every store, e.g. a sweep's).
  summaries.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt) || a.run.id.localeCompare(b.run.id));
  return { summaries, made, skipped };
}

const siteName = (s: string) => s.replace(/[^\w.-]/g, '_');

/** The dashboard's data from run summaries (pure: no files). */
export function dashboardData(
  summaries: RunSummary[],
  kept: (run: string, file: string) => boolean = () => false,
): DashboardData {
  const builds: DashboardData['builds'] = {};
  const runs = summaries.map((s): DashboardRun => {
    const cells: DashboardRun['cells'] = {};
    for (const c of s.cells)
      (cells[c.scenario] ??= {})[c.build] = c.player
        ? [c.verdict, c.expected.join('|'), c.sequence, c.player]
        : [c.verdict, c.expected.join('|'), c.sequence];
    const pages: Record<string, string> = {};
    const details: Record<string, string> = {};
    s.builds.forEach((b, i) => {
      const { kind: _k, key, report, ...build } = b;
      builds[key] = build;
      details[key] = `runs/${siteName(s.run.id)}/detail-${i}.js`;
      const page = report.replace(/\.json$/, '.html');
      if (kept(s.run.id, page)) pages[key] = `runs/${siteName(s.run.id)}/${page}`;
    });
    return {
      id: s.run.id,
      startedAt: s.run.startedAt,
      scope: s.run.scope,
      gaps: s.run.gaps,
      commit: s.run.commit,
      branch: s.run.branch,
      builds: s.builds.map((b) => b.key),
      pages,
      cross: kept(s.run.id, 'cross-browser.html') ? `runs/${siteName(s.run.id)}/cross-browser.html` : null,
      details,
      cells,
    };
  });
  return {
    generatedAt: new Date().toISOString(),
    specBase: SPEC_BASE,
    groups: { ...GROUPS },
    scenarios: SCENARIOS.map((s) => ({ id: s.id, title: s.title, group: s.group })),
    builds,
    runs,
  };
}

/** A script that hands `value` to the page's loader `fn` (script tags load from file:// where fetch() cannot). */
function loaderScript(fn: string, args: string[], value: unknown): string {
  // '<' is escaped so no string in the data can close a script element.
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return `window.${fn}(${args.map((a) => JSON.stringify(a)).join(',')},${json});\n`;
}

/** Runs that hold the latest result of at least one build: the site carries their full HTML reports. */
function currentRuns(summaries: RunSummary[]): Set<string> {
  const latest = new Map<string, string>();
  for (const s of summaries) for (const b of s.builds) latest.set(b.key, s.run.id);
  return new Set(latest.values());
}

export interface BuiltDashboard {
  runs: number;
  skipped: string[];
  /** Runs whose summary was made during this build (stored before summaries existed). */
  summarized: string[];
}

/**
 * Builds the site. Drill-down details are content-addressed: cells/<hash>.js holds one cell's details and is
 * written once however many runs recorded the same thing, and kept from one build to the next (so a build
 * reads details.jsonl.gz only of runs that brought new ones); runs/<run>/detail-<i>.js maps that run's
 * scenarios of its i-th build to those hashes. Per-browser and cross-browser HTML reports are copied for the
 * runs that hold some build's latest result (and still have their full reports); older runs keep their details.
 */
export function buildDashboard(resultsDir: string, outDir: string): BuiltDashboard {
  const { summaries, made, skipped } = readStore(resultsDir);
  const current = currentRuns(summaries);
  const carried = (id: string, file: string) =>
    current.has(id) && hasFullReports(join(resultsDir, id)) && existsSync(join(resultsDir, id, file));
  const data = dashboardData(summaries, carried);
  rmSync(join(outDir, 'runs'), { recursive: true, force: true });
  mkdirSync(join(outDir, 'vendor'), { recursive: true });
  mkdirSync(join(outDir, 'cells'), { recursive: true });
  const cellFile = (hash: string) => join(outDir, 'cells', `${hash}.js`);
  const have = new Set(readdirSync(join(outDir, 'cells')).map((f) => f.replace(/\.js$/, '')));
  const needed = new Set<string>();
  for (const s of summaries) {
    const dir = join(outDir, 'runs', siteName(s.run.id));
    mkdirSync(dir, { recursive: true });
    for (const [i, b] of s.builds.entries()) {
      const index = Object.fromEntries(s.cells.filter((c) => c.build === b.key).map((c) => [c.scenario, c.detail]));
      writeFileSync(join(dir, `detail-${i}.js`), loaderScript('emeDetail', [s.run.id, b.key], index));
    }
    const missing = s.cells.filter((c) => !have.has(c.detail));
    for (const c of s.cells) needed.add(c.detail);
    if (missing.length) {
      try {
        for (const d of readDetails(join(resultsDir, s.run.id))) {
          if (have.has(d.hash)) continue;
          const { kind: _k, hash, ...detail } = d;
          writeFileSync(cellFile(hash), loaderScript('emeCell', [hash], detail));
          have.add(hash);
        }
      } catch (err) {
        skipped.push(`${s.run.id}: drill-down details: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    for (const f of ['cross-browser.html', ...s.builds.map((b) => b.report.replace(/\.json$/, '.html'))])
      if (carried(s.run.id, f)) cpSync(join(resultsDir, s.run.id, f), join(dir, f));
  }
  // Details no run names any more (a run left the store) go.
  for (const hash of have) if (!needed.has(hash)) rmSync(cellFile(hash), { force: true });
  const mermaid = join(dirname(createRequire(import.meta.url).resolve('mermaid')), 'mermaid.min.js');
  cpSync(mermaid, join(outDir, 'vendor', 'mermaid.min.js'));
  const app = readFileSync(new URL('./dashboard-app.js', import.meta.url), 'utf8');
  // '<' is escaped so the embedded JSON can never close its script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EME browser support</title>
<style>${DASHBOARD_STYLE}</style></head><body><h1>EME browser support</h1><div id="app">Loading…</div><aside id="detail" hidden></aside>
<script id="data" type="application/json">${json}</script><script>${app}</script></body></html>\n`,
  );
  return { runs: data.runs.length, skipped, summarized: made };
}

const DASHBOARD_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.2rem;color:#1d1d1f}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}th{background:#f4f4f6;position:sticky;top:0}
.v{display:inline-block;min-width:4.8rem;text-align:center;border-radius:3px;font-weight:600;cursor:pointer}
.pass{background:#d8f5dc}.fail{background:#fbd6d6}.unsupported,.not-measurable{background:#ececec}.error,.crash,.timeout{background:#fde2b8}
.unexpected{outline:2px solid #c00}.unexpected::after{content:" !";color:#c00}.partial{background:#fff4d6;border:1px solid #e0c060;padding:.4rem .6rem;margin:.4rem 0}
.group td{background:#eef;font-weight:600}.controls{display:flex;gap:1rem;flex-wrap:wrap;margin:.6rem 0}.muted{color:#666}
.changed{display:block;font-size:11px;color:#7a3e00;background:#ffe7c2;border-radius:3px;margin-top:2px;padding:0 3px;white-space:nowrap}
.strip{display:flex;gap:1px;margin-top:2px}.strip i{display:inline-block;width:7px;height:7px;border:1px solid #bbb}
.legend{display:flex;gap:.8rem;flex-wrap:wrap;font-size:12px;margin:.4rem 0}.legend .v{min-width:3rem;cursor:default}
.selected{box-shadow:0 0 0 3px #3b6fd8}.lane{text-align:center;background:#e8ecf7}
#diff{margin-top:1rem;padding:.6rem;border:1px solid #ccd;background:#fbfbff}
#detail{position:fixed;top:0;right:0;width:min(42rem,40vw);height:100vh;overflow:auto;background:#fff;border-left:2px solid #99a;padding:.8rem 1rem;box-shadow:-4px 0 12px #0002}
body.drilled{margin-right:calc(min(42rem,40vw) + 1.2rem)}#gridbox{overflow-x:auto}.legend .changed{display:inline-block}#detail table{width:100%;font-size:12px}#detail .close{float:right;cursor:pointer}#diagram svg{max-width:100%;height:auto}
#detail ol{font:12px ui-monospace,monospace;padding-left:1.6rem}.ok{color:#176b2c}.bad{color:#b00}`;
