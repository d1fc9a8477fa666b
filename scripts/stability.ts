// Are verdicts stable? Compares the last N complete runs kept in results/ (one folder per run, kept
// by the CLI after a run or merge) and lists every scenario whose verdict differs between them, per project.
// Usage: npm run stability -- [--runs 3] [--results results] [--projects chromium,firefox]
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readReport, type CompatReport } from '../model/results.ts';
import { REPORT_INDEX } from '../report/compat-reporter.ts';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) throw new InvalidArgumentError('at least 2 runs');
  return n;
};

const o = new Command('stability')
  .option('-n, --runs <n>', 'how many of the latest runs to compare', positive, 3)
  .option('-r, --results <dir>', 'results history', 'results')
  .option('-p, --projects <list>', 'projects to compare (comma-separated)', 'chromium,firefox')
  .option(
    '--min-scenarios <n>',
    'a run counts only if each project has at least this many scenarios (skips partial runs)',
    (v) => Number(v),
    40,
  )
  .parse()
  .opts<{ runs: number; results: string; projects: string; minScenarios: number }>();

const projects = o.projects.split(',').map((p) => p.trim());
if (!existsSync(o.results)) {
  console.error(`stability: no ${o.results}/ folder; run the matrix first`);
  process.exit(2);
}

function load(folder: string): Map<string, CompatReport> | null {
  const indexFile = join(o.results, folder, REPORT_INDEX);
  if (!existsSync(indexFile)) return null;
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { reports: string[] };
  const byProject = new Map(
    index.reports.map((f) => readReport(join(o.results, folder, f))).map((r) => [r.browser.project, r] as const),
  );
  return projects.every((p) => (byProject.get(p)?.scenarios.length ?? 0) >= o.minScenarios) ? byProject : null;
}

const runs: Array<{ folder: string; reports: Map<string, CompatReport> }> = [];
for (const folder of readdirSync(o.results).sort().reverse()) {
  const reports = load(folder);
  if (reports) runs.push({ folder, reports });
  if (runs.length === o.runs) break;
}
if (runs.length < o.runs) {
  console.error(
    `stability: found ${runs.length} complete run(s) of ${projects.join(', ')} in ${o.results}/, need ${o.runs}`,
  );
  process.exit(2);
}
runs.reverse();
console.log(`stability: comparing ${runs.map((r) => r.folder).join(', ')}`);
let unstable = 0;
for (const project of projects) {
  const ids = [...new Set(runs.flatMap((r) => r.reports.get(project)!.scenarios.map((s) => s.id)))].sort();
  const differing = ids.filter(
    (id) =>
      new Set(runs.map((r) => r.reports.get(project)!.scenarios.find((s) => s.id === id)?.verdict ?? 'missing')).size >
      1,
  );
  // A retry that changed the verdict is instability too, even when the final verdicts agree.
  const retried = ids.filter((id) =>
    runs.some((r) => new Set(r.reports.get(project)!.scenarios.find((s) => s.id === id)?.attempts ?? []).size > 1),
  );
  console.log(
    `${project}: ${ids.length} scenarios, ${differing.length} with differing verdicts, ${retried.length} flaky within a run`,
  );
  for (const id of [...new Set([...differing, ...retried])]) {
    console.log(
      `  ${id}: ${runs.map((r) => (r.reports.get(project)!.scenarios.find((s) => s.id === id)?.attempts ?? ['missing']).join('>')).join(' | ')}`,
    );
  }
  unstable += differing.length + retried.length;
}
process.exit(unstable ? 1 : 0);
