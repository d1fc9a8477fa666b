// The scenario catalog, as data: one entry per scenario, with a stable id (expectations and history
// key on it), the page module that drives the browser and its parameters, and which rules judge its
// recorded timeline (harness/judge/index.ts runs them). No judge code is imported here: the server
// loads this to register runs.
import { readManifest } from '../model/manifest.ts';
import type { FaultInput, FaultRuleInput } from '../model/faults.ts';
import type { FaultThen, PlaybackMode } from '../model/page-params.ts';
import { CASE_SCENARIOS } from './catalog-cases.ts';
import { CONFORMANCE_SCENARIOS } from './catalog-conformance.ts';
import { playerScenarios } from './catalog-players.ts';
import { pageOf, type Group, type Scenario } from './scenario.ts';

const manifest = readManifest();

interface PlaybackSpec {
  id: string;
  title: string;
  group: Group;
  asset: string;
  mode: PlaybackMode;
  target?: number;
  spec: string[];
  expected: string;
  picture?: boolean;
  /** License endpoint fault rules for the run (see model/faults.ts). */
  faults?: FaultRuleInput[];
  /** Play only these track types of the asset. */
  tracks?: Array<'audio' | 'video'>;
  /** A media layout the spec does not define: failures are content-format interop (see Scenario). */
  contentFormat?: true;
}

function playback(p: PlaybackSpec): Scenario {
  const whole = manifest.assets[p.asset];
  if (!whole) throw new Error(`catalog: ${p.id} names asset ${p.asset}, which media/manifest.json lacks`);
  const asset = p.tracks ? { ...whole, tracks: whole.tracks.filter((t) => p.tracks!.includes(t.type)) } : whole;
  const target = p.target ?? 1.0;
  const reference = asset.reference ? `playback.reference.${asset.container === 'webm' ? 'vp9' : 'h264'}` : null;
  return {
    id: p.id,
    title: p.title,
    group: p.group,
    spec: p.spec,
    needs: [
      `media: ${p.asset}${p.tracks ? ` (${p.tracks.join(' + ')} only)` : ''}`,
      ...(asset.scheme === 'none' ? [] : ['license endpoint']),
      'Media Source Extensions',
    ],
    expected: p.expected,
    page: pageOf('playback', {
      asset: p.asset,
      mode: p.mode,
      target,
      ...(p.faults ? { faults: p.faults } : {}),
      ...(p.tracks ? { tracks: p.tracks } : {}),
    }),
    rules: { by: 'playback', asset, mode: p.mode, target },
    ...(p.picture ? { picture: { referenceScenario: reference } } : {}),
    ...(p.contentFormat ? { contentFormat: true as const } : {}),
  };
}

function fault(
  id: string,
  title: string,
  fault: FaultInput | null,
  expected: string,
  then: FaultThen = 'retry',
  count = 1,
): Scenario {
  return {
    id: `faults.${id}`,
    title,
    group: 'G',
    spec: ['#dom-mediakeysession-update', '#update-key-statuses'],
    needs: ['license endpoint with injected faults'],
    expected,
    page: pageOf('license-fault', {
      keys: ['key-1'],
      then,
      faults: fault ? [{ fault, on: 'license-request', nth: 1, count }] : [],
    }),
    rules: { by: 'fault', fault: fault?.kind ?? 'none', then },
  };
}

const PLAYBACK_SPEC = [
  '#initdata-encountered',
  '#dom-htmlmediaelement-setmediakeys',
  '#update-key-statuses',
  '#media-element-extensions',
];

const PROBE_AXES = {
  initDataTypes: ['cenc', 'keyids', 'webm'],
  sessionTypes: ['temporary', 'persistent-license'],
  encryptionSchemes: ['cenc', 'cbcs', 'absent'],
};

function probe(id: string, title: string, keySystems: string[], mandatory: boolean): Scenario {
  return {
    id,
    title,
    group: 'A',
    spec: [
      '#dom-navigator-requestmediakeysystemaccess',
      '#get-supported-configuration',
      '#dom-mediakeysystemaccess-getconfiguration',
      ...(mandatory ? ['#common-key-systems'] : []),
    ],
    needs: [],
    expected: `requestMediaKeySystemAccess for ${keySystems.join(', ')} × init data types × session types × encryption schemes either resolves with a configuration that is a subset of the request (encryptionScheme echoed) or rejects with NotSupportedError.${mandatory ? ' Clear Key temporary sessions must be supported.' : ' No supported configuration at all means unsupported.'}`,
    page: pageOf('probe', { keySystems, ...PROBE_AXES }),
    rules: { by: 'probe', mandatory },
  };
}

/** What the temporary lifecycles check, from request to closed. */
const TEMPORARY_SPEC = [
  '#dom-mediakeysession-generaterequest',
  '#queue-message',
  '#clear-key-request-format',
  '#dom-mediakeysession-update',
  '#update-key-statuses',
  '#dom-mediakeysession-close',
  '#session-closed',
];

const TEMPORARY_EXPECTED =
  'P:generateRequest → E:message(license-request, {"kids":[…],"type":"temporary"}, keyStatuses empty) → license POST (200) → P:update ~ E:keystatuseschange(all usable, expiration NaN) → close(): P:close, P:closed(\'closed-by-application\'), E:keystatuseschange(empty) → no further events.';

export const SCENARIOS: readonly Scenario[] = [
  probe('probe.clearkey', 'Capability probe: Clear Key', ['org.w3.clearkey'], true),
  probe('probe.widevine', 'Capability probe: Widevine', ['com.widevine.alpha'], false),
  probe(
    'probe.playready',
    'Capability probe: PlayReady',
    ['com.microsoft.playready', 'com.microsoft.playready.recommendation', 'com.microsoft.playready.hardware'],
    false,
  ),
  probe('probe.fairplay', 'Capability probe: FairPlay', ['com.apple.fps', 'com.apple.fps.1_0'], false),
  {
    id: 'lifecycle.temporary.keyids',
    title: 'Temporary session lifecycle with keyids init data',
    group: 'C',
    spec: TEMPORARY_SPEC,
    needs: ['license endpoint'],
    expected: TEMPORARY_EXPECTED,
    page: pageOf('lifecycle-temporary', { initDataType: 'keyids', keys: ['key-1', 'key-2'] }),
    rules: { by: 'lifecycle', sessionType: 'temporary' },
  },
  {
    id: 'lifecycle.temporary.cenc',
    title: 'Temporary session lifecycle with cenc (pssh v1) init data',
    group: 'C',
    spec: TEMPORARY_SPEC,
    needs: ['license endpoint'],
    expected: TEMPORARY_EXPECTED,
    page: pageOf('lifecycle-temporary', { initDataType: 'cenc', keys: ['key-1'] }),
    rules: { by: 'lifecycle', sessionType: 'temporary' },
  },
  {
    id: 'lifecycle.persistent-license',
    title: 'Persistent-license lifecycle: store, load, remove, release',
    group: 'D',
    spec: [
      '#dom-mediakeysession-generaterequest',
      '#dom-mediakeysession-load',
      '#dom-mediakeysession-remove',
      '#clear-key-release-format',
      '#session-closed',
    ],
    needs: ['license endpoint', 'persistent-license support'],
    expected:
      "Where persistent-license is supported: license → usable → close → closed('closed-by-application'); a new session load(sessionId) → true, usable → remove() → keys 'released', E:message(license-release {kids}) → ack via update → closed('release-acknowledged'); a third session load(sessionId) → false. Unsupported where requestMediaKeySystemAccess rejects persistent-license.",
    page: pageOf('lifecycle-persistent', { initDataType: 'keyids', keys: ['key-3'] }),
    rules: { by: 'lifecycle', sessionType: 'persistent-license' },
    isolation: 'context',
  },
  playback({
    id: 'playback.reference.h264',
    title: 'Clear H.264 + AAC playback through MSE (picture reference)',
    group: 'H',
    asset: 'h264-clear',
    mode: 'reference',
    picture: true,
    spec: ['#media-element-extensions'],
    expected:
      'Clear fragmented MP4 plays past 1 s with no error; the paused 1 s frame is a picture (the reference for encrypted H.264 assets).',
  }),
  playback({
    id: 'playback.reference.vp9',
    title: 'Clear VP9 + Opus playback through MSE (picture reference)',
    group: 'H',
    asset: 'vp9-clear',
    mode: 'reference',
    picture: true,
    spec: ['#media-element-extensions'],
    expected:
      'Clear WebM plays past 1 s with no error; the paused 1 s frame is a picture (the reference for encrypted WebM).',
  }),
  playback({
    id: 'playback.cenc',
    title: 'cenc MP4 playback (H.264 subsamples + AAC), picture checked',
    group: 'H',
    asset: 'h264-cenc',
    mode: 'basic',
    picture: true,
    spec: PLAYBACK_SPEC,
    expected:
      "E:encrypted (initDataType 'cenc', initData = the pssh) → session → license → keys usable → playing → currentTime ≥ 1 s, no media error; the 1 s frame matches the clear rendition.",
  }),
  playback({
    id: 'playback.cbcs',
    title: 'cbcs MP4 playback (AES-CBC 1:9 pattern), picture checked',
    group: 'H',
    asset: 'h264-cbcs',
    mode: 'basic',
    picture: true,
    spec: PLAYBACK_SPEC,
    expected: 'As playback.cenc, for content under the cbcs scheme.',
  }),
  playback({
    id: 'playback.webm',
    title: 'WebM playback (VP9 + Opus, separate keys), picture checked',
    group: 'H',
    asset: 'vp9-opus-webm',
    mode: 'basic',
    picture: true,
    spec: PLAYBACK_SPEC,
    expected:
      "E:encrypted per track (initDataType 'webm', initData = the key id) → a session each → keys usable → playing → currentTime ≥ 1 s; the 1 s frame matches the clear VP9 rendition.",
  }),
  playback({
    id: 'playback.wrong-key',
    title: 'Control: content under a key the license does not hold',
    group: 'F',
    asset: 'h264-cenc-wrongkey',
    mode: 'wrong-key',
    picture: true,
    spec: ['#update-key-statuses', '#media-element-extensions'],
    expected:
      "The license is served and keys report usable, but decoding fails: a media error, a stall, or a picture unlike the clear one. Records the browser's own error text.",
  }),
  playback({
    id: 'playback.waiting-for-key',
    title: 'Waiting for a key: license held back until waitingforkey',
    group: 'F',
    asset: 'h264-cenc',
    mode: 'waiting-for-key',
    spec: ['#wait-for-key', '#attempt-to-resume-playback-if-necessary', '#update-key-statuses'],
    expected:
      'With the license held back: E:encrypted → E:waitingforkey (element not paused; readyState ≤ HAVE_CURRENT_DATA, advisory) → license → update → playback resumes past 1 s.',
  }),
  playback({
    id: 'playback.clear-lead',
    title: 'Clear lead: playback starts before the key arrives',
    group: 'F',
    asset: 'h264-cenc-clearlead',
    mode: 'clear-lead',
    spec: ['#wait-for-key', '#media-element-extensions'],
    expected:
      'The clear first second plays (currentTime ≥ 0.5) while the license is held; after update() playback continues past 1 s into the encrypted part.',
  }),
  playback({
    id: 'playback.multikey.one-session',
    title: 'Audio and video under different keys, one session',
    group: 'F',
    asset: 'h264-cenc-multikey',
    mode: 'one-session',
    spec: ['#initdata-encountered', '#clear-key-request-format', '#update-key-statuses'],
    expected:
      'Both init segments carry the same pssh listing both keys: one session, one license request naming both, both keys usable, playback past 1 s.',
  }),
  playback({
    id: 'playback.multikey.session-per-key',
    title: 'Audio and video under different keys, one session per key',
    group: 'F',
    asset: 'h264-cenc-multikey',
    mode: 'session-per-key',
    spec: ['#dom-mediakeysession-keystatuses', '#update-key-statuses'],
    expected:
      "The page makes one 'keyids' session per key: each session's keyStatuses lists only its key, both become usable, playback passes 1 s.",
  }),
  playback({
    id: 'playback.key-rotation',
    title: 'Key rotation: key 1, then waitingforkey, then key 2 in a second session',
    group: 'F',
    asset: 'h264-cenc-rotation',
    mode: 'rotation',
    target: 1.5,
    spec: ['#wait-for-key', '#update-key-statuses', '#attempt-to-resume-playback-if-necessary'],
    expected:
      'With only key 1, video plays its first second, then E:waitingforkey at key-2 content; a second session adds key 2 and playback goes on past 1.5 s.',
  }),
  playback({
    id: 'playback.key-rotation-sample-entries',
    title: 'Key rotation in the two-sample-entry layout (one encv per key): a content-format interop case',
    group: 'F',
    asset: 'h264-cenc-rotation-entries',
    mode: 'rotation',
    contentFormat: true,
    target: 1.5,
    spec: ['#wait-for-key', '#update-key-statuses', '#attempt-to-resume-playback-if-necessary'],
    expected:
      "Same steps as playback.key-rotation, on media that switches keys by tfhd.sample_description_index between two 'encv' entries instead of 'seig' sample groups. Common Encryption does not require players to read this layout: a failure here is content-format interop, not an EME algorithm.",
  }),
  playback({
    id: 'faults.delayed-license',
    title: 'License answered after 2.5 s: waitingforkey, then playback',
    group: 'G',
    asset: 'h264-cenc',
    mode: 'delayed-license',
    faults: [{ fault: { kind: 'delay', ms: 2500 }, on: 'license-request' }],
    spec: ['#wait-for-key', '#attempt-to-resume-playback-if-necessary'],
    expected:
      'With no clear lead and the license endpoint answering after 2.5 s: E:waitingforkey before the license arrives, then update() and playback past 1 s.',
  }),
  playback({
    id: 'playback.keys-after-src',
    title: 'setMediaKeys() after src is set, then playback',
    group: 'E',
    asset: 'h264-cenc',
    mode: 'keys-after-src',
    spec: [...PLAYBACK_SPEC, '#attempt-to-resume-playback-if-necessary'],
    expected:
      'src (MSE) first, E:encrypted, sessions and licenses, then setMediaKeys(): playback starts and passes 1 s.',
  }),
  playback({
    id: 'playback.keys-in-encrypted',
    title: "setMediaKeys() inside the 'encrypted' handler, then playback",
    group: 'E',
    asset: 'h264-cenc',
    mode: 'keys-in-encrypted',
    spec: PLAYBACK_SPEC,
    expected: 'The first E:encrypted handler calls setMediaKeys() and starts the session: playback passes 1 s.',
  }),
  playback({
    id: 'playback.keys-after-update',
    title: 'Licenses first (init data from the manifest), setMediaKeys() and src after',
    group: 'E',
    asset: 'h264-cenc',
    mode: 'keys-after-update',
    spec: PLAYBACK_SPEC,
    expected:
      'A session made from the pssh the media carries is licensed and usable before the element has MediaKeys or src; then setMediaKeys(), src, and playback past 1 s.',
  }),
  playback({
    id: 'playback.video-only',
    title: 'cenc video track alone (no audio SourceBuffer)',
    group: 'H',
    asset: 'h264-cenc',
    mode: 'basic',
    tracks: ['video'],
    picture: true,
    spec: PLAYBACK_SPEC,
    expected:
      'The encrypted H.264 track alone: E:encrypted, license, playback past 1 s, and the 1 s frame matches the clear rendition.',
  }),
  playback({
    id: 'playback.audio-only',
    title: 'cenc audio track alone (no video SourceBuffer)',
    group: 'H',
    asset: 'h264-cenc',
    mode: 'basic',
    tracks: ['audio'],
    spec: PLAYBACK_SPEC,
    expected: 'The encrypted AAC track alone: E:encrypted, license, playback past 1 s with no media error.',
  }),
  fault(
    'http-500',
    'License server answers HTTP 500, then a retry succeeds',
    { kind: 'status', status: 500 },
    'The page sees HTTP 500 and makes no update() from it; the retried request is answered and the keys become usable; close() resolves.',
  ),
  fault(
    'http-404',
    'License server answers HTTP 404, then a retry succeeds',
    { kind: 'status', status: 404 },
    'As faults.http-500, for a 404.',
  ),
  fault(
    'connection-reset',
    'License connection reset, then a retry succeeds',
    { kind: 'reset' },
    'Every attempt of the first request is reset (browsers silently re-send a POST whose reused connection resets; the number of attempts is recorded): fetch() fails with a network error; no update(); the page retry succeeds.',
  ),
  fault(
    'no-answer',
    'License server never answers; the page gives up after 2 s and retries',
    { kind: 'hang', ms: 20_000 },
    'The request times out in the page (AbortError); no update(); the retry succeeds.',
  ),
  fault(
    'empty-body',
    'License answer with an empty body',
    { kind: 'empty-body' },
    'update() with an empty response rejects with TypeError; the session stays usable and a retry succeeds.',
  ),
  fault(
    'truncated-body',
    'License answer cut in half',
    { kind: 'truncated-body' },
    'update() with a truncated JWK set rejects with TypeError; a retry succeeds.',
  ),
  fault(
    'malformed-body',
    'License answer that is not JSON',
    { kind: 'malformed-body' },
    'update() rejects with TypeError; a retry succeeds.',
  ),
  fault(
    'wrong-type',
    "License whose 'type' does not match the session",
    { kind: 'wrong-type' },
    "update() with a license of type 'persistent-license' for a temporary session rejects with TypeError; a retry succeeds.",
  ),
  fault(
    'wrong-key',
    'License with the right key ids and wrong key values',
    { kind: 'wrong-key' },
    'update() resolves and the keys report usable: the CDM cannot check key values without media (playback.wrong-key shows the decode failure).',
  ),
  fault(
    'unknown-kid',
    'License holding only a key nobody asked for',
    { kind: 'unknown-kid' },
    'The requested keys do not become usable from it (update() may resolve or reject; recorded); a retry succeeds.',
  ),
  fault(
    'missing-key',
    'License with an empty key list',
    { kind: 'missing-key' },
    'The requested keys do not become usable (update() may resolve or reject; recorded); a retry succeeds.',
  ),
  fault(
    'duplicate-response',
    'The same license applied twice',
    null,
    'A second update() with the same license settles and the keys stay usable.',
    'duplicate',
  ),
  fault(
    'update-after-close',
    'A license applied after close()',
    { kind: 'status', status: 503 },
    'After a retry and close(), update() rejects with InvalidStateError.',
    'update-after-close',
  ),
  ...CASE_SCENARIOS,
  ...CONFORMANCE_SCENARIOS,
  ...playerScenarios(manifest),
];

/** Catalog groups that do not apply to Clear Key, recorded with the reason instead of run. */
export const NOT_APPLICABLE: ReadonlyArray<{ group: Group; what: string; reason: string }> = [
  {
    group: 'I',
    what: 'License expiry, renewal and output policy',
    reason:
      "Clear Key licenses never expire: the spec keeps a Clear Key session's expiration at NaN, which every lifecycle scenario checks. Expiry and renewal need a real DRM license server; run the catalog with a license profile (proxy mode) on a branded browser for them.",
  },
];

/**
 * Scenarios that test the harness itself (kept out of the catalog and the reports): a page that
 * never reports must come out as a timeout, and the runs after it must be unaffected.
 */
export const HARNESS_SCENARIOS: readonly Scenario[] = [
  {
    id: 'harness.never-reports',
    title: 'Harness self-test: a page that never reports',
    group: 'C',
    spec: ['#dom-mediakeysession-generaterequest'],
    needs: [],
    expected: 'The page starts and then waits forever: the verdict must be timeout.',
    page: pageOf('never-reports', {}),
    rules: { by: 'outcome' },
  },
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id) ?? HARNESS_SCENARIOS.find((s) => s.id === id);
}
