// One run of one scenario in a browser: register it with the server, start it in a runner page, wait
// for the joined record (saying crash or timeout when the page is lost), take the frame the page held.
import type { BrowserSession } from '../browsers/session.ts';
import type { Scenario } from '../scenario.ts';
import type { Evidence, RunRecord } from '../../model/record.ts';
import type { PhaseRunner } from './phase.ts';
import { pictureNote } from '../judge/notes.ts';
import { Timeline } from '../judge/timeline.ts';
import { type HeldFrames, isBlank } from './picture-check.ts';
import { postEvidence, readRecord, registerRun, waitForRecord } from './server-api.ts';
import { stableShot } from './stable-shot.ts';
import { inPageMs, type RunTiming } from './timing.ts';

export interface RunContext {
  baseURL: string;
  browser: BrowserSession;
  /** Extra parameters every run is registered with. */
  params: Record<string, unknown>;
  phase: PhaseRunner;
  /** Monotonic milliseconds. */
  now: () => number;
}

export interface RunRequest {
  scenario: Pick<Scenario, 'id' | 'isolation'>;
  /** How long the page may take to report its timeline before the run counts as hung. */
  waitMs: number;
  /**
   * Take the frame the page held ('picture-ready'): its own canvas drawing and, when that is blank or
   * missing (or `always`, for reference frames), a photograph of the element.
   */
  photograph: false | { always: boolean; accept?: (png: Buffer) => boolean };
}

export interface CompletedRun {
  runId: string;
  record: RunRecord;
  /** The held <video> frame by each method used; null when the scenario takes no picture or never held one. */
  frames: HeldFrames | null;
  timing: RunTiming;
}

/** Registers a run, opens the runner, waits for the page's timeline, and photographs a held frame. */
export async function executeRun(ctx: RunContext, request: RunRequest): Promise<CompletedRun> {
  const { baseURL, browser, phase, now } = ctx;
  const { scenario, waitMs, photograph } = request;
  const began = now();
  const runId = await phase('register the run', () =>
    registerRun(baseURL, { scenario: scenario.id, project: browser.identity.project, params: ctx.params }),
  );
  const page = await phase('start the runner page', () =>
    browser.startRun(baseURL, runId, { isolation: scenario.isolation ?? 'document' }),
  );
  let clean = false;
  const started = now();
  const timing: RunTiming = { startMs: started - began, inPageMs: 0, reportMs: 0, pictureMs: 0 };
  try {
    const { record, lost, finishedInTime } = await phase('wait for the record', async () => {
      // The long poll stops when the page is lost, so no request outlives the run.
      const poll = new AbortController();
      const waited = await Promise.race([
        waitForRecord(baseURL, runId, waitMs, poll.signal).then((r) => ({
          record: r as RunRecord | null,
          lost: null as string | null,
        })),
        page.lost.then((detail) => ({ record: null, lost: detail })),
      ]);
      poll.abort();
      let record = waited.record ?? (await readRecord(baseURL, runId));
      if (!record.finished) {
        // The page is gone or hung: say which, so the verdict is crash or timeout rather than a bare error.
        const lostEvidence: Evidence = waited.lost
          ? { kind: 'page-lost', reason: 'crash', detail: waited.lost }
          : {
              kind: 'page-lost',
              reason: 'timeout',
              detail: `the page did not report its timeline within ${waitMs} ms`,
            };
        record = await postEvidence(baseURL, runId, lostEvidence);
      }
      return { record, lost: waited.lost, finishedInTime: waited.record?.finished === true };
    });
    const reported = now();
    timing.inPageMs = inPageMs(record);
    timing.reportMs = Math.max(0, reported - started - inPageMs(record));
    const ready = !!record.page && !!pictureNote(new Timeline(record)).ready;
    let frames: HeldFrames | null = null;
    if (photograph && ready) {
      const canvas = heldFrame(record);
      const shoot = photograph.always || !canvas || isBlank(canvas);
      const screenshot = shoot ? await phase('photograph the frame', () => stableShot(page, photograph.accept)) : null;
      frames = { canvas, screenshot };
    }
    timing.pictureMs = now() - reported;
    clean = !lost && finishedInTime;
    return { runId, record, frames, timing };
  } finally {
    await page.close({ clean });
  }
}

/** The frame the page drew onto a canvas when it held the picture, if it could. */
export function heldFrame(record: RunRecord): Buffer | null {
  if (!record.page) return null;
  const capture = pictureNote(new Timeline(record)).ready?.data.capture;
  return capture?.via === 'canvas' ? Buffer.from(capture.png, 'base64') : null;
}
