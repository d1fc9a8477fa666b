// @ts-check
// How the player module drives each player (model/players.ts names them): load its pinned build from
// the server, say its version, optionally probe, and play a manifest with Clear Key licensed by the
// run's endpoint, reporting the player's own errors. Each driver uses only the player's public API.

/**
 * An error the player reported, in its own terms; `fatal` when it gave up playing.
 * @typedef {{ fatal: boolean, code: string | number | null, message: string, detail?: unknown }} PlayerError
 */

/**
 * What a probe claimed for the asset.
 * @typedef {{ supported: boolean, detail: string }} ProbeClaim
 */

/**
 * @typedef {object} PlayRequest
 * @property {HTMLVideoElement} video
 * @property {string} manifestUrl
 * @property {string} keySystem
 * @property {string} licenseUrl
 * @property {(error: PlayerError) => void} onError
 * @property {{ scheme: string, contentTypes: string[] }} asset
 */

/**
 * @typedef {object} PlayerDriver
 * @property {string} global The global the build defines.
 * @property {() => string} version What the player says its version is.
 * @property {((asset: PlayRequest['asset'], keySystem: string) => Promise<ProbeClaim>) | null} probe
 * @property {(request: PlayRequest) => Promise<void>} play Starts playback (resolves once asked to play).
 */

/** @type {any} */
const g = globalThis;

/**
 * Loads a player's build as a classic script (players define a global; none is an ES module for all three).
 * @param {string} name
 */
export function loadPlayerScript(name) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `/players/${name}.js`;
    script.onload = () => resolve(undefined);
    script.onerror = () => reject(new Error(`the player build /players/${name}.js did not load`));
    document.head.append(script);
  });
}

/** @param {unknown} value */
function short(value) {
  try {
    return JSON.stringify(value)?.slice(0, 500);
  } catch {
    return String(value).slice(0, 500);
  }
}

/** @type {Record<string, PlayerDriver>} */
export const DRIVERS = {
  shaka: {
    global: 'shaka',
    version: () => String(g.shaka.Player.version).replace(/^v/, ''),
    async probe(asset, keySystem) {
      const support = await g.shaka.Player.probeSupport();
      const drm = support.drm?.[keySystem] ?? null;
      if (!drm) return { supported: false, detail: `probeSupport().drm['${keySystem}'] is null` };
      const schemes = /** @type {Array<string | null>} */ (drm.encryptionSchemes ?? []);
      const scheme = asset.scheme === 'webm' ? 'cenc' : asset.scheme;
      // An empty list means the browser did not say which schemes it supports.
      const schemeOk = schemes.length === 0 || schemes.includes(scheme) || schemes.includes(null);
      return {
        supported: schemeOk,
        detail: `probeSupport().drm['${keySystem}'].encryptionSchemes: ${short(schemes)}`,
      };
    },
    async play({ video, manifestUrl, keySystem, licenseUrl, onError }) {
      g.shaka.polyfill.installAll();
      const player = new g.shaka.Player();
      /** @param {any} e */
      const errorText = (e) => {
        const code = Object.entries(g.shaka.util.Error.Code).find(([, v]) => v === e?.code)?.[0] ?? 'unknown';
        return `shaka.util.Error ${e?.code} ${code} (category ${e?.category})`;
      };
      player.addEventListener('error', (/** @type {any} */ event) => {
        const e = event.detail ?? {};
        onError({ fatal: e.severity === 2, code: e.code ?? null, message: errorText(e), detail: short(e.data) });
      });
      await player.attach(video);
      player.configure({ drm: { servers: { [keySystem]: licenseUrl } } });
      try {
        await player.load(manifestUrl);
      } catch (/** @type {any} */ e) {
        onError({
          fatal: true,
          code: e?.code ?? null,
          message: `load() rejected: ${errorText(e)}`,
          detail: short(e?.data),
        });
        return;
      }
      void video.play().catch(() => undefined);
    },
  },
  dashjs: {
    global: 'dashjs',
    version: () => String(g.dashjs.Version ?? g.dashjs.MediaPlayer().create().getVersion()),
    probe: null,
    async play({ video, manifestUrl, keySystem, licenseUrl, onError }) {
      const player = g.dashjs.MediaPlayer().create();
      const events = g.dashjs.MediaPlayer.events;
      player.on(events.ERROR, (/** @type {any} */ event) => {
        const e = event.error ?? {};
        onError({
          fatal: true,
          code: e.code ?? null,
          message: String(e.message ?? 'dash.js error'),
          detail: short(e.data),
        });
      });
      player.on(events.PLAYBACK_ERROR, (/** @type {any} */ event) =>
        onError({ fatal: true, code: null, message: `playback error: ${short(event.error)}` }),
      );
      player.initialize();
      player.setProtectionData({ [keySystem]: { serverURL: licenseUrl } });
      player.setAutoPlay(true);
      player.attachView(video);
      player.attachSource(manifestUrl);
    },
  },
  hlsjs: {
    global: 'Hls',
    version: () => String(g.Hls.version),
    probe: null,
    async play({ video, manifestUrl, keySystem, licenseUrl, onError }) {
      const Hls = g.Hls;
      if (!Hls.isSupported()) {
        onError({ fatal: true, code: 'not-supported', message: 'Hls.isSupported() is false' });
        return;
      }
      const hls = new Hls({ emeEnabled: true, drmSystems: { [keySystem]: { licenseUrl } } });
      hls.on(Hls.Events.ERROR, (/** @type {unknown} */ _event, /** @type {any} */ data) =>
        onError({
          fatal: !!data.fatal,
          code: String(data.details ?? ''),
          message: `${data.type}: ${data.details}${data.error?.message ? ` (${data.error.message})` : ''}`,
        }),
      );
      hls.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
      hls.loadSource(manifestUrl);
      hls.attachMedia(video);
    },
  },
};
