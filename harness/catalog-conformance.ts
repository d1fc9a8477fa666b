// Catalog entries for issue #14 part 3: behaviour the older scenarios recorded but never judged, and
// holes in the API rules (harness/judge/conformance.ts judges them), plus the interface shape of every
// EME interface from the spec's WebIDL (harness/judge/idl.ts). Data only: each case says what today's
// spec expects, the algorithm step it comes from, and, where the spec leaves room, why it is advisory.
import type { PageModule } from '../model/page-params.ts';
import type { CaseExpect, CaseRule } from './case-table.ts';
import { caseTableScenario, type CaseTableInput } from './catalog-cases.ts';
import { readIdlShape } from './idl.ts';
import { pageOf, type ConformanceTimeline, type Scenario } from './scenario.ts';

const RMKSA = '#dom-navigator-requestmediakeysystemaccess';
const SUPPORTED_CONFIG = '#get-supported-configuration-and-consent';
const CAPABILITIES = '#get-supported-capabilities-for-audio-video-type';
const GENERATE = '#dom-mediakeysession-generaterequest';
const UPDATE = '#dom-mediakeysession-update';
const CLOSE = '#dom-mediakeysession-close';
const REMOVE = '#dom-mediakeysession-remove';
const SESSION_CLOSED = '#session-closed';
const CERTIFICATE = '#dom-mediakeys-setservercertificate';
const SESSION = '#mediakeysession-interface';
const STATUS_MAP = '#mediakeystatusmap-interface';
const WEBIDL = 'https://webidl.spec.whatwg.org/';

/** A case: what the page does, what the spec expects, where, the algorithm step, and why it is advisory (if it is). */
type Case = CaseRule;

const must = (does: string, expect: CaseExpect, spec: string, step?: string): Case => ({
  does,
  expect,
  spec,
  ...(step ? { step } : {}),
});
const advisory = (does: string, expect: CaseExpect, spec: string, why: string, step?: string): Case => ({
  does,
  expect,
  spec,
  advisory: why,
  ...(step ? { step } : {}),
});

interface ConformanceScenario extends CaseTableInput {
  module: Extract<PageModule, 'conformance-access' | 'conformance-sessions'>;
  timeline?: ConformanceTimeline;
}

function scenarioOf(c: ConformanceScenario): Scenario {
  return caseTableScenario(c, { by: 'conformance', ...(c.timeline ? { timeline: c.timeline } : {}) });
}

const notSupported = (does: string, spec: string, step?: string) => must(does, 'NotSupportedError', spec, step);
const resolvesAsAsked = (does: string, contentType: string, step: string): [Case, Case] => [
  must(does, 'resolves', CAPABILITIES, step),
  must(
    'the contentType granted, exactly as asked',
    { value: [contentType] },
    CAPABILITIES,
    'step 3.16 (the requested capability is added as it is)',
  ),
];

/** Key-system names the WebIDL DOMString conversion turns into an unknown name. */
const NAME_STEP = 'step 7.1 (keySystem is not a supported Key System; comparison is case-sensitive)';
const CODECS_WHY =
  "RFC 6381's grammar allows neither spaces nor empty entries in the codecs list, so the strict reading of step 3.10 (parameters not valid per their specification) is NotSupportedError; the EME spec gives no codecs parser of its own and browsers' parsers commonly trim and skip such entries";

const [upperCodecs, upperCodecsAsAsked] = resolvesAsAsked(
  'video/mp4; CODECS="avc1.42E01E" (MIME parameter names are ASCII-lowercased by parse a MIME type)',
  'video/mp4; CODECS="avc1.42E01E"',
  'step 3.5 (parse a MIME type lowercases parameter names)',
);
const [leading, leadingAsAsked] = resolvesAsAsked(
  '\' video/mp4; codecs="avc1.42E01E"\' (leading space: parse a MIME type strips it)',
  ' video/mp4; codecs="avc1.42E01E"',
  'step 3.5 (parse a MIME type removes leading and trailing HTTP whitespace)',
);
const [trailing, trailingAsAsked] = resolvesAsAsked(
  '\'video/mp4; codecs="avc1.42E01E" \' (trailing space)',
  'video/mp4; codecs="avc1.42E01E" ',
  'step 3.5 (parse a MIME type removes leading and trailing HTTP whitespace)',
);
const [semicolon, semicolonAsAsked] = resolvesAsAsked(
  "'video/mp4 ;  codecs=\"avc1.42E01E\"' (spaces around ';')",
  'video/mp4 ;  codecs="avc1.42E01E"',
  'step 3.5 (parse a MIME type trims the subtype and skips whitespace before a parameter)',
);
const [unquoted, unquotedAsAsked] = resolvesAsAsked(
  'video/mp4; codecs=avc1.42E01E (an unquoted parameter value)',
  'video/mp4; codecs=avc1.42E01E',
  'step 3.5 (a MIME parameter value may be a token)',
);

const ACCESS_NAMES = scenarioOf({
  id: 'access.key-system-name-edges',
  title: 'Key system names that are non-ASCII, cut short, or not strings at all',
  group: 'A',
  spec: [RMKSA, '#key-system'],
  module: 'conformance-access',
  summary:
    "requestMediaKeySystemAccess() with a valid MP4 configuration. The name is converted to a DOMString first (WebIDL), so null, 1 and {} become names nobody supports, an object whose toString() gives 'org.w3.clearkey' is that name, and a Symbol cannot be converted (TypeError)",
  cases: {
    'name-non-ascii-letter': notSupported("'org.w3.clearkéy' (é for e)", RMKSA, NAME_STEP),
    'name-non-ascii-lookalike': notSupported("'org.w3.сlearkey' (Cyrillic с for c)", RMKSA, NAME_STEP),
    'name-cut-at-end': notSupported("'org.w3.clearke' (last letter cut)", RMKSA, NAME_STEP),
    'name-cut-in-middle': notSupported("'org.w3.clarkey'-style: one letter in the middle cut", RMKSA, NAME_STEP),
    'name-nul-in-middle': notSupported(
      "'org.w3.\\0clearkey'-style: a NUL in the middle (C string cut short)",
      RMKSA,
      NAME_STEP,
    ),
    'name-nul-at-end': notSupported("'org.w3.clearkey\\0' (a NUL at the end)", RMKSA, NAME_STEP),
    'name-null': notSupported("null (converts to 'null')", RMKSA, NAME_STEP),
    'name-undefined': notSupported("undefined (converts to 'undefined')", RMKSA, NAME_STEP),
    'name-number': notSupported("1 (converts to '1')", RMKSA, NAME_STEP),
    'name-plain-object': notSupported("{} (converts to '[object Object]')", RMKSA, NAME_STEP),
    'name-symbol': must('a Symbol (DOMString conversion throws)', 'TypeError', RMKSA, `${WEBIDL}#js-DOMString`),
    'name-object-with-to-string': must(
      "an object whose toString() returns 'org.w3.clearkey'",
      'resolves',
      RMKSA,
      `${WEBIDL}#js-DOMString (ToString, then the name is supported)`,
    ),
    'name-array-of-the-name': must(
      "['org.w3.clearkey'] (an array converts to its joined string)",
      'resolves',
      RMKSA,
      `${WEBIDL}#js-DOMString`,
    ),
  },
});

const ACCESS_CONFIGURATIONS = scenarioOf({
  id: 'access.configuration-arguments',
  title: 'supportedConfigurations that are not sequences are TypeError; any iterable is a sequence',
  group: 'A',
  spec: [RMKSA, '#dom-mediakeysystemconfiguration'],
  module: 'conformance-access',
  summary: "requestMediaKeySystemAccess('org.w3.clearkey', …) with each second argument",
  cases: {
    'configs-missing': must('no second argument', 'TypeError', RMKSA, `${WEBIDL}#es-overloads (too few arguments)`),
    'configs-undefined': must('undefined', 'TypeError', RMKSA, `${WEBIDL}#js-sequence (not an object)`),
    'configs-null': must('null', 'TypeError', RMKSA, `${WEBIDL}#js-sequence (not an object)`),
    'configs-single-object': must(
      'one configuration object, not in an array (not iterable)',
      'TypeError',
      RMKSA,
      `${WEBIDL}#js-sequence (no @@iterator)`,
    ),
    'configs-string': must("'keyids' (a string is not an object)", 'TypeError', RMKSA, `${WEBIDL}#js-sequence`),
    'configs-number': must('1', 'TypeError', RMKSA, `${WEBIDL}#js-sequence`),
    'configs-array-like': must(
      '{length: 1, 0: configuration} (array-like, not iterable)',
      'TypeError',
      RMKSA,
      `${WEBIDL}#js-sequence (no @@iterator)`,
    ),
    'configs-iterable-object': must(
      'a generator-backed iterable yielding one configuration',
      'resolves',
      RMKSA,
      `${WEBIDL}#js-sequence (any iterable converts)`,
    ),
    'configs-array-of-non-object': must(
      '[1] (an element that is not a dictionary)',
      'TypeError',
      RMKSA,
      `${WEBIDL}#js-dictionary (1 is not an object)`,
    ),
  },
});

const ACCESS_CONTENT_TYPES = scenarioOf({
  id: 'access.content-type-edges',
  title: 'contentType parsing edges: parameter-name case, spaces, an unknown type alone, codecs list edges',
  group: 'A',
  spec: [CAPABILITIES, '#dom-mediakeysystemmediacapability-contenttype'],
  module: 'conformance-access',
  summary: 'One video (or audio) capability per call; contentType is parsed with the MIME Sniffing standard',
  cases: {
    'ct-parameter-name-upper-case': upperCodecs,
    'ct-parameter-name-upper-case:configuration': upperCodecsAsAsked,
    'ct-leading-space': leading,
    'ct-leading-space:configuration': leadingAsAsked,
    'ct-trailing-space': trailing,
    'ct-trailing-space:configuration': trailingAsAsked,
    'ct-spaces-around-semicolon': semicolon,
    'ct-spaces-around-semicolon:configuration': semicolonAsAsked,
    'ct-unquoted-codecs': unquoted,
    'ct-unquoted-codecs:configuration': unquotedAsAsked,
    'ct-no-codecs': notSupported(
      "'video/mp4' with no codecs (MP4 implies no codec set): the control for the next case",
      CAPABILITIES,
      'step 3.12',
    ),
    'ct-space-before-equals': notSupported(
      "'video/mp4; codecs =\"avc1.42E01E\"' (the name 'codecs ' is not a token, so no codecs are given)",
      CAPABILITIES,
      'steps 3.5 and 3.12 (no codecs, and MP4 implies none)',
    ),
    'ct-space-inside-codecs': advisory(
      '\'video/mp4; codecs=" avc1.42E01E"\' (a space inside the quoted list)',
      'NotSupportedError',
      CAPABILITIES,
      CODECS_WHY,
      'step 3.10',
    ),
    'ct-space-after-comma': advisory(
      '\'audio/mp4; codecs="mp4a.40.2, mp4a.40.2"\' (a space after the comma)',
      'NotSupportedError',
      CAPABILITIES,
      CODECS_WHY,
      'step 3.10',
    ),
    'ct-space-after-comma:configuration': advisory(
      'the contentType granted, exactly as asked (when granted)',
      { value: ['audio/mp4; codecs="mp4a.40.2, mp4a.40.2"'] },
      CAPABILITIES,
      'only read when the capability was granted',
    ),
    'ct-codecs-leading-comma': advisory(
      '\'video/mp4; codecs=",avc1.42E01E"\' (an empty first entry)',
      'NotSupportedError',
      CAPABILITIES,
      CODECS_WHY,
      'step 3.10',
    ),
    'ct-codecs-empty': notSupported(
      '\'video/mp4; codecs=""\' (no codec named, and MP4 implies none)',
      CAPABILITIES,
      'step 3.12',
    ),
    'ct-unknown-type-alone': notSupported(
      "'video/x-no-such-type' as the only capability",
      CAPABILITIES,
      'step 3.8, then Get Supported Configuration returns NotSupported (no video capability left)',
    ),
    'ct-unknown-audio-type-alone': notSupported(
      "'audio/x-no-such-type' as the only audio capability",
      CAPABILITIES,
      'step 3.8, then NotSupported',
    ),
    'ct-not-a-mime-type': notSupported("'no slash here' (parse a MIME type fails)", CAPABILITIES, 'step 3.6'),
  },
});

const ACCESS_AUDIO_ONLY = scenarioOf({
  id: 'access.audio-only',
  title: 'Audio-only configurations: granted with no video capabilities; a video type among audio is refused',
  group: 'A',
  spec: [SUPPORTED_CONFIG, CAPABILITIES],
  module: 'conformance-access',
  cases: {
    'audio-only-mp4': must('audioCapabilities [AAC in MP4] and no videoCapabilities', 'resolves', SUPPORTED_CONFIG),
    'audio-only-mp4:configuration': must(
      '[videoCapabilities.length, audioCapabilities.length] granted',
      { value: [0, 1] },
      SUPPORTED_CONFIG,
    ),
    'audio-only-webm': must('audioCapabilities [Opus in WebM] and no videoCapabilities', 'resolves', SUPPORTED_CONFIG),
    'audio-only-webm:configuration': must(
      '[videoCapabilities.length, audioCapabilities.length] granted',
      { value: [0, 1] },
      SUPPORTED_CONFIG,
    ),
    'audio-only-video-codec': notSupported(
      '\'audio/mp4; codecs="avc1.42E01E"\' (a video codec as audio)',
      CAPABILITIES,
      'step 3.13 (not strictly an audio type)',
    ),
    'audio-only-video-mime': notSupported(
      '\'video/mp4; codecs="avc1.42E01E"\' in audioCapabilities',
      CAPABILITIES,
      'step 3.13',
    ),
    'audio-only-empty-content-type': notSupported("contentType ''", CAPABILITIES, 'step 3.4 (returns null)'),
  },
});

const CERT_STEP_1 = 'step 1 (Clear Key does not support server certificates: resolve false, before any other step)';
const certificate = (does: string) => must(`setServerCertificate(${does})`, { value: false }, CERTIFICATE, CERT_STEP_1);
const notBufferSource = (does: string) =>
  must(
    `setServerCertificate(${does})`,
    'TypeError',
    CERTIFICATE,
    `${WEBIDL}#BufferSource (conversion fails; the promise rejects)`,
  );

const SERVER_CERTIFICATE_TYPES = scenarioOf({
  id: 'keys.server-certificate-types',
  title:
    'setServerCertificate() with every BufferSource type resolves false on Clear Key; non-BufferSources are TypeError',
  group: 'A',
  spec: [CERTIFICATE, '#clear-key-capabilities'],
  module: 'conformance-sessions',
  run: ['server-certificate-types'],
  summary:
    'Clear Key supports no server certificates, so step 1 resolves false for any BufferSource, an empty one included (the empty-certificate TypeError is step 2, after it)',
  cases: {
    'cert-array-buffer': certificate('ArrayBuffer(4)'),
    'cert-int8-array': certificate('Int8Array'),
    'cert-uint8-array': certificate('Uint8Array'),
    'cert-uint8-clamped-array': certificate('Uint8ClampedArray'),
    'cert-int16-array': certificate('Int16Array'),
    'cert-uint16-array': certificate('Uint16Array'),
    'cert-int32-array': certificate('Int32Array'),
    'cert-uint32-array': certificate('Uint32Array'),
    'cert-float32-array': certificate('Float32Array'),
    'cert-float64-array': certificate('Float64Array'),
    'cert-bigint64-array': certificate('BigInt64Array'),
    'cert-biguint64-array': certificate('BigUint64Array'),
    'cert-data-view': certificate('DataView'),
    'cert-view-into-larger-buffer': certificate('a Uint8Array view of 4 bytes at offset 4 of a 16-byte buffer'),
    'cert-empty-array-buffer': certificate('ArrayBuffer(0)'),
    'cert-empty-uint8-array': certificate('Uint8Array(0)'),
    'cert-string': notBufferSource('a string'),
    'cert-number': notBufferSource('4'),
    'cert-null': notBufferSource('null'),
    'cert-plain-object': notBufferSource('{byteLength: 4}'),
    'cert-array-of-numbers': notBufferSource('[1, 2, 3, 4]'),
    'cert-no-argument': must(
      'setServerCertificate()',
      'TypeError',
      CERTIFICATE,
      `${WEBIDL}#es-overloads (too few arguments)`,
    ),
  },
});

const readonly = (name: string) =>
  must(
    `${name} = … in strict code`,
    'TypeError',
    `#dom-mediakeysession-${name.toLowerCase()}`,
    'readonly attribute: the accessor has no setter',
  );

const ATTRIBUTE_SYNTAX = scenarioOf({
  id: 'session.attribute-syntax',
  title: 'MediaKeySession and MediaKeyStatusMap attributes: types, initial values, readonly, an iterable map',
  group: 'B',
  spec: [SESSION, STATUS_MAP, '#dom-mediakeys-createsession'],
  module: 'conformance-sessions',
  run: ['attribute-syntax'],
  summary: 'A new temporary session, read before and after generateRequest()',
  cases: {
    'attr-session-id-before': must(
      'sessionId before generateRequest()',
      { value: '' },
      '#dom-mediakeysession-sessionid',
      'createSession() step (sessionId initialised to the empty string)',
    ),
    'attr-expiration-nan': must(
      'Number.isNaN(expiration)',
      { value: true },
      '#dom-mediakeysession-expiration',
      'createSession(): expiration initialised to NaN',
    ),
    'attr-closed-is-promise': must('closed instanceof Promise', { value: true }, '#dom-mediakeysession-closed'),
    'attr-closed-same-object': must('closed === closed (one promise)', { value: true }, '#dom-mediakeysession-closed'),
    'attr-key-statuses-is-map': must(
      'keyStatuses instanceof MediaKeyStatusMap',
      { value: true },
      '#dom-mediakeysession-keystatuses',
    ),
    'attr-key-statuses-same-object': must(
      'keyStatuses === keyStatuses (replaced in place, never a new object)',
      { value: true },
      '#update-key-statuses',
      'step 4 (the contents are replaced without invalidating references)',
    ),
    'attr-key-statuses-size': must(
      'keyStatuses.size of a new session',
      { value: 0 },
      '#dom-mediakeysession-keystatuses',
    ),
    'attr-handlers-null': must('[onmessage, onkeystatuseschange] initially', { value: [null, null] }, SESSION),
    'attr-handler-assignable': must('onmessage = f reads back f', { value: true }, SESSION),
    'attr-sessionId-readonly': readonly('sessionId'),
    'attr-expiration-readonly': readonly('expiration'),
    'attr-closed-readonly': readonly('closed'),
    'attr-keyStatuses-readonly': readonly('keyStatuses'),
    'attr-status-map-methods': must(
      'typeof entries, keys, values, forEach, has, get',
      { value: ['function', 'function', 'function', 'function', 'function', 'function'] },
      STATUS_MAP,
      'iterable<BufferSource, MediaKeyStatus> and the has/get operations',
    ),
    'attr-status-map-iterator-is-entries': must(
      'keyStatuses[Symbol.iterator] === keyStatuses.entries',
      { value: true },
      STATUS_MAP,
      `${WEBIDL}#define-the-iteration-methods`,
    ),
    'attr-status-map-read-only': must(
      "which of 'set', 'delete', 'clear' the map has (an iterable, not a writable maplike)",
      { value: [] },
      STATUS_MAP,
      'the IDL declares iterable<…>, so no mutators',
    ),
    'attr-session-id-after': must(
      '[typeof sessionId, non-empty] once generateRequest() resolved',
      { value: ['string', true] },
      GENERATE,
      'step 10.10 (sessionId set to the session id)',
    ),
    'attr-media-keys-create-session': must(
      'createSession() returns a MediaKeySession',
      { value: true },
      '#dom-mediakeys-createsession',
    ),
  },
});

const CENC_OVER_64K = scenarioOf({
  id: 'session.init-data-cenc-over-64k',
  title: 'cenc init data over 64 KiB (a valid Common pssh plus a large foreign pssh)',
  group: 'B',
  spec: [GENERATE, '#initialization-data'],
  module: 'conformance-sessions',
  run: ['cenc-over-64k'],
  summary:
    'Each on a fresh session. The spec sets no byte limit: generateRequest() must validate init data and keep lengths reasonable; web-platform-tests expect TypeError past 64 KiB',
  cases: {
    'cenc-control': must('a single Common pssh box (52 bytes)', 'resolves', GENERATE),
    'cenc-over-64k': advisory(
      '70,000 bytes: the Common pssh followed by a foreign pssh carrying the rest',
      'TypeError',
      GENERATE,
      'the spec names no limit: step 10.2 asks for lengths that are "reasonable", and may strip entries the CDM does not need (after which the request is valid); TypeError past 64 KiB is what web-platform-tests and Chromium use',
      'step 10.2 / 10.3',
    ),
    'cenc-at-64k': advisory(
      'exactly 65,536 bytes of the same shape',
      'record',
      GENERATE,
      "where the limit sits is the implementation's; recorded to show it",
    ),
  },
});

const SEVERAL_SESSIONS = scenarioOf({
  id: 'session.several-sessions-generate',
  title: 'Four sessions created from one MediaKeys before any request: each can generateRequest()',
  group: 'C',
  spec: ['#dom-mediakeys-createsession', GENERATE],
  needs: ['license endpoint'],
  module: 'conformance-sessions',
  run: ['several-sessions'],
  cases: {
    'several-generate-1': must("session 1: generateRequest('keyids', key-1)", 'resolves', GENERATE),
    'several-generate-2': must("session 2: generateRequest('keyids', key-2)", 'resolves', GENERATE),
    'several-generate-3': must("session 3: generateRequest('keyids', key-3)", 'resolves', GENERATE),
    'several-generate-4': must("session 4: generateRequest('keyids', key-4)", 'resolves', GENERATE),
    'several-license-requests': must(
      'sessions that sent a license-request message',
      { value: 4 },
      GENERATE,
      'step 10.10 (a message is always queued when the promise resolves)',
    ),
    'several-distinct-ids': must('distinct non-empty sessionIds', { value: 4 }, '#dom-mediakeysession-sessionid'),
  },
});

const CLOSE_WITHOUT_KEYS = scenarioOf({
  id: 'session.close-without-keys',
  title: 'close() on a session that never got keys: closed-by-application and an empty keystatuseschange',
  group: 'C',
  spec: [CLOSE, SESSION_CLOSED, '#update-key-statuses'],
  module: 'conformance-sessions',
  run: ['close-without-keys'],
  summary: 'generateRequest(), the license-request message, no license; then close()',
  timeline: 'close-without-keys',
  cases: {
    close: must('close() on the unlicensed session', 'resolves', CLOSE, 'step 5.3.1'),
    'closed-reason': must('the closed promise', { value: 'closed-by-application' }, SESSION_CLOSED, 'step 7'),
    'size-after-close': must('keyStatuses.size after close()', { value: 0 }, SESSION_CLOSED, 'step 5'),
  },
});

const REMOVE_TEMPORARY = scenarioOf({
  id: 'session.remove-temporary',
  title: 'remove() on a live temporary session: keys destroyed, no message, the session stays open',
  group: 'C',
  spec: [REMOVE, '#clear-key-behavior', SESSION_CLOSED],
  needs: ['license endpoint'],
  module: 'conformance-sessions',
  run: ['remove-temporary'],
  summary:
    "A licensed temporary session. Today's remove() accepts it ('temporary': continue with the following steps); the InvalidAccessError of 2014-15 drafts is gone",
  timeline: 'remove-temporary',
  cases: {
    remove: must(
      'remove() on the licensed temporary session',
      'resolves',
      REMOVE,
      "step 4.4.1.2 ('temporary': continue) and step 4.5.5",
    ),
    'closed-after-remove': advisory(
      'whether closed has settled once remove() resolved',
      { value: false },
      REMOVE,
      'the CDM may close a session at any time (Monitor for CDM State Changes); remove() itself runs no Session Closed',
    ),
    'close-after-remove': must('close() afterwards', 'resolves', CLOSE),
    'closed-reason': must(
      'the closed promise',
      { value: 'closed-by-application' },
      SESSION_CLOSED,
      'close() step 5.3.2',
    ),
  },
});

const IDENTICAL_LICENSE = scenarioOf({
  id: 'session.identical-license-twice',
  title: 'An identical license applied twice: update() resolves, no second keystatuseschange',
  group: 'C',
  spec: [UPDATE, '#update-key-statuses'],
  needs: ['license endpoint'],
  module: 'conformance-sessions',
  run: ['identical-license-twice'],
  summary: 'A licensed session (key-1 usable, 400 ms quiet), then update() with a second copy of the same license',
  timeline: 'identical-license',
  cases: {
    'update-again': must('update(the same license) again', 'resolves', UPDATE, 'step 6.8.2'),
    'keys-after-second-update': must('keyStatuses values after it', { value: ['usable'] }, '#update-key-statuses'),
  },
});

const GENERATE_THEN_CLOSE = scenarioOf({
  id: 'session.generate-then-close',
  title: 'close() right after generateRequest(): refused while the request is pending, then closes cleanly',
  group: 'C',
  spec: [GENERATE, CLOSE, SESSION_CLOSED],
  needs: ['license endpoint'],
  module: 'conformance-sessions',
  run: ['generate-then-close'],
  summary:
    "Session 1: close() in the same task as generateRequest(): the session is not callable until generateRequest()'s task runs. Session 2: close() as soon as generateRequest() resolves",
  timeline: 'generate-then-close',
  cases: {
    'generate-unawaited': must('session 1: generateRequest() (not awaited)', 'resolves', GENERATE),
    'close-same-task': must(
      'session 1: close() in the same task',
      'InvalidStateError',
      CLOSE,
      "step 2 (callable is false until generateRequest()'s queued task sets it, step 10.10)",
    ),
    'generate-awaited': must('session 2: generateRequest()', 'resolves', GENERATE),
    'close-after-generate': must('session 2: close() as soon as it resolved', 'resolves', CLOSE, 'step 5.3.1'),
    'closed-reason': must(
      'session 2: the closed promise',
      { value: 'closed-by-application' },
      SESSION_CLOSED,
      'step 7',
    ),
  },
});

const IDL = readIdlShape();
const idlMembers = IDL.interfaces.reduce((n, i) => n + i.members.length, 0);

const IDL_SCENARIOS: Scenario[] = [
  {
    id: 'idl.interfaces',
    title: 'Interface shape from the WebIDL: interface objects, every attribute and operation, arity',
    group: 'J',
    spec: [
      '#navigator-extension-requestmediakeysystemaccess',
      '#mediakeysystemaccess-interface',
      '#mediakeys-interface',
      SESSION,
      STATUS_MAP,
      '#mediakeymessageevent',
      '#htmlmediaelement-extensions',
      '#mediaencryptedevent-interface',
    ],
    needs: [],
    expected: `From ${IDL.source} (${IDL.interfaces.length} interfaces and partial interfaces, ${idlMembers} members): each interface object exists with its name, length, prototype chain and class string, and (without a constructor) throws TypeError when called or constructed; each attribute is an accessor on the prototype (no setter when readonly); each operation is a method with the declared length; MediaKeyStatusMap is a pair iterable; too few arguments are TypeError (a rejection for promise operations); every name is exposed in this secure context.`,
    page: pageOf('idl-shape', { shape: IDL, context: 'secure' }),
    rules: { by: 'idl', shape: IDL, context: 'secure' },
  },
  {
    id: 'idl.secure-context',
    title: '[SecureContext] exposure: an insecure-origin frame sees no secure-context-only EME names',
    group: 'J',
    spec: ['#navigator-extension-requestmediakeysystemaccess', '#htmlmediaelement-extensions', '#privacy-secureorigin'],
    needs: ['insecure host name mapped to 127.0.0.1 by the browser'],
    expected:
      'A frame from http://eme.test (not a secure context) sees neither the [SecureContext] interfaces (MediaKeySystemAccess, MediaKeys, MediaKeySession, MediaKeyStatusMap, MediaKeyMessageEvent) nor navigator.requestMediaKeySystemAccess, HTMLMediaElement mediaKeys and setMediaKeys(); MediaEncryptedEvent, onencrypted and onwaitingforkey stay exposed.',
    page: pageOf('idl-shape', { shape: IDL, context: 'insecure' }),
    rules: { by: 'idl', shape: IDL, context: 'insecure' },
  },
];

export const CONFORMANCE_SCENARIOS: readonly Scenario[] = [
  ACCESS_NAMES,
  ACCESS_CONFIGURATIONS,
  ACCESS_CONTENT_TYPES,
  ACCESS_AUDIO_ONLY,
  SERVER_CERTIFICATE_TYPES,
  ATTRIBUTE_SYNTAX,
  CENC_OVER_64K,
  SEVERAL_SESSIONS,
  CLOSE_WITHOUT_KEYS,
  REMOVE_TEMPORARY,
  IDENTICAL_LICENSE,
  GENERATE_THEN_CLOSE,
  ...IDL_SCENARIOS,
];
