// eme-compat: run the compatibility matrix and read its reports.
import { Command, InvalidArgumentError, Option } from 'commander';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, GROUPS, NOT_APPLICABLE } from '../harness/catalog.ts';
import { BROWSER_SETS, loadProfiles } from '../harness/browsers/profiles.ts';
import { readReport } from '../report/schema.ts';
import { formatSummary } from '../report/summary.ts';
import { REPORT_INDEX } from '../report/compat-reporter.ts';
import { diffExpectations, gateReports, proposeExpectations } from '../report/gate.ts';
import { buildDashboard } from '../report/dashboard.ts';
import { renderCatalog } from '../report/catalog-doc.ts';
import { Expectations } from '../harness/expectations.ts';
import type { CompatReport } from '../report/schema.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function shard(value: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, e.g. 1/3');
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fail(message: string): never {
  console.error(`eme-compat: ${message}`);
  process.exit(2);
}

const program = new Command('eme-compat')
  .description('W3C Encrypted Media Extensions compatibility harness: real browsers, a real Clear Key server, recorded sequences.')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

program
  .command('run')
  .description('run the scenario catalog in the chosen browsers and write one compatibility report per browser')
  .option('-b, --browsers <set>', `browser set (${BROWSER_SETS.join(', ')}; comma-join several) or a JSON file of profiles`, process.env['EME_BROWSERS'] ?? 'debian')
  .option('-p, --project <names...>', 'only these browser projects (see `eme-compat browsers`)')
  .option('-s, --scenario <regexp>', 'only scenarios whose id matches (see `eme-compat scenarios`)')
  .option('-w, --workers <n>', 'parallel browser workers', positiveInt)
  .option('-o, --report-dir <dir>', 'where the JSON reports go', process.env['EME_REPORT_DIR'] ?? 'reports')
  .option('--shard <i/n>', 'run shard i of n', shard)
  .addOption(new Option('--port <port>', 'port of the harness server').argParser(positiveInt))
  .action((opts: { browsers: string; project?: string[]; scenario?: string; workers?: number; reportDir: string; shard?: string; port?: number }) => {
    let profiles;
    try {
      profiles = loadProfiles(opts.browsers);
    } catch (err) {
      fail((err as Error).message);
    }
    const known = profiles.map((p) => p.project);
    for (const p of opts.project ?? []) if (!known.includes(p)) fail(`no project "${p}" in browser set ${opts.browsers}; it has ${known.join(', ')}`);
    const args = [createRequire(import.meta.url).resolve('@playwright/test/cli'), 'test'];
    for (const p of opts.project ?? []) args.push('--project', p);
    if (opts.scenario !== undefined) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(opts.scenario);
      } catch (err) {
        fail(`--scenario is not a regular expression: ${(err as Error).message}`);
      }
      const ids = SCENARIOS.map((s) => s.id).filter((id) => pattern.test(id));
      if (!ids.length) fail(`--scenario ${opts.scenario} matches no scenario id (see eme-compat scenarios)`);
      args.push('--grep', `(?:${ids.map(escapeRegExp).join('|')}):`);
    }
    if (opts.workers) args.push('--workers', String(opts.workers));
    if (opts.shard) args.push('--shard', opts.shard);
    const env = { ...process.env, EME_BROWSERS: opts.browsers, EME_REPORT_DIR: opts.reportDir, ...(opts.port ? { EME_PORT: String(opts.port) } : {}) };
    console.log(`eme-compat: ${opts.project?.join(', ') ?? known.join(', ')} × ${opts.scenario ? `scenarios matching ${opts.scenario}` : `${SCENARIOS.length} scenarios`} → ${opts.reportDir}/`);
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => {
      // Everything a run produces, from one command: the reports and exports (written by the run), the
      // dashboard with this run in its history, and the Allure HTML report.
      try {
        const { runs } = buildDashboard(process.env['EME_RESULTS_DIR'] ?? 'results', 'out/dashboard');
        console.log(`eme-compat: dashboard with ${runs} run(s) → out/dashboard/index.html`);
      } catch (err) {
        console.warn(`eme-compat: dashboard not built: ${(err as Error).message}`);
      }
      const allure = spawnSync(fileURLToPath(new URL('../node_modules/.bin/allure', import.meta.url)), ['generate', 'out/allure-results', '-o', 'out/allure-report'], { stdio: ['ignore', 'ignore', 'inherit'] });
      console.log(allure.status === 0 ? 'eme-compat: Allure report → out/allure-report/index.html' : 'eme-compat: Allure report not built (npm run allure)');
      process.exit(code ?? (signal ? 1 : 0));
    });
  });

program
  .command('summary')
  .description('print the summary of the reports a run wrote (validating each against the schema)')
  .argument('[dir]', 'report directory', 'reports')
  .action((dir: string) => {
    const { reports, files } = readRunFiles(dir);
    console.log(formatSummary(reports, files.map((f) => join(dir, f))));
  });

/** The reports a run wrote (and their file names), validated; exits with a clear message when there are none. */
function readRunFiles(dir: string): { reports: CompatReport[]; files: string[] } {
  const index = join(dir, REPORT_INDEX);
  if (!existsSync(index)) fail(`${index} not found: run \`eme-compat run\` first, or name the report directory`);
  const { reports: files } = JSON.parse(readFileSync(index, 'utf8')) as { reports: string[] };
  try {
    return { reports: files.map((f) => readReport(resolve(dir, f))), files };
  } catch (err) {
    fail((err as Error).message);
  }
}

function readRun(dir: string): CompatReport[] {
  return readRunFiles(dir).reports;
}

program
  .command('gate')
  .description('check a stored run against the expectation files; exit 1 on any unexpected verdict')
  .argument('[dir]', 'report directory', 'reports')
  .option('-e, --expectations <dir>', 'expectations folder', 'expectations')
  .action((dir: string, o: { expectations: string }) => {
    const reports = readRun(dir);
    const findings = gateReports(reports, (project) => Expectations.load(o.expectations, reports.find((r) => r.browser.project === project)!.run.browserSet, project));
    const total = reports.reduce((n, r) => n + r.scenarios.length, 0);
    if (!findings.length) {
      console.log(`gate: ${total} verdicts in ${reports.length} report(s), all as expected`);
      return;
    }
    for (const f of findings) {
      const label = { regression: 'REGRESSION', 'unexpected-pass': 'UNEXPECTED PASS', flaky: 'FLAKY' }[f.kind];
      console.log(`${label}  ${f.project}  ${f.scenario}: ${f.verdict}, expected ${f.expected.join(' | ')} (${f.source})`);
      console.log(`    ${f.reason}`);
    }
    const failing = findings.filter((f) => f.kind !== 'flaky').length;
    if (!failing) {
      console.log(`\ngate: every final verdict as expected; ${findings.length} flaky (list its verdicts as intermittent in the expectations once understood)`);
      return;
    }
    console.log(`\ngate: ${failing} of ${total} verdicts unexpected; update the expectations with \`eme-compat expectations ${dir} --write\` if the change is intended`);
    process.exit(1);
  });

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
        writeFileSync(current.path, JSON.stringify(proposed, null, 2) + '\n');
      }
    }
    if (changes && !o.write) console.log('\nnothing written; add --write to apply');
  });

program
  .command('plan')
  .description('run the CI plan on one machine: every project × shard as blob reports, then merge them into the reports and gate')
  .option('-b, --browsers <set>', 'browser set or profile file', process.env['EME_BROWSERS'] ?? 'debian')
  .option('-s, --shards <n>', 'shards per project', positiveInt, 2)
  .option('-p, --project <names...>', 'only these projects')
  .option('-o, --report-dir <dir>', 'where the merged reports go', process.env['EME_REPORT_DIR'] ?? 'reports')
  .option('--blob-dir <dir>', 'where blob reports are collected', 'out/blobs')
  .option('-g, --grep <regex>', 'only scenarios whose title or tags match (e.g. "@group-B|@group-G")')
  .action((o: { browsers: string; shards: number; project?: string[]; reportDir: string; blobDir: string; grep?: string }) => {
    let projects: string[];
    try {
      projects = loadProfiles(o.browsers).map((p) => p.project);
    } catch (err) {
      fail((err as Error).message);
    }
    for (const p of o.project ?? []) if (!projects.includes(p)) fail(`no project "${p}" in browser set ${o.browsers}; it has ${projects.join(', ')}`);
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
        spawnSync(process.execPath, [cli, 'test', 'tests/e2e/scenarios.spec.ts', '--project', project, '--shard', `${shard}/${o.shards}`, '--reporter', 'blob', '--pass-with-no-tests', ...(o.grep ? ['--grep', o.grep] : [])], {
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...env, PLAYWRIGHT_BLOB_OUTPUT_DIR: dir },
        });
        for (const f of existsSync(dir) ? readdirSync(dir) : []) if (f.endsWith('.zip')) cpSync(join(dir, f), join(all, `${project}-${shard}-${f}`));
      }
    }
    console.log(`plan: merging ${readdirSync(all).length} blob report(s)`);
    // merge-reports' exit status was seen to vary between identical merges, so the evidence of a
    // merge is the report index it writes; the gate then decides.
    rmSync(join(o.reportDir, REPORT_INDEX), { force: true });
    spawnSync(process.execPath, [cli, 'merge-reports', '--config', 'merge.config.ts', all], { stdio: 'inherit', env });
    if (!existsSync(join(o.reportDir, REPORT_INDEX))) fail(`merging the blob reports wrote no ${REPORT_INDEX} in ${o.reportDir}`);
    const gate = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/eme-compat.js', import.meta.url)), 'gate', o.reportDir], { stdio: 'inherit', env });
    process.exit(gate.status ?? 1);
  });

program
  .command('dashboard')
  .description('build the static browser-support dashboard from the results history (one folder per run)')
  .option('-r, --results <dir>', 'results history', process.env['EME_RESULTS_DIR'] ?? 'results')
  .option('-o, --out <dir>', 'where the site goes (deploy it anywhere; the harness server serves out/dashboard at /dashboard/)', 'out/dashboard')
  .action((o: { results: string; out: string }) => {
    const { runs, skipped } = buildDashboard(o.results, o.out);
    for (const s of skipped) console.warn(`dashboard: skipped ${s}`);
    if (!runs) console.warn(`dashboard: no runs in ${o.results} yet; run \`eme-compat run\` first`);
    console.log(`dashboard: ${runs} run(s) → ${o.out}/index.html`);
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
        console.error(`scenarios: ${o.check} ${current === null ? 'does not exist' : 'is out of date'}; run \`npm run catalog\``);
        process.exitCode = 1;
      } else console.log(`scenarios: ${o.check} matches the catalog (${SCENARIOS.length} scenarios)`);
    } else if (o.markdown) {
      process.stdout.write(renderCatalog());
    } else {
      for (const s of SCENARIOS) console.log(`${s.id.padEnd(44)} ${s.group} ${GROUPS[s.group].padEnd(30)} ${s.title}`);
      for (const n of NOT_APPLICABLE) console.log(`${'(not run)'.padEnd(44)} ${n.group} ${GROUPS[n.group].padEnd(30)} ${n.what}: not applicable to Clear Key`);
    }
  });

program
  .command('browsers')
  .description('list the browser projects of a browser set')
  .argument('[set]', 'browser set or JSON file', process.env['EME_BROWSERS'] ?? 'debian')
  .action((set: string) => {
    try {
      for (const p of loadProfiles(set)) {
        console.log(`${p.project.padEnd(20)} ${p.driver.padEnd(10)} ${p.label}${p.executablePath ? ` (${p.executablePath})` : p.channel ? ` (channel ${p.channel})` : ''}`);
      }
    } catch (err) {
      fail((err as Error).message);
    }
  });

await program.parseAsync();
