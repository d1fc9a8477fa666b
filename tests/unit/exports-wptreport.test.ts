// The wptreport export against wpt.fyi's rules: run_info carries product, browser_version, os and a full
// revision in wpt.fyi's vocabulary, statuses come from wptrunner's sets, and `expected` appears exactly
// where a status differs from the expected one (mozlog's rule: its presence is what marks a result
// unexpected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWptReport, toWptReport, wptOs, wptProduct, type WptReport } from '../../report/exports.ts';
import type { CompatReport } from '../../model/results.ts';
import { COMMIT, IDENTITIES, PROJECTS, realisticReport } from './exports-helpers.ts';

/**
 * wptrunner's reading of a result, from the compatibility report alone: which subtest statuses were
 * expected. A must check may FAIL only in a scenario expected to fail; an advisory check may do either.
 * Returns every place where the export marks a result unexpected that is not, or misses one that is.
 */
function expectationProblems(report: CompatReport, wpt: WptReport): string[] {
  const problems: string[] = [];
  const status = {
    pass: 'OK',
    fail: 'OK',
    unsupported: 'PRECONDITION_FAILED',
    'not-measurable': 'PRECONDITION_FAILED',
    error: 'ERROR',
    timeout: 'TIMEOUT',
    crash: 'CRASH',
  } as const;
  for (const s of report.scenarios) {
    const t = wpt.results.find((x) => x.test === `/eme-compat/${s.id}`);
    if (!t) {
      problems.push(`${s.id}: missing`);
      continue;
    }
    const expectedTest: string[] = (s.expected.verdicts.length ? s.expected.verdicts : ['pass' as const]).map(
      (v) => status[v],
    );
    if ((t.expected !== undefined) === expectedTest.includes(t.status))
      problems.push(`${s.id}: test-level expected ${t.expected ?? 'absent'} for status ${t.status}`);
    for (const st of t.subtests) {
      const c = s.checks.find((x) => st.name === x.title || st.name.startsWith(`${x.title} [${x.id}#`));
      if (!c) {
        problems.push(`${s.id} / ${st.name}: no such check`);
        continue;
      }
      const allowed =
        c.level === 'advisory' ? ['PASS', 'FAIL'] : s.expected.verdicts.includes('fail') ? ['PASS', 'FAIL'] : ['PASS'];
      const unexpected = !allowed.includes(st.status);
      if (unexpected && st.expected === undefined)
        problems.push(`${s.id} / ${st.name}: ${st.status} was not expected, but the subtest has no expected`);
      if (!unexpected && st.expected !== undefined)
        problems.push(`${s.id} / ${st.name}: ${st.status} was expected, but the subtest says expected ${st.expected}`);
    }
  }
  return problems;
}

test('every realistic report exports a wptreport wpt.fyi accepts, with wpt.fyi product, channel and short os', () => {
  const want: Record<string, [string, string]> = {
    chromium: ['chromium', 'stable'],
    firefox: ['firefox', 'stable'],
    'firefox-persistent': ['firefox', 'stable'],
    webkit: ['webkitgtk', 'stable'],
  };
  for (const project of PROJECTS) {
    const report = realisticReport(project);
    const wpt = toWptReport(report);
    parseWptReport(JSON.parse(JSON.stringify(wpt)), project);
    const info = wpt.run_info;
    assert.deepEqual([info.product, info.browser_channel], want[project], project);
    assert.equal(info.browser_version, report.browser.version);
    assert.equal(info.revision, COMMIT);
    assert.equal(info.os, 'linux');
    assert.equal(info.os_version, '12');
    assert.equal(info['eme_compat_os'], report.environment.os, 'the long OS description is kept');
    assert.equal(info['eme_compat_project'], project, 'the project name is kept');
    assert.equal(wpt.results.length, report.scenarios.length);
    assert.deepEqual(expectationProblems(report, wpt), [], project);
  }
});

test('the revision comes from the report or the caller; without one there is no wptreport', () => {
  const report = realisticReport('chromium', { commit: null });
  assert.throws(() => toWptReport(report), /no source revision for chromium.*run_info\.revision/);
  const given = 'c0ffee0000000000000000000000000000000001';
  assert.equal(toWptReport(report, { revision: given }).run_info.revision, given);
  const withNull = realisticReport('chromium');
  withNull.run.git = { commit: null, branch: null, dirty: null };
  assert.throws(() => toWptReport(withNull), /no source revision/);
  const short = realisticReport('chromium', { commit: '5b1e0c9' });
  assert.throws(() => toWptReport(short), /full 40-character commit/);
});

test('the schema refuses what wpt.fyi refuses: a missing revision, product or os, or a product it does not know', () => {
  const good = toWptReport(realisticReport('firefox'));
  for (const key of ['revision', 'product', 'os', 'browser_version']) {
    const broken = structuredClone(good) as unknown as { run_info: Record<string, unknown> };
    delete broken.run_info[key];
    assert.throws(() => parseWptReport(broken), new RegExp(`run_info\\.${key}`), key);
  }
  for (const product of ['MiniBrowser', 'chromium-debian', 'firefox-esr', 'webkit']) {
    const broken = structuredClone(good);
    (broken.run_info as Record<string, unknown>)['product'] = product;
    assert.throws(() => parseWptReport(broken), /not a wpt\.fyi product name/, product);
  }
  const longOs = structuredClone(good);
  (longOs.run_info as Record<string, unknown>)['os'] = 'Debian GNU/Linux 12 (bookworm) (Linux 6.1.0)';
  assert.throws(() => parseWptReport(longOs), /os .* is not one of wpt\.fyi's/);
  const badStatus = structuredClone(good);
  (badStatus.results[0] as { status: string }).status = 'PASS'; // a subtest status, not a test status
  assert.throws(() => parseWptReport(badStatus), /status/);
  const badSubtest = structuredClone(good);
  const withSubtests = badSubtest.results.find((r) => r.subtests.length)!;
  (withSubtests.subtests[0] as { status: string }).status = 'OK';
  assert.throws(() => parseWptReport(badSubtest), /subtests/);
});

test('a browser wpt.fyi has no product name for gets no wptreport', () => {
  const report = realisticReport('webkit');
  report.browser = { ...report.browser, name: 'webkit', driver: 'playwright' }; // Playwright's own WebKit build
  assert.throws(() => toWptReport(report), /no wpt\.fyi product for webkit browser "webkit"/);
});

test('product and channel table: Debian and ESR builds are stable, Playwright channels keep theirs', () => {
  const b = IDENTITIES['chromium']!;
  assert.deepEqual(wptProduct({ ...b, channel: 'chrome' }), { product: 'chrome', channel: 'stable' });
  assert.deepEqual(wptProduct({ ...b, channel: 'chrome-beta' }), { product: 'chrome', channel: 'beta' });
  assert.deepEqual(wptProduct({ ...b, channel: 'msedge' }), { product: 'edge', channel: 'stable' });
  assert.deepEqual(wptProduct({ ...b, channel: 'msedge-canary' }), { product: 'edge', channel: 'nightly' });
  assert.deepEqual(wptProduct(b), { product: 'chromium', channel: 'stable' });
  assert.deepEqual(wptProduct({ ...b, executablePath: null }), { product: 'chromium', channel: 'beta' });
  assert.deepEqual(wptProduct(IDENTITIES['firefox']!), { product: 'firefox', channel: 'stable' });
  assert.deepEqual(wptProduct({ ...IDENTITIES['firefox']!, channel: 'moz-firefox-nightly' }), {
    product: 'firefox',
    channel: 'nightly',
  });
  assert.deepEqual(wptProduct(IDENTITIES['webkit']!), { product: 'webkitgtk', channel: 'stable' });
  assert.deepEqual(wptProduct({ ...IDENTITIES['webkit']!, name: 'Safari', version: '18.4' }), {
    product: 'safari',
    channel: 'stable',
  });
});

test('os descriptions become wpt.fyi os and os_version', () => {
  assert.deepEqual(wptOs('Debian GNU/Linux 12 (bookworm) (Linux 6.1.0-41-cloud-amd64)'), {
    os: 'linux',
    os_version: '12',
  });
  assert.deepEqual(wptOs('Ubuntu 24.04.1 LTS (Linux 6.8.0-1017-azure)'), { os: 'linux', os_version: '24.04' });
  assert.deepEqual(wptOs('Debian GNU/Linux trixie/sid (Linux 6.12.0)'), { os: 'linux' });
  assert.deepEqual(wptOs('Linux 6.1.0'), { os: 'linux' });
  assert.deepEqual(wptOs('Darwin 24.1.0'), { os: 'mac' });
  assert.deepEqual(wptOs('Windows_NT 10.0.22631'), { os: 'windows', os_version: '10' });
  assert.throws(() => wptOs('x'), /cannot tell wpt\.fyi's os/);
});

test('subtests of an expected failure are expected FAIL; a regression marks its failing subtests expected PASS', () => {
  // Firefox's session.close-rules is expected to fail: its failing must check is an expected FAIL.
  const firefox = realisticReport('firefox');
  const closeRules = toWptReport(firefox).results.find((r) => r.test === '/eme-compat/session.close-rules')!;
  assert.equal(closeRules.status, 'OK');
  assert.equal(closeRules.expected, undefined);
  const failing = closeRules.subtests.filter((s) => s.status === 'FAIL');
  assert.ok(failing.length > 0);
  for (const s of failing)
    assert.equal(
      s.expected,
      undefined,
      `${s.name}: FAIL as expected, so no expected (mozlog would count it unexpected)`,
    );

  // The same failure where the expectation is pass is a regression, visible only in the subtests.
  const regressed = realisticReport('firefox');
  regressed.scenarios.find((s) => s.id === 'session.close-rules')!.expected = { verdicts: ['pass'] };
  const r = toWptReport(regressed).results.find((x) => x.test === '/eme-compat/session.close-rules')!;
  assert.equal(r.expected, undefined, 'the harness ran: the test is OK as expected');
  for (const s of r.subtests.filter((x) => x.status === 'FAIL')) assert.equal(s.expected, 'PASS', s.name);
  assert.deepEqual(expectationProblems(regressed, toWptReport(regressed)), []);

  // An export that leaves those subtests without expected, or marks expected FAILs, is caught.
  const silent = structuredClone(toWptReport(regressed));
  for (const s of silent.results.flatMap((x) => x.subtests)) delete s.expected;
  assert.match(
    expectationProblems(regressed, silent).join('\n'),
    /session\.close-rules .* FAIL was not expected, but the subtest has no expected/,
  );
  const marked = structuredClone(toWptReport(firefox));
  const sub = marked.results
    .find((x) => x.test === '/eme-compat/session.close-rules')!
    .subtests.find((s) => s.status === 'FAIL')!;
  sub.expected = 'FAIL';
  assert.throws(() => parseWptReport(marked), /expected` equal to `status/);
});

test('failed advisory checks are expected FAILs; an unsupported scenario reports no subtests', () => {
  const chromium = toWptReport(realisticReport('chromium'));
  const keyids = chromium.results.find((r) => r.test === '/eme-compat/lifecycle.temporary.keyids')!;
  const advisory = keyids.subtests.find((s) => s.status === 'FAIL')!;
  assert.ok(advisory, 'the recorded Chromium run departs from the advisory close order');
  assert.equal(advisory.expected, undefined);

  const webkit = toWptReport(realisticReport('webkit')).results[0]!;
  assert.equal(webkit.status, 'PRECONDITION_FAILED');
  assert.deepEqual(webkit.subtests, [], 'no noise subtests under PRECONDITION_FAILED');
  const firefox = toWptReport(realisticReport('firefox')).results.find(
    (r) => r.test === '/eme-compat/lifecycle.persistent-license',
  )!;
  assert.equal(firefox.status, 'PRECONDITION_FAILED');
  assert.deepEqual(firefox.subtests, []);
});

test('an unexpected test status carries expected (and the other expected statuses as known_intermittent)', () => {
  const report = realisticReport('chromium');
  const s = report.scenarios.find((x) => x.id === 'playback.cenc')!;
  s.verdict = 'timeout';
  s.expected = { verdicts: ['pass', 'unsupported'] };
  const r = toWptReport(report).results.find((x) => x.test === '/eme-compat/playback.cenc')!;
  assert.equal(r.status, 'TIMEOUT');
  assert.equal(r.expected, 'OK');
  assert.deepEqual(r.known_intermittent, ['PRECONDITION_FAILED']);
  s.verdict = 'error';
  s.expected = { verdicts: [] }; // no expectation recorded: wptrunner expects OK
  assert.equal(toWptReport(report).results.find((x) => x.test === '/eme-compat/playback.cenc')!.expected, 'OK');
});
