// eme-compat: run the compatibility matrix and read its reports.
import { Command, InvalidArgumentError, Option } from 'commander';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, NOT_APPLICABLE } from '../harness/catalog.ts';
import { GROUPS, scenarioGrepText } from '../harness/scenario.ts';
import { BROWSER_SETS, loadProfiles } from '../harness/browsers/profiles.ts';
import { readReport } from '../model/results.ts';
import { formatSummary } from '../report/summary.ts';
import { REPORT_INDEX, type RunIndex } from '../report/compat-reporter.ts';
import { parseRetention, recordRun } from '../report/store/store.ts';
import {
  diffExpectations,
  formatGate,
  formatGateMarkdown,
  gate,
  GATE_EXIT,
  proposeExpectations,
} from '../report/gate.ts';
import { plannedCoverage } from '../report/coverage.ts';
import { describeMissing, findMissingBrowsers } from '../harness/browsers/preflight.ts';
import { projectMatcher } from '../harness/selection.ts';
import { ciMatrix } from '../harness/browsers/ci-matrix.ts';
import { readConfig, type Config } from '../harness/config.ts';
import { appendFileSync } from 'node:fs';
import { buildAllureReport, clearAllureResults, defaultAllureHistoryFile } from '../report/allure.ts';
import { allureResultsDir, PLAYWRIGHT_HTML_DIR } from '../report/reporters.ts';
import { buildDashboard } from '../report/dashboard.ts';
import { renderCatalog } from '../report/catalog-doc.ts';
import { Expectations } from '../harness/expectations.ts';
import type { CompatReport } from '../model/results.ts';
import { serveCommand } from '../server/main.ts';
import { registerTraceCommand } from './trace.ts';
import { describeBuilds, listedBuilds, registerBuildCommands } from './builds.ts';
import { namesBuilds, parseBuilds } from '../harness/builds/spec.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function shard(value: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, e.g. 1/3');
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Usage and configuration errors: one line, no stack, exit 2 (the code means nothing else). */
function fail(message: string): never {
  console.error(`eme-compat: ${message.replace(/\s*\n\s*/g, '; ')}`);
  process.exit(GATE_EXIT.usage);
}

/** Several narrowing patterns as one Playwright --grep (each must match). */
function allOf(patterns: string[]): string {
  return patterns.length === 1 ? patterns[0]! : `^${patterns.map((p) => `(?=.*(?:${p}))`).join('')}`;
}

let settings: Config;
try {
  settings = readConfig();
} catch (err) {
  fail((err as Error).message);
}

const program = new Command('eme-compat')
  .description(
    'W3C Encrypted Media Extensions compatibility harness: real browsers, a real Clear Key server, recorded sequences.',
  )
  .showHelpAfterError()
  // Commander's own usage errors exit 2 like ours (handled at parseAsync); help exits 0.
  .exitOverride()
  .configureHelp({ sortSubcommands: true });

program
  .command('run')
  .description('run the scenario catalog in the chosen browsers and write one compatibility report per browser')
  .argument('[playwright-args...]', 'further arguments for `playwright test`, after -- (e.g. -- --retries 2 --headed)')
  .option(
    '-b, --browsers <set>',
    `browser set (${BROWSER_SETS.join(', ')}; comma-join several) or a JSON file of profiles`,
    settings.browsers,
  )
  .option('-p, --project <names...>', 'only these browser projects (see `eme-compat browsers`)')
  .option('-s, --scenario <regexp>', 'only scenarios whose id matches (see `eme-compat scenarios`)')
  .option('--group <letters>', `only these catalog groups, e.g. B or B,C (${Object.keys(GROUPS).join('')})`)
  .option('-g, --grep <regexp>', "only tests whose title or tags match (Playwright's --grep)")
  .option('-w, --workers <n>', 'parallel browser workers', positiveInt)
  .option('-o, --report-dir <dir>', 'where the JSON reports go', settings.reportDir)
  .option('--shard <i/n>', 'run shard i of n', shard)
  .option(
    '--reporter <names>',
    'extra Playwright reporters (comma-separated); the compatibility reports are always written',
  )
  .addOption(new Option('--port <port>', 'port of the harness server').argParser(positiveInt))
  .action(
    (
      passThrough: string[],
      opts: {
        browsers: string;
        project?: string[];
        scenario?: string;
        group?: string;
        grep?: string;
        workers?: number;
        reportDir: string;
        shard?: string;
        reporter?: string;
        port?: number;
      },
    ) => {
      let profiles;
      try {
        profiles = loadProfiles(opts.browsers);
      } catch (err) {
        fail((err as Error).message);
      }
      const known = profiles.map((p) => p.project);
      for (const p of opts.project ?? [])
        if (!known.some(projectMatcher([p])))
          fail(`no project "${p}" in browser set ${opts.browsers}; it has ${known.join(', ')}`);
      const chosen = opts.project ? profiles.filter((p) => projectMatcher(opts.project!)(p.project)) : profiles;
      const missing = findMissingBrowsers(chosen);
      if (missing.length) fail(describeMissing(missing));
      const args = [createRequire(import.meta.url).resolve('@playwright/test/cli'), 'test'];
      for (const p of opts.project ?? []) args.push('--project', p);
      const narrowing: string[] = [];
      if (opts.scenario !== undefined) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(opts.scenario);
        } catch (err) {
          fail(`--scenario is not a regular expression: ${(err as Error).message}`);
        }
        const ids = SCENARIOS.map((s) => s.id).filter((id) => pattern.test(id));
        if (!ids.length) fail(`--scenario ${opts.scenario} matches no scenario id (see eme-compat scenarios)`);
        narrowing.push(`(?:${ids.map(escapeRegExp).join('|')}):`);
      }
      if (opts.group !== undefined) {
        const groups = opts.group
          .split(/[,\s]+/)
          .filter(Boolean)
          .map((g) => g.toUpperCase());
        const bad = groups.filter((g) => !(g in GROUPS));
        if (bad.length || !groups.length) fail(`--group ${opts.group}: groups are ${Object.keys(GROUPS).join(', ')}`);
        narrowing.push(`@group-(?:${groups.join('|')})\\b`);
      }
      if (opts.grep !== undefined) {
        try {
          new RegExp(opts.grep);
        } catch (err) {
          fail(`--grep is not a regular expression: ${(err as Error).message}`);
        }
        narrowing.push(opts.grep);
      }
      if (narrowing.length) {
        const grep = allOf(narrowing);
        const matching = SCENARIOS.filter((s) => new RegExp(grep).test(scenarioGrepText(s)));
        if (!matching.length)
          fail(`the selection (${narrowing.join(' and ')}) matches no scenario (see eme-compat scenarios)`);
        args.push('--grep', grep);
      }
      if (opts.workers) args.push('--workers', String(opts.workers));
      if (opts.shard) args.push('--shard', opts.shard);
      // Playwright's --reporter replaces the configured list; the compat reporter and the verdict list stay in it.
      if (opts.reporter)
        args.push(
          '--reporter',
          [
            ...opts.reporter.split(','),
            './report/verdict-list-reporter.ts',
            './report/compat-reporter.ts',
            'json',
          ].join(','),
        );
      args.push(...passThrough);
      const env = {
        ...process.env,
        EME_BROWSERS: opts.browsers,
        EME_REPORT_DIR: opts.reportDir,
        ...(opts.port ? { EME_PORT: String(opts.port) } : {}),
      };
      // allure-playwright adds to its folder; a report must show this run's results only.
      clearAllureResults(allureResultsDir());
      console.log(
        `eme-compat: ${chosen.map((p) => p.project).join(', ')} × ${narrowing.length ? `scenarios matching ${narrowing.join(' and ')}` : `${SCENARIOS.length} scenarios`} → ${opts.reportDir}/`,
      );
      const child = spawn(process.execPath, args, { stdio: 'inherit', env });
      child.on('exit', (code, signal) => {
        // Everything a run produces, from one command: the reports and exports (written by the run), the
        // run kept in the results history, the dashboard with it, and the Allure HTML report.
        keepRunInHistory(opts.reportDir);
        try {
          const { runs } = buildDashboard(settings.resultsDir ?? 'results', 'out/dashboard');
          console.log(`eme-compat: dashboard with ${runs} run(s) → out/dashboard/index.html`);
        } catch (err) {
          console.warn(`eme-compat: dashboard not built: ${(err as Error).message}`);
        }
        const allure = buildAllureReport({
          resultsDir: allureResultsDir(),
          outDir: 'out/allure-report',
          historyFile: defaultAllureHistoryFile(),
        });
        (allure.ok ? console.log : console.warn)(`eme-compat: ${allure.message}`);
        console.log(
          `eme-compat: Playwright report → ${PLAYWRIGHT_HTML_DIR}/index.html (npx playwright show-report ${PLAYWRIGHT_HTML_DIR})`,
        );
        process.exit(code ?? (signal ? 1 : 0));
      });
    },
  );

program
  .command('summary')
  .description('print the summary of the reports a run wrote (validating each against the schema)')
  .argument('[dir]', 'report directory', 'reports')
  .action((dir: string) => {
    const { reports, files } = readRunFiles(dir);
    console.log(
      formatSummary(
        reports,
        files.map((f) => join(dir, f)),
      ),
    );
  });

/** The reports a run wrote (and their file names), validated; exits with a clear message when there are none. */
function readRunFiles(dir: string): { reports: CompatReport[]; files: string[]; index: RunIndex } {
  const indexPath = join(dir, REPORT_INDEX);
  if (!existsSync(indexPath))
    fail(`${indexPath} not found: run \`eme-compat run\` first, or name the report directory`);
  let index: RunIndex;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8')) as RunIndex;
    if (!Array.isArray(index.reports)) throw new Error('it lists no "reports"');
  } catch (err) {
    fail(`cannot read ${indexPath}: ${(err as Error).message}`);
  }
  try {
    return { reports: index.reports.map((f) => readReport(resolve(dir, f))), files: index.reports, index };
  } catch (err) {
    fail((err as Error).message);
  }
}

function readRun(dir: string): CompatReport[] {
  return readRunFiles(dir).reports;
}

program
  .command('gate')
  .description('check a stored run against the expectation files and against what it was meant to cover')
  .argument('[dir]', 'report directory', 'reports')
  .option('-e, --expectations <dir>', 'expectations folder', 'expectations')
  .option('-b, --browsers <set>', "browser set whose projects the run must cover (default: the run's own)")
  .option(
    '-p, --project <names...>',
    'projects the run must cover (default: as the run was asked, else every project of the set)',
  )
  .option(
    '-g, --grep <regexp>',
    'scenarios the run must cover, by title and tags (default: as the run was asked, else the whole catalog)',
  )
  .option('--fail-on-unexpected-pass', 'an unexpected pass fails the gate too (default: listed, not failing)')
  .option('--summary <file>', 'append a Markdown summary to this file (default: $GITHUB_STEP_SUMMARY when set)')
  .addHelpText(
    'after',
    `
Exit codes:
  ${GATE_EXIT.ok}  every planned verdict is present and expected
  ${GATE_EXIT.unexpected}  unexpected verdicts (regressions; unexpected passes with --fail-on-unexpected-pass)
  ${GATE_EXIT.usage}  usage or configuration error (bad arguments, unreadable reports, malformed expectations)
  ${GATE_EXIT.incomplete}  incomplete coverage: projects, scenarios or shards missing (verdicts present are expected)`,
  )
  .action(
    (
      dir: string,
      o: {
        expectations: string;
        browsers?: string;
        project?: string[];
        grep?: string;
        failOnUnexpectedPass?: boolean;
        summary?: string;
      },
    ) => {
      const { reports, index } = readRunFiles(dir);
      const set =
        o.browsers ??
        index.browserSet?.replace(/\+/g, ',') ??
        reports[0]?.run.browserSet.replace(/\+/g, ',') ??
        'debian';
      let coverage;
      try {
        const profiles = loadProfiles(set);
        const recorded = index.selection;
        const selection = {
          projects: o.project ?? recorded?.projects ?? null,
          grep: o.grep ?? recorded?.grep ?? null,
          grepInvert: o.grep ? null : (recorded?.grepInvert ?? null),
        };
        const from = [
          `browser set ${set}`,
          selection.projects
            ? `projects ${selection.projects.join(', ')}${o.project ? '' : ' (as recorded)'}`
            : 'every project',
          selection.grep ? `grep ${selection.grep}${o.grep ? '' : ' (as recorded)'}` : 'the whole catalog',
        ].join(', ');
        const extraGaps = [
          ...(recorded?.shard ? [`the run is shard ${recorded.shard}: gate the merged reports of every shard`] : []),
          ...(index.status === 'interrupted' ? ['the run was interrupted'] : []),
        ];
        coverage = { planned: plannedCoverage(profiles, selection), from, extraGaps };
      } catch (err) {
        fail(
          `${(err as Error).message}${o.browsers ? '' : ` (the run used browser set "${set}"; name its profiles with --browsers <set or file>)`}`,
        );
      }
      let result;
      try {
        result = gate(
          reports,
          (project) =>
            Expectations.load(
              o.expectations,
              reports.find((r) => r.browser.project === project)!.run.browserSet,
              project,
            ),
          coverage,
          { failOnUnexpectedPass: o.failOnUnexpectedPass },
        );
      } catch (err) {
        fail((err as Error).message);
      }
      console.log(formatGate(result, dir));
      const summary = o.summary ?? process.env['GITHUB_STEP_SUMMARY'];
      if (summary) {
        try {
          appendFileSync(summary, `${formatGateMarkdown(result)}\n`);
        } catch (err) {
          fail(`cannot write the summary to ${summary}: ${(err as Error).message}`);
        }
      }
      process.exit(result.exitCode);
    },
  );

program
  .command('expectations')
  .description('regenerate the expectation files from a stored run; shows the diff, writes only with --write')
  .argument('[dir]', 'report directory', 'reports')
  .option('-e, --expectations <dir>', 'expectations folder', 'expectations')
  .option('--write', 'write the new files (default: only show the diff)')
  .action((dir: string, o: { expectations: string; write?: boolean }) => {
    let changes = 0;
    for (const report of readRun(dir)) {
      const set = report.run.browserSet;
      const current = Expectations.load(o.expectations, set, report.browser.project);
      const proposed = proposeExpectations(report, current.file);
      const diff = diffExpectations(current.file, proposed);
      console.log(`${current.path}: ${diff.length ? `${diff.length} change(s)` : 'unchanged'}`);
      for (const line of diff) console.log(`  ${line}`);
      changes += diff.length;
      if (o.write && diff.length) {
        mkdirSync(join(o.expectations, set), { recursive: true });
        writeFileSync(current.path, `${JSON.stringify(proposed, null, 2)}\n`);
      }
    }
    if (changes && !o.write) console.log('\nnothing written; add --write to apply');
  });

/**
 * Keeps the reports of a run or merge in the results store (EME_RESULTS_DIR; off keeps none): full reports
 * and the run's summary, then prunes older runs' full reports per EME_RESULTS_RETENTION.
 */
function keepRunInHistory(reportDir: string): void {
  if (!settings.resultsDir) return;
  try {
    const kept = recordRun(reportDir, settings.resultsDir, parseRetention(settings.resultsRetention));
    if (kept.kept) console.log(`eme-compat: run kept in the history → ${kept.folder}/`);
    else console.warn(`eme-compat: run not kept in the history: ${kept.why}`);
    if (kept.pruned.length)
      console.log(
        `eme-compat: full reports of ${kept.pruned.length} older run(s) pruned (EME_RESULTS_RETENTION=${settings.resultsRetention}); their summaries stay`,
      );
  } catch (err) {
    console.warn(`eme-compat: run not kept in the history: ${(err as Error).message}`);
  }
}

/** Runs merge-reports over a folder of blob reports; the compat reports' index is the evidence it worked. */
function mergeBlobs(blobDir: string, reportDir: string, env: NodeJS.ProcessEnv): void {
  if (!existsSync(blobDir)) fail(`${blobDir} does not exist: no blob reports to merge`);
  const blobs = readdirSync(blobDir).filter((f) => f.endsWith('.zip'));
  if (!blobs.length) fail(`${blobDir} holds no blob reports (*.zip)`);
  console.log(`eme-compat: merging ${blobs.length} blob report(s) from ${blobDir}`);
  // merge-reports exits 1 when a test in the blobs failed, i.e. on unexpected verdicts: that is the
  // gate's call. What matters here is whether the reports were written, which the fresh index shows.
  rmSync(join(reportDir, REPORT_INDEX), { force: true });
  clearAllureResults(allureResultsDir());
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const merged = spawnSync(
    process.execPath,
    [cli, 'merge-reports', '--config', fileURLToPath(new URL('../merge.config.ts', import.meta.url)), blobDir],
    { stdio: 'inherit', env: { ...env, EME_REPORT_DIR: reportDir } },
  );
  if (merged.error) fail(`merge-reports did not start: ${merged.error.message}`);
  if (!existsSync(join(reportDir, REPORT_INDEX)))
    fail(
      `merging the blob reports in ${blobDir} wrote no ${REPORT_INDEX} in ${reportDir} (merge-reports exit ${merged.status ?? merged.signal})`,
    );
  keepRunInHistory(reportDir);
}

program
  .command('merge')
  .description(
    'merge blob reports (sharded jobs) into the compatibility reports, exports, history and Playwright/Allure reports',
  )
  .argument('<blob-dir>', 'folder holding the blob reports (*.zip)')
  .option('-o, --report-dir <dir>', 'where the merged reports go', settings.reportDir)
  .addHelpText(
    'after',
    '\nExit codes: 0 the reports were written (whatever the verdicts: run `eme-compat gate` next); 2 nothing to merge, or merging failed.',
  )
  .action((blobDir: string, o: { reportDir: string }) => {
    mergeBlobs(blobDir, o.reportDir, process.env);
    console.log(`eme-compat: merged reports → ${o.reportDir}/${REPORT_INDEX}`);
  });

program
  .command('plan')
  .description(
    'run the CI plan on one machine: every project × shard as blob reports, then merge them into the reports and gate',
  )
  .option('-b, --browsers <set>', 'browser set or profile file', settings.browsers)
  .option('-s, --shards <n>', 'shards per project', positiveInt, 2)
  .option('-p, --project <names...>', 'only these projects')
  .option('-o, --report-dir <dir>', 'where the merged reports go', settings.reportDir)
  .option('--blob-dir <dir>', 'where blob reports are collected', 'out/blobs')
  .option('-g, --grep <regex>', 'only scenarios whose title or tags match (e.g. "@group-B|@group-G")')
  .action(
    (o: {
      browsers: string;
      shards: number;
      project?: string[];
      reportDir: string;
      blobDir: string;
      grep?: string;
    }) => {
      let projects: string[];
      try {
        projects = loadProfiles(o.browsers).map((p) => p.project);
      } catch (err) {
        fail((err as Error).message);
      }
      for (const p of o.project ?? [])
        if (!projects.includes(p))
          fail(`no project "${p}" in browser set ${o.browsers}; it has ${projects.join(', ')}`);
      const selected = o.project ?? projects;
      const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
      const all = join(o.blobDir, 'all');
      rmSync(o.blobDir, { recursive: true, force: true });
      mkdirSync(all, { recursive: true });
      const env = { ...process.env, EME_BROWSERS: o.browsers, EME_REPORT_DIR: o.reportDir };
      let step = 0;
      const steps = selected.length * o.shards;
      for (const project of selected) {
        for (let shard = 1; shard <= o.shards; shard++) {
          const dir = join(o.blobDir, `${project}-${shard}`);
          console.log(`plan: [${++step}/${steps}] ${project} shard ${shard}/${o.shards}`);
          // Each shard writes its own blob folder (the blob reporter empties its folder when it starts).
          spawnSync(
            process.execPath,
            [
              cli,
              'test',
              'tests/e2e/scenarios.spec.ts',
              '--project',
              project,
              '--shard',
              `${shard}/${o.shards}`,
              '--reporter',
              'blob',
              '--pass-with-no-tests',
              ...(o.grep ? ['--grep', o.grep] : []),
            ],
            {
              stdio: ['ignore', 'inherit', 'inherit'],
              env: { ...env, PLAYWRIGHT_BLOB_OUTPUT_DIR: dir },
            },
          );
          for (const f of existsSync(dir) ? readdirSync(dir) : [])
            if (f.endsWith('.zip')) cpSync(join(dir, f), join(all, `${project}-${shard}-${f}`));
        }
      }
      mergeBlobs(all, o.reportDir, env);
      // The merged run records no selection: the gate is told what the plan covered.
      const gateArgs = [
        'gate',
        o.reportDir,
        '--browsers',
        o.browsers,
        ...(o.project ? ['--project', ...o.project] : []),
        ...(o.grep ? ['--grep', o.grep] : []),
      ];
      const gated = spawnSync(
        process.execPath,
        [fileURLToPath(new URL('../bin/eme-compat.js', import.meta.url)), ...gateArgs],
        { stdio: 'inherit', env },
      );
      process.exit(gated.status ?? GATE_EXIT.usage);
    },
  );

program
  .command('dashboard')
  .description('build the static browser-support dashboard from the results history (one folder per run)')
  .option('-r, --results <dir>', 'results history', settings.resultsDir ?? 'results')
  .option(
    '-o, --out <dir>',
    'where the site goes (deploy it anywhere; the harness server serves out/dashboard at /dashboard/)',
    'out/dashboard',
  )
  .action((o: { results: string; out: string }) => {
    const started = performance.now();
    const { runs, skipped, summarized } = buildDashboard(o.results, o.out);
    for (const s of skipped) console.warn(`dashboard: skipped ${s}`);
    if (summarized.length)
      console.log(`dashboard: summarized ${summarized.length} run(s) stored before summaries existed (once)`);
    if (!runs) console.warn(`dashboard: no runs in ${o.results} yet; run \`eme-compat run\` first`);
    console.log(`dashboard: ${runs} run(s) → ${o.out}/index.html (${Math.round(performance.now() - started)} ms)`);
  });

program
  .command('scenarios')
  .description('list the scenario catalog, or write/check its document (docs/CATALOG.md)')
  .option('--markdown', 'print the catalog document instead of the list')
  .option('--write <file>', 'write the catalog document to this file')
  .option('--check <file>', 'exit 1 if this file differs from the catalog document the code renders')
  .action(async (o: { markdown?: boolean; write?: string; check?: string }) => {
    if (o.write) {
      writeFileSync(o.write, renderCatalog());
      console.log(`scenarios: ${SCENARIOS.length} scenarios → ${o.write}`);
    } else if (o.check) {
      const current = existsSync(o.check) ? readFileSync(o.check, 'utf8') : null;
      if (current !== renderCatalog()) {
        console.error(
          `scenarios: ${o.check} ${current === null ? 'does not exist' : 'is out of date'}; run \`npm run catalog\``,
        );
        process.exitCode = 1;
      } else console.log(`scenarios: ${o.check} matches the catalog (${SCENARIOS.length} scenarios)`);
    } else if (o.markdown) {
      process.stdout.write(renderCatalog());
    } else {
      for (const s of SCENARIOS) console.log(`${s.id.padEnd(44)} ${s.group} ${GROUPS[s.group].padEnd(30)} ${s.title}`);
      for (const n of NOT_APPLICABLE)
        console.log(
          `${'(not run)'.padEnd(44)} ${n.group} ${GROUPS[n.group].padEnd(30)} ${n.what}: not applicable to Clear Key`,
        );
    }
  });

// The harness server alone (what Playwright's webServer starts), for a person or another driver.
program.addCommand(serveCommand('serve'));

const browsersCommand = program
  .command('browsers')
  .description('list the browser projects of a browser set, and the versioned builds installed or missing')
  .argument('[set]', 'browser set, builds (chromium@92,119 firefox-esr@140) or JSON file', settings.browsers)
  .option('--lookup', 'for missing builds, ask npm and apt what an install would fetch')
  .option('--ci-matrix', "print the CI workflow's job matrix (project × shard, with the engine to install) as JSON")
  .option('--shards <n>', 'shards per project in the CI matrix', positiveInt, 2)
  .action((set: string, o: { ciMatrix?: boolean; shards: number; lookup?: boolean }) => {
    try {
      if (!o.ciMatrix && namesBuilds(set)) {
        for (const line of describeBuilds(parseBuilds(set), !!o.lookup)) console.log(line);
        return;
      }
      if (o.ciMatrix) {
        console.log(JSON.stringify(ciMatrix(loadProfiles(set), o.shards)));
        return;
      }
      for (const p of loadProfiles(set)) {
        console.log(
          `${p.project.padEnd(20)} ${p.driver.padEnd(10)} ${p.label}${p.executablePath ? ` (${p.executablePath})` : p.channel ? ` (channel ${p.channel})` : ''}`,
        );
      }
      console.log(`\nversioned builds (${settings.browserCache}; install with: eme-compat browsers install <build>):`);
      for (const line of describeBuilds(listedBuilds(), !!o.lookup)) console.log(`  ${line}`);
    } catch (err) {
      fail((err as Error).message);
    }
  });
registerBuildCommands(program, browsersCommand, { settings, fail });

registerTraceCommand(program, { defaultBrowsers: settings.browsers, fail });

try {
  await program.parseAsync();
} catch (err) {
  const code = (err as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version') process.exit(0);
  if (code?.startsWith('commander.')) process.exit(GATE_EXIT.usage);
  throw err;
}
