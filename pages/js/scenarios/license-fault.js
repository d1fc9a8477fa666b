// @ts-check
// A temporary session whose first license exchange meets a fault the server injects (chosen by the
// scenario). The page reacts as a careful player would: it uses a 200 answer if it can, treats HTTP
// errors, resets and timeouts as failures, and then retries once; every step lands in the timeline.
import { mediaConfig } from '../configs.js';
import { keyIdsInitData } from '../init-data.js';
import { allUsable } from '../session.js';

/** @import { Steps } from '../steps.js' */

/**
 * @param {Steps} h
 * @param {{ keys: string[], then?: 'retry' | 'duplicate' | 'update-after-close', clientTimeoutMs?: number }} params
 */
export async function run(h, { keys, then = 'retry', clientTimeoutMs = 2000 }) {
  const kids = keys.map((label) => h.keyId(label));
  const access = await h.requireAccess(h.keySystem.name, [mediaConfig({ initDataType: 'keyids' })]);
  const mediaKeys = await h.createMediaKeys(access);
  const s = await h.createSession(mediaKeys, 'temporary');
  await h.generateRequest(s, 'keyids', keyIdsInitData(kids));
  const request = await s.nextMessage();

  const first = await h.requestLicense(s, request, { timeoutMs: clientTimeoutMs });
  let usable = false;
  if (first.ok) {
    const updated = await h.tryUpdate(s, first.body);
    if (updated.ok)
      usable = !!(await s.waitForKeyStatuses(
        'every key usable after the faulty license',
        (snap) => allUsable(snap, kids),
        { optional: true, timeoutMs: 1000 },
      ));
    if (then === 'duplicate') {
      await h.tryUpdate(s, first.body);
      await h.quiet(100);
    }
  }
  if (!usable) {
    h.rec.note('runner', 'retry', {
      reason: first.failure ?? (first.ok ? 'license did not make the keys usable' : `HTTP ${first.status}`),
    });
    const license = await h.exchangeLicense(s, request);
    await h.update(s, license);
    await s.waitForKeyStatuses('every key usable after the retry', (snap) => allUsable(snap, kids));
  }
  await h.close(s);
  await s.waitForClosed();
  if (then === 'update-after-close') await h.tryUpdate(s, first.body ?? new Uint8Array([123, 125]));
  await h.quiet(100);
}
