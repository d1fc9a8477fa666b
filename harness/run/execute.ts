// One run of one scenario in a browser: register it with the server, start it in a runner page, wait
// for the joined record (saying crash or timeout when the page is lost), photograph a held frame.
import type { BrowserSession } from '../browsers/session.ts';
import type { Scenario } from '../scenario.ts';
import type { Evidence, RunRecord } from '../../model/record.ts';
import type { PhaseRunner } from './phase.ts';
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
  /** Photograph the <video> when the page says it holds the frame ('picture-ready'). */
  photograph: boolean;
  /** A shot this accepts needs no steadiness wait (see stableShot). */
  accept?: (png: Buffer) => boolean;
}

export interface CompletedRun {
  runId: string;
  record: RunRecord;
  /** The photographed <video> frame, when the page paused on one. */
  frame: Buffer | null;
  timing: RunTiming;
}

/** Registers a run, opens the runner, waits for the page's timeline, and photographs a held frame. */
export async function executeRun(ctx: RunContext, request: RunRequest): Promise<CompletedRun> {
  const { baseURL, browser, phase, now } = ctx;
  const { scenario, waitMs, photograph, accept } = request;
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
    const ready = record.page?.entries.some((e) => e.type === 'note' && e.name === 'picture-ready');
    const frame = photograph && ready ? await phase('photograph the frame', () => stableShot(page, accept)) : null;
    timing.pictureMs = now() - reported;
    clean = !lost && finishedInTime;
    return { runId, record, frame, timing };
  } finally {
    await page.close({ clean });
  }
}
