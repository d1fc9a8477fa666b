// The results history: each run's reports copied from the report folder into <results>/<start time>/,
// append-only, one folder per run, for the dashboard and the stability check. The CLI keeps a run after
// `eme-compat run` and after a merge (`merge`, `plan`); `npm test` does so after its matrix step.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_INDEX, type RunIndex } from './run-index.ts';

export type KeptRun = { kept: true; folder: string; files: string[] } | { kept: false; why: string };

/** The history folder of a run, named by its start time. */
export function historyFolder(resultsDir: string, startedAt: string): string {
  return join(resultsDir, startedAt.replace(/[:.]/g, '-'));
}

/**
 * Copies the reports listed in `reportDir`/index.json (with their exports, the cross-browser view and
 * the index itself) into the run's history folder. A run is kept once: a folder that already holds its
 * index is left as it is (e.g. a report folder whose index is still the previous run's).
 */
export function keepInHistory(reportDir: string, resultsDir: string): KeptRun {
  const indexPath = join(reportDir, REPORT_INDEX);
  if (!existsSync(indexPath)) return { kept: false, why: `${indexPath} not found: the run wrote no reports` };
  const index = JSON.parse(readFileSync(indexPath, 'utf8')) as RunIndex;
  if (!Array.isArray(index.reports) || !index.reports.length)
    return { kept: false, why: `${indexPath} lists no reports` };
  const folder = historyFolder(resultsDir, index.startedAt);
  if (existsSync(join(folder, REPORT_INDEX))) return { kept: false, why: `${folder} already holds this run` };
  const exports = [
    ...index.reports.flatMap((x) => [x.replace(/\.json$/, '.wptreport.json'), x.replace(/\.json$/, '.collector.json')]),
    'bcd.json',
  ];
  const files = [
    ...index.reports,
    ...exports.filter((x) => existsSync(join(reportDir, x))),
    'cross-browser.html',
    REPORT_INDEX,
  ];
  mkdirSync(folder, { recursive: true });
  for (const f of files) copyFileSync(join(reportDir, f), join(folder, f));
  return { kept: true, folder, files };
}
