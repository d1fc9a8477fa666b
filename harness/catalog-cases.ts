// Catalog scenarios written as case tables (harness/judge/cases.ts): each case is one call the page
// makes, and here is what the current EME spec expects of it. Where web-platform-tests' stored
// assertions still name InvalidAccessError, the spec's TypeError is the rule, and a browser
// throwing the old name fails with that name in the report.
// Data only: the timeline rules a table cannot express are named (`more`) and live in the judge.
import type { PageModule } from '../model/page-params.ts';
import type { Group, Rules, Scenario, TimelineRules } from './scenario.ts';
import { describeExpect, type CaseExpect, type CaseRule, type CaseTable } from './case-table.ts';

/** A case-table scenario as the catalog writes it; `rules` says which judge reads the table. */
export interface CaseTableInput {
  id: string;
  title: string;
  group: Group;
  spec: string[];
  needs?: string[];
  module: PageModule;
  /** The page-side case ids to run, when they differ from the table's (one step may record several cases). */
  run?: string[];
  params?: Record<string, unknown>;
  cases: CaseTable;
  /** A sentence before the table, for the catalog document. */
  summary?: string;
  isolation?: 'context';
}

/** The scenario of a case table: the page runs the cases, the expected text is the table in words. */
export function caseTableScenario(c: CaseTableInput, rules: Rules): Scenario {
  const run = c.run ?? Object.keys(c.cases).filter((id) => !id.includes(':'));
  const lines = Object.entries(c.cases).map(([id, rule]) => `${id}: ${rule.does} → ${describeExpect(rule.expect)}`);
  return {
    id: c.id,
    title: c.title,
    group: c.group,
    spec: c.spec,
    needs: c.needs ?? [],
    expected: [c.summary, ...lines].filter(Boolean).join('; '),
    cases: c.cases,
    ...(c.summary ? { summary: c.summary } : {}),
    ...(c.isolation ? { isolation: c.isolation } : {}),
    page: { module: c.module, params: { ...c.params, cases: run } },
    rules,
  };
}

interface CaseScenario extends CaseTableInput {
  /** Timeline rules a table cannot express (harness/judge/cases.ts). */
  more?: TimelineRules;
}

function scenarioOf(c: CaseScenario): Scenario {
  return caseTableScenario(c, { by: 'cases', ...(c.more ? { more: c.more } : {}) });
}

const rule = (does: string, expect: CaseExpect, spec: string, advisory?: string): CaseRule => ({
  does,
  expect,
  spec,
  ...(advisory ? { advisory } : {}),
});

/** A rule that is one step of its anchor's algorithm. */
const at = (step: string, r: CaseRule): CaseRule => ({ ...r, step });

const RMKSA = '#dom-navigator-requestmediakeysystemaccess';
const SUPPORTED_CONFIG = '#get-supported-configuration-and-consent';
const CAPABILITIES = '#get-supported-capabilities-for-audio-video-type';
const GET_CONFIGURATION = '#dom-mediakeysystemaccess-getconfiguration';
const CREATE_SESSION = '#dom-mediakeys-createsession';
const GENERATE = '#dom-mediakeysession-generaterequest';
const UPDATE = '#dom-mediakeysession-update';
const CLOSE = '#dom-mediakeysession-close';
const REMOVE = '#dom-mediakeysession-remove';
const LOAD = '#dom-mediakeysession-load';
const STATUS_MAP = '#mediakeystatusmap-interface';
const SET_MEDIA_KEYS = '#dom-htmlmediaelement-setmediakeys';
const INIT_DATA = '#initdata-encountered';
const POLICY = '#permissions-policy-integration';

/** The HDCP versions of the registry minHdcpVersion takes (1.0 is a must above; these are advisory). */
const HDCP_VERSIONS = ['1.1', '1.2', '1.3', '1.4', '2.0', '2.1', '2.2', '2.3'] as const;

const MP4_VIDEO = 'video/mp4; codecs="avc1.42E01E"';
const notSupported = (does: string, spec = SUPPORTED_CONFIG) => rule(does, 'NotSupportedError', spec);
const typeError = (does: string, spec: string) => rule(does, 'TypeError', spec);
const invalidState = (does: string, spec: string) => rule(does, 'InvalidStateError', spec);

export const CASE_SCENARIOS: readonly Scenario[] = [
  // ---- A. Capability negotiation ----
  scenarioOf({
    id: 'access.key-system-names',
    title: 'Key system names: exact match only, empty arguments are TypeError',
    group: 'A',
    spec: [RMKSA, '#key-system', '#common-key-systems'],
    module: 'access-rules',
    summary: 'requestMediaKeySystemAccess() with a valid MP4 configuration and each key system name',
    cases: {
      'exact-name': rule("'org.w3.clearkey'", 'resolves', RMKSA),
      'exact-name:keySystem': rule(
        'access.keySystem',
        { value: 'org.w3.clearkey' },
        '#dom-mediakeysystemaccess-keysystem',
      ),
      'empty-name': typeError("''", RMKSA),
      'empty-configurations': typeError('org.w3.clearkey with []', RMKSA),
      'empty-configuration': notSupported('org.w3.clearkey with [{}] (no capabilities)'),
      'unknown-name': notSupported("'org.example.no-such-key-system'", RMKSA),
      'webkit-prefixed': notSupported("'webkit-org.w3.clearkey'", RMKSA),
      'upper-case': notSupported("'ORG.W3.CLEARKEY' (names are case-sensitive)", RMKSA),
      'leading-dot': notSupported("'.org.w3.clearkey'", RMKSA),
      'trailing-dot': notSupported("'org.w3.clearkey.'", RMKSA),
      'trailing-space': notSupported("'org.w3.clearkey '", RMKSA),
      'parent-name': notSupported("'org.w3' (a parent name)", RMKSA),
      'child-name': notSupported("'org.w3.clearkey.child' (an unknown child name)", RMKSA),
    },
  }),
  scenarioOf({
    id: 'access.configurations',
    title: 'Partial and alternative configurations: the supported subset, the first that works',
    group: 'A',
    spec: [SUPPORTED_CONFIG, GET_CONFIGURATION, '#dom-mediakeysystemconfiguration'],
    module: 'access-rules',
    cases: {
      'unsupported-init-data-type-dropped': rule(
        "initDataTypes ['no-such-type', 'keyids']",
        'resolves',
        SUPPORTED_CONFIG,
      ),
      'unsupported-init-data-type-dropped:configuration': rule(
        'getConfiguration().initDataTypes',
        { value: ['keyids'] },
        SUPPORTED_CONFIG,
      ),
      'unsupported-capability-dropped': rule(
        "videoCapabilities ['video/no-such-container', H.264]",
        'resolves',
        CAPABILITIES,
      ),
      'unsupported-capability-dropped:configuration': rule(
        'getConfiguration().videoCapabilities contentTypes',
        { value: [MP4_VIDEO] },
        CAPABILITIES,
      ),
      'first-supported-configuration-wins': rule(
        "configurations labelled 'unsupported', 'second', 'third'",
        'resolves',
        RMKSA,
      ),
      'first-supported-configuration-wins:configuration': rule('getConfiguration().label', { value: 'second' }, RMKSA),
      'session-types-default': rule('no sessionTypes member', 'resolves', SUPPORTED_CONFIG),
      'session-types-default:configuration': rule(
        'getConfiguration().sessionTypes',
        { value: ['temporary'] },
        SUPPORTED_CONFIG,
      ),
      'persistent-license': rule(
        "sessionTypes ['persistent-license'] (optional for Clear Key)",
        ['resolves', 'NotSupportedError'],
        SUPPORTED_CONFIG,
      ),
      'persistent-license:configuration': rule(
        'getConfiguration().sessionTypes when granted',
        { value: ['persistent-license'] },
        SUPPORTED_CONFIG,
      ),
      'persistent-license-without-state': notSupported(
        "sessionTypes ['persistent-license'] with persistentState 'not-allowed'",
      ),
      'audio-and-video': rule('one H.264 video and one AAC audio capability', 'resolves', SUPPORTED_CONFIG),
      'audio-and-video:configuration': rule(
        '[videoCapabilities.length, audioCapabilities.length]',
        { value: [1, 1] },
        SUPPORTED_CONFIG,
      ),
    },
  }),
  scenarioOf({
    id: 'access.content-types',
    title: 'contentType parsing: MIME case and spacing kept, codecs exact, unknown parameters refused',
    group: 'A',
    spec: [CAPABILITIES, '#dom-mediakeysystemmediacapability-contenttype'],
    module: 'access-rules',
    cases: {
      'content-type-no-space': rule('\'video/mp4;codecs="avc1.42E01E"\'', 'resolves', CAPABILITIES),
      'content-type-no-space:configuration': rule(
        'the contentType granted, exactly as asked',
        { value: ['video/mp4;codecs="avc1.42E01E"'] },
        CAPABILITIES,
      ),
      'content-type-mixed-case-mime': rule(
        '\'Video/MP4; codecs="avc1.42E01E"\' (MIME types are case-insensitive)',
        'resolves',
        CAPABILITIES,
      ),
      'content-type-mixed-case-mime:configuration': rule(
        'the contentType granted, exactly as asked',
        { value: ['Video/MP4; codecs="avc1.42E01E"'] },
        CAPABILITIES,
      ),
      'content-type-codecs-upper-case': notSupported(
        '\'video/mp4; codecs="AVC1.42E01E"\' (codecs are case-sensitive)',
        CAPABILITIES,
      ),
      'content-type-unknown-parameter': notSupported('an unrecognised MIME parameter', CAPABILITIES),
      'content-type-container-mismatch': notSupported('an H.264 codec in video/webm', CAPABILITIES),
      'content-type-audio-codec-as-video': notSupported('an AAC codec in videoCapabilities', CAPABILITIES),
      'content-type-empty': notSupported("contentType ''", CAPABILITIES),
    },
  }),
  scenarioOf({
    id: 'access.encryption-scheme',
    title: 'encryptionScheme: cenc granted, cbcs and cbcs-1-9 recorded, absent is null, invalid refused',
    group: 'A',
    spec: ['#dom-mediakeysystemmediacapability-encryptionscheme', CAPABILITIES],
    module: 'access-rules',
    cases: {
      'scheme-cenc': rule("encryptionScheme 'cenc'", 'resolves', CAPABILITIES),
      'scheme-cenc:configuration': rule('the scheme granted', { value: 'cenc' }, CAPABILITIES),
      'scheme-cbcs': rule(
        "encryptionScheme 'cbcs' (optional for Clear Key)",
        ['resolves', 'NotSupportedError'],
        CAPABILITIES,
      ),
      'scheme-cbcs:configuration': rule('the scheme granted', { value: 'cbcs' }, CAPABILITIES),
      'scheme-cbcs-1-9': rule(
        "encryptionScheme 'cbcs-1-9' (optional)",
        ['resolves', 'NotSupportedError'],
        CAPABILITIES,
      ),
      'scheme-cbcs-1-9:configuration': rule('the scheme granted', { value: 'cbcs-1-9' }, CAPABILITIES),
      'scheme-absent': rule('no encryptionScheme member', 'resolves', CAPABILITIES),
      'scheme-absent:configuration': rule(
        'the scheme reported (the member defaults to null)',
        { value: null },
        '#dom-mediakeysystemmediacapability-encryptionscheme',
      ),
      'scheme-invalid': notSupported("encryptionScheme 'no-such-scheme'", CAPABILITIES),
    },
  }),
  scenarioOf({
    id: 'access.identifier-robustness',
    title: 'Clear Key has no distinctive identifier and no robustness levels',
    group: 'A',
    spec: [
      '#clear-key',
      '#dom-mediakeysystemconfiguration-distinctiveidentifier',
      '#dom-mediakeysystemmediacapability-robustness',
    ],
    module: 'access-rules',
    cases: {
      'distinctive-identifier-required': notSupported("distinctiveIdentifier 'required'", '#clear-key'),
      'distinctive-identifier-not-allowed': rule("distinctiveIdentifier 'not-allowed'", 'resolves', '#clear-key'),
      'distinctive-identifier-not-allowed:configuration': rule(
        'getConfiguration().distinctiveIdentifier',
        { value: 'not-allowed' },
        SUPPORTED_CONFIG,
      ),
      'robustness-non-empty': notSupported("robustness 'SW_SECURE_CRYPTO'", '#clear-key'),
      'robustness-empty': rule("robustness ''", 'resolves', CAPABILITIES),
      'robustness-empty:configuration': rule('the robustness granted', { value: '' }, CAPABILITIES),
    },
  }),
  scenarioOf({
    id: 'keys.status-for-policy',
    title: "getStatusForPolicy(): an empty policy is TypeError; any HDCP string, '' too, is usable for Clear Key",
    group: 'A',
    spec: ['#dom-mediakeys-getstatusforpolicy'],
    needs: ['MediaKeys.getStatusForPolicy'],
    module: 'session-rules',
    params: { needs: ['getStatusForPolicy'] },
    cases: {
      'status-for-policy-no-members': at(
        'step 1',
        typeError('getStatusForPolicy({})', '#dom-mediakeys-getstatusforpolicy'),
      ),
      'status-for-policy-hdcp-1.0': rule(
        "getStatusForPolicy({minHdcpVersion: '1.0'})",
        { value: 'usable' },
        '#dom-mediakeys-getstatusforpolicy',
      ),
      // Since 2024 minHdcpVersion is a DOMString: '' is a present member, not an enum violation (no
      // TypeError), and Clear Key answers usable for any policy with members.
      'status-for-policy-hdcp-empty': rule(
        "getStatusForPolicy({minHdcpVersion: ''})",
        { value: 'usable' },
        '#dom-mediakeys-getstatusforpolicy',
      ),
      ...Object.fromEntries(
        HDCP_VERSIONS.map((v) => [
          `status-for-policy-hdcp-${v}`,
          rule(
            `getStatusForPolicy({minHdcpVersion: '${v}'})`,
            { value: 'usable' },
            '#clear-key',
            'for Clear Key the spec says getStatusForPolicy "should" always resolve usable: a recommendation',
          ),
        ]),
      ),
    },
  }),
  scenarioOf({
    id: 'keys.server-certificate',
    title: 'setServerCertificate() on Clear Key resolves false, an empty certificate too',
    group: 'A',
    spec: ['#dom-mediakeys-setservercertificate', '#clear-key'],
    module: 'session-rules',
    cases: {
      'server-certificate': at(
        'step 1',
        rule('setServerCertificate(4 bytes)', { value: false }, '#dom-mediakeys-setservercertificate'),
      ),
      // Step 1 (no server certificates: resolve false) comes before step 2 (empty: TypeError).
      'server-certificate-empty': at(
        'step 1',
        rule('setServerCertificate(empty)', { value: false }, '#dom-mediakeys-setservercertificate'),
      ),
    },
  }),
  scenarioOf({
    id: 'context.insecure-origin',
    title: 'An insecure origin (a non-loopback host over HTTP) does not see EME',
    group: 'A',
    spec: [RMKSA, '#mediakeys-interface'],
    needs: ['insecure host name mapped to 127.0.0.1 by the browser'],
    module: 'context',
    run: ['control', 'insecure'],
    summary: 'A same-origin frame first shows the frame page works; then the frame from http://eme.test',
    cases: {
      'same-origin-create-media-keys': rule(
        'same-origin frame: createMediaKeys()',
        { value: 'created' },
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
      'insecure-secure-context': rule('insecure frame: isSecureContext', { value: false }, RMKSA),
      'insecure-request-media-key-system-access-type': rule(
        'insecure frame: typeof navigator.requestMediaKeySystemAccess ([SecureContext])',
        { value: 'undefined' },
        RMKSA,
      ),
      'insecure-media-keys-interface-type': rule(
        'insecure frame: typeof MediaKeys ([SecureContext])',
        { value: 'undefined' },
        '#mediakeys-interface',
      ),
    },
  }),
  scenarioOf({
    id: 'context.sandboxed-iframe',
    title: 'A sandboxed (opaque-origin) frame cannot create MediaKeys',
    group: 'A',
    spec: [RMKSA, '#dom-mediakeysystemaccess-createmediakeys'],
    module: 'context',
    run: ['control', 'sandboxed'],
    cases: {
      'same-origin-create-media-keys': rule(
        'same-origin frame: createMediaKeys()',
        { value: 'created' },
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
      // Permissions Policy: the default allowlist is 'self', and an opaque origin is never 'self'.
      'sandboxed-request-access': at(
        'step 1',
        rule('sandbox="allow-scripts" frame: requestMediaKeySystemAccess()', 'SecurityError', RMKSA),
      ),
      'sandboxed-create-media-keys': rule(
        'sandbox="allow-scripts" frame: access then createMediaKeys()',
        'rejects',
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
    },
  }),
  scenarioOf({
    id: 'context.cross-origin-iframe',
    title: 'A cross-origin frame without allow="encrypted-media" gets SecurityError',
    group: 'A',
    spec: [RMKSA, POLICY],
    needs: ['HTTPS second origin (certificate made at server start)'],
    module: 'context',
    run: ['control', 'cross-origin'],
    cases: {
      'same-origin-create-media-keys': rule(
        'same-origin frame: createMediaKeys()',
        { value: 'created' },
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
      'cross-origin-secure-context': rule(
        'https frame from the second origin: isSecureContext',
        { value: true },
        RMKSA,
      ),
      'cross-origin-request-access': at(
        'step 1',
        rule('https frame, no allow attribute: requestMediaKeySystemAccess()', 'SecurityError', RMKSA),
      ),
    },
  }),
  scenarioOf({
    id: 'context.cross-origin-iframe-allowed',
    title: 'A cross-origin HTTPS frame with allow="encrypted-media" runs a full license round trip',
    group: 'A',
    spec: [RMKSA, POLICY, GENERATE, UPDATE],
    needs: ['HTTPS second origin (certificate made at server start)', 'license endpoint'],
    module: 'context',
    run: ['cross-origin-allowed'],
    cases: {
      'allowed-secure-context': rule('isSecureContext', { value: true }, RMKSA),
      'allowed-request-access': rule('requestMediaKeySystemAccess()', { value: 'granted' }, POLICY),
      'allowed-create-media-keys': rule(
        'createMediaKeys()',
        { value: 'created' },
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
      'allowed-generate-request': rule("generateRequest('keyids')", { value: 'resolved' }, GENERATE),
      'allowed-license-exchange': rule(
        'POST the message to the license endpoint over HTTPS',
        { value: true },
        '#clear-key-request-format',
      ),
      'allowed-update': rule('update(license)', { value: 'resolved' }, UPDATE),
      'allowed-keys-usable': rule('keyStatuses values after update', { value: ['usable'] }, '#update-key-statuses'),
      'allowed-close': rule('close()', { value: 'resolved' }, CLOSE),
    },
  }),
  scenarioOf({
    id: 'context.permissions-policy',
    title: 'A page served with Permissions-Policy: encrypted-media=() gets SecurityError',
    group: 'A',
    spec: [RMKSA, POLICY],
    module: 'context',
    run: ['control', 'permissions-policy'],
    cases: {
      'same-origin-create-media-keys': rule(
        'same-origin frame: createMediaKeys()',
        { value: 'created' },
        '#dom-mediakeysystemaccess-createmediakeys',
      ),
      'policy-request-access': at(
        'step 1',
        rule('frame under encrypted-media=(): requestMediaKeySystemAccess()', 'SecurityError', RMKSA),
      ),
    },
  }),

  // ---- B. Session API errors ----
  scenarioOf({
    id: 'session.create-session-types',
    title: 'createSession(): default and temporary work; unconfigured or unknown types throw',
    group: 'B',
    spec: [CREATE_SESSION, '#dom-mediakeysessiontype'],
    module: 'session-rules',
    summary: "MediaKeys from an access granted for sessionTypes ['temporary'] only",
    cases: {
      'create-no-argument': rule('createSession()', 'resolves', CREATE_SESSION),
      'create-temporary': rule("createSession('temporary')", 'resolves', CREATE_SESSION),
      'create-undefined': rule('createSession(undefined)', 'resolves', CREATE_SESSION),
      'create-extra-argument': rule("createSession('temporary', 'extra')", 'resolves', CREATE_SESSION),
      'create-persistent-license-not-configured': rule(
        "createSession('persistent-license') when the access did not ask for it",
        'NotSupportedError',
        CREATE_SESSION,
      ),
      'create-invalid-type': typeError(
        "createSession('no-such-type') (not a MediaKeySessionType)",
        '#dom-mediakeysessiontype',
      ),
      'create-persistent-usage-record': typeError(
        "createSession('persistent-usage-record') (removed from the enum)",
        '#dom-mediakeysessiontype',
      ),
    },
  }),
  scenarioOf({
    id: 'session.not-callable-before-generate-request',
    title: 'update(), close() and remove() before generateRequest() are InvalidStateError',
    group: 'B',
    spec: [UPDATE, CLOSE, REMOVE, GENERATE],
    module: 'session-rules',
    run: ['before-generate-request'],
    cases: {
      'update-before-generate-request': invalidState('update(a valid license) on a new session', UPDATE),
      'close-before-generate-request': invalidState('close() on a new session', CLOSE),
      'remove-before-generate-request': invalidState('remove() on a new session', REMOVE),
      'session-id-before-generate-request': rule(
        'sessionId of a new session',
        { value: '' },
        '#dom-mediakeysession-sessionid',
      ),
      'generate-request-after-those-errors': rule('generateRequest() afterwards', 'resolves', GENERATE),
    },
  }),
  scenarioOf({
    id: 'session.generate-request-arguments',
    title: 'generateRequest() arguments: missing, empty or wrong types are TypeError',
    group: 'B',
    spec: [GENERATE],
    module: 'session-rules',
    summary: 'Each on a fresh session',
    cases: {
      'generate-request-no-arguments': typeError('generateRequest()', GENERATE),
      'generate-request-no-init-data': typeError("generateRequest('keyids')", GENERATE),
      'generate-request-empty-type': typeError("generateRequest('', initData)", GENERATE),
      'generate-request-null': typeError("generateRequest('keyids', null)", GENERATE),
      'generate-request-undefined': typeError("generateRequest('keyids', undefined)", GENERATE),
      'generate-request-number': typeError("generateRequest('keyids', 1)", GENERATE),
      'generate-request-empty-init-data': typeError("generateRequest('keyids', empty)", GENERATE),
      'generate-request-unknown-type': rule("generateRequest('no-such-type', initData)", 'NotSupportedError', GENERATE),
      'generate-request-twice': invalidState('a second generateRequest() on the same session', GENERATE),
    },
  }),
  scenarioOf({
    id: 'session.init-data-disallowed',
    title: 'Init data that is oversized or malformed is TypeError',
    group: 'B',
    spec: [GENERATE, '#initialization-data', '#clear-key'],
    module: 'session-rules',
    summary:
      'The spec says TypeError for init data that is not valid for its type; older WPT copies expect InvalidAccessError, which fails here with its name',
    cases: {
      'init-data-keyids-over-64k': typeError('keyids JSON of 70,000 bytes', GENERATE),
      'init-data-webm-over-64k': typeError('webm init data of 70,000 bytes', GENERATE),
      'init-data-cenc-bad-box-size': typeError('a pssh box whose size field says 0xffff', GENERATE),
      'init-data-cenc-not-pssh': typeError("a 'psss' box instead of 'pssh'", GENERATE),
      'init-data-keyids-not-json': typeError('keyids that is not JSON', GENERATE),
      'init-data-keyids-empty-kid': typeError('keyids with an empty key id', GENERATE),
      'init-data-keyids-600-byte-kid': typeError('keyids with a 600-byte key id', GENERATE),
      'init-data-keyids-no-kids': rule(
        'keyids with an empty kids list (sanitises to nothing)',
        ['TypeError', 'NotSupportedError'],
        GENERATE,
        'the keyids format requires a non-empty kids list only by its example and prose; generateRequest() rejects init data that "fails to sanitize", but the spec does not say an empty list fails',
      ),
    },
  }),
  scenarioOf({
    id: 'session.update-arguments',
    title: 'update() arguments and malformed licenses are TypeError',
    group: 'B',
    spec: [UPDATE, '#clear-key-license-format'],
    module: 'session-rules',
    summary: "Each on a fresh session waiting for its license (a license of the wrong 'type' is faults.wrong-type)",
    cases: {
      'update-no-argument': typeError('update()', UPDATE),
      'update-empty-string': typeError("update('')", UPDATE),
      'update-null': typeError('update(null)', UPDATE),
      'update-undefined': typeError('update(undefined)', UPDATE),
      'update-number': typeError('update(1)', UPDATE),
      'update-empty': typeError('update(empty)', UPDATE),
      'update-random-bytes': typeError('update(8 random bytes)', UPDATE),
      'update-jwk-set-over-64k': typeError('a JWK set padded past 64 KiB', UPDATE),
      'update-non-ascii-kid': typeError('a JWK whose kid is not base64url ASCII', UPDATE),
      'update-jwk-set-no-keys-member': rule(
        "a JSON object without 'keys'",
        'TypeError',
        '#clear-key-license-format',
        'the Clear Key license format describes a JWK Set, whose "keys" member is required by RFC 7517, but update() only requires rejecting a response that is "not valid" without saying which JSON shapes are',
      ),
    },
  }),
  scenarioOf({
    id: 'session.load-on-temporary',
    title: 'load() on a temporary session is TypeError',
    group: 'B',
    spec: [LOAD],
    module: 'session-rules',
    cases: {
      'load-on-temporary': typeError("load('1234') on a temporary session", LOAD),
      'load-empty-id-on-temporary': typeError("load('') on a temporary session", LOAD),
    },
  }),

  // ---- C. Lifecycle and event sequences ----
  scenarioOf({
    id: 'session.key-statuses-map',
    title: 'keyStatuses: size, has/get with exact and near-miss key ids, iteration',
    group: 'C',
    spec: [STATUS_MAP, '#dom-mediakeysession-keystatuses', '#update-key-statuses'],
    needs: ['license endpoint'],
    module: 'sessions',
    run: ['key-statuses-map'],
    summary: 'One session for key-1 and key-2',
    cases: {
      'size-at-message': rule(
        'size when the license-request message arrives',
        { value: 0 },
        '#dom-mediakeysession-keystatuses',
      ),
      'size-after-update': rule('size after the license', { value: 2 }, STATUS_MAP),
      'has-exact': rule('has(key-1 as Uint8Array)', { value: true }, STATUS_MAP),
      'has-exact-array-buffer': rule('has(key-1 as ArrayBuffer)', { value: true }, STATUS_MAP),
      'has-exact-data-view': rule('has(key-1 as DataView)', { value: true }, STATUS_MAP),
      'get-exact': rule('get(key-1)', { value: 'usable' }, STATUS_MAP),
      'has-truncated': rule('has(key-1 without its last byte)', { value: false }, STATUS_MAP),
      'get-truncated': rule('get(key-1 without its last byte)', { value: 'undefined' }, STATUS_MAP),
      'has-extended': rule('has(key-1 plus a byte)', { value: false }, STATUS_MAP),
      'get-extended': rule('get(key-1 plus a byte)', { value: 'undefined' }, STATUS_MAP),
      'has-last-byte-changed': rule('has(key-1 with its last byte + 1)', { value: false }, STATUS_MAP),
      'get-last-byte-changed': rule('get(key-1 with its last byte + 1)', { value: 'undefined' }, STATUS_MAP),
      // key-1's id sorts before key-2's (204e… < 964a…), so the sorted lists name them in this order.
      keys: rule('keys(), as sorted hex', { value: ['$key-1', '$key-2'] }, STATUS_MAP),
      values: rule('values()', { value: ['usable', 'usable'] }, STATUS_MAP),
      entries: rule(
        'entries(), as sorted [hex, status]',
        {
          value: [
            ['$key-1', 'usable'],
            ['$key-2', 'usable'],
          ],
        },
        STATUS_MAP,
      ),
      'iterator-is-entries': rule('[...keyStatuses] yields [keyId, status] pairs', { value: true }, STATUS_MAP),
      'for-each': rule(
        'forEach((status, keyId, map)) callbacks',
        {
          value: [
            ['usable', 16, true],
            ['usable', 16, true],
          ],
        },
        STATUS_MAP,
      ),
      'size-after-close': rule('size after close()', { value: 0 }, '#session-closed'),
    },
  }),
  scenarioOf({
    id: 'session.statuses-per-session',
    title: 'Two sessions on one MediaKeys keep their own key statuses',
    group: 'C',
    spec: ['#dom-mediakeysession-keystatuses', '#update-key-statuses', '#session-closed'],
    needs: ['license endpoint'],
    module: 'sessions',
    run: ['statuses-per-session'],
    cases: {
      'first-after-own-update': rule(
        'session 1 keys after its license (key-1)',
        { value: ['$key-1'] },
        '#update-key-statuses',
      ),
      'second-before-own-update': rule(
        'session 2 size before its license',
        { value: 0 },
        '#dom-mediakeysession-keystatuses',
      ),
      'second-after-own-update': rule(
        'session 2 keys after its license (key-2)',
        { value: ['$key-2'] },
        '#update-key-statuses',
      ),
      'first-after-other-update': rule(
        "session 1 keys after session 2's license",
        { value: ['$key-1'] },
        '#update-key-statuses',
      ),
      'second-after-other-closed': rule(
        'session 2 keys after session 1 closed',
        { value: ['$key-2'] },
        '#session-closed',
      ),
    },
  }),
  scenarioOf({
    id: 'session.close-rules',
    title: 'close(): closed-by-application, a second close() resolves, later calls are InvalidStateError',
    group: 'C',
    spec: [CLOSE, '#session-closed', '#dom-mediakeysessionclosedreason', UPDATE, REMOVE],
    needs: ['license endpoint'],
    module: 'sessions',
    run: ['close-rules'],
    cases: {
      close: rule('close() on a licensed session', 'resolves', CLOSE),
      'closed-reason': rule(
        'the closed promise',
        { value: 'closed-by-application' },
        '#dom-mediakeysessionclosedreason',
      ),
      'close-again': rule('a second close()', 'resolves', CLOSE),
      'update-after-close': invalidState('update(a valid license) after close', UPDATE),
      'remove-after-close': at('step 1', invalidState('remove() after close', REMOVE)),
      'generate-request-after-close': invalidState('generateRequest() after close', GENERATE),
    },
    more: 'after-close',
  }),
  scenarioOf({
    id: 'session.keystatuseschange-count',
    title: 'keystatuseschange per update: counted and recorded; no individualization for Clear Key',
    group: 'C',
    spec: ['#update-key-statuses', UPDATE, '#session-closed', '#dom-mediakeymessagetype-individualization-request'],
    needs: ['license endpoint'],
    module: 'sessions',
    run: ['count-keystatuseschange'],
    summary:
      "One session for two keys. Update Key Statuses queues one event per update (a browser that fires one per key is recorded); intermediate statuses may only be 'status-pending' or 'usable'",
    cases: {},
    more: 'keystatuseschange-count',
  }),

  // ---- D. Persistent license across pages ----
  scenarioOf({
    id: 'lifecycle.persistent.retrieve',
    title: 'Persistent license retrieved by a new page: close, new document, load(sessionId)',
    group: 'D',
    spec: [LOAD, '#dom-mediakeysessiontype-persistent-license', CLOSE],
    needs: ['license endpoint', 'persistent-license support'],
    isolation: 'context',
    module: 'persistent-pages',
    run: ['retrieve'],
    cases: {
      'store-update': rule('page 1: update(license) on a persistent-license session', 'resolves', UPDATE),
      'store-keys-usable': rule('page 1: the key becomes usable', { value: true }, '#update-key-statuses'),
      'store-close': rule('page 1: close()', 'resolves', CLOSE),
      'retrieve-load': rule('page 2: load(sessionId)', { value: true }, LOAD),
      'retrieve-keys-usable': rule('page 2: the key is usable after load', { value: true }, LOAD),
    },
  }),
  scenarioOf({
    id: 'lifecycle.persistent.destroy',
    title: 'Persistent license destroyed: remove, release, acknowledgement; a new page finds nothing',
    summary:
      'A new page loads the session again: false once the release was acknowledged; before that the stored record of destruction still loads (true) and sends the release message again',
    group: 'D',
    spec: [REMOVE, '#clear-key-release-format', '#session-closed', LOAD],
    needs: ['license endpoint', 'persistent-license support'],
    isolation: 'context',
    module: 'persistent-pages',
    run: ['destroy'],
    cases: {
      'store-update': rule('page 1: update(license)', 'resolves', UPDATE),
      'store-keys-usable': rule('page 1: the key becomes usable', { value: true }, '#update-key-statuses'),
      'destroy-remove': rule('page 1: remove()', 'resolves', REMOVE),
      'destroy-release-message': rule('page 1: the message after remove()', { value: 'license-release' }, REMOVE),
      'destroy-release-kids': rule(
        'page 1: kids in the release message',
        { value: ['$key-1'] },
        '#clear-key-release-format',
      ),
      'destroy-closed-reason': rule(
        'page 1: closed after the acknowledgement',
        { value: 'release-acknowledged' },
        '#dom-mediakeysessionclosedreason',
      ),
    },
    more: 'after-destroy',
  }),
  scenarioOf({
    id: 'lifecycle.persistent.retrieve-then-destroy',
    title: 'Persistent license retrieved by page 2, destroyed there; page 3 finds nothing',
    summary:
      'Page 3 loads the session again: false once the release was acknowledged; before that the stored record of destruction still loads (true) and sends the release message again',
    group: 'D',
    spec: [LOAD, REMOVE, '#clear-key-release-format', '#session-closed'],
    needs: ['license endpoint', 'persistent-license support'],
    isolation: 'context',
    module: 'persistent-pages',
    run: ['retrieve-then-destroy'],
    cases: {
      'store-update': rule('page 1: update(license)', 'resolves', UPDATE),
      'store-keys-usable': rule('page 1: the key becomes usable', { value: true }, '#update-key-statuses'),
      'store-close': rule('page 1: close()', 'resolves', CLOSE),
      'retrieve-load': rule('page 2: load(sessionId)', { value: true }, LOAD),
      'destroy-remove': rule('page 2: remove()', 'resolves', REMOVE),
      'destroy-release-message': rule('page 2: the message after remove()', { value: 'license-release' }, REMOVE),
      'destroy-closed-reason': rule(
        'page 2: closed after the acknowledgement',
        { value: 'release-acknowledged' },
        '#dom-mediakeysessionclosedreason',
      ),
    },
    more: 'after-destroy',
  }),

  // ---- E. Media element integration ----
  scenarioOf({
    id: 'media.set-media-keys',
    title: 'setMediaKeys(): null, wrong types, the mediaKeys attribute, replacing before and after src',
    group: 'E',
    spec: [SET_MEDIA_KEYS, '#dom-htmlmediaelement-mediakeys'],
    module: 'media-element',
    run: ['attach-rules'],
    cases: {
      'media-keys-initially-null': rule(
        'mediaKeys of a new element is null',
        { value: true },
        '#dom-htmlmediaelement-mediakeys',
      ),
      'set-null-when-none': rule('setMediaKeys(null) with none set', 'resolves', SET_MEDIA_KEYS),
      'set-plain-object': typeError('setMediaKeys({})', SET_MEDIA_KEYS),
      'set-session-object': typeError('setMediaKeys(a MediaKeySession)', SET_MEDIA_KEYS),
      'set-media-keys': rule('setMediaKeys(mediaKeys)', 'resolves', SET_MEDIA_KEYS),
      'attribute-is-the-object': rule(
        'mediaKeys === the object set',
        { value: true },
        '#dom-htmlmediaelement-mediakeys',
      ),
      'set-same-again': rule('the same MediaKeys again', 'resolves', SET_MEDIA_KEYS),
      'set-other-before-src': rule('another MediaKeys before src', 'resolves', SET_MEDIA_KEYS),
      'attribute-follows': rule('mediaKeys === the second object', { value: true }, '#dom-htmlmediaelement-mediakeys'),
      'set-other-after-src': rule(
        'another MediaKeys after src (removal may be refused)',
        ['resolves', 'InvalidStateError', 'NotSupportedError'],
        SET_MEDIA_KEYS,
      ),
      'set-null-after-src': rule(
        'setMediaKeys(null) after src',
        ['resolves', 'InvalidStateError', 'NotSupportedError'],
        SET_MEDIA_KEYS,
      ),
    },
  }),
  scenarioOf({
    id: 'media.set-media-keys-concurrent',
    title: 'Five setMediaKeys() calls at once: one attaches, the rest are InvalidStateError',
    group: 'E',
    spec: [SET_MEDIA_KEYS],
    module: 'media-element',
    run: ['concurrent'],
    summary: 'Five MediaKeys set on one element in the same task (the attaching flag is set by the first)',
    cases: {
      'concurrent-1': rule('the first call', 'resolves', SET_MEDIA_KEYS),
      'concurrent-2': at('step 1', invalidState('the second call', SET_MEDIA_KEYS)),
      'concurrent-3': at('step 1', invalidState('the third call', SET_MEDIA_KEYS)),
      'concurrent-4': at('step 1', invalidState('the fourth call', SET_MEDIA_KEYS)),
      'concurrent-5': at('step 1', invalidState('the fifth call', SET_MEDIA_KEYS)),
      'concurrent-winner-attached': rule(
        'mediaKeys === the first MediaKeys',
        { value: true },
        '#dom-htmlmediaelement-mediakeys',
      ),
    },
  }),
  scenarioOf({
    id: 'media.shared-media-keys',
    title: 'One MediaKeys on two elements: allowed or QuotaExceededError; re-attach after detaching',
    group: 'E',
    spec: [SET_MEDIA_KEYS],
    module: 'media-element',
    run: ['shared'],
    cases: {
      'shared-first-element': rule('setMediaKeys on element 1', 'resolves', SET_MEDIA_KEYS),
      'shared-second-element': rule(
        'the same MediaKeys on element 2',
        ['resolves', 'QuotaExceededError'],
        SET_MEDIA_KEYS,
      ),
      'detach-first': rule('element 1: setMediaKeys(null)', 'resolves', SET_MEDIA_KEYS),
      'detach-second': rule('element 2: setMediaKeys(null)', 'resolves', SET_MEDIA_KEYS),
      'reattach-after-detach': rule('element 2 takes the MediaKeys again', 'resolves', SET_MEDIA_KEYS),
    },
  }),
  scenarioOf({
    id: 'media.encrypted-event-and-reset-src',
    title: "'encrypted' once per track with the media's pssh; a new src fires it again and keeps mediaKeys",
    group: 'E',
    spec: [INIT_DATA, '#dom-mediaencryptedevent-initdata', SET_MEDIA_KEYS],
    needs: ['media: h264-cenc', 'license endpoint', 'Media Source Extensions'],
    module: 'media-element',
    run: ['encrypted-and-reset-src'],
    cases: {
      'encrypted-count': rule("'encrypted' events for the first src (two encrypted tracks)", { value: 2 }, INIT_DATA),
      'encrypted-init-data-type': rule('their initDataType', { value: ['cenc'] }, INIT_DATA),
      'encrypted-init-data-is-the-pssh': rule(
        "each initData equals the media's pssh box",
        { value: true },
        '#dom-mediaencryptedevent-initdata',
      ),
      'encrypted-ready-state': rule(
        'readyState ≥ HAVE_METADATA at each event',
        { value: [true, true] },
        INIT_DATA,
        'the encrypted event comes from parsing the initialization segment, as HAVE_METADATA does, but the spec does not order the event and the readyState change',
      ),
      'encrypted-after-reset': rule("'encrypted' events after src is replaced", { value: 2 }, INIT_DATA),
      'media-keys-kept-after-reset': rule(
        'mediaKeys survives the new src',
        { value: true },
        '#dom-htmlmediaelement-mediakeys',
      ),
      'plays-after-reset': rule(
        'the new src plays past 0.5 s with licenses from its events',
        { value: true },
        '#media-element-extensions',
      ),
    },
  }),
  scenarioOf({
    id: 'media.two-elements',
    title: 'Two elements, each with its own MediaKeys, playing at once',
    group: 'E',
    spec: [SET_MEDIA_KEYS, '#media-element-extensions'],
    needs: ['media: h264-cenc', 'license endpoint', 'Media Source Extensions'],
    module: 'media-element',
    run: ['two-elements'],
    cases: {
      'first-element-plays': rule('element 1 passes 1 s', { value: true }, '#media-element-extensions'),
      'second-element-plays': rule('element 2 passes 1 s', { value: true }, '#media-element-extensions'),
    },
  }),

  // ---- H. Content coverage: stress ----
  scenarioOf({
    id: 'session.many-sessions',
    title: '16 sessions × 1 key on one MediaKeys, licensed at once',
    group: 'H',
    spec: ['#dom-mediakeys-createsession', '#update-key-statuses', '#session-closed'],
    needs: ['license endpoint'],
    module: 'sessions',
    run: ['many-sessions'],
    params: { keys: ['key-1', 'key-2', 'key-3', 'key-4'], sessions: 16 },
    cases: {
      'distinct-session-ids': rule('distinct sessionIds among the 16', { value: 16 }, '#dom-mediakeysession-sessionid'),
      'each-session-lists-only-its-key': rule(
        'every session lists exactly its one key',
        { value: true },
        '#dom-mediakeysession-keystatuses',
      ),
      'all-closed-empty': rule('every map is empty after close()', { value: true }, '#session-closed'),
    },
  }),
];
