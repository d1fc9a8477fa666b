// @ts-check
// A temporary session through its whole life: request, license, usable keys, close, closed.
import { mediaConfig } from '../configs.js';
import { buildInitData } from '../init-data.js';
import { allUsable } from '../session.js';

/** @import { Steps } from '../steps.js' */

/**
 * The run's key-system profile and keyIds (hex) let the same lifecycle run against a real DRM
 * through a license profile; a keySystem parameter still overrides the profile's name.
 * @param {Steps} h
 * @param {{ initDataType: string, keys: string[], keySystem?: string, keyIds?: string[] }} params
 */
export async function run(h, { initDataType, keys, keySystem = h.keySystem.name, keyIds }) {
  const kids = keyIds ?? keys.map((label) => h.keyId(label));
  const access = await h.requireAccess(keySystem, [mediaConfig({ initDataType, sessionType: 'temporary' })]);
  const mediaKeys = await h.createMediaKeys(access);
  const s = await h.createSession(mediaKeys, 'temporary');
  await h.generateRequest(s, initDataType, buildInitData(initDataType, kids));
  const request = await s.nextMessage();
  const license = await h.exchangeLicense(s, request);
  await h.update(s, license);
  await s.waitForKeyStatuses('every key usable', (snap) => allUsable(snap, kids));
  await h.close(s);
  await s.waitForClosed();
  await s.waitForKeyStatuses('an empty map after close', (snap) => snap.size === 0, { optional: true });
  await h.quiet(250);
}
