// @ts-check
// A real player plays an asset through the manifest the packager wrote for it (DASH MPD or HLS
// playlist), licensed by this run's endpoint. The page does not touch EME itself: the tracer, installed
// before the player's build loads, records the player's whole EME conversation into this run's
// timeline; the <video> is recorded like the playback module's. Before playing, the harness's own
// probe and the player's (if it has one) say what they claim, for the probe-against-playback check.
// Ends paused on the 1 s frame ('picture-ready') when playback got past `target`.
import { VideoHandle } from '../media.js';
import { DRIVERS, loadPlayerScript } from '../players.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { PlayerError, ProbeClaim } from '../players.js'
 */

const PLAY_TIMEOUT_MS = 15_000;
const TRACER_MODULE = '/js/tracer/eme-tracer.mjs';

/**
 * The harness's probe for an asset: one configuration naming every track's content type and the
 * asset's encryption scheme, asked outside the traced conversation.
 * @param {string} keySystem
 * @param {{ scheme: string, tracks: Array<{ type: string, contentType: string }>, initDataType: string | null }} asset
 * @returns {Promise<ProbeClaim>}
 */
async function harnessProbe(keySystem, asset) {
  const encryptionScheme = asset.scheme === 'cbcs' ? 'cbcs' : 'cenc';
  /** @param {string} type */
  const caps = (type) =>
    asset.tracks.filter((t) => t.type === type).map((t) => ({ contentType: t.contentType, encryptionScheme }));
  const config = {
    initDataTypes: [asset.initDataType ?? 'cenc'],
    videoCapabilities: caps('video'),
    audioCapabilities: caps('audio'),
  };
  try {
    const access = await navigator.requestMediaKeySystemAccess(keySystem, [config]);
    return {
      supported: true,
      detail: `requestMediaKeySystemAccess granted ${JSON.stringify(access.getConfiguration())}`,
    };
  } catch (/** @type {any} */ e) {
    return {
      supported: false,
      detail: `requestMediaKeySystemAccess(${JSON.stringify([config])}) rejected: ${e?.name}: ${e?.message}`,
    };
  }
}

/**
 * @param {Steps} h
 * @param {{ player: string, format: 'dash' | 'hls', asset: string, target?: number }} params
 */
export async function run(h, { player: name, format, asset: assetId, target = 1.5 }) {
  const driver = DRIVERS[name];
  if (!driver) throw new Error(`no driver for player ${name}`);
  const manifest = await h.manifest();
  const asset = manifest.assets[assetId];
  if (!asset) throw new Error(`no asset ${assetId} in the media manifest`);
  const manifestUrl = format === 'dash' ? asset.dash : asset.hls;
  if (!manifestUrl) throw new Error(`asset ${assetId} has no ${format} manifest`);
  h.requireEmeApi();
  const keySystem = h.keySystem.name;
  const licenseUrl = new URL(`/license/${h.runId}`, location.href).href;
  const contentTypes = asset.tracks.map((t) => t.contentType);

  // Probes first and untraced, so the conversation the tracer records is the player's playback alone.
  // hls.js binds requestMediaKeySystemAccess when its build runs, so only Shaka loads before the tracer.
  const harness = await harnessProbe(keySystem, asset);
  let playerClaim = null;
  if (driver.probe) {
    await loadPlayerScript(name);
    playerClaim = await driver.probe({ scheme: asset.scheme, contentTypes }, keySystem);
  }
  h.rec.note('runner', 'probe-claims', { harness, player: playerClaim });

  const { traceEme } = await import(TRACER_MODULE);
  traceEme(
    {
      emit: (/** @type {any} */ entry) => h.rec.add(entry).seq,
      warn: (/** @type {string} */ message) => h.rec.note('tracer', 'tracer-warning', { message }),
    },
    { mediaEvents: false },
  );
  if (!(/** @type {any} */ (globalThis)[driver.global])) await loadPlayerScript(name);
  h.rec.note('player', 'player-loaded', { player: name, version: driver.version(), manifest: manifestUrl });

  const v = new VideoHandle(h.rec);
  /** @type {(error: PlayerError) => void} */
  let gaveUp = () => undefined;
  const fatal = new Promise((resolve) => (gaveUp = resolve));
  /** @param {PlayerError} error */
  const onError = (error) => {
    h.rec.note('player', 'player-error', { player: name, ...error });
    if (error.fatal) gaveUp(error);
  };
  await driver.play({
    video: v.video,
    manifestUrl,
    keySystem,
    licenseUrl,
    onError,
    asset: { scheme: asset.scheme, contentTypes },
  });
  const reached = await Promise.race([
    v.waitFor(
      `currentTime ≥ ${target} or a media error`,
      (i) => (i.entry.name === 'progress' && i.entry.data.milestone >= target) || i.entry.name === 'error',
      PLAY_TIMEOUT_MS,
    ),
    fatal.then(() => null),
  ]);
  if (reached?.entry.name === 'progress') await v.holdFrame(1.0);
}
