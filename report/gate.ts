// The regression gate over stored reports: each scenario's verdict against the project's current
// expectation file, and expectation files regenerated from a run (keeping intermittent verdicts and
// bug links where the verdict is still among the expected ones).
import type { ExpectationFile } from '../harness/expectations.ts';
import { Expectations } from '../harness/expectations.ts';
import type { Verdict } from '../harness/judge/verdict.ts';
import type { CompatReport } from './schema.ts';

export interface GateFinding {
  project: string;
  scenario: string;
  verdict: Verdict;
  expected: Verdict[];
  kind: 'regression' | 'unexpected-pass' | 'flaky';
  reason: string;
  source: string;
}

export function gateReports(reports: CompatReport[], expectationsFor: (project: string) => Expectations): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const report of reports) {
    const expectations = expectationsFor(report.browser.project);
    for (const s of report.scenarios) {
      const expected = expectations.for(s.id, report.browser);
      const attempts = new Set(s.attempts);
      if (expected.verdicts.includes(s.verdict)) {
        // Expected in the end, but an attempt said otherwise and that is not a known intermittent: flaky.
        if (attempts.size > 1 && ![...attempts].every((v) => expected.verdicts.includes(v))) {
          findings.push({ project: report.browser.project, scenario: s.id, verdict: s.verdict, expected: expected.verdicts, kind: 'flaky', reason: `attempts: ${s.attempts.join(' → ')}`, source: expected.source });
        }
        continue;
      }
      findings.push({
        project: report.browser.project,
        scenario: s.id,
        verdict: s.verdict,
        expected: expected.verdicts,
        kind: s.verdict === 'pass' ? 'unexpected-pass' : 'regression',
        reason: s.reason,
        source: expected.source,
      });
    }
  }
  return findings;
}

/** The expectation file this run implies; entries of scenarios the run did not include are kept. */
export function proposeExpectations(report: CompatReport, current: ExpectationFile | null): ExpectationFile {
  const entries: ExpectationFile['expectations'] = { ...(current?.expectations ?? {}) };
  for (const s of report.scenarios) {
    const existing = current?.expectations[s.id];
    if (existing?.verdicts.includes(s.verdict)) continue;
    // A conditional entry that already covers this browser and verdict stays as it is.
    if (existing && current && new Expectations(current, '').for(s.id, report.browser).verdicts.includes(s.verdict)) continue;
    if (s.verdict === 'pass') delete entries[s.id];
    else entries[s.id] = { verdicts: [s.verdict], reason: s.reason };
  }
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
  return { schemaVersion: 1, project: report.browser.project, expectations: sorted };
}

/** Lines describing what would change, in a form people read: '+ id: verdict (reason)', '- id', '~ id: a → b'. */
export function diffExpectations(before: ExpectationFile | null, after: ExpectationFile): string[] {
  const lines: string[] = [];
  const old = before?.expectations ?? {};
  const ids = [...new Set([...Object.keys(old), ...Object.keys(after.expectations)])].sort();
  for (const id of ids) {
    const a = old[id];
    const b = after.expectations[id];
    if (a && !b) lines.push(`- ${id}: was ${a.verdicts.join('|')}, now expected to pass`);
    else if (!a && b) lines.push(`+ ${id}: ${b.verdicts.join('|')} (${b.reason})`);
    else if (a && b && JSON.stringify(a) !== JSON.stringify(b)) lines.push(`~ ${id}: ${a.verdicts.join('|')} → ${b.verdicts.join('|')} (${b.reason})`);
  }
  return lines;
}
