// Which browsers `eme-compat trace` opens, and what its exit code says. Browsers are picked as the rest
// of the CLI picks them (a browser set, narrowed by --project with Playwright's matching); without
// --project, the projects that can be traced and are not a scenario-limited variant of another
// (firefox-persistent), and the ones left out are named.
import type { BrowserProfile } from '../browsers/profiles.ts';
import { projectMatcher } from '../selection.ts';
import type { TraceReport } from './schema.ts';
import { untraceableReason } from './run.ts';

export interface TraceSelection {
  chosen: BrowserProfile[];
  /** Left out by default, with why. */
  skipped: { project: string; why: string }[];
}

/** Chooses the profiles to trace; throws a usage error for a --project that names nothing. */
export function selectTraceBrowsers(profiles: BrowserProfile[], projects: string[] | undefined): TraceSelection {
  if (projects?.length) {
    const known = profiles.map((p) => p.project);
    for (const p of projects)
      if (!known.some(projectMatcher([p])))
        throw new Error(`no project "${p}"; the browser set has ${known.join(', ')}`);
    return { chosen: profiles.filter((p) => projectMatcher(projects)(p.project)), skipped: [] };
  }
  const chosen: BrowserProfile[] = [];
  const skipped: TraceSelection['skipped'] = [];
  for (const p of profiles) {
    const unable = untraceableReason(p);
    if (unable) skipped.push({ project: p.project, why: unable.replace(/^not traceable with this driver: /, '') });
    else if (p.scenarios) skipped.push({ project: p.project, why: `a variant for scenarios matching ${p.scenarios}` });
    else chosen.push(p);
  }
  return { chosen, skipped };
}

/** Exit codes of `eme-compat trace` (2, usage, is the CLI's own). */
export const TRACE_EXIT = {
  /** Every browser traced the page, saw EME calls, and the wait condition held. */
  ok: 0,
  /** A browser traced the page but the condition never held, or the page made no EME call there. */
  incomplete: 1,
  usage: 2,
  /** A browser could not trace the page: it did not start, the URL did not load, the --script threw, or its driver cannot inject the tracer. */
  failed: 3,
} as const;

/** The exit code of a set of traces; when both 1 and 3 hold, 1 (as the gate does), and both are printed. */
export function traceExitCode(reports: TraceReport[]): number {
  const unmet = reports.some((r) => r.status === 'traced' && (!r.conditionMet || r.emeCalls === 0));
  if (unmet) return TRACE_EXIT.incomplete;
  if (reports.some((r) => r.status !== 'traced')) return TRACE_EXIT.failed;
  return TRACE_EXIT.ok;
}
