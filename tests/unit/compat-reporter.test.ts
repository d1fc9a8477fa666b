// The reporter fed as Playwright would feed it: a scenario retried (fail, then pass) is reported with
// both attempts and listed as flaky; the written report validates against the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CompatReporter, { type RunIndex } from '../../report/compat-reporter.ts';
import { readFileSync } from 'node:fs';
import { readReport, SCENARIO_ATTACHMENT } from '../../model/results.ts';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { fixtureRecord } from './helpers.ts';

test('retried attempts are kept and a changed verdict is reported as flaky', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-reporter-'));
  const reporter = new CompatReporter({ outputDir: dir, resultsDir: 'off' });
  const record = fixtureRecord('chromium-temporary-keyids');
  const browser = { project: 'chromium', label: 'c', engine: 'chromium', name: 'chromium', version: '156.0.1', channel: null, driver: 'playwright' as const, executablePath: null, args: [], prefs: {} };
  const attempt = (verdict: 'fail' | 'pass') => ({
    attachments: [{
      name: SCENARIO_ATTACHMENT,
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify({
        schemaVersion: 1, browserSet: 'debian', browser,
        result: { id: 'lifecycle.temporary.keyids', title: 't', group: 'C', spec: ['#x'], verdict, reason: verdict, expected: { verdicts: ['pass'] }, checks: [], durationMs: 5, attempts: [], environment: record.page!.environment, record },
      })),
    }],
    duration: 5, startTime: new Date(), status: 'passed',
  }) as unknown as TestResult;
  const testCase = { title: 'a title the reporter must not parse', annotations: [{ type: 'scenario', description: 'lifecycle.temporary.keyids' }], parent: { project: () => ({ name: 'chromium' }) } } as unknown as TestCase;
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
  assert.ok(index.gaps?.some((g) => /^firefox: no report/.test(g)), JSON.stringify(index.gaps));
  assert.deepEqual(report.run.git, index.git);
  assert.match(printed, /Flaky \(the verdict changed between attempts\):\s+chromium {2}lifecycle\.temporary\.keyids: fail → pass/);
});
