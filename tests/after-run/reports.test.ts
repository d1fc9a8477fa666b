// Runs after the browser matrix (npm test does this): the reports that run wrote must validate against
// the schema, name real browsers, and carry the evidence behind every verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReport, parseReport, type CompatReport } from '../../model/results.ts';
import { REPORT_INDEX } from '../../report/compat-reporter.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';
import { SCENARIOS } from '../../harness/catalog.ts';

const dir = process.env['EME_REPORT_DIR'] ?? 'reports';
const index = JSON.parse(readFileSync(join(dir, REPORT_INDEX), 'utf8')) as { reports: string[] };
const reports: CompatReport[] = index.reports.map((f) => readReport(join(dir, f)));

test('one schema-valid report per browser project of the run', () => {
  const projects = reports.map((r) => r.browser.project).sort();
  assert.deepEqual(
    projects,
    loadProfiles()
      .map((p) => p.project)
      .sort(),
  );
});

test('each report names a real browser build and the page saw its user agent', () => {
  for (const r of reports) {
    assert.match(r.browser.version, /^\d+(\.\d+)+/, `${r.browser.project} version`);
    assert.ok(r.browser.userAgent && r.browser.userAgent.length > 20, `${r.browser.project} user agent`);
    assert.equal(r.summary.total, r.scenarios.length);
  }
});

test('every scenario the project runs is in its report with a reason', () => {
  // npm test runs the player group on one asset (scripts/test.ts says which it leaves out).
  const leftOut = process.env['EME_MATRIX_LEFT_OUT'] ? new RegExp(process.env['EME_MATRIX_LEFT_OUT']) : null;
  for (const r of reports) {
    const profile = loadProfiles().find((p) => p.project === r.browser.project)!;
    const filter = profile.scenarios ? new RegExp(profile.scenarios) : null;
    const expected = SCENARIOS.filter((s) => !filter || filter.test(`${s.id}: ${s.title}`))
      .filter((s) => !leftOut?.test(`${s.id}: ${s.title}`))
      .map((s) => s.id)
      .sort();
    assert.deepEqual(r.scenarios.map((s) => s.id).sort(), expected, r.browser.project);
    for (const s of r.scenarios) assert.ok(s.reason.length > 0, `${r.browser.project}/${s.id} has a reason`);
  }
});

test('a lifecycle verdict other than unsupported comes with both witnesses in the joined timeline', () => {
  for (const r of reports) {
    for (const s of r.scenarios.filter(
      (x) => x.id.startsWith('lifecycle.') && (x.verdict === 'pass' || x.verdict === 'fail'),
    )) {
      assert.ok(s.record, `${r.browser.project}/${s.id} has a run record`);
      const sources = new Set(s.record.joined.map((e) => e.source));
      assert.ok(
        sources.has('page') && sources.has('server'),
        `${r.browser.project}/${s.id} joins page and server views`,
      );
      assert.ok(s.checks.length >= 5, `${r.browser.project}/${s.id} lists its checks`);
    }
  }
});

test('an unsupported verdict says what is missing', () => {
  for (const r of reports) {
    for (const s of r.scenarios.filter((x) => x.verdict === 'unsupported')) {
      assert.match(
        s.reason,
        /undefined|NotSupportedError|not supported|isTypeSupported\(.*\) is false/,
        `${r.browser.project}/${s.id}: ${s.reason}`,
      );
    }
  }
});

test('a report that breaks the schema is refused with the place it breaks', () => {
  const broken = structuredClone(reports[0]!) as unknown as { scenarios: { verdict: string }[] };
  broken.scenarios[0]!.verdict = 'maybe';
  assert.throws(
    () => parseReport(broken, 'broken.json'),
    /broken\.json does not match the report schema v1[\s\S]*verdict/,
  );
});

test('regenerating the expectations from this run reproduces the committed files', async () => {
  const { proposeExpectations, diffExpectations } = await import('../../report/gate.ts');
  const { Expectations } = await import('../../harness/expectations.ts');
  for (const r of reports) {
    const current = Expectations.load('expectations', r.run.browserSet, r.browser.project);
    assert.deepEqual(
      diffExpectations(current.file, proposeExpectations(r, current.file)),
      [],
      `${current.path} differs from what this run implies`,
    );
  }
});

test('allure results carry browser, engine and spec labels, and the same verdict as the reports', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = 'out/allure-results';
  const results = readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map(
      (f) =>
        JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
          name: string;
          labels: { name: string; value: string }[];
          parameters: { name: string; value: string }[];
        },
    );
  let checked = 0;
  for (const r of reports) {
    for (const s of r.scenarios) {
      const match = results.find(
        (a) =>
          a.name.startsWith(`${s.id}:`) &&
          a.labels.some((l) => l.name === 'browserVersion' && l.value === r.browser.version) &&
          a.parameters.some((p) => p.name === 'Project' && p.value === r.browser.project),
      );
      assert.ok(match, `allure result for ${r.browser.project}/${s.id}`);
      assert.equal(
        match.parameters.find((p) => p.name === 'verdict')?.value,
        s.verdict,
        `${r.browser.project}/${s.id} verdict`,
      );
      for (const label of ['browser', 'engine', 'specSection', 'epic'])
        assert.ok(
          match.labels.some((l) => l.name === label),
          `${s.id}: label ${label}`,
        );
      checked++;
    }
  }
  assert.ok(checked > 0);
});

test('the exports this run wrote pass the rules of their ecosystems and agree with the reports', async () => {
  const { existsSync } = await import('node:fs');
  const { bcdProblems, CollectorReport, loadBcdBrowsers, parseWptReport } = await import('../../report/exports.ts');
  const { browsers } = loadBcdBrowsers();
  const bcd = JSON.parse(readFileSync(join(dir, 'bcd.json'), 'utf8')) as { api: Record<string, unknown> };
  assert.deepEqual(bcdProblems(bcd, { browsers }), [], 'bcd.json against the compat-data schema rules');
  const status = {
    pass: 'OK',
    fail: 'OK',
    unsupported: 'PRECONDITION_FAILED',
    'not-measurable': 'PRECONDITION_FAILED',
    error: 'ERROR',
    timeout: 'TIMEOUT',
    crash: 'CRASH',
  } as const;
  for (const [i, r] of reports.entries()) {
    const file = join(dir, index.reports[i]!.replace(/\.json$/, '.wptreport.json'));
    assert.ok(existsSync(file), `${file}: the run knows its commit, so wpt.fyi gets a report`);
    const wpt = parseWptReport(JSON.parse(readFileSync(file, 'utf8')), file);
    assert.equal(wpt.run_info.browser_version, r.browser.version);
    assert.equal(wpt.run_info.revision, r.run.git?.commit);
    assert.equal(wpt.results.length, r.scenarios.length);
    for (const s of r.scenarios) {
      const t = wpt.results.find((x) => x.test === `/eme-compat/${s.id}`)!;
      assert.equal(t.status, status[s.verdict], `${r.browser.project}/${s.id}`);
      // No noise under PRECONDITION_FAILED; otherwise one subtest per rule.
      assert.equal(
        t.subtests.length,
        s.verdict === 'unsupported' ? 0 : s.checks.length,
        `${r.browser.project}/${s.id} subtests`,
      );
      assert.equal(
        t.expected === undefined,
        s.expected.verdicts.map((v) => status[v]).includes(status[s.verdict]),
        `${s.id}: expected only when unexpected`,
      );
    }
    const collector = join(dir, index.reports[i]!.replace(/\.json$/, '.collector.json'));
    // WebKitGTK has no BCD id, and a pref-gated profile cannot speak for its browser's defaults.
    const speaksForBcd =
      r.browser.engine !== 'webkit' && !Object.keys(r.browser.prefs).some((k) => k.startsWith('media.clearkey'));
    assert.equal(existsSync(collector), speaksForBcd, `${collector} written exactly when the browser has a BCD id`);
    if (speaksForBcd) {
      const c = CollectorReport.parse(JSON.parse(readFileSync(collector, 'utf8')));
      assert.ok(
        Object.values(c.results)
          .flat()
          .some((x) => x.name === 'api.MediaKeys'),
        `${collector} reports api.MediaKeys`,
      );
    }
  }
});

test('a readable HTML page per report and a cross-browser view cover every scenario', () => {
  const cross = readFileSync(join(dir, 'cross-browser.html'), 'utf8');
  for (const [i, r] of reports.entries()) {
    const html = readFileSync(join(dir, index.reports[i]!.replace(/\.json$/, '.html')), 'utf8');
    assert.ok(html.includes(r.browser.version), `${r.browser.project} page names the version`);
    for (const s of r.scenarios) {
      assert.ok(html.includes(`id="${s.id}"`), `${r.browser.project} page lists ${s.id}`);
      assert.ok(cross.includes(`<td>${s.id}</td>`), `cross-browser view lists ${s.id}`);
    }
  }
});

test('the sharded plan (blob reports merged) gives the same verdicts as the unsharded run', () => {
  // The plan runs a subset of groups (scripts/test.ts), so it is compared scenario by scenario.
  const planDir = 'out/plan-reports';
  const planIndex = JSON.parse(readFileSync(join(planDir, REPORT_INDEX), 'utf8')) as { reports: string[] };
  const plan = planIndex.reports.map((f) => readReport(join(planDir, f)));
  for (const project of ['chromium', 'firefox', 'webkit']) {
    if (reports.some((r) => r.browser.project === project))
      assert.ok(
        plan.some((p) => p.browser.project === project),
        `the plan has no ${project} report`,
      );
  }
  for (const p of plan) {
    const r = reports.find((x) => x.browser.project === p.browser.project);
    assert.ok(r, `plan report for ${p.browser.project}, which the unsharded run lacks`);
    assert.ok(p.scenarios.length > 0, `${p.browser.project}: the plan ran no scenarios`);
    const unsharded = Object.fromEntries(r.scenarios.map((s) => [s.id, s.verdict]));
    for (const s of p.scenarios)
      assert.equal(s.verdict, unsharded[s.id], `${p.browser.project} ${s.id}: sharded vs unsharded verdict`);
  }
});
