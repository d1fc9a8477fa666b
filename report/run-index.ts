// index.json, the file a run writes beside its reports: which reports it wrote, what it was asked to
// cover, and whether it did. The compat reporter writes it; the CLI, the history, the dashboard and the
// gate read it.
import type { RunSelection, SourceRevision } from '../model/results.ts';

/** Lists the reports one run wrote, so readers never pick up a stale file from an earlier run. */
export const REPORT_INDEX = 'index.json';

/** index.json: the run as a whole — what it was asked to cover, from which source, and whether it did. */
export interface RunIndex {
  generatedAt: string;
  startedAt: string;
  /** Playwright's overall status (failed when any verdict was unexpected). */
  status: string;
  reports: string[];
  /** EME_BROWSERS of the run (a set name, or a profile file's name). */
  browserSet?: string;
  selection?: RunSelection;
  git?: SourceRevision;
  /** Made by merge-reports from blob reports (a sharded plan or the CI merge job). */
  merged?: boolean;
  /** Every planned (project, scenario) has a verdict and the run was not interrupted. */
  complete?: boolean;
  /** 'full': the whole catalog in every project of the browser set, complete; else 'partial'. */
  scope?: 'full' | 'partial';
  /** Why the run is partial, one line per reason. */
  gaps?: string[];
}
