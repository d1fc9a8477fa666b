// `eme-compat compare`: the same build driven two ways (e.g. Debian's Chromium through Playwright and
// through WebDriver classic), scenario by scenario. A verdict that differs is explained from the reports
// themselves: which must-check went the other way (expected vs observed on each side), or that one side
// could not measure a check (a picture, a capability the driver lacks) — which says nothing about the
// browser. Pure: reports in, comparison out.
import type { CompatReport, ScenarioResult } from '../model/results.ts';

export interface DriverDifference {
  id: string;
  a: { verdict: string; reason: string };
  b: { verdict: string; reason: string };
  /** The checks whose outcome differs, as "title: a … / b …". */
  checks: string[];
  /** 'not-measurable' when a side could not measure; 'driver' when a check truly went the other way. */
  kind: 'not-measurable' | 'missing' | 'driver';
  why: string;
}

export interface DriverComparison {
  a: { project: string; driver: string; version: string; source: string | null };
  b: { project: string; driver: string; version: string; source: string | null };
  compared: number;
  identical: number;
  differences: DriverDifference[];
}

const side = (r: CompatReport) => ({
  project: r.browser.project,
  driver: r.browser.driver,
  version: r.browser.version,
  source: r.browser.source ?? null,
});

function checkDiffs(a: ScenarioResult, b: ScenarioResult): { lines: string[]; unmeasured: string[] } {
  const lines: string[] = [];
  const unmeasured: string[] = [];
  const byId = new Map(b.checks.map((c) => [c.id, c]));
  for (const ca of a.checks) {
    const cb = byId.get(ca.id);
    if (!cb) continue;
    if (ca.unmeasured || cb.unmeasured) {
      if (ca.ok !== cb.ok || !!ca.unmeasured !== !!cb.unmeasured)
        unmeasured.push(`${ca.title}: ${ca.unmeasured ?? cb.unmeasured}`);
      continue;
    }
    if (ca.ok !== cb.ok) lines.push(`${ca.title}: ${ca.observed} / ${cb.observed} (expected ${ca.expected})`);
  }
  return { lines, unmeasured };
}

export function compareDrivers(a: CompatReport, b: CompatReport): DriverComparison {
  const bById = new Map(b.scenarios.map((s) => [s.id, s]));
  const ids = [...new Set([...a.scenarios.map((s) => s.id), ...b.scenarios.map((s) => s.id)])].sort();
  const differences: DriverDifference[] = [];
  let compared = 0;
  for (const id of ids) {
    const sa = a.scenarios.find((s) => s.id === id);
    const sb = bById.get(id);
    if (!sa || !sb) {
      differences.push({
        id,
        a: { verdict: sa?.verdict ?? 'absent', reason: sa?.reason ?? 'not run' },
        b: { verdict: sb?.verdict ?? 'absent', reason: sb?.reason ?? 'not run' },
        checks: [],
        kind: 'missing',
        why: `${sa ? b.browser.project : a.browser.project} did not run it`,
      });
      continue;
    }
    compared++;
    if (sa.verdict === sb.verdict) continue;
    const { lines, unmeasured } = checkDiffs(sa, sb);
    const notMeasurable =
      sa.verdict === 'not-measurable' || sb.verdict === 'not-measurable' || (unmeasured.length > 0 && !lines.length);
    differences.push({
      id,
      a: { verdict: sa.verdict, reason: sa.reason },
      b: { verdict: sb.verdict, reason: sb.reason },
      checks: [...lines, ...unmeasured],
      kind: notMeasurable ? 'not-measurable' : 'driver',
      why: notMeasurable
        ? `not measurable through ${sa.verdict === 'not-measurable' ? a.browser.driver : b.browser.driver}: ${unmeasured[0] ?? (sa.verdict === 'not-measurable' ? sa.reason : sb.reason)}`
        : lines.length
          ? `checks went the other way: ${lines.join('; ')}`
          : `${sa.reason} / ${sb.reason}`,
    });
  }
  return {
    a: side(a),
    b: side(b),
    compared,
    identical: compared - differences.filter((d) => d.kind !== 'missing').length,
    differences,
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 300);

export function formatComparison(c: DriverComparison, markdown = false): string {
  const name = (x: DriverComparison['a']) =>
    `${x.project} (${x.driver}, ${x.version}${x.source ? `, ${x.source}` : ''})`;
  const head = `${name(c.a)} vs ${name(c.b)}: ${c.identical} of ${c.compared} scenarios have the same verdict; ${c.differences.length} differ`;
  if (!markdown)
    return [head, ...c.differences.map((d) => `  ${d.id}: ${d.a.verdict} / ${d.b.verdict} [${d.kind}] ${d.why}`)].join(
      '\n',
    );
  return [
    head,
    '',
    ...(c.differences.length
      ? [
          `| scenario | ${c.a.driver} | ${c.b.driver} | kind | why |`,
          '|---|---|---|---|---|',
          ...c.differences.map((d) => `| \`${d.id}\` | ${d.a.verdict} | ${d.b.verdict} | ${d.kind} | ${cell(d.why)} |`),
        ]
      : []),
  ].join('\n');
}
