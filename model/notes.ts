// The note registry: every note a page writes into its timeline (an entry of type 'note'), by name,
// with the shape of its `data`. The timeline schema (model/record.ts) builds its note entries from
// this list, so a note that is not here, or whose data does not fit, is refused when the page uploads
// its timeline; the judge reads notes through harness/judge/notes.ts, typed by these shapes.
import { z } from 'zod';
import { FrameCapture, ProbeKey, RunOutcome, Seq, VideoState } from './page-data.ts';

/** A key store label ('key-1') → its key id as lower-case hex, as the server hands them to the page. */
export const KeyIdsByLabel = z.record(z.string(), z.string().regex(/^[0-9a-f]+$/));

/** What a picture note says about the paused frame. */
const PictureNote = z.looseObject({
  selector: z.string(),
  presentedMediaTime: z.number().nullable(),
  state: VideoState,
  /** Absent in records made before the page drew frames itself. */
  capture: FrameCapture.optional(),
});

/** One step a context frame reported (pages/context-frame.html). */
const FrameStep = z.looseObject({
  name: z.string(),
  ok: z.boolean(),
  value: z.unknown().optional(),
  error: z.unknown().optional(),
});

const nothing = z.looseObject({});

export const NOTES = {
  // ---- the runner (pages/js/runner.js) ----
  /** First entry of every run: what the page was asked to run, and the run's key ids. */
  start: z.looseObject({
    scenario: z.string(),
    module: z.string(),
    params: z.record(z.string(), z.unknown()),
    keyIds: KeyIdsByLabel,
  }),
  /** Last entry of every run: how it ended. */
  end: z.looseObject(RunOutcome.shape),

  // ---- the recorder and the steps (pages/js/recorder.js, steps.js, witnessed.js) ----
  /** A call given up on after `timeoutMs`; its result is still recorded if it settles later. */
  'call-timeout': z.looseObject({ of: Seq, call: z.string(), timeoutMs: z.number().nonnegative() }),
  /** A wait for an event that did not come in time (a video's waits add its state). */
  'wait-timeout': z.looseObject({
    waitingFor: z.string(),
    timeoutMs: z.number().nonnegative(),
    state: VideoState.optional(),
  }),
  /** A license held back until something happened (`until` says what). */
  'license-held': z.looseObject({ until: z.string() }),
  /** The held license goes out now. */
  'license-released': nothing,
  /** A pause that lets late events arrive, so "nothing after" rules have something to judge. */
  'quiet-window': z.looseObject({ ms: z.number().nonnegative() }),

  // ---- media (pages/js/media.js) ----
  /** Playback paused on the frame to photograph. */
  'picture-ready': PictureNote,
  /** The seek to that frame did not complete. */
  'picture-not-ready': PictureNote,

  // ---- scenario modules (pages/js/scenarios/) ----
  /** probe: a call did not settle, so the rest of this key system's probes were not made. */
  'probes-abandoned': z.looseObject({ keySystem: z.string(), after: ProbeKey, reason: z.string() }),
  /** context: a frame opened, and what it reported. */
  'frame-open': z.looseObject({ src: z.string(), sandbox: z.string().nullable(), allow: z.string().nullable() }),
  'frame-report': z.looseObject({ origin: z.string(), steps: z.array(FrameStep) }),
  /** playback (rotation): key 2 asked for, after the waitingforkey entry `afterWaiting` (null: none came). */
  'rotation-request': z.looseObject({ key: z.string(), afterWaiting: Seq.nullable() }),
  /** license-fault: the page retries the license request. */
  retry: z.looseObject({ reason: z.string() }),
  /** never-reports: the page hangs on purpose. */
  'hanging-on-purpose': nothing,
  /** sessions (keystatuseschange count): a counting window opens before update 1, update 2, and close. */
  'count-window': z.looseObject({ update: z.union([z.literal(1), z.literal(2), z.literal('close')]) }),
  /** sessions (many sessions): all sessions usable, and how long it took. */
  'sessions-usable': z.looseObject({ sessions: z.number().int().nonnegative(), ms: z.number().nonnegative() }),
  /** persistent-pages: a page (a fresh same-origin document in a frame) opened or closed. */
  'page-opened': z.looseObject({ page: z.number().int().positive() }),
  'page-closed': z.looseObject({ page: z.number().int().positive() }),
  /** media-element: the element's src is about to be replaced. */
  'reset-src': nothing,
  /** player: what trace-anything or the tracer's adapter could not trace. */
  'tracer-warning': z.looseObject({ message: z.string() }),
  /** player: the player's build loaded; `version` is what the player says it is at run time. */
  'player-loaded': z.looseObject({ player: z.string(), version: z.string(), manifest: z.string() }),
  /** player: an error the player reported; `fatal` when it gave up playing (its own severity). */
  'player-error': z.looseObject({
    player: z.string(),
    fatal: z.boolean(),
    code: z.union([z.string(), z.number()]).nullable(),
    message: z.string(),
    detail: z.unknown().optional(),
  }),
  /** player: what capability probes claimed before playing (before the tracer: not in the conversation). */
  'probe-claims': z.looseObject({
    harness: z.looseObject({ supported: z.boolean(), detail: z.string() }),
    /** The player's own probe (Shaka's probeSupport()); null for players without one. */
    player: z.looseObject({ supported: z.boolean(), detail: z.string() }).nullable(),
  }),
};

export type NoteName = keyof typeof NOTES;
export const NOTE_NAMES = Object.keys(NOTES) as NoteName[];
