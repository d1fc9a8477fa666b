// Photographs the paused <video> of a runner page, waiting until the picture holds still.
import type { OpenPage } from '../browsers/session.ts';

/**
 * Photographs the paused <video>. Under load, headless Chromium's compositor was seen to show the
 * frame from before the seek for well over 100 ms after the page saw the seeked frame presented, so a
 * picture only counts once it stayed the same over four shots taken at least 200 ms apart (start to
 * start: a slow screenshot, ~0.5 s in Firefox, is its own wait). A first shot `accept` takes (it
 * matches the reference) needs no wait: a stale frame cannot produce a match.
 */
export async function stableShot(page: OpenPage, accept: (png: Buffer) => boolean = () => false): Promise<Buffer> {
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
