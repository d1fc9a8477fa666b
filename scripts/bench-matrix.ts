// `npm run bench:matrix`: runs the whole catalog in the browser projects and says where the wall time
// goes: per browser, the start-up cost, the in-page time of the scenarios (from their timelines) and the
// harness overhead around them, split by phase; the floor (per worker slot: start-ups + in-page time,
// the busiest slot) and wall/floor; and how busy the CPU was. It also times one bare lifecycle page
// with no harness, as a yardstick.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { chromium, firefox, type BrowserType, type LaunchOptions } from '@playwright/test';
import { KeyStore } from '../model/keystore.ts';
import { readConfig } from '../harness/config.ts';
import { loadProfiles } from '../harness/browsers/profiles.ts';

const program = new Command('bench-matrix')
  .description('Time the full catalog against its floor (start-ups + in-page time over the workers).')
  .option('-p, --project <names...>', 'browser projects', ['chromium', 'firefox', 'webkit'])
  .option('-w, --workers <n>', "parallel workers (default: the config's)")
  .option('--json <file>', 'where to write the figures', 'out/bench-matrix.json')
  .parse();
const opts = program.opts<{ project: string[]; workers?: string; json: string }>();
const require = createRequire(import.meta.url);

interface Timing {
  worker: number;
  project: string;
  browserStartupMs: number;
  /** Getting a runner page started (waiting for a readied tab, or a new one). */
  startMs: number;
  inPageMs: number;
  /** Waiting for the page's report beyond its own time. */
  reportMs: number;
  /** Photographing held frames. */
  pictureMs: number;
}

/** Busy and total CPU time of the machine so far, in seconds (Linux /proc/stat; null elsewhere). */
function cpuTimes(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 8).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3]! + fields[4]!;
    const hz = 100;
    return { busy: (total - idle) / hz, total: total / hz };
  } catch {
    return null;
  }
}

// 1. The matrix, as the README's test command runs it.
const args = [
  require.resolve('@playwright/test/cli'),
  'test',
  'tests/e2e/scenarios.spec.ts',
  ...opts.project.flatMap((p) => ['--project', p]),
  ...(opts.workers ? ['--workers', opts.workers] : []),
];
console.log(`bench: ${opts.project.join(', ')} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`);
const started = performance.now();
const cpuBefore = cpuTimes();
const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
const wallMs = performance.now() - started;
const cpuAfter = cpuTimes();
const cpuBusy =
  cpuBefore && cpuAfter
    ? {
        busySeconds: Math.round(cpuAfter.busy - cpuBefore.busy),
        share: (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total),
      }
    : null;
if (run.status !== 0) console.warn(`bench: the matrix exited ${run.status}; figures still follow`);

interface JsonSuite {
  suites?: JsonSuite[];
  specs?: {
    tests: {
      projectName: string;
      results: { duration: number; parallelIndex: number; annotations?: { type: string; description?: string }[] }[];
    }[];
  }[];
}
const results: (Timing & { durationMs: number; slot: number })[] = [];
const walk = (suite: JsonSuite) => {
  suite.suites?.forEach(walk);
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests) {
      for (const r of t.results) {
        const timing = r.annotations?.find((a) => a.type === 'timing')?.description;
        if (timing) results.push({ ...(JSON.parse(timing) as Timing), durationMs: r.duration, slot: r.parallelIndex });
      }
    }
  }
};
walk(JSON.parse(readFileSync('out/playwright-results.json', 'utf8')) as JsonSuite);

// 2. Where the time went.
const sum = (rs: typeof results, key: keyof Timing | 'durationMs') => rs.reduce((n, r) => n + (r[key] as number), 0);
const launches = new Map<string, { project: string; slot: number; ms: number }>(); // by worker process
for (const r of results)
  launches.set(`${r.worker}/${r.project}`, { project: r.project, slot: r.slot, ms: r.browserStartupMs });
const perProject = opts.project.map((project) => {
  const rs = results.filter((r) => r.project === project);
  const startup = [...launches.values()].filter((l) => l.project === project).map((l) => l.ms);
  const startupMs = startup.reduce((a, b) => a + b, 0);
  const testMs = sum(rs, 'durationMs');
  const phases = {
    startMs: sum(rs, 'startMs'),
    inPageMs: sum(rs, 'inPageMs'),
    reportMs: sum(rs, 'reportMs'),
    pictureMs: sum(rs, 'pictureMs'),
  };
  // A test's duration leaves out worker fixtures, so the browser start-ups are not in testMs.
  const overheadMs = testMs - phases.inPageMs;
  return {
    project,
    scenarios: rs.length,
    launches: startup.length,
    startupMs,
    ...phases,
    testMs,
    overheadMs,
    otherMs: overheadMs - phases.startMs - phases.reportMs - phases.pictureMs,
  };
});
const parallel = Number(opts.workers ?? Math.max(2, cpus().length));
// The floor, as the issue defines it: per worker slot, its browsers' start-ups plus the in-page time
// of the scenarios it ran; the matrix cannot end before its busiest slot. (Spreading all of that work
// evenly over the slots gives a lower bound, printed too.)
const slots = [...new Set(results.map((r) => r.slot))].sort((a, b) => a - b);
const perSlot = slots.map((slot) => ({
  slot,
  work:
    sum(
      results.filter((r) => r.slot === slot),
      'inPageMs',
    ) + [...launches.values()].filter((l) => l.slot === slot).reduce((n, l) => n + l.ms, 0),
}));
const floorMs = Math.max(...perSlot.map((x) => x.work));
const evenFloorMs = perSlot.reduce((n, x) => n + x.work, 0) / parallel;

// 3. The yardstick: one lifecycle with nothing around it.
async function bare(type: BrowserType, options: LaunchOptions, name: string) {
  const base = readConfig().baseURL;
  const { spawn } = await import('node:child_process');
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--runs-dir', 'out/runs/bench-bare'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    server.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()),
  );
  try {
    const created = (await (
      await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'bare' }),
      })
    ).json()) as { id: string };
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
    return {
      browser: name,
      launchMs: Math.round(launchMs),
      lifecycleInPageMs: Number(title.split(' ')[1]),
      navigateToDoneMs: Math.round(pageTotalMs),
      ok: title.startsWith('done'),
    };
  } finally {
    server.kill('SIGTERM');
  }
}
const profiles = loadProfiles();
const launchOptions = (name: string): LaunchOptions => {
  const p = profiles.find((x) => x.project === name)!;
  return {
    ...(p.channel ? { channel: p.channel } : {}),
    ...(p.executablePath ? { executablePath: p.executablePath } : {}),
    args: p.args,
    ...(p.engine === 'firefox' ? { firefoxUserPrefs: p.prefs } : {}),
  };
};
const yardsticks = [
  await bare(chromium, launchOptions('chromium'), 'chromium'),
  await bare(firefox, launchOptions('firefox'), 'firefox'),
];

// 4. Report.
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const header = [
  'project',
  'scenarios',
  'launches',
  'start-up',
  'in-page',
  'tests',
  'overhead',
  '= page start',
  '+ report wait',
  '+ pictures',
  '+ other',
];
const rows = [
  header,
  ...perProject.map((p) => [
    p.project,
    String(p.scenarios),
    String(p.launches),
    s(p.startupMs),
    s(p.inPageMs),
    s(p.testMs),
    s(p.overheadMs),
    s(p.startMs),
    s(p.reportMs),
    s(p.pictureMs),
    s(p.otherMs),
  ]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}`);
console.log('(other: the test runner, fixtures, judging and attachments, between and around runs)');
console.log(
  `\nwall ${s(wallMs)} | floor ${s(floorMs)} (busiest of ${slots.length} worker slots: start-ups + in-page time) | wall/floor ${(wallMs / floorMs).toFixed(2)} (target ≤ 1.25)`,
);
console.log(
  `even-spread floor ${s(evenFloorMs)} (all start-ups + in-page time over ${parallel} workers) | wall/even floor ${(wallMs / evenFloorMs).toFixed(2)}`,
);
if (cpuBusy)
  console.log(
    `CPU busy during the matrix: ${cpuBusy.busySeconds} s, ${(cpuBusy.share * 100).toFixed(0)}% of ${cpus().length} cores`,
  );
for (const y of yardsticks)
  console.log(
    `bare lifecycle page, ${y.browser}: launch ${y.launchMs} ms, lifecycle ${y.lifecycleInPageMs} ms in the page, goto→done ${y.navigateToDoneMs} ms${y.ok ? '' : ' (FAILED)'}`,
  );
mkdirSync('out', { recursive: true });
writeFileSync(
  opts.json,
  `${JSON.stringify(
    {
      wallMs: Math.round(wallMs),
      floorMs: Math.round(floorMs),
      ratio: wallMs / floorMs,
      evenFloorMs: Math.round(evenFloorMs),
      evenRatio: wallMs / evenFloorMs,
      workers: parallel,
      perSlot,
      cpuBusy,
      perProject,
      yardsticks,
    },
    null,
    2,
  )}\n`,
);
console.log(`figures: ${opts.json}`);
