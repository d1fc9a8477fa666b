// The picture check's part of a run: which held frame to judge by, and its comparison with the clear
// rendition's frame taken the same way, as the evidence the judge reads.
//
// The page draws the held frame onto a canvas, which reads the decoded frame whatever drives the
// browser; but browsers draw encrypted video as black on a canvas (Chromium and Firefox withhold
// decrypted frames from script, Clear Key too). Then the driver photographs the element instead,
// which in turn shows black where the driver cannot see video (WebKitGTK under Xvfb). Each method
// is compared only with the reference taken the same way.
import type { Evidence } from '../../model/record.ts';
import { BLANK_STDDEV, PICTURE_THRESHOLD } from '../judge/playback.ts';
import { comparePictures } from '../picture.ts';

export type FrameVia = 'canvas' | 'screenshot';

/** The held frame by each method that was used (null: not taken, or the page could not draw it). */
export interface HeldFrames {
  canvas: Buffer | null;
  screenshot: Buffer | null;
}

/** The frames a reference scenario (a clear rendition) held, taken once per browser session. */
export interface ReferenceFrame extends HeldFrames {
  runId: string;
}

export function isBlank(png: Buffer): boolean {
  return comparePictures(png, null).stdDev <= BLANK_STDDEV;
}

/** The frame to judge by: the page's own drawing unless it is blank, else the driver's photograph. */
export function chosenFrame(frames: HeldFrames): { png: Buffer; via: FrameVia } | null {
  if (frames.canvas && !isBlank(frames.canvas)) return { png: frames.canvas, via: 'canvas' };
  if (frames.screenshot) return { png: frames.screenshot, via: 'screenshot' };
  if (frames.canvas) return { png: frames.canvas, via: 'canvas' };
  return null;
}

/** Whether a shot already matches the reference photograph: such a shot needs no steadiness wait. */
export function matchesReference(reference: ReferenceFrame | null): (png: Buffer) => boolean {
  return (png) =>
    !!reference?.screenshot &&
    (comparePictures(png, reference.screenshot).meanAbsDiff ?? Infinity) <= PICTURE_THRESHOLD;
}

/** The picture evidence for a held frame, compared with the reference frame taken the same way. */
export function pictureEvidence(
  frame: { png: Buffer; via: FrameVia },
  referenceScenario: string | null,
  reference: ReferenceFrame | null,
): Evidence {
  const referencePng = reference?.[frame.via] ?? null;
  const comparison = comparePictures(frame.png, referencePng);
  return {
    kind: 'picture',
    via: frame.via,
    referenceScenario,
    referenceRun: reference?.runId ?? null,
    referenceStdDev: referencePng ? comparePictures(referencePng, null).stdDev : null,
    threshold: PICTURE_THRESHOLD,
    ...comparison,
  };
}
