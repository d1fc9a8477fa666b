// The results store: run summaries (gzipped JSONL) written beside the full reports, read back validated,
// made on first read for runs stored before summaries existed, and retention that prunes full reports
// while keeping every summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompatReport } from '../../model/results.ts';
import { renderBrowserReport } from '../../report/html.ts';
import {
  applyRetention,
  parseRetention,
  readSummary,
  recordRun,
  runFolders,
  writeSummary,
} from '../../report/store/store.ts';
import {
  buildKey,
  DETAILS_FILE,
  detailsFromJsonl,
  detailsToJsonl,
  fromJsonl,
  laneOf,
  SUMMARY_FILE,
  sequenceHash,
  summarize,
  toJsonl,
} from '../../report/store/summary.ts';
import { readConfig } from '../../harness/config.ts';
import { realisticReport } from './exports-helpers.ts';

/** A report folder as a run leaves it: reports, their HTML, index.json. */
function reportDir(startedAt: string, reports: CompatReport[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'eme-reports-'));
  const files = reports.map((r) => {
    const file = `${r.browser.project}-${r.browser.version}.json`;
    writeFileSync(join(dir, file), JSON.stringify(r));
    writeFileSync(join(dir, file.replace(/\.json$/, '.html')), renderBrowserReport(r));
    return file;
  });
  writeFileSync(join(dir, 'cross-browser.html'), '<!doctype html>');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ generatedAt: startedAt, startedAt, status: 'passed', reports: files, scope: 'full', gaps: [] }),
  );
  return dir;
}

test('EME_RESULTS_RETENTION: a run count, an age, both, or all; anything else is refused with the forms it takes', () => {
  assert.deepEqual(parseRetention('all'), { count: null, maxAgeDays: null });
  assert.deepEqual(parseRetention('30'), { count: 30, maxAgeDays: null });
  assert.deepEqual(parseRetention('90d'), { count: null, maxAgeDays: 90 });
  assert.deepEqual(parseRetention('30,90d'), { count: 30, maxAgeDays: 90 });
  for (const bad of ['0', 'x', '30,30', '0d', ''])
    assert.throws(() => parseRetention(bad), /EME_RESULTS_RETENTION=.*expected "all", a run count/);
  assert.equal(readConfig({}).resultsRetention, '30');
  assert.equal(readConfig({ EME_RESULTS_RETENTION: '10,30d' }).resultsRetention, '10,30d');
  assert.throws(() => readConfig({ EME_RESULTS_RETENTION: 'forever' }), /EME_RESULTS_RETENTION/);
});

test('a run summary keeps what the dashboard shows and is a small part of the full reports', () => {
  const reports = [realisticReport('chromium'), realisticReport('firefox'), realisticReport('firefox-persistent')];
  const { summary, details } = summarize(
    'run-1',
    { generatedAt: '', startedAt: 't0', status: 'passed', reports: [] },
    reports,
    ['a.json', 'b.json', 'c.json'],
  );
  const back = fromJsonl(toJsonl(summary), 'test');
  assert.deepEqual(back, summary);
  assert.deepEqual(detailsFromJsonl(detailsToJsonl(details), 'test'), details);
  assert.equal(
    back.cells.length,
    reports.reduce((n, r) => n + r.scenarios.length, 0),
  );
  // Firefox with the persistent-license pref is its own lane; plain Firefox and Chromium are their engines.
  assert.deepEqual(
    back.builds.map((b) => b.lane),
    ['chromium', 'firefox', 'firefox + media.clearkey.persistent-license.enabled=true'],
  );
  assert.equal(laneOf(reports[1]!.browser), 'firefox', 'autoplay and host prefs are not EME prefs');
  assert.equal(buildKey(reports[0]!.browser), 'chromium|156.0.8078.114|playwright');
  const cell = back.cells.find((c) => c.scenario === 'lifecycle.temporary.keyids' && c.build.startsWith('chromium'))!;
  assert.equal(cell.verdict, 'pass');
  const detail = details.find((d) => d.hash === cell.detail)!;
  assert.ok(detail.steps.includes('E:s1.message(license-request)'));
  assert.equal(cell.sequence, sequenceHash(detail.steps));
  assert.match(detail.diagram, /^sequenceDiagram\n/);
  assert.ok(detail.checks.some((c) => c.spec?.startsWith('#')));
  // Details are stored once per distinct content, and each cell names one.
  assert.equal(new Set(details.map((d) => d.hash)).size, details.length);
  assert.ok(back.cells.every((c) => details.some((d) => d.hash === c.detail)));
  // The grid's part is small; both parts together a small share of the full reports.
  const full = reports.reduce((n, r) => n + JSON.stringify(r).length, 0);
  const grid = gzipSync(toJsonl(summary)).length;
  const packed = grid + gzipSync(detailsToJsonl(details)).length;
  assert.ok(packed * 10 < full, `summary ${packed} B gzipped vs ${full} B of full reports`);
  assert.ok(grid * 5 < packed, `the grid's part ${grid} B of ${packed} B`);
});

test('a bad summary file is refused with its name and line', () => {
  const text = `${JSON.stringify({ kind: 'run', format: 5, id: 'x', startedAt: 't', scope: 'full', gaps: [], commit: null, branch: null, browserSet: null })}\n{"kind":"cell","scenario":"a"}\n`;
  assert.throws(
    () => detailsFromJsonl('{"kind":"detail"}\n', 'd.jsonl.gz'),
    /d\.jsonl\.gz: line 1 is not a cell detail/,
  );
  assert.throws(
    () => fromJsonl(text, 'results/x/summary.jsonl.gz'),
    /results\/x\/summary\.jsonl\.gz: line 2 is not a summary line/,
  );
  assert.throws(() => fromJsonl('{"kind":"cell"}\n', 'f'), /f: line 1/);
});

test('recordRun keeps the reports, their HTML and a summary; retention prunes old full reports and keeps summaries', () => {
  const results = mkdtempSync(join(tmpdir(), 'eme-results-'));
  const starts = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];
  const kept = starts.map((t) =>
    recordRun(reportDir(t, [realisticReport('chromium')]), results, { count: 2, maxAgeDays: null }),
  );
  assert.ok(kept.every((k) => k.kept));
  const first = kept[0]!.kept ? kept[0]!.folder : '';
  assert.deepEqual(kept[0]!.pruned, []);
  assert.deepEqual(kept[2]!.pruned, ['2026-01-01T00-00-00-000Z'], 'the oldest of three, with 2 kept');
  assert.deepEqual(readdirSync(first).sort(), [DETAILS_FILE, SUMMARY_FILE], 'a pruned run keeps only its summary');
  const newest = kept[2]!.kept ? kept[2]!.folder : '';
  assert.ok(existsSync(join(newest, 'chromium-156.0.8078.114.html')), 'the per-browser page is kept for the dashboard');
  assert.ok(existsSync(join(newest, 'index.json')));
  assert.equal(runFolders(results).length, 3, 'pruned runs are still runs');
  const { summary, made } = readSummary(first);
  assert.equal(made, false);
  assert.equal(summary.run.startedAt, starts[0]);
  assert.ok(summary.cells.length > 0);
  // Age: a run older than the bound loses its full reports too, whatever the count.
  const pruned = applyRetention(results, { count: null, maxAgeDays: 1 }, new Date('2026-01-03T12:00:00.000Z'));
  assert.deepEqual(pruned, ['2026-01-02T00-00-00-000Z']);
  assert.deepEqual(applyRetention(results, { count: null, maxAgeDays: null }), [], 'all: nothing pruned');
});

test('a run stored before summaries existed is summarized on first read, then read from its summary', () => {
  const results = mkdtempSync(join(tmpdir(), 'eme-results-'));
  const folder = join(results, '2025-12-01T00-00-00-000Z');
  mkdirSync(folder);
  const source = reportDir('2025-12-01T00:00:00.000Z', [realisticReport('firefox')]);
  for (const f of readdirSync(source)) writeFileSync(join(folder, f), readFileSync(join(source, f)));
  const once = readSummary(folder);
  assert.equal(once.made, true);
  assert.ok(existsSync(join(folder, SUMMARY_FILE)));
  const twice = readSummary(folder);
  assert.equal(twice.made, false);
  assert.deepEqual(twice.summary, once.summary);
  assert.equal(
    JSON.parse(
      gunzipSync(readFileSync(join(folder, SUMMARY_FILE)))
        .toString()
        .split('\n')[0]!,
    ).kind,
    'run',
  );
  // A summary of an older format is made again while the full reports are there.
  writeFileSync(join(folder, SUMMARY_FILE), gzipSync('{"kind":"run","format":1}\n'));
  assert.equal(readSummary(folder).made, true);
  assert.equal(readSummary(folder).made, false);
  // A folder whose index lists a report that is not there says which.
  writeFileSync(join(folder, 'index.json'), JSON.stringify({ startedAt: 't', reports: ['gone.json'] }));
  assert.throws(() => writeSummary(folder), /gone\.json/);
});
