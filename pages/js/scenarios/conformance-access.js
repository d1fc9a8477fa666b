// @ts-check
// requestMediaKeySystemAccess() edges the older access scenarios leave open (issue #14 part 3): key
// system names that are non-ASCII, cut short, or not strings at all; configuration arguments that are
// not sequences; contentType parsing edges (parameter-name case, spaces, an unknown type alone, a
// leading comma in codecs); audio-only configurations. Each case is one call, recorded with its case
// id; what it must do is in harness/catalog-conformance.ts.
import { runCases } from '../cases.js';

/** @import { Steps } from '../steps.js' */

const VIDEO = 'video/mp4; codecs="avc1.42E01E"';
const AAC = 'audio/mp4; codecs="mp4a.40.2"';
const OPUS = 'audio/webm; codecs="opus"';

/** @type {MediaKeySystemConfiguration} */
const BASE = { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: VIDEO }] };

/**
 * @param {string} contentType
 * @returns {MediaKeySystemConfiguration[]}
 */
const video = (contentType) => [{ initDataTypes: ['keyids'], videoCapabilities: [{ contentType }] }];
/**
 * @param {string} contentType
 * @returns {MediaKeySystemConfiguration[]}
 */
const audio = (contentType) => [{ initDataTypes: ['keyids'], audioCapabilities: [{ contentType }] }];

/**
 * The cases; `keySystem` is the run's (the name edges derive from it).
 * @param {string} keySystem
 * @returns {Record<string, { keySystem: unknown, configs: unknown, argc?: number, read?: (c: MediaKeySystemConfiguration) => unknown }>}
 */
function casesFor(keySystem) {
  const contentTypes = (/** @type {MediaKeySystemConfiguration} */ c) => [
    ...(c.videoCapabilities ?? []).map((v) => v.contentType),
    ...(c.audioCapabilities ?? []).map((a) => a.contentType),
  ];
  const counts = (/** @type {MediaKeySystemConfiguration} */ c) => [
    c.videoCapabilities?.length ?? 0,
    c.audioCapabilities?.length ?? 0,
  ];
  const middle = Math.floor(keySystem.length / 2);
  return {
    // Key system names
    'name-non-ascii-letter': { keySystem: keySystem.replace(/e(?=[^e]*$)/, '\u00e9'), configs: [BASE] },
    'name-non-ascii-lookalike': { keySystem: keySystem.replace(/c/, '\u0441'), configs: [BASE] },
    'name-cut-at-end': { keySystem: keySystem.slice(0, -1), configs: [BASE] },
    'name-cut-in-middle': { keySystem: keySystem.slice(0, middle) + keySystem.slice(middle + 1), configs: [BASE] },
    'name-nul-in-middle': {
      keySystem: `${keySystem.slice(0, middle)}\u0000${keySystem.slice(middle)}`,
      configs: [BASE],
    },
    'name-nul-at-end': { keySystem: `${keySystem}\u0000`, configs: [BASE] },
    'name-null': { keySystem: null, configs: [BASE] },
    'name-undefined': { keySystem: undefined, configs: [BASE] },
    'name-number': { keySystem: 1, configs: [BASE] },
    'name-plain-object': { keySystem: {}, configs: [BASE] },
    'name-symbol': { keySystem: Symbol('org.w3.clearkey'), configs: [BASE] },
    'name-object-with-to-string': { keySystem: { toString: () => keySystem }, configs: [BASE] },
    'name-array-of-the-name': { keySystem: [keySystem], configs: [BASE] },

    // supportedConfigurations that are not sequences (and two that are)
    'configs-missing': { keySystem, configs: undefined, argc: 1 },
    'configs-undefined': { keySystem, configs: undefined },
    'configs-null': { keySystem, configs: null },
    'configs-single-object': { keySystem, configs: BASE },
    'configs-string': { keySystem, configs: 'keyids' },
    'configs-number': { keySystem, configs: 1 },
    'configs-array-like': { keySystem, configs: { length: 1, 0: BASE } },
    'configs-iterable-object': {
      keySystem,
      configs: {
        *[Symbol.iterator]() {
          yield BASE;
        },
      },
    },
    'configs-array-of-non-object': { keySystem, configs: [1] },

    // contentType parsing
    'ct-parameter-name-upper-case': {
      keySystem,
      configs: video('video/mp4; CODECS="avc1.42E01E"'),
      read: contentTypes,
    },
    'ct-leading-space': { keySystem, configs: video(' video/mp4; codecs="avc1.42E01E"'), read: contentTypes },
    'ct-trailing-space': { keySystem, configs: video('video/mp4; codecs="avc1.42E01E" '), read: contentTypes },
    'ct-spaces-around-semicolon': {
      keySystem,
      configs: video('video/mp4 ;  codecs="avc1.42E01E"'),
      read: contentTypes,
    },
    'ct-unquoted-codecs': { keySystem, configs: video('video/mp4; codecs=avc1.42E01E'), read: contentTypes },
    'ct-no-codecs': { keySystem, configs: video('video/mp4') },
    'ct-space-before-equals': { keySystem, configs: video('video/mp4; codecs ="avc1.42E01E"') },
    'ct-space-inside-codecs': { keySystem, configs: video('video/mp4; codecs=" avc1.42E01E"') },
    'ct-space-after-comma': {
      keySystem,
      configs: audio('audio/mp4; codecs="mp4a.40.2, mp4a.40.2"'),
      read: contentTypes,
    },
    'ct-codecs-leading-comma': { keySystem, configs: video('video/mp4; codecs=",avc1.42E01E"') },
    'ct-codecs-empty': { keySystem, configs: video('video/mp4; codecs=""') },
    'ct-unknown-type-alone': { keySystem, configs: video('video/x-no-such-type') },
    'ct-unknown-audio-type-alone': { keySystem, configs: audio('audio/x-no-such-type') },
    'ct-not-a-mime-type': { keySystem, configs: video('no slash here') },

    // Audio-only configurations
    'audio-only-mp4': { keySystem, configs: audio(AAC), read: counts },
    'audio-only-webm': { keySystem, configs: audio(OPUS), read: counts },
    'audio-only-video-codec': { keySystem, configs: audio('audio/mp4; codecs="avc1.42E01E"') },
    'audio-only-video-mime': { keySystem, configs: audio(VIDEO) },
    'audio-only-empty-content-type': { keySystem, configs: audio('') },
  };
}

/**
 * @param {Steps} h
 * @param {{ cases: string[] }} params
 */
export async function run(h, { cases }) {
  h.requireEmeApi();
  const all = casesFor(h.keySystem.name);
  const bound = Object.fromEntries(
    Object.entries(all).map(([id, c]) => [
      id,
      async () => {
        const args = c.argc === 1 ? [c.keySystem] : [c.keySystem, c.configs];
        const result = await h.case(id, 'navigator', 'requestMediaKeySystemAccess', args, () =>
          /** @type {any} */ (navigator).requestMediaKeySystemAccess(...args),
        );
        const read = c.read;
        if (result.ok && read) {
          await h.case(`${id}:configuration`, 'access', 'getConfiguration', [], () =>
            read(/** @type {MediaKeySystemAccess} */ (result.value).getConfiguration()),
          );
        }
      },
    ]),
  );
  await runCases(h, bound, cases);
}
