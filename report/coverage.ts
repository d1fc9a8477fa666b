// What a run was meant to cover, and what of it a set of reports holds. The gate and the reporter both
// ask: for the selected browser projects × the scenario catalog (narrowed by grep and each profile's own
// scenario filter), which projects and scenarios have no verdict?
import { SCENARIOS } from '../harness/catalog.ts';
import { scenarioGrepText } from '../harness/scenario.ts';
import type { BrowserProfile } from '../harness/browsers/profiles.ts';
import type { CompatReport, RunSelection } from '../model/results.ts';
import { projectMatcher } from '../harness/selection.ts';

export interface CoverageGap {
  /** Projects with no report at all. */
  missingProjects: string[];
  /** Scenarios missing from a project that did report. */
  missingScenarios: { project: string; scenarios: string[] }[];
  /** Verdicts of projects no one asked for (kept, but named). */
  unexpectedProjects: string[];
}

function toRegExp(source: string | null | undefined, what: string): RegExp | null {
  if (source == null || source === '') return null;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new Error(`${what} is not a regular expression: ${(err as Error).message}`);
  }
}

/** project → the scenario ids it is meant to run, for a selection over a browser set. */
export function plannedCoverage(
  profiles: BrowserProfile[],
  selection: Pick<RunSelection, 'projects' | 'grep' | 'grepInvert'>,
): Map<string, string[]> {
  const grep = toRegExp(selection.grep, 'the grep');
  const invert = toRegExp(selection.grepInvert, 'the grep-invert');
  const known = profiles.map((p) => p.project);
  const unknown = (selection.projects ?? []).filter((p) => !known.some(projectMatcher([p])));
  if (unknown.length)
    throw new Error(
      `no project ${unknown.map((p) => `"${p}"`).join(', ')} in the browser set; it has ${known.join(', ')}`,
    );
  const planned = new Map<string, string[]>();
  for (const profile of profiles) {
    if (selection.projects && !projectMatcher(selection.projects)(profile.project)) continue;
    const own = toRegExp(profile.scenarios, `profile ${profile.project}'s scenarios`);
    const ids = SCENARIOS.filter((s) => {
      const text = scenarioGrepText(s);
      return (!own || own.test(text)) && (!grep || grep.test(text)) && !invert?.test(text);
    }).map((s) => s.id);
    if (ids.length) planned.set(profile.project, ids);
  }
  return planned;
}

export function findCoverageGaps(
  reports: Pick<CompatReport, 'browser' | 'scenarios'>[],
  planned: Map<string, string[]>,
): CoverageGap {
  const byProject = new Map<string, Set<string>>();
  for (const r of reports) {
    const ids = byProject.get(r.browser.project) ?? new Set<string>();
    for (const s of r.scenarios) ids.add(s.id);
    byProject.set(r.browser.project, ids);
  }
  const gap: CoverageGap = { missingProjects: [], missingScenarios: [], unexpectedProjects: [] };
  for (const [project, ids] of planned) {
    const seen = byProject.get(project);
    if (!seen) {
      gap.missingProjects.push(project);
      continue;
    }
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length) gap.missingScenarios.push({ project, scenarios: missing });
  }
  gap.unexpectedProjects = [...byProject.keys()].filter((p) => !planned.has(p)).sort();
  return gap;
}

export function isComplete(gap: CoverageGap): boolean {
  return !gap.missingProjects.length && !gap.missingScenarios.length;
}

/** One line per gap, for people: "firefox: no report", "chromium: 3 of 68 scenarios missing (a, b, c)". */
export function describeGaps(gap: CoverageGap, planned: Map<string, string[]>): string[] {
  const lines = gap.missingProjects.map((p) => `${p}: no report (${planned.get(p)?.length ?? 0} scenario(s) planned)`);
  for (const m of gap.missingScenarios) {
    const shown = m.scenarios.slice(0, 8).join(', ');
    lines.push(
      `${m.project}: ${m.scenarios.length} of ${planned.get(m.project)?.length ?? '?'} scenario(s) missing (${shown}${m.scenarios.length > 8 ? ', …' : ''})`,
    );
  }
  return lines;
}
