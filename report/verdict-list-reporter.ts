// Playwright line reporter that shows each scenario's verdict, not only pass/fail of the test: an
// expected fail or an unsupported feature reads differently from a pass, and a reason already printed
// for the same project is folded ("same reason as <scenario>"), so 68 identical "API is undefined"
// lines become one. Tests that are not scenarios are listed as Playwright's list reporter would.
import type {
  FullConfig,
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestError,
  TestResult,
} from '@playwright/test/reporter';
import { SCENARIO_ATTACHMENT, ScenarioAttachment } from '../model/results.ts';

const color = process.stdout.isTTY && !process.env['NO_COLOR'];
const paint = (code: number) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[39m` : s);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);

const MARK: Record<string, string> = {
  pass: green('✓'),
  fail: yellow('✓'),
  unsupported: dim('–'),
  'not-measurable': dim('?'),
  error: yellow('✓'),
  crash: yellow('✓'),
  timeout: yellow('✓'),
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export default class VerdictListReporter implements Reporter {
  #done = 0;
  #total = 0;
  /** project → reason → the first scenario that printed it */
  readonly #reasons = new Map<string, Map<string, string>>();
  readonly #counts = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.#total = suite.allTests().length;
    console.log(`\nRunning ${this.#total} test(s) using ${config.workers} worker(s)\n`);
  }

  #fold(project: string, scenario: string, reason: string): string {
    const seen = this.#reasons.get(project) ?? new Map<string, string>();
    this.#reasons.set(project, seen);
    const first = seen.get(reason);
    if (first) return dim(`same reason as ${first}`);
    seen.set(reason, scenario);
    return reason.length > 160 ? `${reason.slice(0, 159)}…` : reason;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // A retried test is counted once, at its last attempt.
    const last = result.retry === test.retries || result.status === 'passed' || result.status === 'skipped';
    const project = test.parent.project()?.name ?? '';
    const n = `${String(++this.#done).padStart(String(this.#total).length)}/${this.#total}`;
    const raw = result.attachments.find((a) => a.name === SCENARIO_ATTACHMENT && a.body);
    const retry = result.retry ? dim(` (retry #${result.retry})`) : '';
    // Harness self-tests attach a result too but judge it themselves (a timeout is what they want): only
    // catalog scenarios, whose test passes exactly when the verdict is expected, are shown by verdict.
    const isScenario = test.annotations.some((a) => a.type === 'scenario');
    if (raw?.body && isScenario) {
      const { result: r } = ScenarioAttachment.parse(JSON.parse(raw.body.toString('utf8')));
      const expected = r.expected.verdicts.includes(r.verdict);
      const head = `${project} › ${r.id}`;
      if (expected) {
        const note = r.verdict === 'pass' ? '' : `  ${r.verdict} (expected): ${this.#fold(project, r.id, r.reason)}`;
        console.log(`  ${MARK[r.verdict]} ${dim(n)} ${head}${note} ${dim(seconds(result.duration))}${retry}`);
      } else {
        console.log(
          `  ${red('✘')} ${dim(n)} ${head}  ${red(`${r.verdict}, expected ${r.expected.verdicts.join(' | ')}`)}: ${r.reason} ${dim(seconds(result.duration))}${retry}`,
        );
        for (const c of r.checks.filter((c) => !c.ok && c.level === 'must'))
          console.log(`        - ${c.title}: expected ${c.expected}; observed ${c.observed}`);
      }
    } else {
      const ok = result.status === 'passed' || result.status === 'skipped' || result.status === test.expectedStatus;
      const mark = result.status === 'skipped' ? dim('-') : ok ? green('✓') : red('✘');
      console.log(
        `  ${mark} ${dim(n)} ${project ? `${project} › ` : ''}${test.title} ${dim(seconds(result.duration))}${retry}`,
      );
      if (!ok && result.error?.message) console.log(result.error.message.replace(/^/gm, '        '));
    }
    if (!last) this.#done--;
    else {
      const outcome = test.outcome();
      if (outcome === 'expected') this.#counts.expected++;
      else if (outcome === 'unexpected') this.#counts.unexpected++;
      else if (outcome === 'flaky') this.#counts.flaky++;
      else this.#counts.skipped++;
    }
  }

  onError(error: TestError): void {
    console.log(red(`error: ${error.message ?? error.value ?? 'unknown'}`));
  }

  onEnd(result: FullResult): void {
    const c = this.#counts;
    const parts = [
      `${c.expected} passed`,
      c.unexpected ? red(`${c.unexpected} failed`) : '',
      c.flaky ? yellow(`${c.flaky} flaky`) : '',
      c.skipped ? `${c.skipped} skipped` : '',
    ].filter(Boolean);
    console.log(`\n  ${parts.join(', ')} (${seconds(result.duration)})`);
  }
}
