// Fixtures for scenario tests: one browser per worker (Playwright or WebDriver), and runScenario(),
// which registers a run, opens the runner page, reads the joined record from the server and judges it.
import { test as base, expect } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { Expectations } from '../../harness/expectations.ts';
import { startBrowser } from '../../harness/browsers/start.ts';
import type { BrowserSession, OpenPage } from '../../harness/browsers/session.ts';
import type { BrowserProfile } from '../../harness/browsers/profiles.ts';
import type { Scenario } from '../../harness/scenario.ts';
import { RunRecord, type Evidence } from '../../model/record.ts';
import { comparePictures } from '../../harness/picture.ts';
import { PICTURE_THRESHOLD } from '../../harness/judge/playback.ts';
import { findScenario } from '../../harness/catalog.ts';
import { GROUPS } from '../../harness/scenario.ts';
import { SPEC_BASE } from '../../model/verdict.ts';
import * as allure from 'allure-js-commons';
import { formatTimeline } from '../../report/timeline-text.ts';
import { REPORT_SCHEMA_VERSION, SCENARIO_ATTACHMENT, ScenarioAttachment, type ScenarioResult } from '../../model/results.ts';

/** How long a page may take to report its timeline before the scenario counts as hung. */
const RECORD_WAIT_MS = 30_000;

/**
 * Extra run parameters for every scenario, as JSON (e.g. a license profile for real DRM:
 * EME_RUN_PARAMS='{"licenseProfile":"widevine","keySystem":"com.widevine.alpha","initDataType":"cenc","keyIds":["…"]}').
 */
function runParams(): Record<string, unknown> {
  const raw = process.env['EME_RUN_PARAMS'];
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error(`EME_RUN_PARAMS must be a JSON object, got ${raw.slice(0, 100)}`);
}

interface WorkerFixtures {
  emeProfile: BrowserProfile;
  browserSet: string;
  expectationsDir: string;
  emeBrowser: BrowserSession;
  /** Reference frames (clear renditions) photographed once per worker, by reference scenario id. */
  referenceFrames: Map<string, Promise<ReferenceFrame | null>>;
  expectations: Expectations;
}

/** Browser start-up time per worker process (a worker runs one project at a time). */
const startupByWorker = new Map<number, number>();

/** The page's own time for a run: from the runner's start to its last entry. */
function inPageMs(record: RunRecord): number {
  return Math.round(Math.max(0, ...(record.page?.entries.map((e) => e.t) ?? [0])));
}

/**
 * Where one test's run time went, for scripts/bench-matrix.ts (milliseconds, summed over the test's
 * runs, reference runs included): getting a runner page started, the page's own time, waiting for its
 * report beyond that, and photographing the held frame.
 */
interface RunPhases {
  startMs: number;
  inPageMs: number;
  reportMs: number;
  pictureMs: number;
}

interface ReferenceFrame {
  runId: string;
  png: Buffer;
}

interface CompletedRun {
  runId: string;
  record: RunRecord;
  /** The photographed <video> frame, when the page paused on one. */
  frame: Buffer | null;
}

/**
 * Photographs the paused <video>. Under load, headless Chromium's compositor was seen to show the
 * frame from before the seek for well over 100 ms after the page saw the seeked frame presented, so a
 * picture only counts once it stayed the same over four shots taken at least 200 ms apart (start to
 * start: a slow screenshot, ~0.5 s in Firefox, is its own wait). A first shot `accept` takes (it
 * matches the reference) needs no wait: a stale frame cannot produce a match.
 */
async function stableShot(page: OpenPage, accept: (png: Buffer) => boolean = () => false): Promise<Buffer> {
  const SAME_SHOTS = 4;
  const SPACING_MS = 200;
  let takenAt = performance.now();
  let shot = await page.screenshotElement('video');
  if (accept(shot)) return shot;
  let same = 1;
  for (let i = 0; i < 15 && same < SAME_SHOTS; i++) {
    const wait = takenAt + SPACING_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    takenAt = performance.now();
    const next = await page.screenshotElement('video');
    if (accept(next)) return next;
    same = next.equals(shot) ? same + 1 : 1;
    shot = next;
  }
  return shot;
}

/** Registers a run, opens the runner, waits for the page's timeline, and photographs a held frame. */
async function executeRun(browser: BrowserSession, baseURL: string, scenario: Scenario, phases: RunPhases, photograph: boolean, waitMs = RECORD_WAIT_MS, accept?: (png: Buffer) => boolean): Promise<CompletedRun> {
  const scenarioId = scenario.id;
  const began = performance.now();
  const run = await api<{ id: string }>(`${baseURL}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: scenarioId, project: browser.identity.project, params: runParams() }),
  });
  const page = await browser.startRun(baseURL, run.id, { isolation: scenario.isolation ?? 'document' });
  let clean = false;
  const started = performance.now();
  phases.startMs += started - began;
  try {
    const recordUrl = `${baseURL}/api/runs/${run.id}/record`;
    const waited = await Promise.race([
      api(`${recordUrl}?wait=${waitMs}`).then((r) => ({ record: RunRecord.parse(r), lost: null as string | null })),
      page.lost.then((detail) => ({ record: null, lost: detail })),
    ]);
    let record = waited.record ?? RunRecord.parse(await api(recordUrl));
    if (!record.finished) {
      // The page is gone or hung: say which, so the verdict is crash or timeout rather than a bare error.
      const lost: Evidence = waited.lost
        ? { kind: 'page-lost', reason: 'crash', detail: waited.lost }
        : { kind: 'page-lost', reason: 'timeout', detail: `the page did not report its timeline within ${waitMs} ms` };
      await api(`${recordUrl.replace(/\/record$/, '')}/evidence`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lost) });
      record = RunRecord.parse(await api(recordUrl));
    }
    const reported = performance.now();
    phases.inPageMs += inPageMs(record);
    phases.reportMs += Math.max(0, reported - started - inPageMs(record));
    const ready = record.page?.entries.some((e) => e.type === 'note' && e.name === 'picture-ready');
    const frame = photograph && ready ? await stableShot(page, accept) : null;
    phases.pictureMs += performance.now() - reported;
    clean = !waited.lost && waited.record?.finished === true;
    return { runId: run.id, record, frame };
  } finally {
    await page.close({ clean });
  }
}

interface TestFixtures {
  runScenario: (scenario: Scenario, options?: { recordWaitMs?: number }) => Promise<ScenarioResult>;
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => null)) as T & { message?: string };
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${body?.message ?? ''}`);
  return body;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  emeProfile: [undefined as unknown as BrowserProfile, { option: true, scope: 'worker' }],
  browserSet: ['debian', { option: true, scope: 'worker' }],
  expectationsDir: ['expectations', { option: true, scope: 'worker' }],

  emeBrowser: [
    async ({ emeProfile }, use, workerInfo) => {
      if (!emeProfile) throw new Error('this project has no emeProfile; projects come from harness/browsers/profiles.ts');
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

  runScenario: async ({ emeBrowser, baseURL, browserSet, expectations, referenceFrames }, use, testInfo) => {
    const phases: RunPhases = { startMs: 0, inPageMs: 0, reportMs: 0, pictureMs: 0 };
    const reference = (id: string): Promise<ReferenceFrame | null> => {
      if (!referenceFrames.has(id)) {
        referenceFrames.set(id, executeRun(emeBrowser, baseURL!, findScenario(id)!, phases, true).then((r) => {
          return r.frame ? { runId: r.runId, png: r.frame } : null;
        }));
      }
      return referenceFrames.get(id)!;
    };
    await use(async (scenario, options = {}) => {
      const started = performance.now();
      // The reference frame comes first, so a matching first shot of this run can be accepted at once.
      const refId = scenario.picture?.referenceScenario ?? null;
      if (refId && !findScenario(refId)) throw new Error(`${scenario.id}: unknown reference scenario ${refId}`);
      const ref = refId ? await reference(refId) : null;
      const matches = (png: Buffer) => !!ref && (comparePictures(png, ref.png).meanAbsDiff ?? Infinity) <= PICTURE_THRESHOLD;
      const run = await executeRun(emeBrowser, baseURL!, scenario, phases, !!scenario.picture, options.recordWaitMs, matches);
      let record = run.record;
      if (scenario.picture && run.frame) {
        const comparison = comparePictures(run.frame, ref?.png ?? null);
        const evidence: Evidence = { kind: 'picture', referenceScenario: refId, referenceRun: ref?.runId ?? null, threshold: PICTURE_THRESHOLD, ...comparison };
        await api(`${baseURL}/api/runs/${run.runId}/evidence`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(evidence) });
        record = RunRecord.parse(await api(`${baseURL}/api/runs/${run.runId}/record`));
        // Written to the test's output folder, so they outlive the run for a person to compare.
        const framePath = testInfo.outputPath('frame.png');
        await writeFile(framePath, run.frame);
        await testInfo.attach('frame.png', { path: framePath, contentType: 'image/png' });
        if (ref) {
          const refPath = testInfo.outputPath('reference-frame.png');
          await writeFile(refPath, ref.png);
          await testInfo.attach('reference-frame.png', { path: refPath, contentType: 'image/png' });
        }
      }
      const judgement = scenario.judge(record);
      const expected = expectations.for(scenario.id, emeBrowser.identity);
      const result: ScenarioResult = {
        id: scenario.id,
        title: scenario.title,
        group: scenario.group,
        spec: scenario.spec,
        verdict: judgement.verdict,
        reason: judgement.reason,
        expected: { verdicts: expected.verdicts, ...(expected.reason ? { reason: expected.reason } : {}), ...(expected.bug ? { bug: expected.bug } : {}) },
        checks: judgement.checks,
        ...(judgement.findings ? { findings: judgement.findings } : {}),
        durationMs: Math.round(performance.now() - started),
        attempts: [],
        environment: record.page?.environment ?? null,
        record,
      };
      const attachment = ScenarioAttachment.parse({ schemaVersion: REPORT_SCHEMA_VERSION, browserSet, browser: emeBrowser.identity, result });
      await testInfo.attach(SCENARIO_ATTACHMENT, { body: JSON.stringify(attachment), contentType: 'application/json' });
      await testInfo.attach('timeline.txt', { body: formatTimeline(result), contentType: 'text/plain' });
      testInfo.annotations.push({ type: 'verdict', description: `${result.verdict}: ${result.reason}` });
      // Allure: browser and scenario labels, the verdict as a parameter, spec sections as links.
      // (These travel as Playwright attachments of type application/vnd.allure.message+json, which the
      // compat reporter never reads: it reads only its own named attachment.)
      const id = emeBrowser.identity;
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
      // For scripts/bench-matrix.ts: where this test's time went.
      const rounded = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
      testInfo.annotations.push({ type: 'timing', description: JSON.stringify({ worker: testInfo.workerIndex, project: emeBrowser.identity.project, browserStartupMs: startupByWorker.get(testInfo.workerIndex) ?? 0, ...rounded }) });
      return result;
    });
  },
});

export { expect };
