// @ts-check
// Media element and MSE steps: a muted <video> whose events land in the timeline, MediaSource with
// one SourceBuffer per track, and progress milestones recorded as they are first crossed.
import { describeBytes } from './describe.js';
import { toHex } from './bytes.js';
import { PreconditionFailed, StepFailed } from './recorder.js';
import { Witnessed } from './witnessed.js';

/**
 * @import { Recorder, RecordedEntry } from './recorder.js'
 * @import { Steps, Gate } from './steps.js'
 * @import { SessionHandle } from './session.js'
 * @import { AssetInfo, TrackInfo } from '../../model/manifest.ts'
 */

/**
 * What a video element was seen to do: an entry, with the init data of an 'encrypted' event.
 * @typedef {{ entry: RecordedEntry, initData?: Uint8Array | null }} VideoItem
 */

const MEDIA_EVENTS = ['loadedmetadata', 'canplay', 'playing', 'waiting', 'pause', 'seeked', 'ended', 'stalled'];
export const MILESTONES = [0.5, 1.0, 1.5];

/** @param {HTMLVideoElement} v */
export function videoState(v) {
  return {
    currentTime: Math.round(v.currentTime * 1000) / 1000,
    readyState: v.readyState,
    paused: v.paused,
    networkState: v.networkState,
  };
}

/** A recorded <video>: media events, 'encrypted' (with init data), 'waitingforkey', errors, milestones. */
export class VideoHandle {
  /**
   * @param {Recorder} rec
   * @param {string} [label]
   */
  constructor(rec, label = 'video') {
    this.rec = rec;
    this.label = label;
    this.video = document.createElement('video');
    Object.assign(this.video, { muted: true, playsInline: true, width: 320, height: 180 });
    this.video.style.cssText = 'width:320px;height:180px;display:block;background:#000';
    document.body.prepend(this.video);
    /** @type {Witnessed<VideoItem>} */
    this.witnessed = new Witnessed(rec, label);
    const v = this.video;
    for (const name of MEDIA_EVENTS) v.addEventListener(name, () => this.#saw(name, { state: videoState(v) }));
    v.addEventListener('encrypted', (/** @type {MediaEncryptedEvent} */ e) => {
      const initData = e.initData ? new Uint8Array(e.initData) : null;
      this.#saw(
        'encrypted',
        { initDataType: e.initDataType, initData: initData ? describeBytes(initData) : null, state: videoState(v) },
        { initData },
      );
    });
    v.addEventListener('waitingforkey', () => this.#saw('waitingforkey', { state: videoState(v) }));
    v.addEventListener('error', () =>
      this.#saw('error', { code: v.error?.code ?? null, message: v.error?.message ?? '', state: videoState(v) }),
    );
    /** @type {Set<number>} */
    const crossed = new Set();
    v.addEventListener('timeupdate', () => {
      for (const m of MILESTONES) {
        if (v.currentTime >= m && !crossed.has(m)) {
          crossed.add(m);
          this.#saw('progress', { milestone: m, state: videoState(v) });
        }
      }
    });
  }

  /**
   * @param {string} name
   * @param {Record<string, unknown>} data
   * @param {{ initData?: Uint8Array | null }} [extra]
   */
  #saw(name, data, extra = {}) {
    const entry = this.rec.add({ type: 'event', target: this.label, name, data });
    this.witnessed.saw({ entry, ...extra });
  }

  /**
   * Waits for a recorded event (past or future) matching `match`; null after `timeoutMs`.
   * @param {string} what
   * @param {(item: VideoItem) => unknown} match
   * @param {number} [timeoutMs]
   */
  waitFor(what, match, timeoutMs = 8000) {
    return this.witnessed.waitFor(what, match, timeoutMs, () => ({ state: videoState(this.video) }));
  }

  /**
   * @param {string} name
   * @returns {(item: VideoItem) => boolean}
   */
  event(name) {
    return (item) => item.entry.name === name;
  }

  /**
   * @param {number} seconds
   * @param {number} [timeoutMs]
   */
  progressPast(seconds, timeoutMs) {
    return this.waitFor(
      `currentTime ≥ ${seconds}`,
      (i) => i.entry.name === 'progress' && i.entry.data.milestone >= seconds,
      timeoutMs,
    );
  }

  /**
   * Sets up MSE with one SourceBuffer per track and appends each whole file; records every step.
   * @param {Pick<AssetInfo, 'tracks'>} asset
   */
  async attachSource(asset) {
    if (typeof MediaSource === 'undefined') throw new PreconditionFailed('MediaSource is undefined');
    for (const track of asset.tracks) {
      const supported = await this.rec.call('MediaSource', 'isTypeSupported', [track.contentType], () =>
        MediaSource.isTypeSupported(track.contentType),
      );
      if (!supported)
        throw new PreconditionFailed(`MediaSource.isTypeSupported(${JSON.stringify(track.contentType)}) is false`);
    }
    const ms = new MediaSource();
    const opened = new Promise((resolve) => ms.addEventListener('sourceopen', resolve, { once: true }));
    this.video.src = URL.createObjectURL(ms);
    await opened;
    /** @type {Array<[TrackInfo, SourceBuffer]>} */
    const buffers = [];
    for (const track of asset.tracks) {
      const sb = await this.rec.call('mediaSource', 'addSourceBuffer', [track.contentType], () =>
        ms.addSourceBuffer(track.contentType),
      );
      buffers.push([track, sb]);
    }
    const bodies = await Promise.all(
      asset.tracks.map(async (t) => {
        const res = await fetch(t.url);
        if (!res.ok) throw new Error(`GET ${t.url} answered ${res.status}`);
        return res.arrayBuffer();
      }),
    );
    await Promise.all(buffers.map(([track, sb], i) => this.#append(track, sb, /** @type {ArrayBuffer} */ (bodies[i]))));
    if (ms.readyState === 'open') await this.rec.call('mediaSource', 'endOfStream', [], () => ms.endOfStream());
  }

  /**
   * @param {TrackInfo} track
   * @param {SourceBuffer} sb
   * @param {ArrayBuffer} body
   */
  async #append(track, sb, body) {
    /** @type {Promise<void>} */
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StepFailed(`appendBuffer(${track.type}) did not finish within 10 s`)),
        10_000,
      );
      sb.addEventListener(
        'updateend',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
      sb.addEventListener(
        'error',
        () => {
          clearTimeout(timer);
          reject(
            new StepFailed(`appendBuffer(${track.type}) failed: ${this.video.error?.message ?? 'SourceBuffer error'}`),
          );
        },
        { once: true },
      );
    });
    await this.rec.call('mediaSource', 'appendBuffer', [track.type, { bytes: body.byteLength }], () => {
      sb.appendBuffer(body);
      return done;
    });
  }

  /**
   * Starts playback without waiting for play()'s promise: after a decode error Firefox never settles
   * it. Its settlement is recorded whenever it comes; scenarios wait on media events instead.
   */
  play() {
    void this.rec.attempt(this.label, 'play', [], () => this.video.play());
  }

  /**
   * Pauses on the 1 s keyframe, draws the presented frame onto a canvas and records 'picture-ready'
   * with it: the harness compares that frame with the clear rendition's. Drawing in the page reads
   * the decoded frame itself, whatever drives the browser (a screenshot of <video> can be black, as
   * WebKitGTK's under Xvfb through WebDriver) and whatever the compositor still shows.
   * @param {number} [at]
   */
  async holdFrame(at = 1.0) {
    const v = this.video;
    /** @param {number} ms */
    const timeout = (ms) => new Promise((r) => setTimeout(() => r('timeout'), ms));
    /** @type {import('../../model/page-data.ts').FrameCapture | null} */
    let capture = null;
    /** @returns {Promise<number | 'unsupported'>} */
    const nextFrame = () =>
      typeof v.requestVideoFrameCallback === 'function'
        ? new Promise((resolve) =>
            v.requestVideoFrameCallback((_now, meta) => {
              // Inside the callback the element paints exactly the frame being presented.
              if (Math.abs(meta.mediaTime - at) <= 0.02) capture = captureFrame(v);
              resolve(meta.mediaTime);
            }),
          )
        : Promise.resolve('unsupported');
    v.pause();
    // 'seeked' does not promise the new frame is on screen, and a frame of the interrupted playback can
    // still land after it (seen under load in headless Chromium: the 1.2 s frame stayed on screen). So
    // seek, let the pipeline settle, and seek to the same time again; each time listen for presented
    // frames before seeking, and stop at the first frame at `at`.
    let ok = false;
    /** @type {number | null} */
    let mediaTime = null;
    let frameCallbacks = true;
    for (let pass = 0; pass < 2; pass++) {
      let presented = nextFrame();
      const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      v.currentTime = at;
      ok = (await Promise.race([seeked.then(() => true), timeout(3000)])) === true;
      for (let i = 0; i < 5; i++) {
        const t = await Promise.race([presented, timeout(400)]);
        if (t === 'unsupported') frameCallbacks = false;
        if (t === 'timeout' || t === 'unsupported') break;
        mediaTime = t;
        if (Math.abs(t - at) <= 0.02) break;
        presented = nextFrame(); // a frame from before the seek: wait for the next one
      }
      if (pass === 0) await timeout(100);
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // Without frame callbacks (or when none came at `at`), the paused element after seeked is the
    // best there is: its current frame is the one at currentTime.
    if (!capture && ok) capture = captureFrame(v, frameCallbacks ? null : 'no requestVideoFrameCallback');
    this.rec.note(this.label, ok ? 'picture-ready' : 'picture-not-ready', {
      selector: 'video',
      presentedMediaTime: mediaTime,
      state: videoState(v),
      capture: capture ?? { via: 'none', why: 'no frame was presented at the hold time' },
    });
  }
}

/**
 * The element's current frame as a PNG (base64), drawn at its intrinsic size, or why it could not be.
 * @param {HTMLVideoElement} v
 * @param {string | null} [fallbackWhy] recorded with a frame drawn outside a frame callback
 * @returns {import('../../model/page-data.ts').FrameCapture}
 */
function captureFrame(v, fallbackWhy = null) {
  try {
    if (!v.videoWidth || !v.videoHeight) return { via: 'none', why: 'the element has no video size yet' };
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) return { via: 'none', why: 'no 2d canvas context' };
    context.drawImage(v, 0, 0);
    const png = canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    return { via: 'canvas', png, ...(fallbackWhy ? { note: fallbackWhy } : {}) };
  } catch (error) {
    return { via: 'none', why: `drawing the video onto a canvas failed: ${String(error)}` };
  }
}

/**
 * Answers every 'encrypted' event with a licensed session (one per distinct init data); `gate()`, if
 * given, makes the hold-back gate for each license. Returns the list of session promises, which grows
 * as events arrive.
 * @param {Steps} h
 * @param {VideoHandle} v
 * @param {MediaKeys} mediaKeys
 * @param {{ gate?: () => Gate }} [options]
 */
export function licenseOnEncrypted(h, v, mediaKeys, { gate } = {}) {
  /** @type {Promise<SessionHandle>[]} */
  const sessions = [];
  /** @type {Set<string>} */
  const seen = new Set();
  v.video.addEventListener('encrypted', (event) => {
    if (!event.initData) return;
    const initData = new Uint8Array(event.initData);
    const id = `${event.initDataType}:${toHex(initData)}`;
    if (seen.has(id)) return;
    seen.add(id);
    const session = h.licenseSession(mediaKeys, event.initDataType, initData, { gate: gate?.() });
    session.catch(() => {}); // awaited by the scenario; recorded by the steps
    sessions.push(session);
  });
  return sessions;
}
