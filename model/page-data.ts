// The data a page attaches to its timeline entries, beside the envelope (model/record.ts): bytes as
// the page describes them, the state of a <video>, the probe a call belongs to, and the `data` of
// each call, event and license entry. Notes have their own registry (model/notes.ts).
// `data` objects are loose: the keys here are checked and typed, keys a page adds later are kept.
import { z } from 'zod';

/** A timeline sequence number (the `seq` of another entry). */
export const Seq = z.number().int().nonnegative();

/** Bytes as the page describes them: size, hex (first 256 bytes), base64 when small, JSON if they are. */
export const DescribedBytes = z.strictObject({
  bytes: z.number().int().nonnegative(),
  hex: z.string(),
  base64: z.string().optional(),
  json: z.unknown().optional(),
});
export type DescribedBytes = z.infer<typeof DescribedBytes>;

/** What a <video> element showed when something happened (pages/js/media.js videoState). */
export const VideoState = z.strictObject({
  currentTime: z.number(),
  readyState: z.number().int().min(0).max(4),
  paused: z.boolean(),
  networkState: z.number().int().min(0).max(3),
});
export type VideoState = z.infer<typeof VideoState>;

/**
 * The held frame as the page drew it onto a canvas: a PNG (base64; a 320×180 test picture is a few
 * tens of KiB), or why there is none. `note` says how a frame drawn outside a frame callback was taken.
 */
export const FrameCapture = z.discriminatedUnion('via', [
  z.strictObject({ via: z.literal('canvas'), png: z.base64().max(4_000_000), note: z.string().optional() }),
  z.strictObject({ via: z.literal('none'), why: z.string().max(2000) }),
]);
export type FrameCapture = z.infer<typeof FrameCapture>;

/** One point of the capability probe: a key system and one value on each axis. */
export const ProbeKey = z.strictObject({
  keySystem: z.string(),
  initDataType: z.string(),
  sessionType: z.string(),
  /** 'absent' when the configuration had no encryptionScheme member. */
  encryptionScheme: z.string(),
});
export type ProbeKey = z.infer<typeof ProbeKey>;

/** How a run's page ended. */
export const RunOutcome = z.strictObject({
  /** completed: every step ran; stopped: a browser step failed (judged by rules);
   *  precondition-failed: the feature under test is absent; harness-error: our code broke. */
  status: z.enum(['completed', 'stopped', 'precondition-failed', 'harness-error']),
  reason: z.string().max(4000).optional(),
});
export type RunOutcome = z.infer<typeof RunOutcome>;

/** A call's `data`: the case id it answers, the probe it belongs to, the label of the session it makes. */
export const CallData = z.looseObject({
  case: z.string().min(1).max(200).optional(),
  probe: ProbeKey.optional(),
  label: z.string().min(1).max(64).optional(),
});
export type CallData = z.infer<typeof CallData>;

/** Events of a <video> that carry only its state (pages/js/media.js). */
export const VIDEO_STATE_EVENTS = [
  'loadedmetadata',
  'canplay',
  'playing',
  'waiting',
  'pause',
  'seeked',
  'ended',
  'stalled',
  'waitingforkey',
] as const;

/** The `data` of each event a page records, by event name; keystatuseschange carries none (its snapshot says it). */
export const EVENT_DATA = {
  message: z.looseObject({ messageType: z.string(), message: DescribedBytes }),
  encrypted: z.looseObject({ initDataType: z.string(), initData: DescribedBytes.nullable(), state: VideoState }),
  /** A progress milestone (seconds of currentTime) crossed for the first time. */
  progress: z.looseObject({ milestone: z.number(), state: VideoState }),
  error: z.looseObject({ code: z.number().int().nullable(), message: z.string(), state: VideoState }),
  /** loadedmetadata, canplay, playing, waiting, pause, seeked, ended, stalled, waitingforkey. */
  videoState: z.looseObject({ state: VideoState }),
};

/** A license entry's `data`: the request the page sent, and what came back (or how it failed). */
export const LICENSE_DATA = {
  request: z.looseObject({
    url: z.string(),
    messageType: z.string(),
    bytes: z.number().int().nonnegative(),
    forMessage: Seq,
  }),
  response: z.looseObject({
    status: z.number().int().optional(),
    bytes: z.number().int().nonnegative().optional(),
    json: z.unknown().optional(),
    /** network: reset or refused; timeout: the page gave up. */
    failure: z.enum(['network', 'timeout']).optional(),
    timeoutMs: z.number().nonnegative().optional(),
  }),
};
