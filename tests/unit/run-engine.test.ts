// The run engine (harness/run/engine.ts) against the real harness server on a loopback port, with a fake
// browser session playing the page's part: it replays a timeline recorded in a real browser (license
// requests included) as a runner page would post it, or never reports, or loses its page.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { findScenario } from '../../harness/catalog.ts';
import type { BrowserSession, OpenPage, StartOptions } from '../../harness/browsers/session.ts';
import type { Expectation } from '../../harness/expectations.ts';
import type { Judgement } from '../../harness/judge/verdict.ts';
import { RunEngine, type ReferenceFrames, type ScenarioJudge } from '../../harness/run/engine.ts';
import type { Scenario } from '../../harness/scenario.ts';
import type { BrowserIdentity } from '../../model/browser.ts';
import type { RunRecord } from '../../model/record.ts';
import { startLoopbackHarness, type LoopbackHarness } from '../integration/loopback-harness.ts';
import { fixtureRecord } from './helpers.ts';

let harness: LoopbackHarness;
before(async () => {
  harness = await startLoopbackHarness('run-engine');
});
after(() => harness.close());

/** The page's own requests go out through this, so the spy below sees only the engine's. */
const pageFetch = globalThis.fetch;
/** Every request the engine made ("POST /api/runs/…/evidence"), in order. */
let engineRequests: string[] = [];
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  engineRequests.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
  return pageFetch(input, init);
};
after(() => {
  globalThis.fetch = pageFetch;
});
afterEach(() => {
  engineRequests = [];
});

const identity: BrowserIdentity = {
  project: 'fake',
  label: 'Fake browser',
  engine: 'none',
  name: 'fake',
  version: '1.0',
  channel: null,
  driver: 'playwright',
  executablePath: null,
  args: [],
  prefs: {},
};

/** What the fake page does in a run: report a recorded timeline, never report, or lose its page after some ms. */
type PageScript = { report: RunRecord } | { hang: true } | { crashAfterMs: number; detail: string };

interface StartedRun {
  runId: string;
  scenario: string;
  isolation: StartOptions['isolation'];
  closed: { clean: boolean } | null;
  shots: number;
}

/** A gradient PNG (a picture, not a blank); `invert` makes one far from it. */
function frame(invert = false): Buffer {
  const png = new PNG({ width: 32, height: 18 });
  for (let y = 0; y < 18; y++) {
    for (let x = 0; x < 32; x++) {
      const i = (y * 32 + x) * 4;
      const v = (x * 8 + y * 4) % 256;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = invert ? 255 - v : v;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Plays a recorded run as its page did: the license requests it made, then its timeline. */
async function replay(base: string, runId: string, recorded: RunRecord): Promise<void> {
  for (const x of recorded.exchanges) {
    const query = new URLSearchParams({
      ...(x.session ? { session: x.session } : {}),
      ...(x.messageType ? { messageType: x.messageType } : {}),
    });
    await pageFetch(`${base}/license/${runId}?${query}`, {
      method: 'POST',
      headers: {
        'content-type': x.request.contentType ?? 'application/octet-stream',
        ...(x.pageSeq !== null ? { 'x-eme-page-seq': String(x.pageSeq) } : {}),
      },
      body: Buffer.from(x.request.base64, 'base64'),
    }).then((r) => r.arrayBuffer());
  }
  const posted = await pageFetch(`${base}/api/runs/${runId}/timeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(recorded.page),
  });
  assert.equal(posted.status, 201, `the fake page's timeline was refused: ${await posted.text()}`);
}

/** The recorded run with its held frame drawn as `png` (what a page with a canvas reports). */
function withHeldFrame(recorded: RunRecord, png: Buffer | undefined): RunRecord {
  if (!png || !recorded.page) return recorded;
  const entries = recorded.page.entries.map((e) =>
    e.type === 'note' && e.name === 'picture-ready'
      ? { ...e, data: { ...e.data, capture: { via: 'canvas' as const, png: png.toString('base64') } } }
      : e,
  );
  return { ...recorded, page: { ...recorded.page, entries } };
}

/**
 * A browser session whose pages follow a script per scenario: each draws `frames[scenario]` onto its
 * canvas as the held frame, and its <video> shows `shown[scenario]` (by default the same) to the driver.
 */
class FakeBrowser implements BrowserSession {
  readonly identity = identity;
  readonly started: StartedRun[] = [];

  constructor(
    readonly scripts: Record<string, PageScript>,
    readonly frames: Record<string, Buffer> = {},
    readonly shown: Record<string, Buffer> = {},
  ) {}

  async startRun(baseURL: string, runId: string, options: StartOptions = {}): Promise<OpenPage> {
    // Like the runner page: learn which scenario the run is, then run it in the background.
    const run = (await (await pageFetch(`${baseURL}/api/runs/${runId}`)).json()) as { scenario: string };
    const script = this.scripts[run.scenario];
    if (!script) throw new Error(`the fake browser has no script for ${run.scenario}`);
    const started: StartedRun = { runId, scenario: run.scenario, isolation: options.isolation, closed: null, shots: 0 };
    this.started.push(started);
    let lost: Promise<string> = new Promise(() => {});
    if ('report' in script) void replay(baseURL, runId, withHeldFrame(script.report, this.frames[run.scenario]));
    if ('crashAfterMs' in script)
      lost = new Promise((resolve) => setTimeout(() => resolve(script.detail), script.crashAfterMs));
    const shot = async () => {
      started.shots++;
      const png = this.shown[run.scenario] ?? this.frames[run.scenario];
      if (!png) throw new Error(`no <video> frame in the fake page of ${run.scenario}`);
      return png;
    };
    return {
      screenshot: shot,
      screenshotElement: shot,
      lost,
      close: async (o) => {
        started.closed = o ?? { clean: false };
      },
    };
  }

  async close(): Promise<void> {}
}

/** Expectations that allow `verdicts` and remember what they were asked. */
function expecting(verdicts: Expectation['verdicts']) {
  const asked: { id: string; browser: unknown }[] = [];
  return {
    asked,
    for(id: string, browser?: { channel: string | null; version: string }): Expectation {
      asked.push({ id, browser });
      return { verdicts, reason: 'the fake says so', source: 'test' };
    },
  };
}

const scenario = (id: string): Scenario => findScenario(id) ?? assert.fail(`no scenario ${id}`);

test('a page that reports: its record is judged and assembled into the result', async () => {
  const recorded = fixtureRecord('chromium-probe-clearkey');
  const browser = new FakeBrowser({ 'probe.clearkey': { report: recorded } });
  const expectations = expecting(['pass', 'unsupported']);
  const engine = new RunEngine({ baseURL: harness.base, browser, expectations, params: { faults: [] } });
  const run = await engine.runScenario(scenario('probe.clearkey'));
  const { result } = run;

  assert.equal(result.verdict, 'pass', result.reason);
  const [started] = browser.started;
  assert.equal(browser.started.length, 1);
  assert.equal(started!.isolation, 'document');
  assert.deepEqual(started!.closed, { clean: true }, 'a page that reported may be reused');
  assert.equal(result.record.meta.id, started!.runId);
  assert.equal(result.record.meta.project, 'fake');
  assert.deepEqual(result.record.meta.params, { faults: [] });
  assert.deepEqual(result.record.page, recorded.page, 'the record holds the timeline the page posted');
  assert.deepEqual(result.record, harness.store.record(started!.runId), "the record is the server's");
  assert.equal(result.id, 'probe.clearkey');
  assert.equal(result.title, scenario('probe.clearkey').title);
  assert.equal(result.group, 'A');
  assert.deepEqual(result.expected, { verdicts: ['pass', 'unsupported'], reason: 'the fake says so' });
  assert.deepEqual(expectations.asked, [{ id: 'probe.clearkey', browser: identity }]);
  assert.deepEqual(result.environment, recorded.page!.environment);
  assert.deepEqual(result.attempts, []);
  assert.ok(result.checks.length > 0 && result.checks.every((c) => c.ok || c.level === 'advisory'));
  assert.ok(result.findings, 'the probe judge reports what is supported');
  assert.equal(run.frame, null);
  assert.equal(run.timing.inPageMs, Math.round(Math.max(...recorded.page!.entries.map((e) => e.t))));
  assert.deepEqual(
    engineRequests.map((r) => r.replace(/[0-9a-f-]{36}/, ':id')),
    ['POST /api/runs', 'GET /api/runs/:id/record?wait=30000'],
  );
});

test("the judge's verdict is the result's: one judgement of the record the engine read", async () => {
  const judged: { scenario: Scenario; record: RunRecord }[] = [];
  const judgement: Judgement = {
    verdict: 'fail',
    reason: 'the spy judge says fail',
    difference: 'spec-deviation',
    checks: [{ id: 'spy', title: 'spy', level: 'must', ok: false, expected: 'x', observed: 'y' }],
    findings: { spied: true },
  };
  const judge: ScenarioJudge = (scenario, record) => {
    judged.push({ scenario, record });
    return judgement;
  };
  const browser = new FakeBrowser({ 'probe.clearkey': { report: fixtureRecord('chromium-probe-clearkey') } });
  const { result } = await new RunEngine({
    baseURL: harness.base,
    browser,
    expectations: expecting(['pass']),
    judge,
  }).runScenario(scenario('probe.clearkey'));
  assert.equal(judged.length, 1);
  assert.equal(judged[0]!.scenario, scenario('probe.clearkey'));
  assert.equal(judged[0]!.record, result.record);
  assert.equal(result.verdict, 'fail');
  assert.equal(result.reason, 'the spy judge says fail');
  assert.deepEqual(result.checks, judgement.checks);
  assert.deepEqual(result.findings, { spied: true });
  assert.deepEqual(result.expected, { verdicts: ['pass'], reason: 'the fake says so' });
});

test('a page that never reports: timeout, with the page-lost evidence on the server', async () => {
  const browser = new FakeBrowser({ 'harness.never-reports': { hang: true } });
  const { result } = await new RunEngine({
    baseURL: harness.base,
    browser,
    expectations: expecting(['timeout']),
  }).runScenario(scenario('harness.never-reports'), { recordWaitMs: 300 });
  assert.equal(result.verdict, 'timeout');
  assert.equal(result.reason, 'the page did not report its timeline within 300 ms');
  assert.equal(result.record.status, 'running');
  assert.equal(result.record.finished, false);
  const evidence = [
    { kind: 'page-lost', reason: 'timeout', detail: 'the page did not report its timeline within 300 ms' },
  ];
  assert.deepEqual(result.record.evidence, evidence);
  assert.deepEqual(harness.store.record(browser.started[0]!.runId).evidence, evidence);
  assert.deepEqual(browser.started[0]!.closed, { clean: false }, 'a hung page is not reused');
  assert.deepEqual(
    engineRequests.map((r) => r.replace(/[0-9a-f-]{36}/, ':id')),
    ['POST /api/runs', 'GET /api/runs/:id/record?wait=300', 'POST /api/runs/:id/evidence'],
    'the record comes back with the evidence, not read again',
  );
});

test("a lost page: crash, at once, with the driver's description as the reason", async () => {
  const browser = new FakeBrowser({
    'lifecycle.temporary.keyids': { crashAfterMs: 50, detail: 'renderer crashed (fake)' },
  });
  const began = performance.now();
  // (A shorter record wait than the default only so the in-process server's own wait ends soon after.)
  const { result } = await new RunEngine({
    baseURL: harness.base,
    browser,
    expectations: expecting(['pass']),
    recordWaitMs: 4000,
  }).runScenario(scenario('lifecycle.temporary.keyids'));
  assert.ok(performance.now() - began < 2000, 'the engine did not wait out the record wait');
  assert.equal(result.verdict, 'crash');
  assert.equal(result.reason, 'renderer crashed (fake)');
  assert.deepEqual(result.record.evidence, [{ kind: 'page-lost', reason: 'crash', detail: 'renderer crashed (fake)' }]);
  assert.deepEqual(browser.started[0]!.closed, { clean: false });
  assert.deepEqual(result.expected.verdicts, ['pass'], 'a crash where a pass is expected is for the test to fail on');
});

test('a picture scenario: the held frame is compared with the reference, posted, and the record comes back with it', async () => {
  const recorded = fixtureRecord('chromium-playback-cenc');
  const scripts = {
    'playback.reference.h264': { report: recorded },
    'playback.cenc': { report: recorded },
    'playback.video-only': { report: recorded },
  };
  const browser = new FakeBrowser(scripts, {
    'playback.reference.h264': frame(),
    'playback.cenc': frame(),
    'playback.video-only': frame(),
  });
  const references: ReferenceFrames = new Map();
  const engine = new RunEngine({ baseURL: harness.base, browser, expectations: expecting(['pass']), references });
  const run = await engine.runScenario(scenario('playback.cenc'));
  const { result } = run;
  const reference = browser.started.find((s) => s.scenario === 'playback.reference.h264')!;
  const main = browser.started.find((s) => s.scenario === 'playback.cenc')!;
  assert.ok(reference && main, JSON.stringify(browser.started));
  assert.equal(main.shots, 0, 'the page drew a real frame: no driver screenshot');
  assert.ok(reference.shots >= 1, 'the reference is also photographed, for scenarios whose canvas is blank');

  const picture = result.record.evidence.find((e) => e.kind === 'picture');
  assert.ok(picture?.kind === 'picture', JSON.stringify(result.record.evidence));
  assert.equal(picture.referenceScenario, 'playback.reference.h264');
  assert.equal(picture.referenceRun, reference.runId);
  assert.equal(picture.meanAbsDiff, 0);
  assert.equal(picture.width, 32);
  assert.ok(picture.stdDev > 8, 'the gradient is a picture');
  assert.deepEqual(
    harness.store.record(main.runId).evidence,
    result.record.evidence,
    'the server kept the evidence the record came back with',
  );
  assert.equal(result.verdict, 'pass', result.reason);
  assert.ok(result.checks.some((c) => c.id === 'picture-matches-clear' && c.ok));
  assert.ok(run.frame?.png.equals(frame()));
  assert.equal(run.frame?.via, 'canvas');
  assert.equal(run.reference?.runId, reference.runId);
  const requests = engineRequests.map((r) => r.replace(/[0-9a-f-]{36}/, ':id'));
  assert.equal(
    requests.at(-1),
    'POST /api/runs/:id/evidence',
    `no record read after the evidence: ${requests.join(', ')}`,
  );
  assert.equal(
    requests.filter((r) => r.includes('/record')).length,
    2,
    'one long poll per run (reference and scenario)',
  );

  // The reference frame is taken once per browser session.
  await engine.runScenario(scenario('playback.video-only'));
  assert.equal(browser.started.filter((s) => s.scenario === 'playback.reference.h264').length, 1);
});

test('a frame unlike the reference fails the picture check', async () => {
  const recorded = fixtureRecord('chromium-playback-cenc');
  const browser = new FakeBrowser(
    { 'playback.reference.h264': { report: recorded }, 'playback.cenc': { report: recorded } },
    { 'playback.reference.h264': frame(), 'playback.cenc': frame(true) },
  );
  const { result } = await new RunEngine({
    baseURL: harness.base,
    browser,
    expectations: expecting(['pass']),
  }).runScenario(scenario('playback.cenc'));
  const picture = result.record.evidence.find((e) => e.kind === 'picture');
  assert.ok(picture?.kind === 'picture' && (picture.meanAbsDiff ?? 0) > picture.threshold, JSON.stringify(picture));
  assert.equal(result.verdict, 'fail');
  assert.ok(result.checks.some((c) => c.id === 'picture-matches-clear' && !c.ok));
});

/** A uniform (blank) PNG: what Chromium and Firefox draw on a canvas for encrypted video. */
function blankFrame(): Buffer {
  const png = new PNG({ width: 32, height: 18 });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return PNG.sync.write(png);
}

test('an encrypted frame drawn blank on the canvas is photographed and compared with the reference photograph', async () => {
  const recorded = fixtureRecord('chromium-playback-cenc');
  const browser = new FakeBrowser(
    { 'playback.reference.h264': { report: recorded }, 'playback.cenc': { report: recorded } },
    { 'playback.reference.h264': frame(), 'playback.cenc': blankFrame() },
    { 'playback.cenc': frame() },
  );
  const run = await new RunEngine({ baseURL: harness.base, browser, expectations: expecting(['pass']) }).runScenario(
    scenario('playback.cenc'),
  );
  const main = browser.started.find((s) => s.scenario === 'playback.cenc')!;
  assert.equal(main.shots, 1, 'a shot that matches the reference photograph is taken once');
  assert.equal(run.frame?.via, 'screenshot');
  const picture = run.result.record.evidence.find((e) => e.kind === 'picture');
  assert.ok(
    picture?.kind === 'picture' && picture.via === 'screenshot' && picture.meanAbsDiff === 0,
    JSON.stringify(picture),
  );
  assert.equal(run.result.verdict, 'pass', run.result.reason);
});
