// The run engine: runs one scenario in a browser session against the harness server and returns its
// result — reference frame, register, start, wait for the record, photograph, picture evidence,
// judge, assemble. Plain code with its collaborators passed in, so the Playwright fixture, a CLI
// command or a unit test with a fake browser session can all call it.
import type { BrowserSession } from '../browsers/session.ts';
import type { Expectations } from '../expectations.ts';
import { findScenario as findCatalogScenario } from '../catalog.ts';
import type { Scenario } from '../scenario.ts';
import { judgeScenario, type Judgement } from '../judge/index.ts';
import type { RunRecord } from '../../model/record.ts';
import { assembleResult, type RanScenarioResult } from './assemble.ts';
import { executeRun, type RunContext } from './execute.ts';
import { plainPhase, type PhaseRunner } from './phase.ts';
import { chosenFrame, type FrameVia, matchesReference, pictureEvidence, type ReferenceFrame } from './picture-check.ts';
import { postEvidence } from './server-api.ts';
import { addTiming, noTime, type RunTiming } from './timing.ts';

export type { RanScenarioResult } from './assemble.ts';
export type { PhaseRunner } from './phase.ts';
export type { ReferenceFrame } from './picture-check.ts';
export type { RunTiming } from './timing.ts';

/** How long a page may take to report its timeline before the scenario counts as hung. */
export const RECORD_WAIT_MS = 30_000;

/** Judges a scenario's joined run record. */
export type ScenarioJudge = (scenario: Scenario, record: RunRecord) => Judgement;

/** The judge of the catalog's rules: the one place the engine's records are judged. */
export const judgeByCatalog: ScenarioJudge = (scenario, record) => judgeScenario(scenario, record);

/** Reference frames by reference scenario id; one map per browser session, so each is photographed once. */
export type ReferenceFrames = Map<string, Promise<ReferenceFrame | null>>;

export interface RunEngineOptions {
  /** The harness server, e.g. http://127.0.0.1:8787. */
  baseURL: string;
  browser: BrowserSession;
  /** The expected verdicts for this browser (expectations/<set>/<project>.json). */
  expectations: Pick<Expectations, 'for'>;
  /** Extra parameters every run is registered with (e.g. a license profile for real DRM). */
  params?: Record<string, unknown>;
  /** Shared with every engine on the same browser session (default: a map of this engine's own). */
  references?: ReferenceFrames;
  /** Runs each phase of a scenario (default: plainly; the Playwright fixture passes test.step). */
  phase?: PhaseRunner;
  /** Default for how long a page may take to report (RECORD_WAIT_MS). */
  recordWaitMs?: number;
  /** Judges each record (default: judgeByCatalog). */
  judge?: ScenarioJudge;
  /** Looks up a reference scenario by id (default: the catalog's). */
  findScenario?: (id: string) => Scenario | undefined;
  /** Monotonic milliseconds (default: performance.now). */
  now?: () => number;
}

export interface ScenarioRunOptions {
  /** How long this scenario's page may take to report its timeline. */
  recordWaitMs?: number;
}

export interface ScenarioRun {
  result: RanScenarioResult;
  /** The held frame the picture evidence was made from, and how it was taken (picture scenarios whose page held one). */
  frame: { png: Buffer; via: FrameVia } | null;
  /** The reference frame it was compared with, if any. */
  reference: ReferenceFrame | null;
  /** Where this scenario's time went, reference run included when this scenario photographed it. */
  timing: RunTiming;
}

export class RunEngine {
  readonly #options: RunEngineOptions;
  readonly #references: ReferenceFrames;
  readonly #phase: PhaseRunner;
  readonly #now: () => number;
  readonly #findScenario: (id: string) => Scenario | undefined;
  readonly #judge: ScenarioJudge;

  constructor(options: RunEngineOptions) {
    this.#options = options;
    this.#references = options.references ?? new Map();
    this.#phase = options.phase ?? plainPhase;
    this.#now = options.now ?? (() => performance.now());
    this.#findScenario = options.findScenario ?? findCatalogScenario;
    this.#judge = options.judge ?? judgeByCatalog;
  }

  #context(phase: PhaseRunner): RunContext {
    const { baseURL, browser, params = {} } = this.#options;
    return { baseURL, browser, params, phase, now: this.#now };
  }

  /**
   * The reference frame of `id`, photographed on first use; that run's time counts to `timing`. Its
   * phases run plainly: the frame is cached for later tests, which must not share this test's steps.
   */
  #reference(id: string, timing: RunTiming): Promise<ReferenceFrame | null> {
    if (!this.#references.has(id)) {
      const waitMs = this.#options.recordWaitMs ?? RECORD_WAIT_MS;
      this.#references.set(
        id,
        executeRun(this.#context(plainPhase), {
          scenario: this.#findScenario(id)!,
          waitMs,
          photograph: { always: true },
        }).then((r) => {
          addTiming(timing, r.timing);
          return r.frames ? { runId: r.runId, ...r.frames } : null;
        }),
      );
    }
    return this.#references.get(id)!;
  }

  /** Runs one scenario and returns its result, judged, with what the expectations allow. */
  async runScenario(scenario: Scenario, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
    const phase = this.#phase;
    const { baseURL, browser, expectations } = this.#options;
    const started = this.#now();
    const timing = noTime();
    // The reference frame comes first: it is the clear rendition's frame in this same browser.
    const refId = scenario.picture?.referenceScenario ?? null;
    if (refId && !this.#findScenario(refId)) throw new Error(`${scenario.id}: unknown reference scenario ${refId}`);
    const reference = refId ? await phase(`reference frame of ${refId}`, () => this.#reference(refId, timing)) : null;
    const waitMs = options.recordWaitMs ?? this.#options.recordWaitMs ?? RECORD_WAIT_MS;
    const run = await executeRun(this.#context(phase), {
      scenario,
      waitMs,
      // A reference scenario photographs as its own reference runs do, so both methods are on record.
      photograph: scenario.picture ? { always: !refId, accept: matchesReference(reference) } : false,
    });
    addTiming(timing, run.timing);
    let record = run.record;
    const frame = scenario.picture && run.frames ? chosenFrame(run.frames) : null;
    if (frame) {
      record = await phase('post the picture evidence', () =>
        postEvidence(baseURL, run.runId, pictureEvidence(frame, refId, reference)),
      );
    }
    const judgement = await phase('judge the record', async () => this.#judge(scenario, record));
    const expected = expectations.for(scenario.id, browser.identity);
    const result = assembleResult(scenario, judgement, expected, record, this.#now() - started);
    return { result, frame, reference: frame ? reference : null, timing };
  }
}
