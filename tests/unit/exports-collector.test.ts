// The mdn-bcd-collector export: one report per browser report in the collector's Report shape, with
// BCD feature paths from the same mapping as the BCD export and a user agent update-bcd files correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CollectorReport, loadBcdBrowsers, toBcd, toCollectorReport } from '../../report/exports.ts';
import { realisticReport } from './exports-helpers.ts';

const { browsers } = loadBcdBrowsers();

function collect(project: Parameters<typeof realisticReport>[0]) {
  const out = toCollectorReport(realisticReport(project), { browsers });
  assert.ok('report' in out, `${project}: ${'omitted' in out ? out.omitted : ''}`);
  return out.report;
}

test("Chromium and Firefox ESR get collector reports that match the collector's Report type", () => {
  for (const project of ['chromium', 'firefox'] as const) {
    const report = collect(project);
    CollectorReport.parse(JSON.parse(JSON.stringify(report)));
    const results = Object.values(report.results).flat();
    assert.ok(results.length > 10, `${project}: ${results.length} results`);
    for (const r of results) {
      assert.equal(r.exposure, 'Window');
      assert.match(r.name, /^api(\.[a-zA-Z_0-9\-$@]+)+$/);
      assert.ok(r.result === true || r.result === false || r.result === null);
    }
    for (const url of Object.keys(report.results))
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/runner\.html\?run=[\w-]+$/);
    assert.deepEqual(report.extensions, []);
  }
});

test("names and results are the BCD export's features and support", () => {
  const chromium = collect('chromium');
  const results = Object.values(chromium.results).flat();
  const byName = new Map(results.map((r) => [r.name, r]));
  assert.equal(byName.get('api.MediaKeys')?.result, true);
  assert.equal(byName.get('api.MediaKeySession.close')?.result, true);
  assert.equal(byName.get('api.Navigator.requestMediaKeySystemAccess.keySystem_org_w3_clearkey')?.result, true);
  // No Widevine CDM in Debian's Chromium: unknown for the browser, with why.
  const widevine = byName.get('api.Navigator.requestMediaKeySystemAccess.keySystem_com_widevine_alpha')!;
  assert.equal(widevine.result, null);
  assert.match(widevine.message!, /not available in this build and profile/);
  // Every name the BCD export has for chrome is in the collector report with the same verdict.
  const { data } = toBcd([realisticReport('chromium')], browsers);
  const walk = (node: Record<string, unknown>, path: string[]): void => {
    for (const [k, v] of Object.entries(node)) {
      if (k === '__compat') {
        const st = (v as { support: Record<string, { version_added: unknown }> }).support['chrome']!;
        const r = byName.get(path.join('.'));
        assert.ok(r, `${path.join('.')} in the collector report`);
        assert.equal(r.result, typeof st.version_added === 'string', path.join('.'));
      } else walk(v as Record<string, unknown>, [...path, k]);
    }
  };
  walk(data as unknown as Record<string, unknown>, []);
});

test('the user agent names the BCD browser and release update-bcd will file the results under', () => {
  const chromium = collect('chromium');
  assert.doesNotMatch(
    chromium.userAgent,
    /HeadlessChrome/,
    'ua-parser reads HeadlessChrome as a browser BCD does not know',
  );
  assert.match(chromium.userAgent, /\bChrome\/156\./);
  assert.match(collect('firefox').userAgent, /\bFirefox\/153\.0/);
  const lying = realisticReport('firefox');
  lying.browser.userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
  const out = toCollectorReport(lying, { browsers });
  assert.ok('omitted' in out && /names firefox 140, not the tested firefox 153/.test(out.omitted));
});

test('no collector report where update-bcd would misread it: WebKitGTK, or a profile with EME prefs', () => {
  const webkit = toCollectorReport(realisticReport('webkit'), { browsers });
  assert.ok('omitted' in webkit);
  assert.match(webkit.omitted, /no browser id for WebKitGTK/);
  const persistent = toCollectorReport(realisticReport('firefox-persistent'), { browsers });
  assert.ok('omitted' in persistent);
  assert.match(persistent.omitted, /media\.clearkey\.persistent-license\.enabled=true.*default behaviour/);
});

test("the schema mirrors the collector's types and refuses what update-bcd cannot read", () => {
  const good = collect('firefox');
  const url = Object.keys(good.results)[0]!;
  const bad: [string, (r: Record<string, unknown>) => void, RegExp][] = [
    [
      'a dotted feature name is not a path',
      (r) => {
        (r['results'] as Record<string, unknown[]>)[url]![0] = {
          exposure: 'Window',
          name: 'eme.keySystems.com.widevine.alpha',
          result: true,
        };
      },
      /BCD feature path/,
    ],
    [
      'an exposure the collector has not',
      (r) => {
        (r['results'] as Record<string, unknown[]>)[url]![0] = {
          exposure: 'Page',
          name: 'api.MediaKeys',
          result: true,
        };
      },
      /exposure/,
    ],
    [
      'a result that is not true/false/null',
      (r) => {
        (r['results'] as Record<string, unknown[]>)[url]![0] = {
          exposure: 'Window',
          name: 'api.MediaKeys',
          result: 'partial',
        };
      },
      /result/,
    ],
    [
      'no user agent',
      (r) => {
        delete r['userAgent'];
      },
      /userAgent/,
    ],
    [
      'no results at all',
      (r) => {
        r['results'] = {};
      },
      /at least one result/,
    ],
    [
      'an unknown key',
      (r) => {
        r['browser'] = 'firefox';
      },
      /browser/,
    ],
  ];
  for (const [what, breakIt, message] of bad) {
    const r = structuredClone(good) as unknown as Record<string, unknown>;
    breakIt(r);
    const parsed = CollectorReport.safeParse(r);
    assert.ok(!parsed.success, `${what}: accepted`);
    assert.match(JSON.stringify(parsed.error.issues), message, what);
  }
});
