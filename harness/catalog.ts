// The scenario catalog: one entry per scenario, with a stable id (expectations and history key on it),
// the page module that drives the browser, and the rules that judge its recorded timeline.
import type { RunRecord } from './record.ts';
import { judgePersistentLifecycle, judgeTemporaryLifecycle } from './judge/lifecycle.ts';
import { judgeProbe } from './judge/probe.ts';
import type { Judgement } from './judge/verdict.ts';

export const GROUPS = {
  A: 'Capability negotiation',
  B: 'Session API errors',
  C: 'Lifecycle and event sequences',
  D: 'Persistent license',
  E: 'Media element integration',
  F: 'Keys and waiting',
  G: 'License endpoint faults',
  H: 'Content coverage',
  I: 'Expiry and policy',
} as const;
export type Group = keyof typeof GROUPS;

export interface Scenario {
  id: string;
  title: string;
  group: Group;
  /** Anchors into https://w3c.github.io/encrypted-media/ that the rules check. */
  spec: string[];
  /** What the scenario needs from the environment, shown in the catalog and report. */
  needs: string[];
  /** The expected behaviour in words; the rules in `judge` are the executable form. */
  expected: string;
  page: { module: string; params: Record<string, unknown> };
  judge: (record: RunRecord) => Judgement;
}

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
    spec: ['#dom-navigator-requestmediakeysystemaccess', '#get-supported-configuration', '#dom-mediakeysystemaccess-getconfiguration', ...(mandatory ? ['#common-key-systems'] : [])],
    needs: [],
    expected: `requestMediaKeySystemAccess for ${keySystems.join(', ')} × init data types × session types × encryption schemes either resolves with a configuration that is a subset of the request (encryptionScheme echoed) or rejects with NotSupportedError.${mandatory ? ' Clear Key temporary sessions must be supported.' : ' No supported configuration at all means unsupported.'}`,
    page: { module: 'probe', params: { keySystems, ...PROBE_AXES } },
    judge: (record) => judgeProbe(record, { mandatory }),
  };
}

const TEMPORARY_EXPECTED =
  "P:generateRequest → E:message(license-request, {\"kids\":[…],\"type\":\"temporary\"}, keyStatuses empty) → license POST (200) → P:update ~ E:keystatuseschange(all usable, expiration NaN) → close(): P:close, P:closed('closed-by-application'), E:keystatuseschange(empty) → no further events.";

export const SCENARIOS: readonly Scenario[] = [
  probe('probe.clearkey', 'Capability probe: Clear Key', ['org.w3.clearkey'], true),
  probe('probe.widevine', 'Capability probe: Widevine', ['com.widevine.alpha'], false),
  probe('probe.playready', 'Capability probe: PlayReady', ['com.microsoft.playready', 'com.microsoft.playready.recommendation', 'com.microsoft.playready.hardware'], false),
  probe('probe.fairplay', 'Capability probe: FairPlay', ['com.apple.fps', 'com.apple.fps.1_0'], false),
  {
    id: 'lifecycle.temporary.keyids',
    title: 'Temporary session lifecycle with keyids init data',
    group: 'C',
    spec: ['#dom-mediakeysession-generaterequest', '#queue-message', '#clear-key-request-format', '#dom-mediakeysession-update', '#update-key-statuses', '#dom-mediakeysession-close', '#session-closed'],
    needs: ['license endpoint'],
    expected: TEMPORARY_EXPECTED,
    page: { module: 'lifecycle-temporary', params: { initDataType: 'keyids', keys: ['key-1', 'key-2'] } },
    judge: judgeTemporaryLifecycle,
  },
  {
    id: 'lifecycle.temporary.cenc',
    title: 'Temporary session lifecycle with cenc (pssh v1) init data',
    group: 'C',
    spec: ['#dom-mediakeysession-generaterequest', '#queue-message', '#clear-key-request-format', '#dom-mediakeysession-update', '#update-key-statuses', '#dom-mediakeysession-close', '#session-closed'],
    needs: ['license endpoint'],
    expected: TEMPORARY_EXPECTED,
    page: { module: 'lifecycle-temporary', params: { initDataType: 'cenc', keys: ['key-1'] } },
    judge: judgeTemporaryLifecycle,
  },
  {
    id: 'lifecycle.persistent-license',
    title: 'Persistent-license lifecycle: store, load, remove, release',
    group: 'D',
    spec: ['#dom-mediakeysession-generaterequest', '#dom-mediakeysession-load', '#dom-mediakeysession-remove', '#clear-key-release-format', '#session-closed'],
    needs: ['license endpoint', 'persistent-license support'],
    expected:
      "Where persistent-license is supported: license → usable → close → closed('closed-by-application'); a new session load(sessionId) → true, usable → remove() → keys 'released', E:message(license-release {kids}) → ack via update → closed('release-acknowledged'); a third session load(sessionId) → false. Unsupported where requestMediaKeySystemAccess rejects persistent-license.",
    page: { module: 'lifecycle-persistent', params: { initDataType: 'keyids', keys: ['key-3'] } },
    judge: judgePersistentLifecycle,
  },
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
