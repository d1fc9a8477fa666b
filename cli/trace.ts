// `eme-compat trace <url>`: opens any page in the chosen browsers with the EME tracer injected before its
// scripts, waits for a condition (or a time), optionally runs a small user script, and writes per-browser
// trace reports, the cross-browser sequence diff and an HTML page into a folder it prints.
import { type Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSER_SETS, loadProfiles } from '../harness/browsers/profiles.ts';
import { describeMissing, findMissingBrowsers } from '../harness/browsers/preflight.ts';
import { traceInBrowser } from '../harness/trace/run.ts';
import type { TraceReport, WaitSpec } from '../harness/trace/schema.ts';
import { TRACE_EXIT, selectTraceBrowsers, traceExitCode } from '../harness/trace/select.ts';
import { UNTIL_EVENTS, checkWait, describeWait } from '../harness/trace/wait.ts';
import { traceAnythingVersion } from '../harness/trace/bundle.ts';
import { writeTraceOutput } from '../report/trace/write.ts';

interface TraceOptions {
  browsers: string;
  project?: string[];
  until?: string;
  untilEvent?: string;
  timeout: number;
  settle: number;
  script?: string;
  ignoreHttpsErrors?: boolean;
  out?: string;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError('expected seconds, > 0 and ≤ 3600');
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 60_000)
    throw new InvalidArgumentError('expected whole milliseconds, 0-60000');
  return n;
}

/** One line: what each browser's trace came to. */
function verdictLine(r: TraceReport): string {
  const what =
    r.status !== 'traced'
      ? r.status.toUpperCase()
      : !r.conditionMet
        ? 'CONDITION NOT MET'
        : r.emeCalls === 0
          ? 'NO EME CALLS'
          : 'traced';
  return `  ${r.project.padEnd(20)} ${what.padEnd(18)} ${String(r.emeCalls).padStart(4)} EME call(s)  ${r.reason}`;
}

export function registerTraceCommand(
  program: Command,
  options: { defaultBrowsers: string; fail: (message: string) => never },
): void {
  // Typed where it is declared, so TypeScript knows nothing runs after a call (usage errors exit 2).
  const fail: (message: string) => never = options.fail;
  program
    .command('trace')
    .description(
      'record the EME conversation of any page (your own player app) in each chosen browser, and diff it across browsers',
    )
    .argument('<url>', 'the page to open (http, https or file URL)')
    .option(
      '-b, --browsers <set>',
      `browser set (${BROWSER_SETS.join(', ')}; comma-join several) or a JSON file of profiles`,
      options.defaultBrowsers,
    )
    .option('-p, --project <names...>', 'only these browser projects (default: every project that can be traced)')
    .option('--until <expression>', 'wait until this JavaScript expression is truthy in the page (polled every 100 ms)')
    .option('--until-event <name>', `wait for the first timeline event of this name (${UNTIL_EVENTS.join(', ')})`)
    .option('--timeout <seconds>', 'longest wait; alone, the page is watched this long', seconds, 30)
    .option('--settle <ms>', 'after the condition holds, keep recording this long for late results', milliseconds, 500)
    .option('--script <file>', 'JavaScript run in the page after it loads (an async function body: click play, seek)')
    .option('--ignore-https-errors', 'accept self-signed or otherwise untrusted HTTPS certificates')
    .option('-o, --out <dir>', 'output folder (default: out/trace/<time>)')
    .addHelpText(
      'after',
      `
Writes <out>/<project>.json (the trace in the runner pages' timeline schema), <project>.txt, sequence-diff.txt
and index.html. The tracer is trace-anything ${traceAnythingVersion()} with eme-compat's adapter, injected before the page's scripts
in every frame (Playwright and puppeteer drivers); WebDriver-classic browsers are reported as not traceable.

Exit codes:
  ${TRACE_EXIT.ok}  every browser traced the page, saw EME calls, and the wait condition held
  ${TRACE_EXIT.incomplete}  a browser traced the page, but the condition never held or the page made no EME call
  ${TRACE_EXIT.usage}  usage error: bad URL, options, --until expression or --script file; a browser missing
  ${TRACE_EXIT.failed}  a browser could not trace: it did not start, the URL did not load, the --script threw, or its driver cannot inject the tracer
  (when both 1 and 3 hold, the exit is 1; the summary lists every browser)`,
    )
    .action(async (url: string, o: TraceOptions) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        fail(`${url} is not a URL (give it whole, e.g. http://localhost:8080/player.html)`);
      }
      if (!['http:', 'https:', 'file:'].includes(parsed.protocol))
        fail(`${url}: only http, https and file URLs can be traced`);
      let script: string | null = null;
      if (o.script !== undefined) {
        try {
          script = readFileSync(o.script, 'utf8');
        } catch (err) {
          fail(`cannot read the --script file: ${(err as Error).message}`);
        }
      }
      const wait: WaitSpec = {
        until: o.until ?? null,
        untilEvent: o.untilEvent ?? null,
        timeoutMs: Math.round(o.timeout * 1000),
        settleMs: o.settle,
        script,
      };
      const problem = checkWait(wait);
      if (problem) fail(problem);
      let selection;
      try {
        selection = selectTraceBrowsers(loadProfiles(o.browsers), o.project);
      } catch (err) {
        fail((err as Error).message);
      }
      if (!selection.chosen.length) fail(`no browser of set ${o.browsers} can be traced`);
      const missing = findMissingBrowsers(selection.chosen);
      if (missing.length) fail(describeMissing(missing));
      for (const s of selection.skipped) console.log(`eme-compat: trace skips ${s.project}: ${s.why}`);
      const out = o.out ?? join('out', 'trace', new Date().toISOString().replace(/[:.]/g, '-'));
      console.log(
        `eme-compat: tracing ${parsed.href} in ${selection.chosen.map((p) => p.project).join(', ')}, waiting ${describeWait(wait)}`,
      );
      const reports: TraceReport[] = [];
      for (const profile of selection.chosen) {
        const report = await traceInBrowser(profile, {
          url: parsed.href,
          wait,
          ignoreHttpsErrors: o.ignoreHttpsErrors ?? false,
        });
        console.log(verdictLine(report));
        reports.push(report);
      }
      const files = writeTraceOutput(out, reports);
      console.log(`eme-compat: trace written → ${out}/ (${files.join(', ')})`);
      console.log(`eme-compat: open ${join(out, 'index.html')}`);
      process.exit(traceExitCode(reports));
    });
}
