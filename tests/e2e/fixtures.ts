// Fixtures for scenario tests: one browser per worker (Playwright or WebDriver), and runScenario(),
// which runs a scenario through the run engine (harness/run/engine.ts), each phase a boxed test step,
// then attaches the result for the reporters, labels it for Allure and notes its timing.
import { test as base, expect, type TestInfo } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import * as allure from 'allure-js-commons';
import { Expectations } from '../../harness/expectations.ts';
import { startBrowser } from '../../harness/browsers/start.ts';
import type { BrowserSession } from '../../harness/browsers/session.ts';
import type { BrowserProfile } from '../../harness/browsers/profiles.ts';
import { GROUPS, type Scenario } from '../../harness/scenario.ts';
import { readConfig } from '../../harness/config.ts';
import {
  RunEngine,
  type PhaseRunner,
  type RanScenarioResult,
  type ReferenceFrames,
  type ScenarioRun,
  type ScenarioRunOptions,
} from '../../harness/run/engine.ts';
import { parseRunParams } from '../../harness/run/params.ts';
import { addTiming, noTime, type RunTiming } from '../../harness/run/timing.ts';
import { SPEC_BASE } from '../../model/verdict.ts';
import { formatTimeline } from '../../report/timeline-text.ts';
import { REPORT_SCHEMA_VERSION, SCENARIO_ATTACHMENT, ScenarioAttachment } from '../../model/results.ts';

interface WorkerFixtures {
  emeProfile: BrowserProfile;
  browserSet: string;
  expectationsDir: string;
  emeBrowser: BrowserSession;
  /** Reference frames (clear renditions) photographed once per worker, by reference scenario id. */
  referenceFrames: ReferenceFrames;
  expectations: Expectations;
  /** Extra parameters every run is registered with (EME_RUN_PARAMS). */
  runParams: Record<string, unknown>;
}

interface TestFixtures {
  /** The run engine on this worker's browser, its phases as boxed test steps. */
  runEngine: RunEngine;
  runScenario: (scenario: Scenario, options?: ScenarioRunOptions) => Promise<RanScenarioResult>;
}

/** Browser start-up time per worker process (a worker runs one project at a time). */
const startupByWorker = new Map<number, number>();

/** Each engine phase as a test step whose errors point at the test, not into the engine. */
const boxedStep: PhaseRunner = (title, body) => base.step(title, body, { box: true });

/** The frames a picture scenario was judged by, written to the test's output folder so they outlive the run for a person to compare. */
async function attachFrames(testInfo: TestInfo, run: ScenarioRun): Promise<void> {
  if (!run.frame) return;
  const framePath = testInfo.outputPath('frame.png');
  await writeFile(framePath, run.frame.png);
  await testInfo.attach('frame.png', { path: framePath, contentType: 'image/png' });
  const referencePng = run.reference?.[run.frame.via];
  if (referencePng) {
    const refPath = testInfo.outputPath('reference-frame.png');
    await writeFile(refPath, referencePng);
    await testInfo.attach('reference-frame.png', { path: refPath, contentType: 'image/png' });
  }
}

/** The result for the compat reporter (its one named attachment), and the timeline for a person. */
async function attachResult(
  testInfo: TestInfo,
  browserSet: string,
  browser: BrowserSession,
  result: RanScenarioResult,
): Promise<void> {
  const attachment = ScenarioAttachment.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    browserSet,
    browser: browser.identity,
    result,
  });
  await testInfo.attach(SCENARIO_ATTACHMENT, { body: JSON.stringify(attachment), contentType: 'application/json' });
  await testInfo.attach('timeline.txt', { body: formatTimeline(result), contentType: 'text/plain' });
}

/**
 * Allure: browser and scenario labels, the verdict as a parameter, spec sections as links. (These travel
 * as Playwright attachments of type application/vnd.allure.message+json, which the compat reporter
 * never reads: it reads only its own named attachment.)
 */
async function labelForAllure(browser: BrowserSession, scenario: Scenario, result: RanScenarioResult): Promise<void> {
  const id = browser.identity;
  await allure.parentSuite(`${id.project} (${id.name} ${id.version})`);
  await allure.epic(`${scenario.group} · ${GROUPS[scenario.group]}`);
  await allure.feature(scenario.id);
  await allure.labels(
    { name: 'browser', value: id.name },
    { name: 'browserVersion', value: id.version },
    { name: 'engine', value: id.engine },
    { name: 'scenarioGroup', value: scenario.group },
    ...scenario.spec.map((anchor) => ({ name: 'specSection', value: anchor })),
  );
  // Excluded from the history id (allure-js-commons and Allure 3 both skip `excluded` parameters), so
  // a verdict that changes, or a changed expectation, continues the test's history instead of starting one.
  await allure.parameter('verdict', result.verdict, { excluded: true });
  await allure.parameter('expected', result.expected.verdicts.join(' | '), { excluded: true });
  for (const anchor of scenario.spec) await allure.link(`${SPEC_BASE}${anchor}`, `EME ${anchor}`, 'spec');
}

/** For scripts/bench-matrix.ts: where this test's time went so far (all its runs, reference runs included). */
function noteTiming(testInfo: TestInfo, browser: BrowserSession, timing: RunTiming): void {
  const rounded = Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)]));
  testInfo.annotations.push({
    type: 'timing',
    description: JSON.stringify({
      worker: testInfo.workerIndex,
      project: browser.identity.project,
      browserStartupMs: startupByWorker.get(testInfo.workerIndex) ?? 0,
      ...rounded,
    }),
  });
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  emeProfile: [undefined as unknown as BrowserProfile, { option: true, scope: 'worker' }],
  browserSet: ['debian', { option: true, scope: 'worker' }],
  expectationsDir: ['expectations', { option: true, scope: 'worker' }],

  emeBrowser: [
    async ({ emeProfile }, use, workerInfo) => {
      if (!emeProfile)
        throw new Error('this project has no emeProfile; projects come from harness/browsers/profiles.ts');
      const started = performance.now();
      const browser = await startBrowser(emeProfile);
      startupByWorker.set(workerInfo.workerIndex, Math.round(performance.now() - started));
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  referenceFrames: [async ({}, use) => use(new Map()), { scope: 'worker' }],

  expectations: [
    async ({ expectationsDir, browserSet, emeProfile }, use) => {
      await use(Expectations.load(expectationsDir, browserSet, emeProfile.project));
    },
    { scope: 'worker' },
  ],

  runParams: [async ({}, use) => use(parseRunParams(readConfig().runParams)), { scope: 'worker' }],

  runEngine: async ({ emeBrowser, baseURL, expectations, referenceFrames, runParams }, use) => {
    if (!baseURL) throw new Error('no baseURL: playwright.config.ts sets it to the harness server');
    await use(
      new RunEngine({
        baseURL,
        browser: emeBrowser,
        expectations,
        params: runParams,
        references: referenceFrames,
        phase: boxedStep,
      }),
    );
  },

  runScenario: async ({ runEngine, emeBrowser, browserSet }, use, testInfo) => {
    const timing = noTime();
    await use(async (scenario, options = {}) => {
      const run = await runEngine.runScenario(scenario, options);
      addTiming(timing, run.timing);
      const { result } = run;
      await attachFrames(testInfo, run);
      await attachResult(testInfo, browserSet, emeBrowser, result);
      testInfo.annotations.push({ type: 'verdict', description: `${result.verdict}: ${result.reason}` });
      await labelForAllure(emeBrowser, scenario, result);
      noteTiming(testInfo, emeBrowser, timing);
      return result;
    });
  },
});

export { expect };
