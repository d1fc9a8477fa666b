// The CLI of versioned browser builds: `browsers install <builds...>`, the builds part of `browsers`
// (installed or missing, with exact versions), `sweep` (the catalog across builds, one at a time) and
// `compare` (one build, two drivers, scenario by scenario).
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { cachedBuilds, installedBuild } from '../harness/builds/cache.ts';
import { InstallError, installBuilds } from '../harness/builds/install.ts';
import { chooseSource, lookUpAvailable, sourceName, type Lookup } from '../harness/builds/sources.ts';
import { BUILD_SETS, buildName, parseBuilds, type BuildSpec } from '../harness/builds/spec.ts';
import type { Config } from '../harness/config.ts';
import { readReport } from '../model/results.ts';
import { parseRetention, recordRun } from '../report/store/store.ts';
import { compareDrivers, formatComparison } from './compare-drivers.ts';
import { formatSweep, sweep } from './sweep.ts';

interface Context {
  settings: Config;
  fail: (message: string) => never;
}

function parse(selection: string, fail: Context['fail']): BuildSpec[] {
  try {
    return parseBuilds(selection);
  } catch (err) {
    return fail((err as Error).message);
  }
}

/**
 * One line per build: installed (exact version, source, folder) or missing (what an install would
 * fetch, when the sources can be asked; `lookup` false keeps the listing offline and quick).
 */
export function describeBuilds(specs: BuildSpec[], lookup: boolean): string[] {
  let available: Lookup | null = null;
  const lines: string[] = [];
  for (const spec of specs) {
    const build = installedBuild(spec);
    if (build) {
      lines.push(
        `${buildName(spec).padEnd(18)} installed  ${build.version.padEnd(16)} ${build.driver.padEnd(10)} ${build.source}${build.origin === 'system' ? ' (system)' : ''}`,
      );
      continue;
    }
    if (lookup) available ??= lookUpAvailable();
    const source = available ? chooseSource(spec, available) : null;
    lines.push(
      `${buildName(spec).padEnd(18)} missing    ${''.padEnd(16)} ${''.padEnd(10)} ${source ? `would install ${sourceName(source)}` : available ? 'not available' : '(not looked up)'}`,
    );
  }
  return lines;
}

/** The builds `browsers` lists: the `versions` set, then anything else in the cache. */
export function listedBuilds(): BuildSpec[] {
  const specs = parseBuilds(BUILD_SETS['versions']!);
  for (const b of cachedBuilds())
    if (!specs.some((s) => buildName(s) === b.name)) specs.push({ family: b.family, major: b.major });
  return specs;
}

export function registerBuildCommands(program: Command, browsers: Command, { settings, fail }: Context): void {
  browsers
    .command('install')
    .description(
      `download and unpack versioned browser builds into the cache (${settings.browserCache}), one folder each; installed ones are kept`,
    )
    .argument(
      '<builds...>',
      `e.g. chromium@119 firefox-esr@140, chromium@92,119,153, or a build set (${Object.keys(BUILD_SETS).join(', ')})`,
    )
    .action(async (builds: string[]) => {
      const specs = parse(builds.join(' '), fail);
      try {
        const installed = await installBuilds(specs, (line) => console.log(`install ${line}`));
        console.log(
          `browsers: ${installed.length} build(s) ready: ${installed.map((b) => `${b.name} ${b.version}`).join(', ')}`,
        );
      } catch (err) {
        if (err instanceof InstallError) fail(err.message);
        throw err;
      }
    });

  program
    .command('sweep')
    .description(
      'run the whole catalog across browser builds, one build at a time (installing what is missing), and keep them as one run in the results history',
    )
    .option('-b, --browsers <builds...>', 'builds, e.g. chromium@92,119,153,156 firefox-esr@140,153')
    .option('--set <name>', `a named set of builds (${Object.keys(BUILD_SETS).join(', ')})`)
    .option(
      '-g, --grep <regexp>',
      "only tests whose title or tags match (Playwright's --grep); the run is then partial",
    )
    .option('-w, --workers <n>', 'parallel workers within a build')
    .option('-o, --out <dir>', 'where the sweep writes (a folder per build, the gathered run at the top)', 'out/sweep')
    .option('--port <port>', 'port of the harness server each build run starts')
    .option('--no-history', 'do not keep the sweep in the results history')
    .action(
      async (o: {
        browsers?: string[];
        set?: string;
        grep?: string;
        workers?: string;
        out: string;
        port?: string;
        history: boolean;
      }) => {
        if (!o.browsers && !o.set)
          fail('name the builds: --browsers chromium@92,119 firefox-esr@140, or --set versions');
        if (o.set && !(o.set in BUILD_SETS))
          fail(`--set ${o.set}: build sets are ${Object.keys(BUILD_SETS).join(', ')}`);
        const specs = parse([...(o.set ? [o.set] : []), ...(o.browsers ?? [])].join(' '), fail);
        if (o.grep !== undefined)
          try {
            new RegExp(o.grep);
          } catch (err) {
            fail(`--grep is not a regular expression: ${(err as Error).message}`);
          }
        console.log(
          `sweep: ${specs.map(buildName).join(', ')} × ${o.grep ? `scenarios matching ${o.grep}` : 'the whole catalog'} → ${o.out}/`,
        );
        let result;
        try {
          result = await sweep({
            builds: specs,
            outDir: o.out,
            ...(o.grep ? { grep: o.grep } : {}),
            ...(o.workers ? { workers: Number(o.workers) } : {}),
            ...(o.port ? { port: Number(o.port) } : {}),
            progress: (line) => console.log(`sweep: ${line}`),
          });
        } catch (err) {
          if (err instanceof InstallError) fail(err.message);
          throw err;
        }
        console.log(`\n${formatSweep(result)}`);
        if (o.history && settings.resultsDir) {
          const kept = recordRun(o.out, settings.resultsDir, parseRetention(settings.resultsRetention));
          console.log(
            kept.kept ? `sweep: kept in the history → ${kept.folder}/` : `sweep: not kept in the history: ${kept.why}`,
          );
        }
        process.exit(result.builds.some((b) => !b.counts) ? 1 : 0);
      },
    );

  program
    .command('compare')
    .description(
      'compare two reports of one build driven two ways (e.g. chromium and chromium-webdriver), scenario by scenario',
    )
    .argument('<a>', 'report JSON (e.g. reports/chromium-156.0.8078.114.json)')
    .argument('<b>', 'report JSON (e.g. reports/chromium-webdriver-156.0.8078.114.json)')
    .option('--markdown <file>', 'also write the comparison as Markdown')
    .action((a: string, b: string, o: { markdown?: string }) => {
      let comparison: ReturnType<typeof compareDrivers>;
      try {
        comparison = compareDrivers(readReport(a), readReport(b));
      } catch (err) {
        return fail((err as Error).message);
      }
      console.log(formatComparison(comparison));
      if (o.markdown) writeFileSync(o.markdown, `${formatComparison(comparison, true)}\n`);
    });
}
