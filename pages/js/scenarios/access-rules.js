// requestMediaKeySystemAccess() argument and configuration rules (group A): key system names,
// partial and alternative configurations, contentType parsing, encryption schemes, distinctive
// identifiers and robustness. Each case is one call; what it must do lives in the catalog.
import { CLEAR_KEY } from '../harness.js';
import { runCases } from '../cases.js';

const VIDEO = 'video/mp4; codecs="avc1.42E01E"';
const AUDIO = 'audio/mp4; codecs="mp4a.40.2"';
const base = (extra = {}) => ({ initDataTypes: ['keyids'], videoCapabilities: [{ contentType: VIDEO }], ...extra });
const video = (contentType, extra = {}) => base({ videoCapabilities: [{ contentType, ...extra }] });

function access(h, id, keySystem, configs) {
  return h.case(id, 'navigator', 'requestMediaKeySystemAccess', [keySystem, configs], () => navigator.requestMediaKeySystemAccess(keySystem, configs));
}

/** Asks for access, then records one fact of getConfiguration() as case `${id}:configuration`. */
async function accessAndConfiguration(h, id, configs, pick) {
  const result = await access(h, id, CLEAR_KEY, configs);
  if (!result.ok) return;
  await h.case(`${id}:configuration`, 'access', 'getConfiguration', [], () => pick(result.value.getConfiguration()));
}

const rejects = (keySystem, configs = [base()]) => (h, id) => access(h, id, keySystem, configs);
const contentType = (type) => (h, id) => accessAndConfiguration(h, id, [video(type)], (c) => c.videoCapabilities.map((v) => v.contentType));
const scheme = (encryptionScheme) => (h, id) =>
  accessAndConfiguration(h, id, [video(VIDEO, { encryptionScheme })], (c) => c.videoCapabilities[0]?.encryptionScheme ?? null);

const CASES = {
  // Key system names
  'exact-name': async (h, id) => {
    const result = await access(h, id, CLEAR_KEY, [base()]);
    if (result.ok) await h.case(`${id}:keySystem`, 'access', 'keySystem', [], () => result.value.keySystem);
  },
  'empty-name': rejects(''),
  'empty-configurations': rejects(CLEAR_KEY, []),
  'empty-configuration': rejects(CLEAR_KEY, [{}]),
  'unknown-name': rejects('org.example.no-such-key-system'),
  'webkit-prefixed': rejects(`webkit-${CLEAR_KEY}`),
  'upper-case': rejects(CLEAR_KEY.toUpperCase()),
  'leading-dot': rejects(`.${CLEAR_KEY}`),
  'trailing-dot': rejects(`${CLEAR_KEY}.`),
  'trailing-space': rejects(`${CLEAR_KEY} `),
  'parent-name': rejects('org.w3'),
  'child-name': rejects(`${CLEAR_KEY}.child`),

  // Partial and alternative configurations
  'unsupported-init-data-type-dropped': (h, id) =>
    accessAndConfiguration(h, id, [base({ initDataTypes: ['no-such-type', 'keyids'] })], (c) => c.initDataTypes),
  'unsupported-capability-dropped': (h, id) =>
    accessAndConfiguration(h, id, [base({ videoCapabilities: [{ contentType: 'video/no-such-container' }, { contentType: VIDEO }] })], (c) => c.videoCapabilities.map((v) => v.contentType)),
  'first-supported-configuration-wins': (h, id) =>
    accessAndConfiguration(h, id, [
      { label: 'unsupported', initDataTypes: ['no-such-type'], videoCapabilities: [{ contentType: VIDEO }] },
      { ...base(), label: 'second' },
      { ...base(), label: 'third' },
    ], (c) => c.label),
  'session-types-default': (h, id) => accessAndConfiguration(h, id, [base()], (c) => c.sessionTypes),
  'persistent-license': (h, id) => accessAndConfiguration(h, id, [base({ sessionTypes: ['persistent-license'] })], (c) => c.sessionTypes),
  'persistent-license-without-state': rejects(CLEAR_KEY, [base({ sessionTypes: ['persistent-license'], persistentState: 'not-allowed' })]),
  'audio-and-video': (h, id) =>
    accessAndConfiguration(h, id, [base({ audioCapabilities: [{ contentType: AUDIO }] })], (c) => [c.videoCapabilities.length, c.audioCapabilities.length]),

  // contentType parsing
  'content-type-no-space': contentType('video/mp4;codecs="avc1.42E01E"'),
  'content-type-mixed-case-mime': contentType('Video/MP4; codecs="avc1.42E01E"'),
  'content-type-codecs-upper-case': rejects(CLEAR_KEY, [video('video/mp4; codecs="AVC1.42E01E"')]),
  'content-type-unknown-parameter': rejects(CLEAR_KEY, [video('video/mp4; codecs="avc1.42E01E"; no-such-parameter=1')]),
  'content-type-container-mismatch': rejects(CLEAR_KEY, [video('video/webm; codecs="avc1.42E01E"')]),
  'content-type-audio-codec-as-video': rejects(CLEAR_KEY, [video('video/mp4; codecs="mp4a.40.2"')]),
  'content-type-empty': rejects(CLEAR_KEY, [video('')]),

  // Encryption schemes
  'scheme-cenc': scheme('cenc'),
  'scheme-cbcs': scheme('cbcs'),
  'scheme-cbcs-1-9': scheme('cbcs-1-9'),
  'scheme-absent': (h, id) => accessAndConfiguration(h, id, [video(VIDEO)], (c) => {
    const cap = c.videoCapabilities[0] ?? {};
    return 'encryptionScheme' in cap ? cap.encryptionScheme : 'member missing';
  }),
  'scheme-invalid': rejects(CLEAR_KEY, [video(VIDEO, { encryptionScheme: 'no-such-scheme' })]),

  // Identifiers and robustness
  'distinctive-identifier-required': rejects(CLEAR_KEY, [base({ distinctiveIdentifier: 'required' })]),
  'distinctive-identifier-not-allowed': (h, id) => accessAndConfiguration(h, id, [base({ distinctiveIdentifier: 'not-allowed' })], (c) => c.distinctiveIdentifier),
  'robustness-non-empty': rejects(CLEAR_KEY, [video(VIDEO, { robustness: 'SW_SECURE_CRYPTO' })]),
  'robustness-empty': (h, id) => accessAndConfiguration(h, id, [video(VIDEO, { robustness: '' })], (c) => c.videoCapabilities[0]?.robustness),
};

export async function run(h, { cases }) {
  h.requireEmeApi();
  const bound = Object.fromEntries(Object.entries(CASES).map(([id, f]) => [id, () => f(h, id)]));
  await runCases(h, bound, cases);
}
