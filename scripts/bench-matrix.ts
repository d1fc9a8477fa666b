// `npm run bench:matrix`: runs the whole catalog in the browser projects and says where the wall time
// goes: per browser, the start-up cost, the in-page time of the scenarios (from their timelines) and the
// harness overhead around them, split by phase; the floor and wall/floor; and how busy the CPU was. It
// also times one bare lifecycle page with no harness, as a yardstick, and from it one bare navigation
// per engine. The floor (issue #16): every scenario keeps a document nothing else has used, so per
// worker slot it is start-ups + Σ(in-page time + one bare navigation), taking the busiest slot.
// `--sweep <builds...>` / `--set versions` times `eme-compat sweep` instead: per build, wall against
// that floor, and the whole sweep (downloads cached) against the sum of the builds' floors.
import { Command } from 'commander';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { chromium, firefox, type BrowserType, type LaunchOptions } from '@playwright/test';
import { KeyStore } from '../model/keystore.ts';
import { readConfig } from '../harness/config.ts';
import { loadProfiles } from '../harness/browsers/profiles.ts';
import { engineOf, parseBuilds } from '../harness/builds/spec.ts';
import { formatSweep, sweep } from '../cli/sweep.ts';
import { parseRetention, recordRun } from '../report/store/store.ts';

const program = new Command('bench-matrix')
  .description('Time the full catalog (or a sweep of builds) against its floor.')
  .option('-p, --project <names...>', 'browser projects', ['chromium', 'firefox', 'webkit'])
  .option('-w, --workers <n>', "parallel workers (default: the config's)")
  .option('--json <file>', 'where to write the figures', 'out/bench-matrix.json')
  .option('--sweep <builds...>', 'time a sweep over these builds (e.g. chromium@92,119 firefox-esr@140)')
  .option('--set <name>', 'time a sweep over a named build set (versions)')
  .option('--grep <regexp>', 'sweep mode: only these scenarios')
  .option('--out <dir>', 'sweep mode: where the sweep writes', 'out/sweep')
  .option('--keep', 'sweep mode: keep the sweep in the results history, as `eme-compat sweep` does')
  .parse();
const opts = program.opts<{
  project: string[];
  workers?: string;
  json: string;
  sweep?: string[];
  set?: string;
  grep?: string;
  out: string;
  keep?: boolean;
}>();
const require = createRequire(import.meta.url);
const parallel = Number(opts.workers ?? readConfig().workers ?? Math.max(2, cpus().length));

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
type TestTiming = Timing & { durationMs: number; slot: number };

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
function cpuShare(before: ReturnType<typeof cpuTimes>, after: ReturnType<typeof cpuTimes>) {
  return before && after
    ? {
        busySeconds: Math.round(after.busy - before.busy),
        share: (after.busy - before.busy) / (after.total - before.total),
      }
    : null;
}

interface JsonSuite {
  suites?: JsonSuite[];
  specs?: {
    tests: {
      projectName: string;
      results: { duration: number; parallelIndex: number; annotations?: { type: string; description?: string }[] }[];
    }[];
  }[];
}
/** Every test's timing annotation from a Playwright JSON report. */
function readTimings(file: string): TestTiming[] {
  const results: TestTiming[] = [];
  const walk = (suite: JsonSuite) => {
    suite.suites?.forEach(walk);
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests)
        for (const r of t.results) {
          const timing = r.annotations?.find((a) => a.type === 'timing')?.description;
          if (timing)
            results.push({ ...(JSON.parse(timing) as Timing), durationMs: r.duration, slot: r.parallelIndex });
        }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')) as JsonSuite);
  return results;
}

/** The yardstick: one lifecycle with nothing around it; goto→done minus the page's own time is one bare navigation. */
async function bare(type: BrowserType, options: LaunchOptions, name: string) {
  const base = readConfig().baseURL;
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
    const lifecycleInPageMs = Number(title.split(' ')[1]);
    return {
      browser: name,
      launchMs: Math.round(launchMs),
      lifecycleInPageMs,
      navigateToDoneMs: Math.round(pageTotalMs),
      bareNavigationMs: Math.max(0, Math.round(pageTotalMs - lifecycleInPageMs)),
      ok: title.startsWith('done'),
    };
  } finally {
    server.kill('SIGTERM');
  }
}
async function yardsticks() {
  const profiles = loadProfiles('debian');
  const launchOptions = (name: string): LaunchOptions => {
    const p = profiles.find((x) => x.project === name)!;
    return {
      ...(p.channel ? { channel: p.channel } : {}),
      ...(p.executablePath ? { executablePath: p.executablePath } : {}),
      args: p.args,
      ...(p.engine === 'firefox' ? { firefoxUserPrefs: p.prefs } : {}),
    };
  };
  return [
    await bare(chromium, launchOptions('chromium'), 'chromium'),
    await bare(firefox, launchOptions('firefox'), 'firefox'),
  ];
}

/**
 * The floor of one run over its worker slots: per slot, its browsers' start-ups plus, per scenario,
 * in-page time and one bare navigation (the unavoidable part of a fresh document); the busiest slot.
 */
function floorOf(results: TestTiming[], bareNavigationMs: (project: string) => number) {
  const launches = new Map<string, { project: string; slot: number; ms: number }>(); // by worker process
  for (const r of results)
    launches.set(`${r.worker}/${r.project}`, { project: r.project, slot: r.slot, ms: r.browserStartupMs });
  const slots = [...new Set(results.map((r) => r.slot))].sort((a, b) => a - b);
  const perSlot = slots.map((slot) => ({
    slot,
    work:
      results.filter((r) => r.slot === slot).reduce((n, r) => n + r.inPageMs + bareNavigationMs(r.project), 0) +
      [...launches.values()].filter((l) => l.slot === slot).reduce((n, l) => n + l.ms, 0),
  }));
  const floorMs = Math.max(0, ...perSlot.map((x) => x.work));
  return { floorMs, evenFloorMs: perSlot.reduce((n, x) => n + x.work, 0) / parallel, perSlot, launches };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
};

async function matrixMode() {
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
  const cpuBusy = cpuShare(cpuBefore, cpuTimes());
  if (run.status !== 0) console.warn(`bench: the matrix exited ${run.status}; figures still follow`);
  const results = readTimings('out/playwright-results.json');
  const sticks = await yardsticks();
  const engineOfProject = new Map(loadProfiles().map((p) => [p.project, p.engine]));
  const nav = (project: string) =>
    sticks.find((y) => y.browser === engineOfProject.get(project))?.bareNavigationMs ?? 0;
  const sum = (rs: TestTiming[], key: keyof Timing | 'durationMs') => rs.reduce((n, r) => n + (r[key] as number), 0);
  const { floorMs, evenFloorMs, perSlot, launches } = floorOf(results, nav);
  const perProject = opts.project.map((project) => {
    const rs = results.filter((r) => r.project === project);
    const startup = [...launches.values()].filter((l) => l.project === project).map((l) => l.ms);
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
      startupMs: startup.reduce((a, b) => a + b, 0),
      bareNavigationsMs: rs.length * nav(project),
      ...phases,
      testMs,
      overheadMs,
      otherMs: overheadMs - phases.startMs - phases.reportMs - phases.pictureMs,
    };
  });
  const header = ['project', 'scenarios', 'launches', 'start-up', 'in-page', 'bare navs', 'tests', 'overhead'];
  const more = ['= page start', '+ report wait', '+ pictures', '+ other'];
  console.log(
    `\n${table([
      [...header, ...more],
      ...perProject.map((p) => [
        p.project,
        String(p.scenarios),
        String(p.launches),
        s(p.startupMs),
        s(p.inPageMs),
        s(p.bareNavigationsMs),
        s(p.testMs),
        s(p.overheadMs),
        s(p.startMs),
        s(p.reportMs),
        s(p.pictureMs),
        s(p.otherMs),
      ]),
    ])}`,
  );
  console.log('(other: the test runner, fixtures, judging and attachments, between and around runs)');
  console.log(
    `\nwall ${s(wallMs)} | floor ${s(floorMs)} (busiest of ${perSlot.length} worker slots: start-ups + Σ(in-page + one bare navigation)) | wall/floor ${(wallMs / floorMs).toFixed(2)} (target ≤ 1.25)`,
  );
  console.log(`even-spread floor ${s(evenFloorMs)} | wall/even floor ${(wallMs / evenFloorMs).toFixed(2)}`);
  if (cpuBusy)
    console.log(`CPU busy: ${cpuBusy.busySeconds} s, ${(cpuBusy.share * 100).toFixed(0)}% of ${cpus().length} cores`);
  printYardsticks(sticks);
  return {
    mode: 'matrix',
    wallMs: Math.round(wallMs),
    floorMs: Math.round(floorMs),
    ratio: wallMs / floorMs,
    evenFloorMs: Math.round(evenFloorMs),
    evenRatio: wallMs / evenFloorMs,
    workers: parallel,
    perSlot,
    cpuBusy,
    perProject,
    yardsticks: sticks,
  };
}

function printYardsticks(sticks: Awaited<ReturnType<typeof yardsticks>>) {
  for (const y of sticks)
    console.log(
      `bare lifecycle page, ${y.browser}: launch ${y.launchMs} ms, lifecycle ${y.lifecycleInPageMs} ms in the page, goto→done ${y.navigateToDoneMs} ms, bare navigation ${y.bareNavigationMs} ms${y.ok ? '' : ' (FAILED)'}`,
    );
}

async function sweepMode() {
  let specs;
  try {
    specs = parseBuilds([...(opts.set ? [opts.set] : []), ...(opts.sweep ?? [])].join(' '));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  }
  console.log(`bench: sweep of ${specs.length} build(s) on ${cpus().length} cores, ${parallel} workers`);
  const sticks = await yardsticks();
  const cpuBefore = cpuTimes();
  const result = await sweep({
    builds: specs,
    outDir: opts.out,
    ...(opts.grep ? { grep: opts.grep } : {}),
    ...(opts.workers ? { workers: Number(opts.workers) } : {}),
    progress: (line) => console.log(`sweep: ${line}`),
  });
  const cpuBusy = cpuShare(cpuBefore, cpuTimes());
  console.log(`\n${formatSweep(result)}`);
  const perBuild = result.builds.map((b) => {
    const file = join(opts.out, b.build, 'playwright-results.json');
    const results = existsSync(file) ? readTimings(file) : [];
    const family = b.build.split('@')[0] as 'chromium' | 'firefox-esr';
    const nav = sticks.find((y) => y.browser === engineOf(family))?.bareNavigationMs ?? 0;
    const { floorMs } = floorOf(results, () => nav);
    const startupMs = [...new Map(results.map((r) => [`${r.worker}`, r.browserStartupMs])).values()].reduce(
      (a, x) => a + x,
      0,
    );
    return {
      build: b.build,
      version: b.version,
      driver: b.driver,
      scenarios: results.length,
      startupMs,
      inPageMs: results.reduce((n, r) => n + r.inPageMs, 0),
      bareNavigationsMs: results.length * nav,
      floorMs: Math.round(floorMs),
      wallMs: Math.round(b.wallMs),
      ratio: floorMs ? b.wallMs / floorMs : null,
    };
  });
  console.log(
    `\n${table([
      ['build', 'scenarios', 'start-up', 'in-page', 'bare navs', 'floor', 'wall', 'wall/floor'],
      ...perBuild.map((b) => [
        b.build,
        String(b.scenarios),
        s(b.startupMs),
        s(b.inPageMs),
        s(b.bareNavigationsMs),
        s(b.floorMs),
        s(b.wallMs),
        b.ratio ? b.ratio.toFixed(2) : '-',
      ]),
    ])}`,
  );
  const runMs = result.wallMs - result.installMs;
  const floorMs = perBuild.reduce((n, b) => n + b.floorMs, 0);
  console.log(
    `\nsweep: ${perBuild.length} builds, wall ${s(runMs)} without installs (${s(result.installMs)} installing) | Σ floors ${s(floorMs)} | wall/floor ${(runMs / floorMs).toFixed(2)} (target ≤ 1.25) | ${perBuild.length} builds × the catalog in ${(runMs / 60_000).toFixed(1)} min (target: ≥ 10 builds in ≤ 10 min)`,
  );
  if (cpuBusy)
    console.log(`CPU busy: ${cpuBusy.busySeconds} s, ${(cpuBusy.share * 100).toFixed(0)}% of ${cpus().length} cores`);
  printYardsticks(sticks);
  if (opts.keep) {
    const { resultsDir, resultsRetention } = readConfig();
    if (resultsDir) {
      const kept = recordRun(opts.out, resultsDir, parseRetention(resultsRetention));
      console.log(kept.kept ? `sweep kept in the history → ${kept.folder}/` : `sweep not kept: ${kept.why}`);
    }
  }
  return {
    mode: 'sweep',
    wallMs: Math.round(runMs),
    installMs: Math.round(result.installMs),
    floorMs,
    ratio: runMs / floorMs,
    workers: parallel,
    cpuBusy,
    perBuild,
    yardsticks: sticks,
  };
}

const figures = opts.sweep || opts.set ? await sweepMode() : await matrixMode();
mkdirSync('out', { recursive: true });
writeFileSync(opts.json, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`figures: ${opts.json}`);
