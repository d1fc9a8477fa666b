// Opens the generated dashboard in a real browser and checks what it shows against the data it was built
// from: a synthetic multi-version history (version columns in numeric order, a "changed in" marker, the
// drill-down with its Mermaid diagram, state in the URL, a run diff, a pruned run), and the site
// `eme-compat dashboard` built from the real results history (every cell, the per-group counts).
import { expect, type Page, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDashboard, dashboardData, readStore } from '../../report/dashboard.ts';
import { renderBrowserReport, renderCrossBrowser } from '../../report/html.ts';
import { applyRetention } from '../../report/store/store.ts';
import { buildKey } from '../../report/store/summary.ts';
import type { RunIndex } from '../../report/run-index.ts';
import type { CompatReport } from '../../model/results.ts';
import type { Verdict } from '../../model/verdict.ts';
import { fixtureRecord, syntheticReport } from '../unit/helpers.ts';

const A = 'lifecycle.temporary.keyids';
const B = 'session.keystatuseschange-count';

type Build = { project: string; engine: string; version: string };
const CHROMIUM: Build[] = [
  { project: 'chromium@119', engine: 'chromium', version: '119.0.6045.0' },
  { project: 'chromium@92', engine: 'chromium', version: '92.0.4512.0' },
  { project: 'chromium@110', engine: 'chromium', version: '110.0.5478.0' },
];
const FIREFOX: Build[] = [
  { project: 'firefox-esr@140', engine: 'firefox', version: '140.12.0' },
  { project: 'firefox', engine: 'firefox', version: '153.8.0' },
];
const keyOf = (b: Build) => buildKey(syntheticReport(b.project, [], { engine: b.engine, version: b.version }).browser);

/** A stored run folder as the reporter and the history write it (full reports + index.json). */
function storeRun(results: string, folder: string, index: Partial<RunIndex>, reports: CompatReport[]): void {
  const dir = join(results, folder);
  mkdirSync(dir, { recursive: true });
  const files = reports.map((r) => {
    r.run.startedAt = folder;
    const file = `${r.browser.project}-${r.browser.version}.json`;
    writeFileSync(join(dir, file), JSON.stringify(r));
    writeFileSync(join(dir, file.replace(/\.json$/, '.html')), renderBrowserReport(r));
    return file;
  });
  writeFileSync(join(dir, 'cross-browser.html'), renderCrossBrowser(reports));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ generatedAt: '', startedAt: folder, status: 'passed', reports: files, ...index }),
  );
}

function report(b: Build, cells: Record<string, [Verdict, Verdict[]]>): CompatReport {
  const r = syntheticReport(
    b.project,
    Object.entries(cells).map(([id, [verdict, expected]]) => ({ id, verdict, expected })),
    { engine: b.engine, name: b.engine, version: b.version, label: b.project },
  );
  for (const s of r.scenarios) {
    s.checks = [
      {
        id: 'closed-by-application',
        title: "closed resolves with 'closed-by-application'",
        level: 'must',
        ok: s.verdict === 'pass',
        expected: 'closed-by-application',
        observed: s.verdict === 'pass' ? 'closed-by-application' : 'not seen',
        spec: '#session-closed',
      },
    ];
  }
  return r;
}

/** Two runs of a sweep: Chromium 92 fails A where 110 and 119 pass; Firefox 153 misses a keystatuseschange 140 has. */
function syntheticHistory(): { results: string; site: string } {
  const results = mkdtempSync(join(tmpdir(), 'eme-history-'));
  const site = mkdtempSync(join(tmpdir(), 'eme-site-'));
  const sweep = (a92: Verdict) => [
    report(CHROMIUM[0]!, { [A]: ['pass', ['pass']], [B]: ['pass', ['pass']] }),
    report(CHROMIUM[1]!, { [A]: [a92, ['pass']], [B]: ['pass', ['pass']] }),
    report(CHROMIUM[2]!, { [A]: ['pass', ['pass']], [B]: ['pass', ['pass']] }),
    report(FIREFOX[0]!, { [A]: ['pass', ['pass']], [B]: ['pass', ['pass']] }),
    report(FIREFOX[1]!, { [A]: ['pass', ['pass']], [B]: ['pass', ['pass']] }),
  ];
  const first = sweep('pass');
  storeRun(results, '2026-01-01T00-00-00-000Z', { scope: 'full', gaps: [] }, first);
  const second = sweep('fail');
  // Firefox 140 and 153 record different keystatuseschange-count sequences (153 misses the second event).
  second[3]!.scenarios[1]!.record = fixtureRecord('chromium-keystatuseschange-count');
  second[4]!.scenarios[1]!.record = fixtureRecord('firefox-keystatuseschange-count');
  storeRun(
    results,
    '2026-01-02T00-00-00-000Z',
    { scope: 'full', gaps: [], git: { commit: 'abcdef1234567', branch: 'main', dirty: false } },
    second,
  );
  // The first run's full reports are pruned: only its summary stays, and the dashboard still draws it.
  assert(applyRetention(results, { count: 1, maxAgeDays: null }).length === 1, 'one run pruned');
  const built = buildDashboard(results, site);
  assert(built.runs === 2 && built.skipped.length === 0, JSON.stringify(built));
  return { results, site };
}

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const hashOf = (page: Page) => page.evaluate(() => location.hash);

test('versions as columns in numeric order, a changed-in marker, the drill-down with its sequence diagram, state in the URL', async ({
  page,
}) => {
  const { site } = syntheticHistory();
  const url = pathToFileURL(join(site, 'index.html')).href;
  await page.goto(url);
  // Per engine, the tested versions as columns, ordered numerically (92 before 110, not after it).
  const chromiumKeys = [CHROMIUM[1]!, CHROMIUM[2]!, CHROMIUM[0]!].map(keyOf);
  const columns = page.locator('#grid th[data-column]');
  await expect(columns).toHaveText(['92.0.4512.0', '110.0.5478.0', '119.0.6045.0', '140.12.0', '153.8.0']);
  await expect(page.locator('#grid th.lane')).toHaveText(['chromium', 'firefox']);
  // Latest verdicts: 92 fails A (unexpected), 110 passes: changed in 110; nothing changed at 119.
  await expect(page.locator(`[data-cell="${A}|${chromiumKeys[0]}"]`)).toHaveClass(/fail unexpected/);
  const marker = page.locator(`[data-changed="${A}|${chromiumKeys[1]}"]`);
  await expect(marker).toHaveText('changed in 110');
  await expect(marker).toHaveAttribute('title', /^fail → pass \(from 92\.0\.4512\.0 to 110\.0\.5478\.0\)$/);
  await expect(page.locator(`[data-changed="${A}|${chromiumKeys[2]}"]`)).toHaveCount(0);
  // The recorded sequence changed between Firefox 140 and 153 with the same verdict.
  const firefox153 = keyOf(FIREFOX[1]!);
  await expect(page.locator(`[data-changed="${B}|${firefox153}"]`)).toHaveText('changed in 153');
  await expect(page.locator(`[data-changed="${B}|${firefox153}"]`)).toHaveAttribute(
    'title',
    /^recorded sequence changed/,
  );
  // The verdict-history strip: two runs, 92 passed then failed.
  await expect(page.locator(`[data-strip="${A}|${chromiumKeys[0]}"] i`)).toHaveClass(['pass', 'fail']);
  await expect(page.locator('#legend')).toContainText('not the expected verdict');
  // Pass ratio per group and engine: chromium has 5 of 6 cells passing in group C.
  await expect(page.locator('[data-ratio="C|chromium"]')).toHaveText('83% (5/6)');

  // The drill-down, beside the grid.
  await page.locator(`[data-cell="${B}|${firefox153}"]`).click();
  const detail = page.locator('#detail');
  await expect(detail).toBeVisible();
  await expect(detail.locator('#detail-title')).toHaveText(B);
  await expect(detail.locator('#detail-changed')).toContainText('changed in 153: recorded sequence changed');
  await expect(detail.locator('#detail-rules a')).toHaveAttribute(
    'href',
    'https://w3c.github.io/encrypted-media/#session-closed',
  );
  // The recorded sequence as a Mermaid diagram, drawn offline from vendor/mermaid.min.js.
  const svg = detail.locator('#diagram svg');
  // Mermaid (3.5 MB) is parsed on the first drill-down: allow for a busy machine.
  await expect(svg).toBeVisible({ timeout: 20_000 });
  await expect(svg).toContainText('License server');
  await expect(svg).toContainText('event s1.message(license-request)');
  // Against 140: the keystatuseschange 153 never fired.
  await expect(detail.locator('#detail-seqdiff li')).toHaveText(['− E:s1.keystatuseschange(usable×2)']);
  await expect(detail.locator('a', { hasText: 'per-browser report' })).toHaveAttribute(
    'href',
    /^runs\/2026-01-02T00-00-00-000Z\/firefox-153\.8\.0\.html#session\.keystatuseschange-count$/,
  );
  expect(await hashOf(page)).toContain(`cell=${encodeURIComponent(`${B}|${firefox153}`)}`);
  // The README's picture: the grid with the marker, and the drill-down beside it.
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.screenshot({ path: 'docs/dashboard.png' });

  // A link reproduces the view: filters and the open cell come back from the URL alone.
  await page.selectOption('#group', 'C');
  const link = page.url();
  const again = await page.context().newPage();
  await again.goto(link);
  await expect(again.locator('#group')).toHaveValue('C');
  await expect(again.locator('#detail-title')).toHaveText(B);
  await expect(again.locator(`[data-cell="${B}|${firefox153}"]`)).toHaveClass(/selected/);
  await expect(again.locator('#diagram svg')).toBeVisible({ timeout: 20_000 });
  await again.close();
});

test('one run at a time, a pruned run keeps its summary, and a diff between runs', async ({ page }) => {
  const { site } = syntheticHistory();
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  await page.selectOption('#run', '2026-01-01T00-00-00-000Z');
  expect(await hashOf(page)).toContain('run=2026-01-01T00-00-00-000Z');
  const key92 = keyOf(CHROMIUM[1]!);
  await expect(page.locator(`[data-cell="${A}|${key92}"]`)).toHaveText('pass');
  await page.locator(`[data-cell="${A}|${key92}"]`).click();
  await expect(page.locator('#detail')).toContainText('results/2026-01-01T00-00-00-000Z/ unless retention');
  await expect(page.locator('#diagram svg')).toBeVisible({ timeout: 20_000 });
  await page.selectOption('#run', '2026-01-02T00-00-00-000Z');
  await page.selectOption('#compare', '2026-01-01T00-00-00-000Z');
  const section = (name: string) => page.locator('#diff p', { hasText: new RegExp(`^${name} \\(`) });
  await expect(section('newly unexpected')).toHaveText('newly unexpected (1)');
  await expect(section('newly failing')).toHaveText('newly failing (1)');
  await expect(page.locator('#diff [data-diff="newly failing"]')).toHaveText([
    `${A} on chromium@92 92.0.4512.0: pass → fail`,
  ]);
  // Firefox 140 and 153 both recorded other sequences in the second run.
  await expect(section('changed sequence')).toHaveText('changed sequence (2)');
});

// ---- the site `eme-compat dashboard` built from the real results history (npm test's run)

const realResults = process.env['EME_RESULTS_DIR'] ?? 'results';
const realSite = pathToFileURL(resolve('out/dashboard/index.html')).href;

test('the real history: every latest verdict of every build, with per-group counts', async ({ page }, testInfo) => {
  const data = dashboardData(readStore(realResults).summaries);
  expect(data.runs.length, 'the results history has at least the run npm test just made').toBeGreaterThan(0);
  const latest: Record<string, Record<string, string>> = {};
  for (const run of data.runs)
    for (const [s, byKey] of Object.entries(run.cells))
      for (const [k, c] of Object.entries(byKey)) (latest[s] ??= {})[k] = c[0];
  await page.goto(realSite);
  await expect(page.locator('#grid')).toBeVisible();
  let cells = 0;
  for (const [scenario, byKey] of Object.entries(latest)) {
    for (const [key, verdict] of Object.entries(byKey)) {
      await expect(page.locator(`[data-cell="${scenario}|${key}"]`)).toHaveText(verdict);
      cells++;
    }
  }
  expect(cells).toBeGreaterThan(0);
  const group = data.scenarios.find((s) => latest[s.id])!.group;
  const key = Object.keys(Object.values(latest)[0]!)[0]!;
  const inGroup = data.scenarios.filter((s) => s.group === group && latest[s.id]?.[key]);
  const passes = inGroup.filter((s) => latest[s.id]![key] === 'pass').length;
  await expect(page.locator(`[data-group-count="${group}|${key}"]`)).toHaveText(`${passes}/${inGroup.length} pass`);
  await testInfo.attach('dashboard.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.screenshot({ path: 'out/dashboard.png' });
});

test('a marker the version sweep really found: idl.interfaces changed in Chromium 143', async ({ page }) => {
  // tests/fixtures/sweep holds one real run's summaries (index.json, summary and details, no full
  // reports): the catalog swept through Chromium 92, 103, 110, 119, 133, 143, 150, 156 (npm and Debian
  // builds) and Firefox ESR 140 and 153. Chromium's interface shape fails the spec's WebIDL before 143.
  const site = mkdtempSync(join(tmpdir(), 'eme-dashboard-sweep-'));
  const built = buildDashboard(resolve('tests/fixtures/sweep'), site);
  assert(built.runs === 1 && built.skipped.length === 0, JSON.stringify(built));
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  const chromium = (v: string) => `chromium|${v}|playwright`;
  const versions = ['92.0.4512.0', '103.0.5058.0', '110.0.5478.0', '119.0.6045.0', '133.0.6943.0', '143.0.7499.0'];
  const columns = await page
    .locator('#grid th[data-column]')
    .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));
  const at = versions.map((v) => columns.indexOf(chromium(v)));
  expect(
    at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)),
    JSON.stringify(columns),
  ).toBe(true);
  const scenario = 'idl.interfaces';
  await expect(page.locator(`[data-cell="${scenario}|${chromium('133.0.6943.0')}"]`)).toHaveClass(/fail/);
  await expect(page.locator(`[data-cell="${scenario}|${chromium('143.0.7499.0')}"]`)).toHaveClass(/pass/);
  await expect(page.locator(`[data-changed="${scenario}|${chromium('143.0.7499.0')}"]`)).toHaveText('changed in 143');
  await expect(page.locator(`[data-changed="${scenario}|${chromium('133.0.6943.0')}"]`)).toHaveCount(0);
});

test('player@version beside browser@version: the row names the player, a new player version that changed a verdict is marked', async ({
  page,
}) => {
  // Two runs of one browser build; between them Shaka went from 5.2.11 to 5.2.12 and the verdict changed.
  const results = mkdtempSync(join(tmpdir(), 'eme-history-players-'));
  const site = mkdtempSync(join(tmpdir(), 'eme-site-players-'));
  const P = 'player.shaka.dash.h264-cenc';
  const run = (folder: string, verdict: Verdict, version: string) => {
    const r = report(FIREFOX[1]!, { [P]: [verdict, ['pass']], [A]: ['pass', ['pass']] });
    r.scenarios.find((s) => s.id === P)!.player = { name: 'shaka', npmPackage: 'shaka-player', version };
    storeRun(results, folder, { scope: 'partial', gaps: [] }, [r]);
  };
  run('2026-02-01T00-00-00-000Z', 'fail', '5.2.11');
  run('2026-02-02T00-00-00-000Z', 'pass', '5.2.12');
  const built = buildDashboard(results, site);
  assert(built.runs === 2 && built.skipped.length === 0, JSON.stringify(built));
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  const key = keyOf(FIREFOX[1]!);
  await expect(page.locator(`[data-player="${P}"]`)).toHaveText('shaka-player@5.2.12');
  await expect(page.locator(`[data-player="${A}"]`)).toHaveCount(0);
  await expect(page.locator(`[data-player-changed="${P}|${key}"]`)).toHaveText('changed with shaka-player@5.2.12');
  await expect(page.locator(`[data-player-changed="${P}|${key}"]`)).toHaveAttribute(
    'title',
    'fail → pass (player shaka-player@5.2.11 → shaka-player@5.2.12, same browser build)',
  );
  await page.locator(`[data-cell="${P}|${key}"]`).click();
  await expect(page.locator('#detail-player')).toHaveText('player shaka-player@5.2.12 in this browser build');
});
