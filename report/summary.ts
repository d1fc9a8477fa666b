// The readable end-of-run summary: verdict counts per browser, then every result that is not a pass.
import { probeRows } from './probe-playback.ts';
import type { CompatReport } from '../model/results.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatSummary(reports: CompatReport[], files: string[] = []): string {
  const header = [
    'project',
    'browser',
    'version',
    'pass',
    'fail',
    'unsupported',
    'not-measurable',
    'error',
    'crash',
    'timeout',
  ];
  const rows = reports.map((r) => [
    r.browser.project,
    r.browser.name,
    r.browser.version,
    ...(['pass', 'fail', 'unsupported', 'not-measurable', 'error', 'crash', 'timeout'] as const).map((v) =>
      String(r.summary[v]),
    ),
  ]);
  const notPassing = reports.flatMap((r) =>
    r.scenarios
      .filter((s) => s.verdict !== 'pass')
      .map((s) => [
        r.browser.project,
        s.id,
        s.verdict,
        s.expected.verdicts.includes(s.verdict) ? 'expected' : 'UNEXPECTED',
        s.difference ?? '',
        s.reason.length > 110 ? `${s.reason.slice(0, 109)}…` : s.reason,
      ]),
  );
  const lines = ['EME compatibility summary', '', table([header, ...rows])];
  if (notPassing.length) lines.push('', 'Not passing:', table(notPassing).replace(/^/gm, '  '));
  const flaky = reports.flatMap((r) =>
    r.scenarios
      .filter((s) => new Set(s.attempts).size > 1)
      .map((s) => `  ${r.browser.project}  ${s.id}: ${s.attempts.join(' → ')}`),
  );
  if (flaky.length) lines.push('', 'Flaky (the verdict changed between attempts):', ...flaky);
  const probeMismatches = reports.flatMap((r) =>
    probeRows(r.scenarios)
      .filter((x) => x.mismatches.length)
      .map(
        (x) =>
          `  ${r.browser.project}  ${x.scenario}: ${x.mismatches.join(' and ')} probe claimed ${x.played ? 'unsupported, yet it played' : 'supported, yet it did not play'}`,
      ),
  );
  if (probeMismatches.length) lines.push('', 'Probe against playback (mismatches):', ...probeMismatches);
  if (files.length) lines.push('', `Reports: ${files.join(', ')}`);
  return lines.join('\n');
}
