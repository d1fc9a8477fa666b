// The regression gate over stored reports, on wptrunner's model: each scenario's verdict against the
// project's current expectation file, and the run against what it was meant to cover. Also regenerates
// expectation files from a run (keeping intermittent verdicts and bug links that still hold).
import type { ExpectationFile } from '../harness/expectations.ts';
import { Expectations } from '../harness/expectations.ts';
import type { Verdict } from '../model/verdict.ts';
import type { CompatReport } from '../model/results.ts';
import { describeGaps, findCoverageGaps, isComplete, type CoverageGap } from './coverage.ts';

/** Exit codes of `eme-compat gate`, one meaning each (README "The regression gate"). */
export const GATE_EXIT = {
  /** Every planned verdict is there and as expected. */
  ok: 0,
  /** At least one verdict is not among the expected ones (a regression; an unexpected pass with --fail-on-unexpected-pass). */
  unexpected: 1,
  /** Usage or configuration error: bad arguments, unreadable reports, malformed expectations. */
  usage: 2,
  /** Verdicts are as expected, but projects or scenarios the run was meant to cover are missing. */
  incomplete: 3,
} as const;

export interface GateFinding {
  project: string;
  scenario: string;
  verdict: Verdict;
  expected: Verdict[];
  kind: 'regression' | 'unexpected-pass' | 'flaky';
  reason: string;
  source: string;
}

export function gateReports(
  reports: CompatReport[],
  expectationsFor: (project: string) => Expectations,
): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const report of reports) {
    const expectations = expectationsFor(report.browser.project);
    for (const s of report.scenarios) {
      const expected = expectations.for(s.id, report.browser);
      const attempts = new Set(s.attempts);
      if (expected.verdicts.includes(s.verdict)) {
        // Expected in the end, but an attempt said otherwise and that is not a known intermittent: flaky.
        if (attempts.size > 1 && ![...attempts].every((v) => expected.verdicts.includes(v))) {
          findings.push({
            project: report.browser.project,
            scenario: s.id,
            verdict: s.verdict,
            expected: expected.verdicts,
            kind: 'flaky',
            reason: `attempts: ${s.attempts.join(' → ')}`,
            source: expected.source,
          });
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

export interface GateResult {
  reports: number;
  verdicts: number;
  regressions: GateFinding[];
  unexpectedPasses: GateFinding[];
  flaky: GateFinding[];
  planned: Map<string, string[]>;
  gap: CoverageGap;
  /** Why the run covers less than planned, one line each. */
  gapLines: string[];
  /** Where the expected coverage came from (the run's recorded selection, or the gate's options). */
  plannedFrom: string;
  exitCode: typeof GATE_EXIT.ok | typeof GATE_EXIT.unexpected | typeof GATE_EXIT.incomplete;
}

export function gate(
  reports: CompatReport[],
  expectationsFor: (project: string) => Expectations,
  coverage: { planned: Map<string, string[]>; from: string; extraGaps?: string[] },
  options: { failOnUnexpectedPass?: boolean } = {},
): GateResult {
  const findings = gateReports(reports, expectationsFor);
  const gap = findCoverageGaps(reports, coverage.planned);
  const gapLines = [...(coverage.extraGaps ?? []), ...describeGaps(gap, coverage.planned)];
  const regressions = findings.filter((f) => f.kind === 'regression');
  const unexpectedPasses = findings.filter((f) => f.kind === 'unexpected-pass');
  const failing = regressions.length + (options.failOnUnexpectedPass ? unexpectedPasses.length : 0);
  const complete = isComplete(gap) && !coverage.extraGaps?.length;
  return {
    reports: reports.length,
    verdicts: reports.reduce((n, r) => n + r.scenarios.length, 0),
    regressions,
    unexpectedPasses,
    flaky: findings.filter((f) => f.kind === 'flaky'),
    planned: coverage.planned,
    gap,
    gapLines,
    plannedFrom: coverage.from,
    exitCode: failing ? GATE_EXIT.unexpected : !complete ? GATE_EXIT.incomplete : GATE_EXIT.ok,
  };
}

function plannedCount(planned: Map<string, string[]>): number {
  return [...planned.values()].reduce((n, ids) => n + ids.length, 0);
}

function findingLine(f: GateFinding): string {
  return `${f.project}  ${f.scenario}: observed ${f.verdict}, expected ${f.expected.join(' | ')}`;
}

/** The gate's verdict for a terminal: sections for regressions, unexpected passes, flaky, missing coverage. */
export function formatGate(r: GateResult, dir: string): string {
  const lines: string[] = [];
  const section = (title: string, items: GateFinding[]) => {
    if (!items.length) return;
    lines.push(`${title} (${items.length}):`);
    for (const f of items) lines.push(`  ${findingLine(f)}`, `      ${f.reason}`, `      expectations: ${f.source}`);
    lines.push('');
  };
  section('REGRESSIONS', r.regressions);
  section(
    `UNEXPECTED PASSES${r.exitCode === GATE_EXIT.unexpected && !r.regressions.length ? '' : ' (not failing the gate; --fail-on-unexpected-pass makes them fail)'}`,
    r.unexpectedPasses,
  );
  section('FLAKY (expected in the end, another verdict on an earlier attempt)', r.flaky);
  if (r.gapLines.length)
    lines.push(`INCOMPLETE COVERAGE (planned: ${r.plannedFrom}):`, ...r.gapLines.map((l) => `  ${l}`), '');
  const covered = `${r.verdicts} of ${plannedCount(r.planned)} planned verdicts in ${r.reports} report(s)`;
  const head = {
    [GATE_EXIT.ok]: `gate: ${covered}, all as expected${r.unexpectedPasses.length ? ` (${r.unexpectedPasses.length} unexpected pass(es): update the expectations)` : ''}`,
    [GATE_EXIT.unexpected]: `gate: ${r.regressions.length} regression(s)${r.unexpectedPasses.length ? `, ${r.unexpectedPasses.length} unexpected pass(es)` : ''} among ${covered}; if the change is intended, update the expectations with \`eme-compat expectations ${dir} --write\``,
    [GATE_EXIT.incomplete]: `gate: incomplete coverage, ${covered}; verdicts present are as expected`,
  }[r.exitCode];
  lines.push(`${head} (exit ${r.exitCode})`);
  return lines.join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The same verdict as Markdown, for $GITHUB_STEP_SUMMARY or a pull-request comment. */
export function formatGateMarkdown(r: GateResult, context: { title?: string; link?: string } = {}): string {
  const status = {
    [GATE_EXIT.ok]: '✅ all as expected',
    [GATE_EXIT.unexpected]: '❌ unexpected verdicts',
    [GATE_EXIT.incomplete]: '⚠️ incomplete coverage',
  }[r.exitCode];
  const out = [`### ${context.title ?? 'EME compatibility gate'}: ${status}`, ''];
  out.push(
    `${r.verdicts} of ${plannedCount(r.planned)} planned verdicts in ${r.reports} report(s); ${r.regressions.length} regression(s), ${r.unexpectedPasses.length} unexpected pass(es), ${r.flaky.length} flaky.`,
    '',
  );
  const table = (title: string, items: GateFinding[]) => {
    if (!items.length) return;
    out.push(`#### ${title}`, '', '| project | scenario | observed | expected | reason |', '|---|---|---|---|---|');
    for (const f of items)
      out.push(
        `| ${mdCell(f.project)} | \`${mdCell(f.scenario)}\` | ${f.verdict} | ${f.expected.join(' \\| ')} | ${mdCell(f.reason)} |`,
      );
    out.push('');
  };
  table('Regressions', r.regressions);
  table('Unexpected passes', r.unexpectedPasses);
  table('Flaky', r.flaky);
  if (r.gapLines.length)
    out.push(`#### Missing coverage (planned: ${mdCell(r.plannedFrom)})`, '', ...r.gapLines.map((l) => `- ${l}`), '');
  if (context.link) out.push(`[Reports and dashboard](${context.link})`, '');
  return out.join('\n');
}

/** The expectation file this run implies; entries of scenarios the run did not include are kept. */
export function proposeExpectations(report: CompatReport, current: ExpectationFile | null): ExpectationFile {
  const entries: ExpectationFile['expectations'] = { ...(current?.expectations ?? {}) };
  for (const s of report.scenarios) {
    const existing = current?.expectations[s.id];
    if (existing?.verdicts.includes(s.verdict)) continue;
    // A conditional entry that already covers this browser and verdict stays as it is.
    if (existing && current && new Expectations(current, '').for(s.id, report.browser).verdicts.includes(s.verdict))
      continue;
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
    else if (a && b && JSON.stringify(a) !== JSON.stringify(b))
      lines.push(`~ ${id}: ${a.verdicts.join('|')} → ${b.verdicts.join('|')} (${b.reason})`);
  }
  return lines;
}
