// The dashboard's data, built from run summaries only: every run's cells keyed by build, the builds with
// their lanes, and links only where a run still has its full reports. (The page itself is checked in a real
// browser by tests/dashboard/.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard, dashboardData } from '../../report/dashboard.ts';
import { recordRun } from '../../report/store/store.ts';
import { DETAILS_FILE, summarize } from '../../report/store/summary.ts';
import { syntheticReport } from './helpers.ts';

const A = 'lifecycle.temporary.keyids';

function sweepSummary(id: string, verdict92: 'pass' | 'fail') {
  const reports = [
    syntheticReport('chromium@92', [{ id: A, verdict: verdict92 }], { engine: 'chromium', version: '92.0.4512.0' }),
    syntheticReport('chromium', [{ id: A, verdict: 'pass' }], { engine: 'chromium', version: '156.0.8078.114' }),
    syntheticReport('chromium', [{ id: A, verdict: 'pass' }], {
      engine: 'chromium',
      version: '156.0.8078.114',
      driver: 'webdriver',
    }),
  ];
  return summarize(
    id,
    { generatedAt: '', startedAt: id, status: 'passed', reports: [] },
    reports,
    reports.map((r, i) => `${r.browser.project}-${i}.json`),
  ).summary;
}

test('the data holds each run by build key, one build per version and driver, and links only to kept files', () => {
  const data = dashboardData(
    [sweepSummary('r1', 'pass'), sweepSummary('r2', 'fail')],
    (run, file) => run === 'r2' && file.endsWith('.html'),
  );
  assert.deepEqual(Object.keys(data.builds), [
    'chromium|92.0.4512.0|playwright',
    'chromium|156.0.8078.114|playwright',
    'chromium|156.0.8078.114|webdriver',
  ]);
  assert.equal(data.builds['chromium|92.0.4512.0|playwright']!.project, 'chromium@92');
  assert.equal(data.builds['chromium|156.0.8078.114|webdriver']!.driver, 'webdriver');
  assert.deepEqual(
    data.runs.map((r) => r.cells[A]!['chromium|92.0.4512.0|playwright']![0]),
    ['pass', 'fail'],
  );
  assert.equal(data.runs[1]!.cells[A]!['chromium|92.0.4512.0|playwright']![1], 'pass', 'expected verdicts travel');
  assert.deepEqual(data.runs[0]!.pages, {}, 'r1 kept no pages');
  assert.equal(data.runs[1]!.pages['chromium|92.0.4512.0|playwright'], 'runs/r2/chromium@92-0.html');
  assert.equal(data.runs[1]!.cross, 'runs/r2/cross-browser.html');
  assert.equal(data.runs[1]!.details['chromium|156.0.8078.114|webdriver'], 'runs/r2/detail-2.js');
});

test('the site: detail scripts per run and build, Mermaid copied for offline use, and no full report read twice', () => {
  const results = mkdtempSync(join(tmpdir(), 'eme-results-'));
  const out = mkdtempSync(join(tmpdir(), 'eme-site-'));
  const reports = mkdtempSync(join(tmpdir(), 'eme-reports-'));
  const r = syntheticReport('chromium', [{ id: A, verdict: 'pass' }], { version: '156.0.8078.114' });
  writeFileSync(join(reports, 'chromium.json'), JSON.stringify(r));
  writeFileSync(join(reports, 'cross-browser.html'), '');
  writeFileSync(
    join(reports, 'index.json'),
    JSON.stringify({
      generatedAt: '',
      startedAt: '2026-01-01T00:00:00.000Z',
      status: 'passed',
      reports: ['chromium.json'],
    }),
  );
  const kept = recordRun(reports, results, { count: null, maxAgeDays: null });
  assert.ok(kept.kept);
  // A second run that recorded the same thing.
  const index2 = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8'));
  writeFileSync(join(reports, 'index.json'), JSON.stringify({ ...index2, startedAt: '2026-01-02T00:00:00.000Z' }));
  assert.ok(recordRun(reports, results, { count: null, maxAgeDays: null }).kept);
  // The dashboard reads the summary: with the full report gone it still builds the same cells.
  rmSync(join(kept.folder, 'chromium.json'));
  const built = buildDashboard(results, out);
  assert.deepEqual(built, { runs: 2, skipped: [], summarized: [] });
  const index = readFileSync(join(out, 'runs', '2026-01-01T00-00-00-000Z', 'detail-0.js'), 'utf8');
  const hash =
    /^window\.emeDetail\("2026-01-01T00-00-00-000Z","chromium\|156\.0\.8078\.114\|playwright",\{"lifecycle\.temporary\.keyids":"([0-9a-f]{16})"\}\);$/m.exec(
      index,
    )?.[1];
  assert.ok(hash, index);
  const cell = readFileSync(join(out, 'cells', `${hash}.js`), 'utf8');
  assert.match(cell, new RegExp(`^window\\.emeCell\\("${hash}",\\{"reason":"observed pass"`));
  assert.match(cell, /sequenceDiagram/);
  // The same details from the second run are not written again.
  assert.deepEqual(readdirSync(join(out, 'cells')), [`${hash}.js`]);
  assert.ok(existsSync(join(out, 'vendor', 'mermaid.min.js')));
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src="https?:/, 'nothing from a CDN');
  const data = JSON.parse(/<script id="data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
  assert.equal(data.runs[0].cells[A]['chromium|156.0.8078.114|playwright'][0], 'pass');
  // The next build reads no details the site already has: without any details file it is the same site.
  for (const run of readdirSync(results)) rmSync(join(results, run, DETAILS_FILE));
  assert.deepEqual(buildDashboard(results, out), { runs: 2, skipped: [], summarized: [] });
  assert.deepEqual(readdirSync(join(out, 'cells')), [`${hash}.js`]);
});
