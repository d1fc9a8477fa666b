// eme-compat: run the compatibility matrix and read its reports.
import { Command, InvalidArgumentError, Option } from 'commander';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCENARIOS, GROUPS } from '../harness/catalog.ts';
import { BROWSER_SETS, loadProfiles } from '../harness/browsers/profiles.ts';
import { readReport } from '../report/schema.ts';
import { formatSummary } from '../report/summary.ts';
import { REPORT_INDEX } from '../report/compat-reporter.ts';

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
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });

program
  .command('summary')
  .description('print the summary of the reports a run wrote (validating each against the schema)')
  .argument('[dir]', 'report directory', 'reports')
  .action((dir: string) => {
    const index = join(dir, REPORT_INDEX);
    if (!existsSync(index)) fail(`${index} not found: run \`eme-compat run\` first, or name the report directory`);
    const { reports } = JSON.parse(readFileSync(index, 'utf8')) as { reports: string[] };
    try {
      console.log(formatSummary(reports.map((f) => readReport(resolve(dir, f))), reports));
    } catch (err) {
      fail((err as Error).message);
    }
  });

program
  .command('scenarios')
  .description('list the scenario catalog')
  .action(() => {
    for (const s of SCENARIOS) console.log(`${s.id.padEnd(32)} ${s.group} ${GROUPS[s.group].padEnd(30)} ${s.title}`);
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
