// The reporter writes every export a run can honestly make (wptreport, collector report per browser,
// bcd.json) and, for the rest, prints why and leaves no file (not even a stale one from an earlier run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import CompatReporter from '../../report/compat-reporter.ts';
import { keepInHistory } from '../../report/history.ts';
import { SCENARIO_ATTACHMENT } from '../../model/results.ts';
import { bcdProblems, CollectorReport, loadBcdBrowsers, parseWptReport } from '../../report/exports.ts';
import { realisticReport } from './exports-helpers.ts';

const PROJECTS = ['chromium', 'webkit', 'firefox-persistent'] as const;

function run(dir: string, history: string, revision: string): { out: string; warnings: string[] } {
  const reporter = new CompatReporter({ outputDir: dir });
  const [log, warn, env] = [console.log, console.warn, process.env['EME_REVISION']];
  let out = '';
  const warnings: string[] = [];
  console.log = (s: string) => (out += s);
  console.warn = (s: string) => warnings.push(s);
  process.env['EME_REVISION'] = revision;
  try {
    reporter.onBegin({ version: '1.64.1' } as FullConfig, {} as Suite);
    for (const project of PROJECTS) {
      const report = realisticReport(project);
      const { userAgent: _ua, ...browser } = report.browser;
      for (const result of report.scenarios) {
        const attachment = { schemaVersion: 1, browserSet: 'debian', browser, result };
        const testCase = {
          title: `${result.id}: ${result.title}`,
          annotations: [{ type: 'scenario', description: result.id }],
          parent: { project: () => ({ name: project }) },
        } as unknown as TestCase;
        reporter.onTestEnd(testCase, {
          attachments: [
            {
              name: SCENARIO_ATTACHMENT,
              contentType: 'application/json',
              body: Buffer.from(JSON.stringify(attachment)),
            },
          ],
          duration: 5,
          startTime: new Date(),
          status: 'passed',
        } as unknown as TestResult);
      }
    }
    reporter.onEnd({ status: 'passed', duration: 1000 } as FullResult);
    // As the CLI does after a run.
    keepInHistory(dir, history);
  } finally {
    console.log = log;
    console.warn = warn;
    if (env === undefined) delete process.env['EME_REVISION'];
    else process.env['EME_REVISION'] = env;
  }
  return { out, warnings };
}

test('a run writes wptreports, collector reports and bcd.json, and says which it left out and why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-exports-'));
  const history = await mkdtemp(join(tmpdir(), 'eme-history-'));
  const commit = '0123456789abcdef0123456789abcdef01234567';
  const { warnings } = run(dir, history, commit);
  const files = readdirSync(dir);
  const { browsers } = loadBcdBrowsers();
  for (const f of ['chromium-156.0.8078.114', 'webkit-2.50.6', 'firefox-persistent-153.8.0']) {
    const wpt = parseWptReport(JSON.parse(readFileSync(join(dir, `${f}.wptreport.json`), 'utf8')), f);
    assert.equal(wpt.run_info.revision, commit);
  }
  CollectorReport.parse(JSON.parse(readFileSync(join(dir, 'chromium-156.0.8078.114.collector.json'), 'utf8')));
  assert.ok(!files.includes('webkit-2.50.6.collector.json'));
  assert.ok(!files.includes('firefox-persistent-153.8.0.collector.json'));
  assert.deepEqual(bcdProblems(JSON.parse(readFileSync(join(dir, 'bcd.json'), 'utf8')), { browsers }), []);
  const said = warnings.join('\n');
  assert.match(said, /webkit-2\.50\.6\.collector\.json not written: BCD has no browser id for WebKitGTK/);
  assert.match(
    said,
    /firefox-persistent-153\.8\.0\.collector\.json not written: the profile sets media\.clearkey\.persistent-license\.enabled=true/,
  );
  assert.match(said, /bcd\.json leaves out webkit: BCD has no browser id for WebKitGTK/);
  // History keeps what was written.
  const [folder] = readdirSync(history);
  const kept = readdirSync(join(history, folder!));
  for (const f of ['bcd.json', 'chromium-156.0.8078.114.collector.json', 'chromium-156.0.8078.114.wptreport.json'])
    assert.ok(kept.includes(f), f);

  // A second run into the same folder without a usable revision: no wptreport, a warning, no stale copy.
  const again = run(dir, history, 'not-a-commit');
  for (const f of ['chromium-156.0.8078.114', 'webkit-2.50.6', 'firefox-persistent-153.8.0'])
    assert.ok(!existsSync(join(dir, `${f}.wptreport.json`)), `${f}: stale wptreport removed`);
  assert.match(
    again.warnings.join('\n'),
    /chromium-156\.0\.8078\.114\.wptreport\.json not written: no source revision for chromium/,
  );
  assert.ok(existsSync(join(dir, 'chromium-156.0.8078.114.collector.json')), 'the other exports are still written');
});
