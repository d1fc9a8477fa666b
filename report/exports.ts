// Exports other tools read, made from a compatibility report:
// - wptreport JSON (wptrunner's format: run_info, results with status/expected/subtests), so wpt.fyi-style
//   tooling can ingest a run; a scenario is a test, its rules are subtests.
// - BCD-shaped JSON (MDN browser-compat-data's support statements) for the EME API surface, plus an `eme`
//   namespace for behaviour BCD does not model: key systems, session types, init data types, schemes.
import type { Verdict } from '../harness/judge/verdict.ts';
import type { CompatReport, ScenarioResult } from './schema.ts';

type WptStatus = 'OK' | 'ERROR' | 'TIMEOUT' | 'CRASH' | 'PRECONDITION_FAILED';

const TEST_STATUS: Record<Verdict, WptStatus> = {
  pass: 'OK',
  fail: 'OK', // the harness ran; the failing rules are FAIL subtests, as in WPT
  unsupported: 'PRECONDITION_FAILED',
  error: 'ERROR',
  timeout: 'TIMEOUT',
  crash: 'CRASH',
};

function expectedStatuses(s: ScenarioResult): WptStatus[] {
  return [...new Set(s.expected.verdicts.map((v) => TEST_STATUS[v]))];
}

export interface WptReport {
  run_info: Record<string, string | boolean>;
  time_start: number;
  time_end: number;
  results: {
    test: string;
    subsuite: string;
    status: WptStatus;
    expected?: WptStatus;
    known_intermittent?: WptStatus[];
    message: string | null;
    duration: number;
    subtests: { name: string; status: 'PASS' | 'FAIL'; message: string | null; expected?: 'PASS' | 'FAIL' }[];
  }[];
}

export function toWptReport(report: CompatReport): WptReport {
  const start = Date.parse(report.run.startedAt);
  return {
    run_info: {
      product: report.browser.name,
      browser_version: report.browser.version,
      browser_channel: report.browser.channel ?? report.browser.project,
      os: report.environment.os,
      headless: report.browser.driver === 'playwright',
      eme_compat_project: report.browser.project,
    },
    time_start: start,
    time_end: start + report.run.durationMs,
    results: report.scenarios.map((s) => {
      const status = TEST_STATUS[s.verdict];
      const expected = expectedStatuses(s);
      // wptreport convention: `expected` appears only when the status was not the expected one.
      const unexpected = !expected.includes(status);
      return {
        test: `/eme-compat/${s.id}`,
        subsuite: '',
        status,
        ...(unexpected ? { expected: expected[0]!, ...(expected.length > 1 ? { known_intermittent: expected.slice(1) } : {}) } : {}),
        message: s.verdict === 'pass' ? null : s.reason,
        duration: s.durationMs,
        subtests: s.checks.map((c) => ({
          name: c.title,
          status: c.ok ? ('PASS' as const) : ('FAIL' as const),
          message: c.ok ? null : `expected ${c.expected}; observed ${c.observed}`,
          // Advisory ordering checks are recorded deviations, not failures: expected to be whatever they were.
          ...(!c.ok && c.level === 'advisory' ? { expected: 'FAIL' as const } : {}),
        })),
      };
    }),
  };
}

type Support = { version_added: string | false; partial_implementation?: true; notes?: string[]; flags?: { type: 'preference'; name: string; value_to_set: string }[] };
type Compat = { __compat: { support: Record<string, Support> } };

const API_SURFACE: Record<string, string> = {
  'Navigator.requestMediaKeySystemAccess': 'navigator.requestMediaKeySystemAccess',
  MediaKeys: 'MediaKeys',
  MediaKeySession: 'MediaKeySession',
  MediaKeySystemAccess: 'MediaKeySystemAccess',
  MediaKeyStatusMap: 'MediaKeyStatusMap',
  MediaKeyMessageEvent: 'MediaKeyMessageEvent',
  MediaEncryptedEvent: 'MediaEncryptedEvent',
  'HTMLMediaElement.setMediaKeys': 'HTMLMediaElement.prototype.setMediaKeys',
};

function set(tree: Record<string, unknown>, path: string[], browser: string, support: Support): void {
  let node = tree;
  for (const key of path) node = (node[key] ??= {}) as Record<string, unknown>;
  const compat = ((node as Partial<Compat>).__compat ??= { support: {} });
  compat.support[browser] = support;
}

/** BCD-shaped support data for the browsers of a run; `version_added` is the tested version where supported. */
export function toBcd(reports: CompatReport[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const r of reports) {
    const browser = r.browser.project;
    const version = r.browser.version.split('.')[0]!;
    // Only prefs that change EME behaviour are BCD flags (autoplay is a harness convenience).
    const prefs = Object.entries(r.browser.prefs).filter(([k]) => /^media\.(eme|clearkey|gmp)/.test(k));
    const flags = prefs.map(([name, value]) => ({ type: 'preference' as const, name, value_to_set: String(value) }));
    const yes = (notes?: string[]): Support => ({ version_added: version, ...(flags.length ? { flags } : {}), ...(notes?.length ? { notes } : {}) });
    const no = (notes?: string[]): Support => ({ version_added: false, ...(notes?.length ? { notes } : {}) });
    const env = r.scenarios.find((s) => s.environment)?.environment;
    for (const [path, probe] of Object.entries(API_SURFACE)) {
      const kind = env?.emeApi[probe];
      if (kind !== undefined) set(tree, ['api', ...path.split('.')], browser, kind === 'undefined' ? no([`${probe} is undefined`]) : yes());
    }
    const byId = new Map(r.scenarios.map((s) => [s.id, s]));
    const verdictSupport = (id: string): Support | null => {
      const s = byId.get(id);
      if (!s) return null;
      if (s.verdict === 'pass') return yes();
      // Present but not per the spec: BCD's partial implementation, with what broke.
      if (s.verdict === 'fail') return { ...yes([`${id}: ${s.reason}`]), partial_implementation: true };
      return no([`${id}: ${s.verdict} — ${s.reason}`]);
    };
    const behaviours: [string[], string][] = [
      [['api', 'HTMLMediaElement', 'waitingforkey_event'], 'playback.waiting-for-key'],
      [['eme', 'closedReasons', 'closed-by-application'], 'lifecycle.temporary.keyids'],
      [['eme', 'closedReasons', 'release-acknowledged'], 'lifecycle.persistent-license'],
      [['eme', 'sessionTypes', 'persistent-license'], 'lifecycle.persistent-license'],
      [['eme', 'encryptionSchemes', 'cenc'], 'playback.cenc'],
      [['eme', 'encryptionSchemes', 'cbcs'], 'playback.cbcs'],
      [['eme', 'containers', 'webm'], 'playback.webm'],
    ];
    for (const [path, id] of behaviours) {
      const support = verdictSupport(id);
      if (support) set(tree, path, browser, support);
    }
    // Key systems and init data types from the capability probes' findings.
    for (const s of r.scenarios.filter((x) => x.id.startsWith('probe.'))) {
      const findings = s.findings as { outcomes?: { keySystem: string; initDataType: string; supported: boolean }[] } | undefined;
      const outcomes = findings?.outcomes ?? [];
      if (s.verdict === 'unsupported' && !outcomes.length) continue; // no API at all: already said under api.*
      for (const keySystem of new Set(outcomes.map((o) => o.keySystem))) {
        const mine = outcomes.filter((o) => o.keySystem === keySystem);
        set(tree, ['eme', 'keySystems', keySystem], browser, mine.some((o) => o.supported) ? yes() : no([`${s.id}: ${s.reason}`]));
        for (const type of new Set(mine.map((o) => o.initDataType))) {
          set(tree, ['eme', 'keySystems', keySystem, 'initDataTypes', type], browser, mine.some((o) => o.initDataType === type && o.supported) ? yes() : no());
        }
      }
    }
  }
  return tree;
}
