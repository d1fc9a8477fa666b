// Playwright reporter that turns scenario results into one compatibility report per browser project
// (JSON, versioned schema, validated before it is written) and prints a summary. It reads only the
// attachments tests make, so it works the same as a merge reporter over sharded blob reports. It writes
// the report folder only: keeping a run in the results history is the CLI's job (report/history.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { release, type as osType } from 'node:os';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { SCENARIOS } from '../harness/catalog.ts';
import type { BrowserIdentity } from '../model/browser.ts';
import {
  CompatReport,
  countVerdicts,
  REPORT_SCHEMA_VERSION,
  SCENARIO_ATTACHMENT,
  ScenarioAttachment,
  type RunSelection,
  type ScenarioResult,
  type SourceRevision,
} from '../model/results.ts';
import { formatSummary } from './summary.ts';
import { toBcd, toCollectorReport, toWptReport } from './exports.ts';
import { renderBrowserReport, renderCrossBrowser } from './html.ts';
import { browserSetName, loadProfiles } from '../harness/browsers/profiles.ts';
import { describeGaps, findCoverageGaps, plannedCoverage } from './coverage.ts';
import { narrowing, selectionFromArgv } from '../harness/selection.ts';
import { readSourceRevision } from './revision.ts';
import { readConfig } from '../harness/config.ts';

// The run's index.json (its name and shape) lives in run-index.ts, so the history needs no reporter.
export { REPORT_INDEX, type RunIndex } from './run-index.ts';
import { REPORT_INDEX, type RunIndex } from './run-index.ts';

interface ProjectResults {
  identity: BrowserIdentity | null;
  browserSet: string;
  results: ScenarioResult[];
}

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

function osDescription(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) return `${pretty} (${osType()} ${release()})`;
  } catch {
    // not Linux, or no os-release
  }
  return `${osType()} ${release()}`;
}

/**
 * Writes one export file, or, when the export cannot be made as its consumer would accept it (no source
 * revision for wpt.fyi, a browser BCD has no id for, ...), says why and removes any stale copy instead.
 */
function writeExport(path: string, make: () => string): void {
  try {
    writeFileSync(path, make());
  } catch (err) {
    rmSync(path, { force: true });
    console.warn(`eme-compat: ${path.replace(/^.*\//, '')} not written: ${(err as Error).message}`);
  }
}

export default class CompatReporter implements Reporter {
  readonly #outputDir: string;
  readonly #projects = new Map<string, ProjectResults>();
  #startedAt = new Date();
  #playwrightVersion = 'unknown';
  readonly written: string[] = [];

  readonly #merged: boolean;
  #selection: RunSelection = { projects: null, grep: null, grepInvert: null, shard: null };
  #git: SourceRevision = { commit: null, branch: null, dirty: null };

  constructor(options: { outputDir?: string; merged?: boolean } = {}) {
    this.#outputDir = options.outputDir ?? readConfig().reportDir;
    this.#merged = options.merged ?? false;
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.#startedAt = new Date();
    this.#playwrightVersion = config.version;
    // merge-reports' own command line says nothing about what the blobs were asked to cover.
    if (!this.#merged) this.#selection = selectionFromArgv(process.argv, config.shard ?? null);
    this.#git = readSourceRevision();
  }

  #project(name: string): ProjectResults {
    let p = this.#projects.get(name);
    if (!p) this.#projects.set(name, (p = { identity: null, browserSet: 'unknown', results: [] }));
    return p;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const projectName = test.parent.project()?.name ?? 'unknown';
    const raw = result.attachments.find((a) => a.name === SCENARIO_ATTACHMENT && a.body);
    const scenarioId =
      test.annotations.find((a) => a.type === 'scenario')?.description ?? test.title.split(':')[0] ?? test.title;
    const scenario = SCENARIOS.find((s) => s.id === scenarioId);
    if (!scenario) return; // not a catalog scenario (harness self-tests stay out of the reports)
    const project = this.#project(projectName);
    if (raw?.body) {
      const attachment = ScenarioAttachment.parse(JSON.parse(raw.body.toString('utf8')));
      project.identity = attachment.browser;
      project.browserSet = attachment.browserSet;
      // With retries, the last attempt stands, and every attempt's verdict is kept: differing verdicts
      // classify the scenario as flaky instead of hiding the failed attempt.
      const earlier = project.results.find((r) => r.id === attachment.result.id);
      project.results = project.results.filter((r) => r.id !== attachment.result.id);
      project.results.push({
        ...attachment.result,
        attempts: [...(earlier?.attempts ?? []), attachment.result.verdict],
      });
      return;
    }
    // The test died before it had a result (browser failed to launch, fixture error): still report it,
    // with no run record, since there was no run.
    if (project.results.some((r) => r.id === scenario.id)) return;
    project.results.push({
      id: scenario.id,
      title: scenario.title,
      group: scenario.group,
      spec: scenario.spec,
      verdict: 'error',
      reason: `the test ended without a result: ${(result.error?.message ?? result.status).split('\n')[0]}`,
      difference: null,
      expected: { verdicts: [] },
      checks: [],
      durationMs: result.duration,
      attempts: ['error'],
      environment: null,
      record: null,
    });
  }

  /** Whether the run holds everything its selection planned (checked against the catalog, not Playwright's list). */
  #coverage(reports: CompatReport[], result: FullResult): Pick<RunIndex, 'complete' | 'scope' | 'gaps'> {
    const gaps: string[] = [];
    if (result.status === 'interrupted') gaps.push('the run was interrupted');
    const set = reports[0]?.run.browserSet;
    try {
      const profiles = loadProfiles(readConfig().browsers);
      const planned = plannedCoverage(profiles, this.#selection);
      const found = findCoverageGaps(reports, planned);
      gaps.push(...describeGaps(found, planned));
    } catch (err) {
      gaps.push(`coverage not checked (browser set ${set ?? 'unknown'}): ${(err as Error).message}`);
    }
    if (this.#selection.shard) gaps.push(`one shard (${this.#selection.shard}) of a sharded run`);
    const complete = gaps.length === 0;
    const narrowed = narrowing({ ...this.#selection, shard: null });
    return {
      complete,
      scope: complete && !narrowed ? 'full' : 'partial',
      gaps: narrowed ? [`selection: ${narrowed}`, ...gaps] : gaps,
    };
  }

  onEnd(result: FullResult): void {
    mkdirSync(this.#outputDir, { recursive: true });
    const reports: CompatReport[] = [];
    for (const [name, project] of [...this.#projects.entries()].sort()) {
      const identity = project.identity ?? {
        project: name,
        label: name,
        engine: 'unknown',
        name: 'unknown',
        version: 'unknown',
        channel: null,
        driver: 'playwright' as const,
        executablePath: null,
        args: [],
        prefs: {},
      };
      const results = [...project.results].sort((a, b) => a.id.localeCompare(b.id));
      const report = CompatReport.parse({
        schemaVersion: REPORT_SCHEMA_VERSION,
        generatedAt: new Date().toISOString(),
        tool: { name: 'eme-compat', version: toolVersion(), playwright: this.#playwrightVersion },
        browser: { ...identity, userAgent: results.find((r) => r.environment)?.environment?.userAgent ?? null },
        environment: { os: osDescription(), node: process.version, ci: readConfig().ci },
        run: {
          startedAt: this.#startedAt.toISOString(),
          durationMs: Math.round(result.duration),
          browserSet: project.browserSet,
          selection: this.#selection,
          git: this.#git,
        },
        summary: countVerdicts(results),
        scenarios: results,
      });
      const file = join(this.#outputDir, `${name}-${identity.version}.json`.replace(/[^\w.+-]/g, '_'));
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      writeExport(file.replace(/\.json$/, '.wptreport.json'), () => `${JSON.stringify(toWptReport(report))}\n`);
      writeExport(file.replace(/\.json$/, '.collector.json'), () => {
        const collector = toCollectorReport(report);
        if ('omitted' in collector) throw new Error(collector.omitted);
        return `${JSON.stringify(collector.report, null, 2)}\n`;
      });
      writeFileSync(file.replace(/\.json$/, '.html'), renderBrowserReport(report));
      this.written.push(file);
      reports.push(report);
    }
    if (reports.length) {
      writeExport(join(this.#outputDir, 'bcd.json'), () => {
        const bcd = toBcd(reports);
        for (const o of bcd.omitted) console.warn(`eme-compat: bcd.json leaves out ${o.project}: ${o.reason}`);
        return `${JSON.stringify(bcd.data, null, 2)}\n`;
      });
      writeFileSync(join(this.#outputDir, 'cross-browser.html'), renderCrossBrowser(reports));
    }
    const index: RunIndex = {
      generatedAt: new Date().toISOString(),
      startedAt: this.#startedAt.toISOString(),
      status: result.status,
      reports: this.written.map((f) => f.replace(/^.*\//, '')),
      browserSet: browserSetName(),
      selection: this.#selection,
      git: this.#git,
      merged: this.#merged,
      ...this.#coverage(reports, result),
    };
    writeFileSync(join(this.#outputDir, REPORT_INDEX), `${JSON.stringify(index, null, 2)}\n`);
    if (reports.length) console.log(`\n${formatSummary(reports, this.written)}`);
  }
}
