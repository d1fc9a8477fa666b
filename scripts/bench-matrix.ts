// `npm run bench:matrix`: runs the whole catalog in the browser projects and says where the wall time
// goes: per browser, the start-up cost, the in-page time of the scenarios (from their timelines) and the
// harness overhead around them; the floor (start-ups + in-page time, spread over the workers used) and
// wall/floor. It also times one bare lifecycle page with no harness, as a yardstick.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { chromium, firefox, type BrowserType, type LaunchOptions } from '@playwright/test';
import { KeyStore } from '../server/keystore.ts';
import { loadProfiles } from '../harness/browsers/profiles.ts';

const program = new Command('bench-matrix')
  .description('Time the full catalog against its floor (start-ups + in-page time over the workers).')
  .option('-p, --project <names...>', 'browser projects', ['chromium', 'firefox', 'webkit'])
  .option('-w, --workers <n>', 'parallel workers (default: the config\'s)')
  .option('--json <file>', 'where to write the figures', 'out/bench-matrix.json')
  .parse();
const opts = program.opts<{ project: string[]; workers?: string; json: string }>();
const require = createRequire(import.meta.url);

interface Timing {
  worker: number;
  project: string;
  browserStartupMs: number;
  inPageMs: number;
}

// 1. The matrix, as the README's test command runs it.
const args = [require.resolve('@playwright/test/cli'), 'test', 'tests/e2e/scenarios.spec.ts', ...opts.project.flatMap((p) => ['--project', p]), ...(opts.workers ? ['--workers', opts.workers] : [])];
console.log(`bench: ${opts.project.join(', ')} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`);
const started = performance.now();
const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
const wallMs = performance.now() - started;
if (run.status !== 0) console.warn(`bench: the matrix exited ${run.status}; figures still follow`);

interface JsonSuite { suites?: JsonSuite[]; specs?: { tests: { projectName: string; results: { duration: number; parallelIndex: number; annotations?: { type: string; description?: string }[] }[] }[] }[] }
const results: (Timing & { durationMs: number })[] = [];
const walk = (suite: JsonSuite) => {
  suite.suites?.forEach(walk);
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests) {
      for (const r of t.results) {
        const timing = r.annotations?.find((a) => a.type === 'timing')?.description;
        if (timing) results.push({ ...(JSON.parse(timing) as Timing), durationMs: r.duration });
      }
    }
  }
};
walk(JSON.parse(readFileSync('out/playwright-results.json', 'utf8')) as JsonSuite);

// 2. Where the time went.
const workers = new Map<string, number>(); // `${worker}/${project}` → start-up
for (const r of results) workers.set(`${r.worker}/${r.project}`, r.browserStartupMs);
const perProject = opts.project.map((project) => {
  const rs = results.filter((r) => r.project === project);
  const startup = [...workers.entries()].filter(([k]) => k.endsWith(`/${project}`)).map(([, v]) => v);
  const tests = rs.reduce((n, r) => n + r.durationMs, 0);
  const inPage = rs.reduce((n, r) => n + r.inPageMs, 0);
  const startupMs = startup.reduce((a, b) => a + b, 0);
  // Playwright counts a worker's browser start-up in its first test's duration: take it out once.
  return { project, scenarios: rs.length, launches: startup.length, startupMs, inPageMs: inPage, testMs: tests, overheadMs: tests - inPage - startupMs };
});
const workerCount = new Set(results.map((r) => r.worker)).size || 1;
const parallel = Number(opts.workers ?? Math.max(2, cpus().length));
const totalWork = perProject.reduce((n, p) => n + p.startupMs + p.inPageMs, 0);
const floorMs = totalWork / parallel;

// 3. The yardstick: one lifecycle with nothing around it.
async function bare(type: BrowserType, options: LaunchOptions, name: string) {
  const base = `http://127.0.0.1:${process.env['EME_PORT'] ?? 8787}`;
  const { spawn } = await import('node:child_process');
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--runs-dir', 'out/runs/bench-bare'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  try {
    const created = (await (await fetch(`${base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'bare' }) })).json()) as { id: string };
    const kid = KeyStore.load('media/keys.json').byLabel('key-1')!.kid.toString('base64url');
    const t0 = performance.now();
    const browser = await type.launch(options);
    const launchMs = performance.now() - t0;
    const page = await browser.newPage();
    const t1 = performance.now();
    await page.goto(`${base}/bare-lifecycle.html?run=${created.id}&kid=${kid}`);
    await page.waitForFunction(() => document.title.startsWith('done') || document.title.startsWith('failed'));
    const pageTotalMs = performance.now() - t1;
    const title = await page.title();
    await browser.close();
    return { browser: name, launchMs: Math.round(launchMs), lifecycleInPageMs: Number(title.split(' ')[1]), navigateToDoneMs: Math.round(pageTotalMs), ok: title.startsWith('done') };
  } finally {
    server.kill('SIGTERM');
  }
}
const profiles = loadProfiles();
const launchOptions = (name: string): LaunchOptions => {
  const p = profiles.find((x) => x.project === name)!;
  return { ...(p.channel ? { channel: p.channel } : {}), ...(p.executablePath ? { executablePath: p.executablePath } : {}), args: p.args, ...(p.engine === 'firefox' ? { firefoxUserPrefs: p.prefs } : {}) };
};
const yardsticks = [await bare(chromium, launchOptions('chromium'), 'chromium'), await bare(firefox, launchOptions('firefox'), 'firefox')];

// 4. Report.
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rows = [['project', 'scenarios', 'launches', 'start-up', 'in-page', 'tests', 'overhead'], ...perProject.map((p) => [p.project, String(p.scenarios), String(p.launches), s(p.startupMs), s(p.inPageMs), s(p.testMs), s(p.overheadMs)])];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('\n' + rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n'));
console.log(`\nwall ${s(wallMs)} | floor ${s(floorMs)} (start-ups + in-page time over ${parallel} workers; ${workerCount} worker slots used) | wall/floor ${(wallMs / floorMs).toFixed(2)} (target ≤ 1.25)`);
for (const y of yardsticks) console.log(`bare lifecycle page, ${y.browser}: launch ${y.launchMs} ms, lifecycle ${y.lifecycleInPageMs} ms in the page, goto→done ${y.navigateToDoneMs} ms${y.ok ? '' : ' (FAILED)'}`);
mkdirSync('out', { recursive: true });
writeFileSync(opts.json, JSON.stringify({ wallMs: Math.round(wallMs), floorMs: Math.round(floorMs), ratio: wallMs / floorMs, workers: parallel, perProject, yardsticks }, null, 2) + '\n');
console.log(`figures: ${opts.json}`);
