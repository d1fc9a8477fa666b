// @ts-check
// requestMediaKeySystemAccess() argument and configuration rules (group A): key system names,
// partial and alternative configurations, contentType parsing, encryption schemes, distinctive
// identifiers and robustness. Each case is one call; what it must do lives in the catalog. The key
// system is the run's (Clear Key unless its profile names another); the names derive from it.
import { runCases } from '../cases.js';

/** @import { Steps } from '../steps.js' */

/**
 * One case: the steps and the case id.
 * @typedef {(h: Steps, id: string) => Promise<unknown>} Case
 */

const VIDEO = 'video/mp4; codecs="avc1.42E01E"';
const AUDIO = 'audio/mp4; codecs="mp4a.40.2"';
/**
 * @param {Record<string, unknown>} [extra]
 * @returns {MediaKeySystemConfiguration}
 */
const base = (extra = {}) => ({ initDataTypes: ['keyids'], videoCapabilities: [{ contentType: VIDEO }], ...extra });
/**
 * @param {string} contentType
 * @param {Record<string, unknown>} [extra]
 */
const video = (contentType, extra = {}) => base({ videoCapabilities: [{ contentType, ...extra }] });

/**
 * @param {Steps} h
 * @param {string} id
 * @param {string} keySystem
 * @param {MediaKeySystemConfiguration[]} configs
 */
function access(h, id, keySystem, configs) {
  return h.case(id, 'navigator', 'requestMediaKeySystemAccess', [keySystem, configs], () =>
    navigator.requestMediaKeySystemAccess(keySystem, configs),
  );
}

/**
 * Asks for access, then records one fact of getConfiguration() as case `${id}:configuration`.
 * @param {Steps} h
 * @param {string} id
 * @param {MediaKeySystemConfiguration[]} configs
 * @param {(configuration: MediaKeySystemConfiguration) => unknown} pick
 */
async function accessAndConfiguration(h, id, configs, pick) {
  const result = await access(h, id, h.keySystem.name, configs);
  if (!result.ok) return;
  await h.case(`${id}:configuration`, 'access', 'getConfiguration', [], () => pick(result.value.getConfiguration()));
}

/**
 * @param {string} keySystem
 * @param {MediaKeySystemConfiguration[]} [configs]
 * @returns {Case}
 */
const rejects =
  (keySystem, configs = [base()]) =>
  (h, id) =>
    access(h, id, keySystem, configs);
/**
 * @param {string} type
 * @returns {Case}
 */
const contentType = (type) => (h, id) =>
  accessAndConfiguration(h, id, [video(type)], (c) => capabilities(c).map((v) => v.contentType));
/**
 * @param {string} encryptionScheme
 * @returns {Case}
 */
const scheme = (encryptionScheme) => (h, id) =>
  accessAndConfiguration(
    h,
    id,
    [video(VIDEO, { encryptionScheme })],
    (c) => capabilities(c)[0]?.encryptionScheme ?? null,
  );

/**
 * The video capabilities an access granted (getConfiguration() always lists them).
 * @param {MediaKeySystemConfiguration} c
 */
const capabilities = (c) => /** @type {MediaKeySystemMediaCapability[]} */ (c.videoCapabilities);

/**
 * The cases for the run's key system.
 * @param {string} keySystem
 * @returns {Record<string, Case>}
 */
const casesFor = (keySystem) => ({
  // Key system names
  'exact-name': async (h, id) => {
    const result = await access(h, id, keySystem, [base()]);
    if (result.ok) await h.case(`${id}:keySystem`, 'access', 'keySystem', [], () => result.value.keySystem);
  },
  'empty-name': rejects(''),
  'empty-configurations': rejects(keySystem, []),
  'empty-configuration': rejects(keySystem, [{}]),
  'unknown-name': rejects('org.example.no-such-key-system'),
  'webkit-prefixed': rejects(`webkit-${keySystem}`),
  'upper-case': rejects(keySystem.toUpperCase()),
  'leading-dot': rejects(`.${keySystem}`),
  'trailing-dot': rejects(`${keySystem}.`),
  'trailing-space': rejects(`${keySystem} `),
  'parent-name': rejects('org.w3'),
  'child-name': rejects(`${keySystem}.child`),

  // Partial and alternative configurations
  'unsupported-init-data-type-dropped': (h, id) =>
    accessAndConfiguration(h, id, [base({ initDataTypes: ['no-such-type', 'keyids'] })], (c) => c.initDataTypes),
  'unsupported-capability-dropped': (h, id) =>
    accessAndConfiguration(
      h,
      id,
      [base({ videoCapabilities: [{ contentType: 'video/no-such-container' }, { contentType: VIDEO }] })],
      (c) => capabilities(c).map((v) => v.contentType),
    ),
  'first-supported-configuration-wins': (h, id) =>
    accessAndConfiguration(
      h,
      id,
      [
        { label: 'unsupported', initDataTypes: ['no-such-type'], videoCapabilities: [{ contentType: VIDEO }] },
        { ...base(), label: 'second' },
        { ...base(), label: 'third' },
      ],
      (c) => c.label,
    ),
  'session-types-default': (h, id) => accessAndConfiguration(h, id, [base()], (c) => c.sessionTypes),
  'persistent-license': (h, id) =>
    accessAndConfiguration(h, id, [base({ sessionTypes: ['persistent-license'] })], (c) => c.sessionTypes),
  'persistent-license-without-state': rejects(keySystem, [
    base({ sessionTypes: ['persistent-license'], persistentState: 'not-allowed' }),
  ]),
  'audio-and-video': (h, id) =>
    accessAndConfiguration(h, id, [base({ audioCapabilities: [{ contentType: AUDIO }] })], (c) => [
      capabilities(c).length,
      /** @type {MediaKeySystemMediaCapability[]} */ (c.audioCapabilities).length,
    ]),

  // contentType parsing
  'content-type-no-space': contentType('video/mp4;codecs="avc1.42E01E"'),
  'content-type-mixed-case-mime': contentType('Video/MP4; codecs="avc1.42E01E"'),
  'content-type-codecs-upper-case': rejects(keySystem, [video('video/mp4; codecs="AVC1.42E01E"')]),
  'content-type-unknown-parameter': rejects(keySystem, [video('video/mp4; codecs="avc1.42E01E"; no-such-parameter=1')]),
  'content-type-container-mismatch': rejects(keySystem, [video('video/webm; codecs="avc1.42E01E"')]),
  'content-type-audio-codec-as-video': rejects(keySystem, [video('video/mp4; codecs="mp4a.40.2"')]),
  'content-type-empty': rejects(keySystem, [video('')]),

  // Encryption schemes
  'scheme-cenc': scheme('cenc'),
  'scheme-cbcs': scheme('cbcs'),
  'scheme-cbcs-1-9': scheme('cbcs-1-9'),
  'scheme-absent': (h, id) =>
    accessAndConfiguration(h, id, [video(VIDEO)], (c) => {
      const cap = capabilities(c)[0] ?? {};
      return 'encryptionScheme' in cap ? cap.encryptionScheme : 'member missing';
    }),
  'scheme-invalid': rejects(keySystem, [video(VIDEO, { encryptionScheme: 'no-such-scheme' })]),

  // Identifiers and robustness
  'distinctive-identifier-required': rejects(keySystem, [base({ distinctiveIdentifier: 'required' })]),
  'distinctive-identifier-not-allowed': (h, id) =>
    accessAndConfiguration(h, id, [base({ distinctiveIdentifier: 'not-allowed' })], (c) => c.distinctiveIdentifier),
  'robustness-non-empty': rejects(keySystem, [video(VIDEO, { robustness: 'SW_SECURE_CRYPTO' })]),
  'robustness-empty': (h, id) =>
    accessAndConfiguration(h, id, [video(VIDEO, { robustness: '' })], (c) => capabilities(c)[0]?.robustness),
});

/**
 * @param {Steps} h
 * @param {{ cases: string[] }} params
 */
export async function run(h, { cases }) {
  h.requireEmeApi();
  const bound = Object.fromEntries(Object.entries(casesFor(h.keySystem.name)).map(([id, f]) => [id, () => f(h, id)]));
  await runCases(h, bound, cases);
}
