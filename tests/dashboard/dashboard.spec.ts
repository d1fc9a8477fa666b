// Opens the generated dashboard in a real browser and checks what it shows against the data it was
// built from: every grid cell, the per-group counts, a cell's history, and a run diff.
import { expect, test } from '@playwright/test';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { buildDashboard, readHistory } from '../../report/dashboard.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunIndex } from '../../report/compat-reporter.ts';
import type { Verdict } from '../../model/verdict.ts';
import { syntheticReport } from '../unit/helpers.ts';

const site = pathToFileURL(resolve('out/dashboard/index.html')).href;
const { data } = readHistory(process.env['EME_RESULTS_DIR'] ?? 'results');
/** The run the dashboard opens on: the latest full one, else the latest. */
const shown = () => data.runs.findLast((r) => r.scope === 'full') ?? data.runs.at(-1)!;

/** A stored run folder as the reporter writes it, with only the fields the dashboard reads filled in. */
function storeRun(
  results: string,
  folder: string,
  index: Partial<RunIndex>,
  reports: { project: string; cells: Record<string, [Verdict, Verdict[]]> }[],
): void {
  const dir = join(results, folder);
  mkdirSync(dir, { recursive: true });
  const files = reports.map(({ project, cells }) => {
    const scenarios = Object.entries(cells).map(([id, [verdict, expected]]) => ({ id, verdict, expected, spec: [] }));
    const report = syntheticReport(project, scenarios, { version: '1.0' });
    report.run.startedAt = folder;
    writeFileSync(join(dir, `${project}.json`), JSON.stringify(report));
    return `${project}.json`;
  });
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ generatedAt: '', startedAt: folder, status: 'passed', reports: files, ...index }),
  );
}

test('opens on the latest full run, labels a partial one, and a diff counts one-sided scenarios and expectedness', async ({
  page,
}) => {
  const results = mkdtempSync(join(tmpdir(), 'eme-history-'));
  const out = mkdtempSync(join(tmpdir(), 'eme-site-'));
  const [a, b] = ['lifecycle.temporary.keyids', 'lifecycle.temporary.cenc'];
  storeRun(
    results,
    '2026-01-01T00-00-00-000Z',
    { scope: 'full', gaps: [], git: { commit: 'abcdef1234567', branch: 'main', dirty: false } },
    [
      { project: 'chromium', cells: { [a]: ['pass', ['pass']], [b]: ['pass', ['pass']] } },
      { project: 'firefox', cells: { [a]: ['fail', ['fail']] } },
    ],
  );
  storeRun(results, '2026-01-02T00-00-00-000Z', { scope: 'partial', gaps: ['selection: grep keyids'] }, [
    { project: 'chromium', cells: { [a]: ['fail', ['pass']] } },
  ]);
  buildDashboard(results, out);
  await page.goto(pathToFileURL(join(out, 'index.html')).href);
  await expect(page.locator('#run')).toHaveValue('0');
  await expect(page.locator('#run option').nth(0)).toHaveText(/abcdef1 \(main\)$/);
  await expect(page.locator('#run option').nth(1)).toHaveText(/· partial$/);
  await expect(page.locator('#partial')).toHaveCount(0);
  await page.selectOption('#run', '1');
  await expect(page.locator('#partial')).toHaveText('Partial run: selection: grep keyids');
  await page.selectOption('#compare', '0');
  const section = (name: string) => page.locator('#diff p', { hasText: new RegExp(`^${name} \\(`) });
  await expect(section('newly unexpected')).toHaveText('newly unexpected (1)');
  await expect(section('newly failing')).toHaveText('newly failing (1)');
  await expect(section('only in the earlier run')).toHaveText('only in the earlier run (2)');
  await expect(page.locator('#diff [data-diff="only in the earlier run"]')).toHaveText([
    `${a} on firefox: fail`,
    `${b} on chromium: pass`,
  ]);
  await expect(section('only in the later run')).toHaveText('only in the later run (0)');
});

test('the grid shows every verdict of the run it opens on, with per-group counts', async ({ page }, testInfo) => {
  expect(data.runs.length, 'the results history has at least the run npm test just made').toBeGreaterThan(0);
  const run = shown();
  await page.goto(site);
  await expect(page.locator('#grid')).toBeVisible();
  let cells = 0;
  for (const [scenario, byColumn] of Object.entries(run.cells)) {
    for (const [key, cell] of Object.entries(byColumn)) {
      await expect(page.locator(`[data-cell="${scenario}|${key}"]`)).toHaveText(cell.verdict);
      cells++;
    }
  }
  expect(cells).toBeGreaterThan(0);
  const group = data.scenarios.find((s) => run.cells[s.id])!.group;
  const column = run.columns[0]!;
  const inGroup = data.scenarios.filter((s) => s.group === group && run.cells[s.id]?.[column.key]);
  const passes = inGroup.filter((s) => run.cells[s.id]![column.key]!.verdict === 'pass').length;
  await expect(page.locator(`[data-group-count="${group}|${column.key}"]`)).toHaveText(
    `${passes}/${inGroup.length} pass`,
  );
  await testInfo.attach('dashboard.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  // The README's picture (docs/dashboard.png is a copy): the top of the page, as a reader first sees it.
  await page.screenshot({ path: 'out/dashboard.png' });
});

test('filters narrow the grid, a cell opens its history, and two runs can be compared', async ({ page }) => {
  const run = shown();
  await page.goto(site);
  await page.selectOption('#verdict', 'unsupported');
  // Rows with at least one unsupported verdict stay, with all of their cells.
  const rows = data.scenarios.filter((s) =>
    run.columns.some((c) => run.cells[s.id]?.[c.key]?.verdict === 'unsupported'),
  );
  const cellsShown = rows.reduce((n, s) => n + run.columns.filter((c) => run.cells[s.id]?.[c.key]).length, 0);
  await expect(page.locator('#grid [data-cell]')).toHaveCount(cellsShown);
  await page.selectOption('#verdict', '');

  const [scenario, byColumn] = Object.entries(run.cells)[0]!;
  const key = Object.keys(byColumn)[0]!;
  await page.locator(`[data-cell="${scenario}|${key}"]`).click();
  const project = key.split('@')[0];
  const runsWithCell = data.runs.filter((r) =>
    r.columns.some((c) => c.project === project && r.cells[scenario]?.[c.key]),
  ).length;
  await expect(page.locator('#detail tr')).toHaveCount(runsWithCell + 1);

  await page.selectOption('#compare', '0');
  await expect(page.locator('#diff')).toContainText('newly failing');
  await expect(page.locator('#diff')).toContainText('fixed');
});
