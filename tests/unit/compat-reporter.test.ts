// The reporter fed as Playwright would feed it: a scenario retried (fail, then pass) is reported with
// both attempts and listed as flaky; a test that died is reported without a run record; the written
// report validates against the schema. Keeping a run in the history (the CLI's job) is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CompatReporter, { type RunIndex } from '../../report/compat-reporter.ts';
import { existsSync, readFileSync } from 'node:fs';
import { readReport, SCENARIO_ATTACHMENT } from '../../model/results.ts';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { fixtureRecord } from './helpers.ts';
import { realisticReport } from './exports-helpers.ts';
import { formatTimeline } from '../../report/timeline-text.ts';
import { CollectorReport } from '../../report/exports.ts';
import { keepInHistory } from '../../report/history.ts';

/** Feeds a realistic chromium report through the reporter, except `died`, whose test ends without a result. */
function runWithDeadTest(dir: string, died: string): { warnings: string[] } {
  const reporter = new CompatReporter({ outputDir: dir });
  const report = realisticReport('chromium');
  const { userAgent: _ua, ...browser } = report.browser;
  const testCase = (id: string) =>
    ({
      title: id,
      annotations: [{ type: 'scenario', description: id }],
      parent: { project: () => ({ name: 'chromium' }) },
    }) as unknown as TestCase;
  const [log, warn, revision] = [console.log, console.warn, process.env['EME_REVISION']];
  const warnings: string[] = [];
  console.log = () => {};
  console.warn = (s: string) => warnings.push(s);
  // A fixed source revision, so the wptreport is written whether or not this runs in a git checkout.
  process.env['EME_REVISION'] = '0123456789abcdef0123456789abcdef01234567';
  try {
    reporter.onBegin({ version: '1.64.1' } as FullConfig, {} as Suite);
    for (const result of report.scenarios) {
      if (result.id === died) {
        reporter.onTestEnd(testCase(result.id), {
          attachments: [],
          error: { message: 'browserType.launch: Target page, context or browser has been closed\nCall log: …' },
          duration: 12,
          startTime: new Date('2026-12-02T10:00:00Z'),
          status: 'failed',
        } as unknown as TestResult);
        continue;
      }
      const body = Buffer.from(JSON.stringify({ schemaVersion: 1, browserSet: 'debian', browser, result }));
      reporter.onTestEnd(testCase(result.id), {
        attachments: [{ name: SCENARIO_ATTACHMENT, contentType: 'application/json', body }],
        duration: 5,
        startTime: new Date(),
        status: 'passed',
      } as unknown as TestResult);
    }
    reporter.onEnd({ status: 'failed', duration: 10 } as FullResult);
  } finally {
    console.log = log;
    console.warn = warn;
    if (revision === undefined) delete process.env['EME_REVISION'];
    else process.env['EME_REVISION'] = revision;
  }
  return { warnings };
}

test('retried attempts are kept and a changed verdict is reported as flaky', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-reporter-'));
  const reporter = new CompatReporter({ outputDir: dir });
  const record = fixtureRecord('chromium-temporary-keyids');
  const browser = {
    project: 'chromium',
    label: 'c',
    engine: 'chromium',
    name: 'chromium',
    version: '156.0.1',
    channel: null,
    driver: 'playwright' as const,
    executablePath: null,
    args: [],
    prefs: {},
  };
  const attempt = (verdict: 'fail' | 'pass') =>
    ({
      attachments: [
        {
          name: SCENARIO_ATTACHMENT,
          contentType: 'application/json',
          body: Buffer.from(
            JSON.stringify({
              schemaVersion: 1,
              browserSet: 'debian',
              browser,
              result: {
                id: 'lifecycle.temporary.keyids',
                title: 't',
                group: 'C',
                spec: ['#x'],
                verdict,
                reason: verdict,
                expected: { verdicts: ['pass'] },
                checks: [],
                durationMs: 5,
                attempts: [],
                environment: record.page!.environment,
                record,
              },
            }),
          ),
        },
      ],
      duration: 5,
      startTime: new Date(),
      status: 'passed',
    }) as unknown as TestResult;
  const testCase = {
    title: 'a title the reporter must not parse',
    annotations: [{ type: 'scenario', description: 'lifecycle.temporary.keyids' }],
    parent: { project: () => ({ name: 'chromium' }) },
  } as unknown as TestCase;
  const log = console.log;
  let printed = '';
  console.log = (s: string) => (printed += s);
  try {
    reporter.onBegin({ version: '1.64.1' } as FullConfig, {} as Suite);
    reporter.onTestEnd(testCase, attempt('fail'));
    reporter.onTestEnd(testCase, attempt('pass'));
    reporter.onEnd({ status: 'passed', duration: 10 } as FullResult);
  } finally {
    console.log = log;
  }
  const report = readReport(join(dir, 'chromium-156.0.1.json'));
  assert.equal(report.scenarios.length, 1);
  assert.equal(report.scenarios[0]!.verdict, 'pass');
  assert.deepEqual(report.scenarios[0]!.attempts, ['fail', 'pass']);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as RunIndex;
  assert.equal(index.merged, false);
  assert.match(index.git?.commit ?? '', /^[0-9a-f]{40}$/, 'the run names the commit it was made from');
  assert.equal(index.complete, false, 'one scenario of one project is not the catalog');
  assert.equal(index.scope, 'partial');
  assert.ok(
    index.gaps?.some((g) => /^firefox: no report/.test(g)),
    JSON.stringify(index.gaps),
  );
  assert.deepEqual(report.run.git, index.git);
  assert.match(
    printed,
    /Flaky \(the verdict changed between attempts\):\s+chromium {2}lifecycle\.temporary\.keyids: fail → pass/,
  );
});

test('a test that died without a result is reported as an error with no run record, and every writer copes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-reporter-died-'));
  const { warnings } = runWithDeadTest(dir, 'playback.cenc');
  const report = readReport(join(dir, 'chromium-156.0.8078.114.json'));
  const died = report.scenarios.find((s) => s.id === 'playback.cenc')!;
  assert.equal(died.verdict, 'error');
  assert.equal(died.record, null, 'no run record is made up for a test that had no run');
  assert.equal(
    died.reason,
    'the test ended without a result: browserType.launch: Target page, context or browser has been closed',
  );
  assert.deepEqual(died.attempts, ['error']);
  assert.equal(died.environment, null);
  assert.equal(report.summary.error, 1);
  assert.ok(report.scenarios.filter((s) => s.id !== 'playback.cenc').every((s) => s.record !== null));
  assert.match(
    readFileSync(join(dir, 'chromium-156.0.8078.114.html'), 'utf8'),
    /no run: the test ended before it had one/,
  );
  assert.match(formatTimeline(died), /timeline:\n\(no run: the test ended before it had one\)/);
  assert.ok(existsSync(join(dir, 'cross-browser.html')));
  assert.ok(existsSync(join(dir, 'bcd.json')));
  const collector = CollectorReport.parse(
    JSON.parse(readFileSync(join(dir, 'chromium-156.0.8078.114.collector.json'), 'utf8')),
  );
  assert.ok(
    Object.keys(collector.results).some(
      (page) => new URL(page).pathname === '/runner.html' && !new URL(page).searchParams.has('run'),
    ),
    'the dead test is filed under the runner page without a run',
  );
  assert.deepEqual(warnings, [], 'every writer coped with the missing record');
});

test('the history keeps a run once, with its reports, exports and index', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-reporter-history-'));
  const history = await mkdtemp(join(tmpdir(), 'eme-history-'));
  assert.deepEqual(keepInHistory(dir, history), {
    kept: false,
    why: `${join(dir, 'index.json')} not found: the run wrote no reports`,
  });
  runWithDeadTest(dir, 'playback.cenc');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as RunIndex;
  assert.deepEqual(await readdir(history), [], 'the reporter itself keeps no history');
  const kept = keepInHistory(dir, history);
  assert.ok(kept.kept);
  assert.equal(kept.folder, join(history, index.startedAt.replace(/[:.]/g, '-')));
  assert.deepEqual((await readdir(kept.folder)).sort(), [
    'bcd.json',
    'chromium-156.0.8078.114.collector.json',
    'chromium-156.0.8078.114.json',
    'chromium-156.0.8078.114.wptreport.json',
    'cross-browser.html',
    'index.json',
  ]);
  assert.equal(
    readReport(join(kept.folder, 'chromium-156.0.8078.114.json')).scenarios.length,
    readReport(join(dir, 'chromium-156.0.8078.114.json')).scenarios.length,
  );
  const again = keepInHistory(dir, history);
  assert.equal(again.kept, false, 'the same run is not kept twice');
  assert.equal((await readdir(history)).length, 1);
});
