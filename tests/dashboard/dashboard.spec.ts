// Opens the generated dashboard in a real browser and checks what it shows against the data it was
// built from: every grid cell, the per-group counts, a cell's history, and a run diff.
import { expect, test } from '@playwright/test';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readHistory } from '../../report/dashboard.ts';

const site = pathToFileURL(resolve('out/dashboard/index.html')).href;
const { data } = readHistory(process.env['EME_RESULTS_DIR'] ?? 'results');

test('the grid shows every verdict of the latest run, with per-group counts', async ({ page }, testInfo) => {
  expect(data.runs.length, 'the results history has at least the run npm test just made').toBeGreaterThan(0);
  const run = data.runs.at(-1)!;
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
  await expect(page.locator(`[data-group-count="${group}|${column.key}"]`)).toHaveText(`${passes}/${inGroup.length} pass`);
  await testInfo.attach('dashboard.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.screenshot({ path: 'out/dashboard.png', fullPage: true });
});

test('filters narrow the grid, a cell opens its history, and two runs can be compared', async ({ page }) => {
  const run = data.runs.at(-1)!;
  await page.goto(site);
  await page.selectOption('#verdict', 'unsupported');
  // Rows with at least one unsupported verdict stay, with all of their cells.
  const rows = data.scenarios.filter((s) => run.columns.some((c) => run.cells[s.id]?.[c.key]?.verdict === 'unsupported'));
  const cellsShown = rows.reduce((n, s) => n + run.columns.filter((c) => run.cells[s.id]?.[c.key]).length, 0);
  await expect(page.locator('#grid [data-cell]')).toHaveCount(cellsShown);
  await page.selectOption('#verdict', '');

  const [scenario, byColumn] = Object.entries(run.cells)[0]!;
  const key = Object.keys(byColumn)[0]!;
  await page.locator(`[data-cell="${scenario}|${key}"]`).click();
  const project = key.split('@')[0];
  const runsWithCell = data.runs.filter((r) => r.columns.some((c) => c.project === project && r.cells[scenario]?.[c.key])).length;
  await expect(page.locator('#detail tr')).toHaveCount(runsWithCell + 1);

  await page.selectOption('#compare', '0');
  await expect(page.locator('#diff')).toContainText('newly failing');
  await expect(page.locator('#diff')).toContainText('fixed');
});
