// The player dimension of the reports: probe against playback (report/probe-playback.ts) in the HTML
// and the console summary, and player@version carried from a result into the store and the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import { assembleResult } from '../../harness/run/assemble.ts';
import type { RunRecord } from '../../model/record.ts';
import type { CompatReport, ScenarioResult } from '../../model/results.ts';
import { countVerdicts } from '../../model/results.ts';
import { dashboardData } from '../../report/dashboard.ts';
import { renderBrowserReport } from '../../report/html.ts';
import { probeRows } from '../../report/probe-playback.ts';
import { summarize } from '../../report/store/summary.ts';
import { formatSummary } from '../../report/summary.ts';
import { IDENTITIES } from './exports-helpers.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

function result(record: RunRecord): ScenarioResult {
  const scenario = findScenario(record.meta.scenario)!;
  return assembleResult(
    scenario,
    judgeScenario(scenario, record),
    { verdicts: ['pass'], source: 'test' },
    record,
    1000,
  );
}

/** Shaka's run with its picture and progress taken away: the probes said supported, nothing played. */
function notPlayed(): RunRecord {
  return withEntries(fixtureRecord('chromium-player-shaka-dash'), (entries) =>
    entries.filter((e) => !(e.target === 'video' && (e.name === 'progress' || e.name === 'picture-ready'))),
  );
}

function report(scenarios: ScenarioResult[]): CompatReport {
  return {
    schemaVersion: 1,
    generatedAt: '2026-12-02T10:00:00.000Z',
    tool: { name: 'eme-compat', version: '0.1.0', playwright: '1.64.1' },
    browser: structuredClone(IDENTITIES['chromium']!),
    environment: { os: 'Debian', node: 'v20', ci: false },
    run: { startedAt: '2026-12-02T09:58:00.000Z', durationMs: 1, browserSet: 'debian' },
    summary: countVerdicts(scenarios),
    scenarios,
  };
}

test('a player result names the player and the version it said at run time', () => {
  const r = result(fixtureRecord('chromium-player-shaka-dash'));
  assert.deepEqual(r.player, { name: 'shaka', npmPackage: 'shaka-player', version: '5.2.12' });
  assert.equal(result(fixtureRecord('chromium-temporary-keyids')).player, null);
});

test('probe against playback: agreement, a mismatch, and a player failure that says nothing of the probe', () => {
  const rows = probeRows([
    result(fixtureRecord('chromium-player-shaka-dash')),
    result(notPlayed()),
    result(fixtureRecord('firefox-player-dashjs-dash')),
  ]);
  const byScenario = (played: boolean, comparable: boolean) =>
    rows.find((x) => x.played === played && x.comparable === comparable);
  assert.deepEqual(byScenario(true, true)?.mismatches, []);
  assert.deepEqual(byScenario(false, true)?.mismatches, ['harness', 'player'], 'both probes claimed supported');
  assert.deepEqual(byScenario(false, false)?.mismatches, []);
  assert.equal(rows[0]!.mismatches.length, 2, 'mismatches first');

  const r = report([result(fixtureRecord('chromium-player-shaka-dash')), result(notPlayed())]);
  const html = renderBrowserReport(r);
  assert.match(html, /<h2 id="probe-against-playback">/);
  assert.match(html, /1 of 2 player runs/);
  assert.match(html, /shaka-player@5\.2\.12/);
  assert.match(
    formatSummary([r], []),
    /Probe against playback \(mismatches\):\n {2}chromium {2}player\.shaka\.dash\.h264-cenc: harness and player probe claimed supported, yet it did not play/,
  );
});

test('player@version travels into the store and the dashboard cell', () => {
  const r = report([
    result(fixtureRecord('chromium-player-shaka-dash')),
    result(fixtureRecord('chromium-temporary-keyids')),
  ]);
  const { summary } = summarize(
    'run-p',
    { generatedAt: '', startedAt: 'run-p', status: 'passed', reports: [] },
    [r],
    ['chromium.json'],
  );
  const cell = (id: string) => summary.cells.find((c) => c.scenario === id)!;
  assert.equal(cell('player.shaka.dash.h264-cenc').player, 'shaka-player@5.2.12');
  assert.equal(cell('lifecycle.temporary.keyids').player, null);
  const data = dashboardData([summary], () => true);
  const [run] = data.runs;
  const cells = Object.values(run!.cells['player.shaka.dash.h264-cenc']!);
  assert.equal(cells[0]![3], 'shaka-player@5.2.12');
  assert.equal(Object.values(run!.cells['lifecycle.temporary.keyids']!)[0]!.length, 3);
});
