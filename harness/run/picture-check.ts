// The picture check's part of a run: a held frame compared with the clear rendition's reference frame,
// as the evidence the judge reads.
import type { Evidence } from '../../model/record.ts';
import { PICTURE_THRESHOLD } from '../judge/playback.ts';
import { comparePictures } from '../picture.ts';

/** The frame a reference scenario (a clear rendition) held, photographed once per browser session. */
export interface ReferenceFrame {
  runId: string;
  png: Buffer;
}

/** Whether a shot already matches the reference: such a shot needs no steadiness wait. */
export function matchesReference(reference: ReferenceFrame | null): (png: Buffer) => boolean {
  return (png) => !!reference && (comparePictures(png, reference.png).meanAbsDiff ?? Infinity) <= PICTURE_THRESHOLD;
}

/** The picture evidence for a photographed frame (compared with nothing when there is no reference frame). */
export function pictureEvidence(
  frame: Buffer,
  referenceScenario: string | null,
  reference: ReferenceFrame | null,
): Evidence {
  const comparison = comparePictures(frame, reference?.png ?? null);
  return {
    kind: 'picture',
    referenceScenario,
    referenceRun: reference?.runId ?? null,
    threshold: PICTURE_THRESHOLD,
    ...comparison,
  };
}
