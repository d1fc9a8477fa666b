// @ts-check
// Encrypted playback through MSE, one module for every playback scenario; `mode` picks how sessions
// are made and when the license is delivered. The page ends paused on the 1 s frame when it got there
// ('picture-ready'), so the test can photograph the decoded picture.
import { keyIdsInitData } from '../init-data.js';
import { accessConfigFor } from '../configs.js';
import { VideoHandle, licenseOnEncrypted } from '../media.js';

/**
 * @import { Steps, Gate } from '../steps.js'
 * @import { SessionHandle } from '../session.js'
 */

const PLAY_TIMEOUT_MS = 8000;

/**
 * Settles when `promise` does, recording a failure instead of leaving it unhandled until the end.
 * @template T
 * @param {Promise<unknown>[]} list
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
function track(list, promise) {
  const settled = promise.then(
    () => null,
    (error) => error,
  );
  list.push(settled);
  return promise;
}

/** When setMediaKeys() is called, for the modes that move it (WPT's setMediaKeys-* playback tests). */
const KEYS_AFTER_SRC = 'keys-after-src';
const KEYS_IN_ENCRYPTED = 'keys-in-encrypted';
const KEYS_AFTER_UPDATE = 'keys-after-update';

/**
 * @param {Steps} h
 * @param {{ asset: string, mode?: string, target?: number, tracks?: Array<'audio' | 'video'> }} params
 */
export async function run(h, { asset: assetId, mode = 'basic', target = 1.2, tracks }) {
  const manifest = await h.manifest();
  const whole = manifest.assets[assetId];
  if (!whole) throw new Error(`no asset ${assetId} in the media manifest`);
  // Audio-only and video-only scenarios play a subset of the asset's tracks.
  const asset = tracks ? { ...whole, tracks: whole.tracks.filter((t) => tracks.includes(t.type)) } : whole;
  const v = new VideoHandle(h.rec);
  /** @type {Promise<unknown>[]} */
  const failures = [];
  /** @type {Promise<SessionHandle>[]} */
  let sessions = [];
  /** @param {number} seconds */
  const reached = (seconds) =>
    v.waitFor(
      `currentTime ≥ ${seconds} or an error`,
      (i) => (i.entry.name === 'progress' && i.entry.data.milestone >= seconds) || i.entry.name === 'error',
      PLAY_TIMEOUT_MS,
    );

  /** @type {MediaKeys | null} */
  let mediaKeys = null;
  if (asset.scheme !== 'none') {
    const access = await h.requireAccess(h.keySystem.name, accessConfigFor(asset, [asset.initDataType, 'keyids']));
    mediaKeys = await h.createMediaKeys(access);
    if (mode === KEYS_AFTER_UPDATE) {
      // Licenses first, from the init data the manifest says the media carries; the element after.
      const initData = [...new Set(asset.tracks.flatMap((t) => Object.values(t.initData)))];
      for (const b64 of initData) {
        await h.licenseSession(
          mediaKeys,
          /** @type {string} */ (asset.initDataType),
          Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)),
        );
      }
      await h.setMediaKeys(v, mediaKeys);
    } else if (mode !== KEYS_AFTER_SRC && mode !== KEYS_IN_ENCRYPTED) {
      await h.setMediaKeys(v, mediaKeys);
    }
    /** @param {string} label */
    const kidOf = (label) => h.keyId(label);

    if (mode === 'session-per-key' || mode === 'rotation') {
      // The page asks for keys itself, one session per key, ignoring the init data in the media.
      const labels = [...new Set(asset.tracks.flatMap((t) => t.keys))];
      const first = mode === 'rotation' ? labels.slice(0, 1) : labels;
      const started = first.map((label) =>
        track(
          failures,
          h.licenseSession(/** @type {MediaKeys} */ (mediaKeys), 'keyids', keyIdsInitData([kidOf(label)]), {
            kids: [kidOf(label)],
          }),
        ),
      );
      if (mode === 'rotation') {
        // Key 2 is asked for only when playback, having key 1, waits for a key again.
        const rotation = /** @type {NonNullable<typeof asset.rotation>} */ (asset.rotation);
        const next = /** @type {{ key: string }} */ (rotation[1]).key;
        track(
          failures,
          (async () => {
            await started[0];
            const usableAt = h.rec.entries.length;
            const waiting = await v.waitFor(
              'waitingforkey at key-2 content',
              (i) => i.entry.name === 'waitingforkey' && i.entry.seq >= usableAt,
              PLAY_TIMEOUT_MS,
            );
            h.rec.note('runner', 'rotation-request', { key: next, afterWaiting: waiting ? waiting.entry.seq : null });
            await h.licenseSession(/** @type {MediaKeys} */ (mediaKeys), 'keyids', keyIdsInitData([kidOf(next)]), {
              kids: [kidOf(next)],
            });
          })(),
        );
      }
    } else {
      /** @type {Record<string, () => Gate>} */
      const gates = {
        'waiting-for-key': () => ({
          what: 'waitingforkey',
          promise: v.waitFor('waitingforkey', v.event('waitingforkey'), 5000),
        }),
        'clear-lead': () => ({
          what: 'currentTime ≥ 0.5 (clear lead playing)',
          promise: v.waitFor('clear lead progress', (i) => i.entry.name === 'progress', 5000),
        }),
      };
      if (mode === KEYS_IN_ENCRYPTED) {
        // Registered first, so it runs before the session is made for the same event.
        /** @type {Promise<unknown> | null} */
        let _keysSet = null;
        v.video.addEventListener('encrypted', () => {
          _keysSet ??= track(failures, h.setMediaKeys(v, mediaKeys));
        });
      }
      // With keys-after-update the sessions exist already.
      if (mode !== KEYS_AFTER_UPDATE)
        sessions = licenseOnEncrypted(h, v, /** @type {MediaKeys} */ (mediaKeys), { gate: gates[mode] });
    }
  }

  await v.attachSource(asset);
  if (mode === KEYS_AFTER_SRC) await h.setMediaKeys(v, mediaKeys);
  v.play();
  const outcome = await reached(target);
  const finished = await Promise.all([
    ...failures,
    ...sessions.map((s) =>
      s.then(
        () => null,
        (error) => error,
      ),
    ),
  ]);
  const failed = finished.find((e) => e);
  if (failed) throw failed;
  if (
    outcome?.entry.name === 'progress' &&
    asset.tracks.some((t) => t.type === 'video') &&
    (mode === 'basic' || mode === 'wrong-key' || mode === 'reference')
  )
    await v.holdFrame(1.0);
}
