// The Allure report across runs: two runs built into the same folder give the second run's report at
// <out>/index.html (not a stale first one with the new one under awesome/), one run's results only, a
// history file with both runs, and the test's history continued although its verdict changed.
// Results are written by allure-js-commons itself: the facade call the fixtures make
// (allure.parameter(..., { excluded: true })), applied by its ReporterRuntime and written by its
// FileSystemWriter, as allure-playwright does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as allure from 'allure-js-commons';
import { Stage, Status } from 'allure-js-commons';
import { FileSystemWriter, ReporterRuntime } from 'allure-js-commons/sdk/reporter';
import { MessageHolderTestRuntime, setGlobalTestRuntime } from 'allure-js-commons/sdk/runtime';
import { buildAllureReport, clearAllureResults } from '../../report/allure.ts';

interface Scenario {
  id: string;
  status: Status.PASSED | Status.FAILED;
  verdict: string;
}

/** One Playwright-like run: per scenario a result with the Project parameter and excluded verdict/expected. */
async function writeRun(resultsDir: string, scenarios: Scenario[]): Promise<void> {
  const runtime = new ReporterRuntime({ writer: new FileSystemWriter({ resultsDir }) });
  for (const s of scenarios) {
    const messages = new MessageHolderTestRuntime();
    setGlobalTestRuntime(messages);
    await allure.parentSuite('chromium (Chromium 140)');
    await allure.feature(s.id);
    await allure.parameter('verdict', s.verdict, { excluded: true });
    await allure.parameter('expected', 'pass', { excluded: true });
    const start = Date.now();
    const uuid = runtime.startTest({
      name: `${s.id}: a scenario`,
      fullName: `tests/e2e/scenarios.spec.ts#${s.id}: a scenario`,
      testCaseId: `case-${s.id}`,
      parameters: [{ name: 'Project', value: 'chromium' }],
      start,
    });
    runtime.applyRuntimeMessages(uuid, messages.messages());
    runtime.updateTest(uuid, (r) => {
      r.status = s.status;
      r.stage = Stage.FINISHED;
    });
    runtime.stopTest(uuid, { stop: start + 10 });
    runtime.writeTest(uuid);
  }
}

interface RawResult {
  historyId: string;
  status: string;
  parameters: { name: string; value: string; excluded?: boolean }[];
  fullName: string;
}
interface ReportResult {
  name: string;
  status: string;
  historyId: string;
  parameters: { name: string; value: string }[];
  history: { status: string; historyId: string }[];
  retries: unknown[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const rawResults = (dir: string): RawResult[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => readJson<RawResult>(join(dir, f)));
const reportResults = (out: string): ReportResult[] => {
  const dir = join(out, 'data', 'test-results');
  return readdirSync(dir).map((f) => readJson<ReportResult>(join(dir, f)));
};
const historyEntries = (file: string): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim()).length;

const tmp = mkdtempSync(join(tmpdir(), 'eme-allure-test-'));
const results = join(tmp, 'allure-results');
const out = join(tmp, 'allure-report');
const historyFile = join(tmp, 'results', 'allure-history.jsonl');
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('a second run into the same folder: a fresh report of that run only, with its history and trend', async () => {
  // Run 1: the scenario passes.
  clearAllureResults(results);
  await writeRun(results, [
    { id: 'access.key-system-names', status: Status.PASSED, verdict: 'pass' },
    { id: 'access.config', status: Status.PASSED, verdict: 'pass' },
  ]);
  const firstIds = rawResults(results)
    .map((r) => r.historyId)
    .sort();
  const first = buildAllureReport({ resultsDir: results, outDir: out, historyFile });
  assert.ok(first.ok, first.message);
  assert.equal(first.reportPath, join(out, 'index.html'));
  assert.equal(historyEntries(historyFile), 1);

  // Run 2: the results folder emptied as a run starts; the verdict changes and the test fails.
  clearAllureResults(results);
  await writeRun(results, [
    { id: 'access.key-system-names', status: Status.FAILED, verdict: 'fail' },
    { id: 'access.config', status: Status.PASSED, verdict: 'pass' },
  ]);
  // allure-js-commons leaves excluded parameters out of the history id: a changed verdict keeps it.
  assert.deepEqual(
    rawResults(results)
      .map((r) => r.historyId)
      .sort(),
    firstIds,
  );
  const second = buildAllureReport({ resultsDir: results, outDir: out, historyFile });
  assert.ok(second.ok, second.message);

  // The printed path is this run's report, at the top of the folder.
  assert.ok(existsSync(join(out, 'index.html')));
  assert.ok(!existsSync(join(out, 'awesome')), 'no second report under awesome/');
  const trs = reportResults(out);
  assert.equal(trs.length, 2, "one run's results only");
  const flipped = trs.find((r) => r.name.startsWith('access.key-system-names:'));
  assert.ok(flipped);
  assert.equal(flipped.status, 'failed');
  assert.equal(flipped.parameters.find((p) => p.name === 'verdict')?.value, 'fail');
  assert.deepEqual(flipped.retries, [], 'the earlier run is history, not a retry');

  // Allure 3's history file has both runs; the test's history (Allure 3's own history id) continues.
  assert.equal(historyEntries(historyFile), 2);
  assert.equal(second.historyRuns, 2);
  assert.deepEqual(
    flipped.history.map((h) => h.status),
    ['passed'],
  );
  assert.equal(flipped.history[0]!.historyId, flipped.historyId);
  const charts = readJson<{
    general: Record<string, { type: string; data?: { id: string; statistic?: Record<string, number> }[] }>;
  }>(join(out, 'widgets', 'charts.json'));
  const trend = Object.values(charts.general).find((c) => c.type === 'statusDynamics');
  assert.ok(trend?.data, 'a status trend chart');
  assert.equal(trend.data.length, 2, 'trend: the earlier run and this one');
  assert.deepEqual(trend.data.find((p) => p.id === 'current')?.statistic, { total: 2, passed: 1, failed: 1 });
});

test('rebuilding the same run does not add it to the history again', () => {
  const again = buildAllureReport({ resultsDir: results, outDir: out, historyFile });
  assert.ok(again.ok, again.message);
  assert.equal(historyEntries(historyFile), 2);
  const flipped = reportResults(out).find((r) => r.name.startsWith('access.key-system-names:'));
  assert.deepEqual(
    flipped?.history.map((h) => h.status),
    ['passed'],
    'the run is not its own predecessor',
  );
});

test('no results, a history file inside the report folder or not JSON lines, a folder that is no report: a clear refusal', () => {
  const empty = join(tmp, 'empty-results');
  mkdirSync(empty, { recursive: true });
  const none = buildAllureReport({ resultsDir: empty, outDir: join(tmp, 'r1'), historyFile });
  assert.equal(none.ok, false);
  assert.match(none.message, /no Allure results in .*empty-results/);

  const nested = buildAllureReport({ resultsDir: results, outDir: out, historyFile: join(out, 'history.jsonl') });
  assert.equal(nested.ok, false);
  assert.match(nested.message, /inside .*emptied/);
  assert.ok(existsSync(join(out, 'index.html')), 'the report folder is left alone');

  const notReport = join(tmp, 'not-a-report');
  mkdirSync(notReport, { recursive: true });
  writeFileSync(join(notReport, 'keep.txt'), 'x');
  const refused = buildAllureReport({ resultsDir: results, outDir: notReport, historyFile });
  assert.equal(refused.ok, false);
  assert.match(refused.message, /refusing to empty/);
  assert.ok(existsSync(join(notReport, 'keep.txt')));

  const broken = join(tmp, 'broken-history.jsonl');
  writeFileSync(broken, 'not json\n');
  const unreadable = buildAllureReport({ resultsDir: results, outDir: join(tmp, 'r2'), historyFile: broken });
  assert.equal(unreadable.ok, false);
  assert.match(unreadable.message, /line 1 of the history file .* is not JSON/);
});

test('the fixtures keep verdict and expected out of the history id', () => {
  const fixtures = readFileSync(new URL('../e2e/fixtures.ts', import.meta.url), 'utf8');
  for (const name of ['verdict', 'expected']) {
    const calls = fixtures.split('\n').filter((l) => l.includes(`allure.parameter('${name}'`));
    assert.ok(calls.length > 0, `allure.parameter('${name}', …) in tests/e2e/fixtures.ts`);
    for (const call of calls) assert.match(call, /\{\s*excluded:\s*true\s*\}\s*\)/, call.trim());
  }
});
