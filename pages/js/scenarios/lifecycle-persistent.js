// @ts-check
// A persistent-license session: license, close, load it back in a new session, remove, release
// acknowledgement, and a final load that must find nothing.
import { mediaConfig } from '../configs.js';
import { buildInitData } from '../init-data.js';
import { allReleased, allUsable } from '../session.js';

/** @import { Steps } from '../steps.js' */

/**
 * @param {Steps} h
 * @param {{ initDataType: string, keys: string[] }} params
 */
export async function run(h, { initDataType, keys }) {
  const kids = keys.map((label) => h.keyId(label));
  const access = await h.requireAccess(h.keySystem.name, [
    mediaConfig({ initDataType, sessionType: 'persistent-license' }),
  ]);
  const mediaKeys = await h.createMediaKeys(access);

  const first = await h.createSession(mediaKeys, 'persistent-license');
  await h.generateRequest(first, initDataType, buildInitData(initDataType, kids));
  await h.update(first, await h.exchangeLicense(first, await first.nextMessage()));
  await first.waitForKeyStatuses('every key usable', (snap) => allUsable(snap, kids));
  const sessionId = first.session.sessionId;
  await h.close(first);
  await first.waitForClosed();

  const second = await h.createSession(mediaKeys, 'persistent-license');
  const loaded = await h.load(second, sessionId);
  if (loaded) {
    await second.waitForKeyStatuses('every key usable after load', (snap) => allUsable(snap, kids));
    await h.remove(second);
    // The generic remove() marks keys 'released'; the Clear Key section empties the map instead.
    await second.waitForKeyStatuses('every key released', (snap) => snap.size === 0 || allReleased(snap, kids), {
      optional: true,
      timeoutMs: 2000,
    });
    // Without a release message there is nothing to acknowledge; the rules report it, and the
    // final load() still shows what the browser kept.
    const release = await second.nextMessage({ optional: true, timeoutMs: 3000 });
    if (release) {
      await h.update(second, await h.exchangeLicense(second, release));
      await second.waitForClosed();
    }
  }

  const third = await h.createSession(mediaKeys, 'persistent-license');
  // Until the release is acknowledged the stored data (with its record of license destruction)
  // survives: such a load finds it and sends the release message again, which the rules look for.
  if (await h.load(third, sessionId)) await third.nextMessage({ optional: true, timeoutMs: 3000 });
  await h.quiet(250);
}
