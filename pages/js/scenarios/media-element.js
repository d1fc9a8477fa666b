// @ts-check
// The media element side of EME (group E): setMediaKeys() arguments, replacing and sharing
// MediaKeys, concurrent attachment, the 'encrypted' event, resetting src, and two elements playing
// at once. Media comes from the manifest's h264-cenc asset.
import { runCases } from '../cases.js';
import { accessConfigFor } from '../configs.js';
import { VideoHandle, licenseOnEncrypted } from '../media.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { AssetInfo } from '../../../model/manifest.ts'
 */

const ASSET = 'h264-cenc';
const PLAY_TIMEOUT_MS = 8000;

/**
 * @param {Steps} h
 * @param {{ cases: string[] }} params
 */
export async function run(h, { cases }) {
  const asset = /** @type {AssetInfo} */ ((await h.manifest()).assets[ASSET]);
  const access = await h.requireAccess(h.keySystem.name, accessConfigFor(asset));
  const newKeys = () => h.createMediaKeys(access);
  /**
   * @param {string} id
   * @param {VideoHandle} v
   * @param {unknown} mediaKeys anything, for the argument rules (null, {}, a session)
   */
  const set = (id, v, mediaKeys) =>
    h.case(id, v.label, 'setMediaKeys', [mediaKeys], () =>
      v.video.setMediaKeys(/** @type {MediaKeys | null} */ (mediaKeys)),
    );
  /**
   * @param {VideoHandle} v
   * @param {number} [afterSeq]
   */
  const encryptedEvents = (v, afterSeq = -1) =>
    v.witnessed.seen.filter((i) => i.entry.name === 'encrypted' && i.entry.seq > afterSeq);
  /**
   * @param {VideoHandle} v
   * @param {number} count
   * @param {number} [afterSeq]
   */
  const waitEncrypted = (v, count, afterSeq = -1) =>
    v.waitFor(`${count} encrypted events`, () => encryptedEvents(v, afterSeq).length >= count, 5000);
  /**
   * @param {VideoHandle} v
   * @param {number} seconds
   */
  const plays = (v, seconds) =>
    v
      .waitFor(
        `currentTime ≥ ${seconds}`,
        (i) => i.entry.name === 'progress' && i.entry.data.milestone >= seconds,
        PLAY_TIMEOUT_MS,
      )
      .then((i) => !!i);
  const encryptedTracks = asset.tracks.filter((t) => t.encrypted).length;
  const psshOfMedia = new Set(asset.tracks.flatMap((t) => Object.values(t.initData)));

  const CASES = {
    'attach-rules': async () => {
      const v = new VideoHandle(h.rec, 'video');
      const [first, second] = [await newKeys(), await newKeys()];
      const probeSession = first.createSession();
      await h.fact('media-keys-initially-null', 'video', 'mediaKeys === null', () => v.video.mediaKeys === null);
      await set('set-null-when-none', v, null);
      await set('set-plain-object', v, {});
      await set('set-session-object', v, probeSession);
      await set('set-media-keys', v, first);
      await h.fact(
        'attribute-is-the-object',
        'video',
        'mediaKeys === the MediaKeys set',
        () => v.video.mediaKeys === first,
      );
      await set('set-same-again', v, first);
      await set('set-other-before-src', v, second);
      await h.fact(
        'attribute-follows',
        'video',
        'mediaKeys === the second MediaKeys',
        () => v.video.mediaKeys === second,
      );
      await v.attachSource(asset);
      await set('set-other-after-src', v, first);
      await set('set-null-after-src', v, null);
    },

    concurrent: async () => {
      const v = new VideoHandle(h.rec, 'video');
      /** @type {MediaKeys[]} */
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await newKeys());
      // All five start in the same task: the first is attaching while the others arrive.
      await Promise.all(keys.map((mk, i) => set(`concurrent-${i + 1}`, v, mk)));
      await h.fact(
        'concurrent-winner-attached',
        'video',
        'mediaKeys === the first MediaKeys',
        () => v.video.mediaKeys === keys[0],
      );
    },

    shared: async () => {
      const [a, b] = [new VideoHandle(h.rec, 'video'), new VideoHandle(h.rec, 'video2')];
      const mediaKeys = await newKeys();
      await set('shared-first-element', a, mediaKeys);
      await set('shared-second-element', b, mediaKeys);
      await set('detach-first', a, null);
      await set('detach-second', b, null);
      await set('reattach-after-detach', b, mediaKeys);
    },

    'encrypted-and-reset-src': async () => {
      const v = new VideoHandle(h.rec, 'video');
      const mediaKeys = await newKeys();
      await h.setMediaKeys(v, mediaKeys);
      await v.attachSource(asset);
      await waitEncrypted(v, encryptedTracks);
      const first = encryptedEvents(v);
      await h.fact('encrypted-count', 'video', 'encrypted events for the first src', () => first.length);
      await h.fact('encrypted-init-data-type', 'video', 'initDataType of each encrypted event', () => [
        ...new Set(first.map((i) => i.entry.data.initDataType)),
      ]);
      await h.fact('encrypted-init-data-is-the-pssh', 'video', 'initData equals the pssh in the media', () =>
        first.every((i) => psshOfMedia.has(i.entry.data.initData?.base64)),
      );
      await h.fact('encrypted-ready-state', 'video', 'readyState ≥ HAVE_METADATA at each encrypted event', () =>
        first.map((i) => i.entry.data.state.readyState >= 1),
      );
      const resetAt = h.rec.note('video', 'reset-src', {}).seq;
      const sessions = licenseOnEncrypted(h, v, mediaKeys);
      await v.attachSource(asset);
      await waitEncrypted(v, encryptedTracks, resetAt);
      await h.fact(
        'encrypted-after-reset',
        'video',
        'encrypted events for the new src',
        () => encryptedEvents(v, resetAt).length,
      );
      await h.fact(
        'media-keys-kept-after-reset',
        'video',
        'mediaKeys === the MediaKeys set before',
        () => v.video.mediaKeys === mediaKeys,
      );
      v.play();
      await Promise.all(sessions);
      await h.fact('plays-after-reset', 'video', 'currentTime passes 0.5 s', () => plays(v, 0.5));
    },

    'two-elements': async () => {
      const videos = [new VideoHandle(h.rec, 'video'), new VideoHandle(h.rec, 'video2')];
      const sessions = [];
      for (const v of videos) {
        const mediaKeys = await newKeys();
        await h.setMediaKeys(v, mediaKeys);
        sessions.push(licenseOnEncrypted(h, v, mediaKeys));
      }
      await Promise.all(videos.map((v) => v.attachSource(asset)));
      videos.forEach((v) => {
        v.play();
      });
      const [one, two] = await Promise.all(videos.map((v) => plays(v, 1.0)));
      await Promise.all(sessions.flat());
      await h.fact('first-element-plays', 'video', 'currentTime passes 1 s', () => one);
      await h.fact('second-element-plays', 'video2', 'currentTime passes 1 s', () => two);
    },
  };
  await runCases(h, CASES, cases);
}
