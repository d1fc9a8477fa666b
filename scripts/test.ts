// `npm test`: typecheck, unit and integration tests, the browser matrix (Playwright), the dashboard built
// from the results history and checked in a browser, then checks on the reports the run wrote. Every step runs even if an earlier one fails; the last line counts all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readConfig } from '../harness/config.ts';
import { parseRetention, recordRun } from '../report/store/store.ts';
import { sweepStepCounts } from '../cli/sweep.ts';

const require = createRequire(import.meta.url);
mkdirSync('out', { recursive: true });
// Counts come from these files; a stale one from an earlier run must not count.
for (const f of ['out/unit.tap', 'out/after-run.tap', 'out/playwright-results.json', 'out/dashboard-results.json'])
  rmSync(f, { force: true });
// allure-playwright adds to its folder; the report checks compare this run's results only.
rmSync('out/allure-results', { recursive: true, force: true });

interface Step {
  name: string;
  command: string[];
  count: () => { passed: number; failed: number };
  env?: Record<string, string>;
  /** The command expands its own glob patterns (** included). */
  ownGlobs?: boolean;
  /** Runs after the command, whatever its exit code; a throw fails the step. */
  after?: () => void;
}

function tapCounts(file: string) {
  return () => {
    if (!existsSync(file)) return { passed: 0, failed: 1 };
    const tap = readFileSync(file, 'utf8');
    const n = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
    return { passed: n('pass'), failed: n('fail') + n('cancelled') };
  };
}

/** Counts from a Playwright JSON report (flaky tests passed on retry). */
function playwrightCounts(file: string) {
  return () => {
    if (!existsSync(file)) return { passed: 0, failed: 1 };
    const stats = (
      JSON.parse(readFileSync(file, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number } }
    ).stats;
    return { passed: stats.expected + stats.flaky, failed: stats.unexpected };
  };
}

/** Player scenarios the matrix step leaves to `eme-compat run --group K`: all but the h264-cenc ones. */
const PLAYER_LONG_TAIL = 'player\\.[a-z]+\\.[a-z]+\\.(?!h264-cenc:)';

const nodeTest = (files: string[], tap: string): string[] => [
  process.execPath,
  '--import',
  'tsx',
  '--test',
  // Two test files at a time on two cores: most are pure logic waiting on nothing, and the few that
  // start browsers each start one or two at a time, as the Playwright matrix's two workers do.
  '--test-concurrency=2',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files,
];

const steps: Step[] = [
  {
    name: 'typecheck',
    command: ['node_modules/.bin/tsc', '-p', '.'],
    count: () => ({ passed: 0, failed: 0 }),
  },
  {
    name: 'format and lint (biome ci: 120 columns, recommended rules)',
    command: ['node_modules/.bin/biome', 'ci', '.'],
    count: () => ({ passed: 0, failed: 0 }),
  },
  {
    name: 'import cycles (dpdm)',
    command: [
      'node_modules/.bin/dpdm',
      '--no-warning',
      '--no-tree',
      '--exit-code',
      'circular:1',
      'cli/main.ts',
      'playwright.config.ts',
      'merge.config.ts',
      'harness/**/*.ts',
      'report/**/*.ts',
      'server/**/*.ts',
      'model/**/*.ts',
      'media/**/*.ts',
      'scripts/**/*.ts',
      'tests/**/*.ts',
    ],
    count: () => ({ passed: 0, failed: 0 }),
    ownGlobs: true,
  },
  {
    name: 'CI workflow lint',
    command: ['node_modules/.bin/action-validator', '.github/workflows/compat.yml'],
    count: () => ({ passed: 0, failed: 0 }),
  },
  {
    name: 'unit and integration tests',
    command: nodeTest(['tests/unit/*.test.ts', 'tests/integration/*.test.ts'], 'out/unit.tap'),
    count: tapCounts('out/unit.tap'),
  },
  {
    // Every scenario but the player group's long tail: the players play one asset here (h264-cenc, each
    // player and format); `eme-compat run --group K` is the whole player matrix (docs/PLAYERS.md).
    name: 'browser matrix (Playwright; the player group on one asset)',
    command: [process.execPath, require.resolve('@playwright/test/cli'), 'test', '--grep-invert', PLAYER_LONG_TAIL],
    count: playwrightCounts('out/playwright-results.json'),
    // Plain `playwright test` writes the reports; keeping the run in the results history is the CLI's
    // job, done here as `eme-compat run` does it, so the dashboard steps below see this run.
    after: () => {
      const { reportDir, resultsDir, resultsRetention } = readConfig();
      if (!resultsDir) return;
      const kept = recordRun(reportDir, resultsDir, parseRetention(resultsRetention));
      if (!kept.kept) throw new Error(`the run was not kept in the history: ${kept.why}`);
      console.log(`run kept in the history → ${kept.folder}/`);
    },
  },
  {
    // The matrix step above runs every scenario; this one proves sharding, blob reports, merging and the
    // gate on the lifecycle group (C): the machinery, not coverage, so one group keeps the suite in budget.
    name: 'sharded plan (projects x 2 shards as blob reports, merged, gated; group C)',
    command: ['node', 'bin/eme-compat.js', 'plan', '--report-dir', 'out/plan-reports', '--grep', '@group-C\\b'],
    count: playwrightCounts('out/playwright-results.json'),
    // Its merge must not replace the matrix's Allure results, which the report checks compare.
    env: { EME_RESULTS_DIR: 'off', EME_ALLURE_RESULTS: 'out/plan-allure-results' },
  },
  {
    // Two small npm Chromium builds (downloaded once into EME_BROWSER_CACHE) and two scenarios: the
    // install, one-build-at-a-time run, gathering and build naming of `eme-compat sweep` cannot rot.
    name: 'sweep machinery (chromium@110 and @119 from npm, two scenarios)',
    command: [
      'node',
      'bin/eme-compat.js',
      'sweep',
      '--set',
      'versions-smoke',
      '--grep',
      '(lifecycle\\.temporary\\.keyids|playback\\.cenc):',
      '--out',
      'out/sweep-smoke',
      '--no-history',
    ],
    count: () => sweepStepCounts('out/sweep-smoke'),
  },
  {
    name: 'dashboard (build from the results history, then check it in a browser)',
    command: ['node', 'bin/eme-compat.js', 'dashboard'],
    count: () => ({ passed: 0, failed: 0 }),
  },
  {
    name: 'dashboard test (Playwright)',
    command: [
      process.execPath,
      require.resolve('@playwright/test/cli'),
      'test',
      '-c',
      'playwright.dashboard.config.ts',
    ],
    count: playwrightCounts('out/dashboard-results.json'),
  },
  {
    name: 'report checks',
    command: nodeTest(['tests/after-run/*.test.ts'], 'out/after-run.tap'),
    // The scenarios the matrix step left out on purpose, so the checks do not miss them.
    env: { EME_MATRIX_LEFT_OUT: PLAYER_LONG_TAIL },
    count: tapCounts('out/after-run.tap'),
  },
];

let passed = 0;
let failed = 0;
const failedSteps: string[] = [];
for (const step of steps) {
  console.log(`\n━━ ${step.name} ━━`);
  const started = Date.now();
  const [cmd, ...args] = step.command as [string, ...string[]];
  // Globs are expanded here so the command works the same in every shell.
  const expanded = step.ownGlobs ? args : args.flatMap((a) => (a.includes('*') ? expandGlob(a) : [a]));
  const result = spawnSync(cmd, expanded, { stdio: 'inherit', env: { ...process.env, ...step.env } });
  let afterFailed = false;
  try {
    step.after?.();
  } catch (err) {
    console.error(`${step.name}: ${(err as Error).message}`);
    afterFailed = true;
  }
  const counts = step.count();
  if ((result.status !== 0 || afterFailed) && counts.failed === 0) counts.failed = 1;
  passed += counts.passed;
  failed += counts.failed;
  if (result.status !== 0 || afterFailed) failedSteps.push(step.name);
  console.log(
    `━━ ${step.name}: exit ${result.status ?? result.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Expands `dir/*.test.ts` (one directory level is all the steps use). */
function expandGlob(pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash);
  const re = new RegExp(
    `^${pattern
      .slice(slash + 1)
      .replace(/[.]/g, '\\.')
      .replace(/\*/g, '.*')}$`,
  );
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
