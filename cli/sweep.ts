// `eme-compat sweep`: the whole catalog across many browser builds, one build at a time. It installs
// the builds that are missing (cached downloads and unpacks), runs `playwright test` once per build
// (each with its own report folder), then gathers every build's reports into one run — reports,
// exports, BCD over all versions, the cross-browser view, index.json and sweep.json (timings per
// build) — and keeps that run in the results history, so the history holds one run per sweep with one
// report per (engine, version).
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installBuilds, type Progress } from '../harness/builds/install.ts';
import type { Build } from '../harness/builds/cache.ts';
import { formatBuilds, type BuildSpec } from '../harness/builds/spec.ts';
import { countVerdicts, readReport, type CompatReport, type VerdictCounts } from '../model/results.ts';
import { toBcd } from '../report/exports.ts';
import { renderCrossBrowser } from '../report/html.ts';
import { readSourceRevision } from '../report/revision.ts';
import { REPORT_INDEX, type RunIndex } from '../report/run-index.ts';
import { readConfig } from '../harness/config.ts';

export const SWEEP_FILE = 'sweep.json';
const PLAYWRIGHT_JSON = 'out/playwright-results.json';

export interface SweepOptions {
  builds: BuildSpec[];
  /** Where the sweep's run goes: <outDir>/<build>/ per build, the gathered run in <outDir>/. */
  outDir: string;
  /** A Playwright --grep (a narrowed sweep is a partial run). */
  grep?: string;
  workers?: number;
  port?: number;
  progress?: Progress;
  /** Extra environment for every build's run. */
  env?: NodeJS.ProcessEnv;
}

export interface SweptBuild {
  build: string;
  version: string;
  source: string;
  driver: string;
  /** Wall time of the build's `playwright test`, server start and browser start-ups included. */
  wallMs: number;
  /** What Playwright's run came to (failed means unexpected verdicts, or worse). */
  status: string;
  complete: boolean;
  counts: VerdictCounts | null;
  reports: string[];
  /** Why the build has no reports, when it has none. */
  error?: string;
}

export interface SweepResult {
  startedAt: string;
  wallMs: number;
  installMs: number;
  builds: SweptBuild[];
  index: RunIndex;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * One harness server for the whole sweep (each `playwright test` would otherwise start its own, ~3 s a
 * build): started on the sweep's port, stopped when the sweep ends. Builds reach it through EME_BASE_URL.
 */
async function startSharedServer(
  port: number,
  runsDir: string,
): Promise<{ baseURL: string; stop: () => Promise<void> }> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', String(port), '--runs-dir', runsDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let said = '';
  server.stderr.on('data', (d: Buffer) => (said = (said + d.toString()).slice(-2000)));
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the harness server exited (${server.exitCode}): ${said.trim()}`);
    const ok = await fetch(`${baseURL}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      server.kill('SIGTERM');
      throw new Error(`the harness server did not answer on ${baseURL} within 60 s: ${said.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseURL,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}

/** Runs the catalog in one build; resolves with its wall time and exit code (the run's log goes to a file). */
function runBuild(
  build: Build,
  dir: string,
  options: SweepOptions & { baseURL: string },
): Promise<{ wallMs: number; code: number | null }> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const args = [
    cli,
    'test',
    'tests/e2e/scenarios.spec.ts',
    ...(options.grep ? ['--grep', options.grep] : []),
    ...(options.workers ? ['--workers', String(options.workers)] : []),
  ];
  const env = {
    ...process.env,
    ...options.env,
    EME_BROWSERS: build.name,
    EME_REPORT_DIR: dir,
    EME_ALLURE_RESULTS: join(dir, 'allure-results'),
    EME_BASE_URL: options.baseURL,
  };
  const log = createWriteStream(join(dir, 'run.log'));
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('close', (code) => {
      log.end();
      resolve({ wallMs: performance.now() - started, code });
    });
  });
}

function readIndex(dir: string): RunIndex | null {
  const path = join(dir, REPORT_INDEX);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as RunIndex;
}

/** Copies one build's reports (with their exports and HTML) into the sweep's folder. */
function gather(from: string, to: string, files: string[]): void {
  for (const f of files)
    for (const x of [
      f,
      f.replace(/\.json$/, '.html'),
      f.replace(/\.json$/, '.wptreport.json'),
      f.replace(/\.json$/, '.collector.json'),
    ])
      if (existsSync(join(from, x))) copyFileSync(join(from, x), join(to, x));
}

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const progress = options.progress ?? (() => {});
  const started = performance.now();
  const startedAt = new Date();
  const builds = await installBuilds(options.builds, (line) => progress(`install ${line}`));
  const installMs = performance.now() - started;
  mkdirSync(options.outDir, { recursive: true });
  // A run is told apart by its index: a stale one must not survive a sweep that fails.
  rmSync(join(options.outDir, REPORT_INDEX), { force: true });
  const swept: SweptBuild[] = [];
  const reports: CompatReport[] = [];
  const gaps: string[] = [];
  rmSync(join(options.outDir, 'runs'), { recursive: true, force: true });
  const server = await startSharedServer(options.port ?? readConfig().port, join(options.outDir, 'runs'));
  try {
    for (const [i, build] of builds.entries()) {
      const dir = join(options.outDir, build.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      progress(`[${i + 1}/${builds.length}] ${build.name}: ${build.version} (${build.source}, ${build.driver}) …`);
      const { wallMs, code } = await runBuild(build, dir, { ...options, baseURL: server.baseURL });
      // Playwright's JSON report (one fixed path, every run's) carries the timing the bench reads.
      if (existsSync(PLAYWRIGHT_JSON)) copyFileSync(PLAYWRIGHT_JSON, join(dir, 'playwright-results.json'));
      const index = readIndex(dir);
      if (!index?.reports.length) {
        const error = `no reports (playwright exit ${code}); see ${join(dir, 'run.log')}`;
        swept.push({
          build: build.name,
          version: build.version,
          source: build.source,
          driver: build.driver,
          wallMs,
          status: 'error',
          complete: false,
          counts: null,
          reports: [],
          error,
        });
        gaps.push(`${build.name}: ${error}`);
        progress(`[${i + 1}/${builds.length}] ${build.name}: ${error}`);
        continue;
      }
      const built = index.reports.map((f) => readReport(join(dir, f)));
      reports.push(...built);
      gather(dir, options.outDir, index.reports);
      const counts = countVerdicts(built.flatMap((r) => r.scenarios));
      if (!index.complete) gaps.push(...(index.gaps ?? []).map((g) => `${build.name}: ${g}`));
      const identity = built[0]!.browser;
      swept.push({
        build: build.name,
        version: identity.version,
        source: identity.source ?? build.source,
        driver: identity.driver,
        wallMs,
        status: index.status,
        complete: !!index.complete,
        counts,
        reports: index.reports,
      });
      progress(
        `[${i + 1}/${builds.length}] ${build.name}: ${identity.version} in ${s(wallMs)}: ${Object.entries(counts)
          .filter(([v, n]) => n && v !== 'total')
          .map(([v, n]) => `${n} ${v}`)
          .join(', ')}${index.complete ? '' : ' (incomplete)'}`,
      );
    }
  } finally {
    await server.stop();
  }
  if (reports.length) {
    const bcd = toBcd(reports);
    writeFileSync(join(options.outDir, 'bcd.json'), `${JSON.stringify(bcd.data, null, 2)}\n`);
    writeFileSync(join(options.outDir, 'cross-browser.html'), renderCrossBrowser(reports));
  }
  const complete = gaps.length === 0 && swept.every((b) => b.complete);
  const index: RunIndex = {
    generatedAt: new Date().toISOString(),
    startedAt: startedAt.toISOString(),
    status: swept.some((b) => b.status === 'error')
      ? 'failed'
      : swept.every((b) => b.status === 'passed')
        ? 'passed'
        : 'failed',
    reports: swept.flatMap((b) => b.reports),
    // '+'-joined like every set name; the gate turns it back into the selection of these builds.
    browserSet: formatBuilds(options.builds).replace(/,/g, '+'),
    selection: { projects: null, grep: options.grep ?? null, grepInvert: null, shard: null },
    git: readSourceRevision(),
    merged: false,
    complete,
    scope: complete && !options.grep ? 'full' : 'partial',
    gaps: [...(options.grep ? [`selection: grep ${options.grep}`] : []), ...gaps],
  };
  const result: SweepResult = {
    startedAt: index.startedAt,
    wallMs: performance.now() - started,
    installMs,
    builds: swept,
    index,
  };
  writeFileSync(join(options.outDir, SWEEP_FILE), `${JSON.stringify({ ...result, index: undefined }, null, 2)}\n`);
  if (index.reports.length) writeFileSync(join(options.outDir, REPORT_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  return result;
}

/**
 * For `npm test`: a build counts as passed when it wrote reports that name it exactly (its source) and
 * every verdict in them was expected; a build with no reports, or any unexpected verdict, fails.
 */
export function sweepStepCounts(outDir: string): { passed: number; failed: number } {
  const file = join(outDir, SWEEP_FILE);
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const { builds } = JSON.parse(readFileSync(file, 'utf8')) as { builds: SweptBuild[] };
  let passed = 0;
  let failed = 0;
  for (const b of builds) {
    const reports = b.reports.map((f) => readReport(join(outDir, f)));
    const ok =
      reports.length > 0 &&
      reports.every(
        (r) =>
          r.browser.source === b.source &&
          r.browser.project === b.build &&
          r.scenarios.length > 0 &&
          r.scenarios.every((x) => x.expected.verdicts.includes(x.verdict)),
      );
    if (ok) passed++;
    else failed++;
  }
  return builds.length ? { passed, failed } : { passed: 0, failed: 1 };
}

/** The sweep's table: one line per build. */
export function formatSweep(result: SweepResult): string {
  const rows = [
    ['build', 'version', 'driver', 'source', 'wall', 'pass', 'fail', 'unsupported', 'other'],
    ...result.builds.map((b) => [
      b.build,
      b.version,
      b.driver,
      b.source,
      s(b.wallMs),
      String(b.counts?.pass ?? '-'),
      String(b.counts?.fail ?? '-'),
      String(b.counts?.unsupported ?? '-'),
      b.counts
        ? String(
            Object.entries(b.counts)
              .filter(([v]) => !['pass', 'fail', 'unsupported', 'total'].includes(v))
              .reduce((n, [, c]) => n + c, 0),
          )
        : (b.error ?? ''),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return [
    ...rows.map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    ),
    `${result.builds.length} build(s) in ${s(result.wallMs)} (installs ${s(result.installMs)}); ${result.index.scope} run${result.index.complete ? '' : `, gaps: ${result.index.gaps?.join('; ')}`}`,
  ].join('\n');
}
