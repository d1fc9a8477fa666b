// MDN browser-compat-data from the harness's results: the mapping from scenario results to BCD features
// (shared with the mdn-bcd-collector export), the BCD export itself, and a validator written from the
// rules of BCD's schemas/compat-data.schema.json (the npm package ships the data and types, not the schema).
//
// The tree has one top-level key, `api`. Feature names match ^[a-zA-Z_0-9-$@]*$, so nothing below a
// feature name contains a dot, and a feature path joins with dots unambiguously (`api.MediaKeySession.close`).
// Where BCD has the feature, its own name is used; EME behaviour BCD does not model is a subfeature of
// the API member it belongs to (the old export kept these under a second top-level key, `eme`):
//
//   eme.closedReasons.closed-by-application  → api.MediaKeySession.closed.reason_closed-by-application
//   eme.closedReasons.release-acknowledged   → api.MediaKeySession.closed.reason_release-acknowledged
//   eme.sessionTypes.persistent-license      → api.MediaKeys.createSession.sessionType_persistent-license
//   eme.encryptionSchemes.cenc / cbcs        → api.HTMLMediaElement.setMediaKeys.cenc_scheme_playback / cbcs_scheme_playback
//   eme.containers.webm                      → api.HTMLMediaElement.setMediaKeys.webm_container_playback
//   eme.keySystems.<key system>              → api.Navigator.requestMediaKeySystemAccess.keySystem_<key system, . → _>
//     (com.widevine.alpha → keySystem_com_widevine_alpha, org.w3.clearkey → keySystem_org_w3_clearkey)
//   eme.keySystems.<ks>.initDataTypes.<type> → api.Navigator.requestMediaKeySystemAccess.keySystem_<ks>.initDataType_<type>
//
// Browsers (BCD ids from the package's `browsers` data; see BROWSER_TABLE):
// - Debian Chromium (and Playwright's Chromium) → `chrome`, as a stand-in: Chrome is built from the same
//   Chromium source at the same version line (Chromium 156 ships the Blink/V8/media stack of Chrome 156)
//   and BCD has no Chromium id. What Chrome adds are build choices (Widevine, proprietary codecs), so a
//   stand-in's *negative* result for build-dependent features (non-Clear Key key systems, content
//   playback) is not exported: it would say nothing about Chrome.
// - Firefox ESR → `firefox`: ESR 153 is Firefox 153 (BCD lists 153 with status "esr").
// - A profile with EME prefs (firefox-persistent: media.clearkey.persistent-license.enabled) is the same
//   browser with a preference set: where the preference adds support, it becomes a `flags` statement under
//   `firefox`, in an array after the unflagged statement; where Firefox has no support without it, the flag
//   statement stands alone (BCD allows no `version_added: false` inside an array).
// - WebKitGTK (MiniBrowser) and Playwright's WebKit have no BCD id (BCD tracks Safari and Safari on iOS,
//   not other WebKit ports, whose EME support is a build-time choice of each port): left out, with the
//   reason in the returned `omitted` list, which the reporter prints.
//
// Validity: bcdProblems() checks the rules of BCD's schema, plus the lint rules (lint/linter/test-versions)
// about statements: real releases, flags only where the browser takes them, no false in an array, nothing
// but notes beside a false. Two lint rules the export does not meet, on purpose: ranged "≤N" only for
// releases over two years old (the harness tests current releases, and "≤N" is the honest form of "works
// in N" when N is the oldest release tested), and a statement for every major browser (a run covers the
// browsers it has).
//
// Versions from a sweep (several tested releases of one BCD browser, e.g. Chromium 92…156): version_added
// is exact ("110") when an older tested release (92) lacked the feature and this one has it, "≤oldest"
// otherwise; version_removed likewise (the first tested release that lacks it after support). The notes
// name the tested release that bounds each change: the change happened after it, by the one named.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SPEC_BASE } from '../../model/verdict.ts';
import type { CompatReport, ScenarioResult } from '../../model/results.ts';

// ---------------------------------------------------------------------------------------------------
// BCD's browser data

/** What this module needs of BCD's `browsers` (a subset of @mdn/browser-compat-data's BrowserStatement). */
export type BcdBrowsers = Record<
  string,
  { name: string; preview_name?: string; accepts_flags?: boolean; releases: Record<string, { status: string }> }
>;

let loaded: { version: string; browsers: BcdBrowsers } | null = null;

/** BCD's browsers and release lists from the installed @mdn/browser-compat-data (read once, ~20 MB). */
export function loadBcdBrowsers(): { version: string; browsers: BcdBrowsers } {
  if (!loaded) {
    const path = createRequire(import.meta.url).resolve('@mdn/browser-compat-data');
    const data = JSON.parse(readFileSync(path, 'utf8')) as { __meta: { version: string }; browsers: BcdBrowsers };
    loaded = { version: data.__meta.version, browsers: data.browsers };
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------------
// Which BCD browser a report speaks for

export interface BcdFlag {
  type: 'preference';
  name: string;
  value_to_set: string;
}

export interface BcdTarget {
  /** BCD browser id. */
  id: string;
  /** The BCD release key the tested build belongs to ("156" for Chrome/Firefox, "18.4" for Safari). */
  release: string;
  /** The project and build, for notes. */
  label: string;
  /** Set when another build stands in for the BCD browser (Chromium for Chrome): why it may. */
  standIn: string | null;
  /** Preferences that change EME behaviour, as BCD flags; empty for a default profile. */
  flags: BcdFlag[];
}

const STAND_IN_CHROMIUM =
  'Chromium stands in for Chrome: the same Blink and media code at the same version line; Chrome adds only build choices (Widevine, proprietary codecs), so build-dependent negatives are not exported';

/** Browser identity → BCD id, first match wins; `id: null` means BCD has no such browser. */
const BROWSER_TABLE: {
  when: (b: CompatReport['browser']) => boolean;
  id: string | null;
  standIn?: string;
  why?: string;
}[] = [
  { when: (b) => b.engine === 'chromium' && /^msedge/.test(b.channel ?? ''), id: 'edge' },
  { when: (b) => b.engine === 'chromium' && /^chrome/.test(b.channel ?? ''), id: 'chrome' },
  { when: (b) => b.engine === 'chromium', id: 'chrome', standIn: STAND_IN_CHROMIUM },
  { when: (b) => b.engine === 'firefox', id: 'firefox' },
  { when: (b) => b.engine === 'webkit' && /^safari$/i.test(b.name), id: 'safari' },
  {
    when: (b) => b.engine === 'webkit',
    id: null,
    why: 'BCD has no browser id for WebKitGTK or other non-Safari WebKit builds (it tracks Safari and Safari on iOS; EME in a WebKit port is a build-time choice of that port, so its results say nothing about Safari)',
  },
];

/** Only preferences that change EME behaviour are BCD flags (autoplay and host mapping are harness conveniences). */
const EME_PREF = /^media\.(eme|clearkey|gmp)/;

/** The BCD browser and release a report speaks for, or why it cannot speak for one. */
export function bcdTarget(r: CompatReport, browsers: BcdBrowsers): BcdTarget | { omitted: string } {
  const row = BROWSER_TABLE.find((x) => x.when(r.browser));
  if (!row) return { omitted: `no BCD browser id for ${r.browser.engine} browser "${r.browser.name}"` };
  if (!row.id) return { omitted: row.why ?? 'no BCD browser id' };
  const data = browsers[row.id];
  if (!data) return { omitted: `BCD's browser data has no "${row.id}"` };
  const parts = r.browser.version.split('.');
  const release = row.id === 'safari' ? `${parts[0]}.${parts[1] ?? '0'}` : parts[0]!;
  if (!/^\d+(\.\d+)*$/.test(release) || !data.releases[release]) {
    return {
      omitted: `${row.id} ${release} (from ${r.browser.version}) is not a release in BCD's data for ${row.id}; update @mdn/browser-compat-data`,
    };
  }
  const flags = Object.entries(r.browser.prefs)
    .filter(([k]) => EME_PREF.test(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ type: 'preference' as const, name, value_to_set: String(value) }));
  if (flags.length && !data.accepts_flags)
    return { omitted: `${row.id} takes no flags, but this profile sets ${flags.map((f) => f.name).join(', ')}` };
  return {
    id: row.id,
    release,
    label: `${r.browser.project} (${r.browser.name} ${r.browser.version})`,
    standIn: row.standIn ?? null,
    flags,
  };
}

// ---------------------------------------------------------------------------------------------------
// Results → feature observations (shared with the collector export)

/** What one report says about one BCD feature. */
export interface Observation {
  /** Feature path below `api` (each part a valid BCD feature name). */
  path: string[];
  /** true: supported; false: not supported; null: this run cannot tell. */
  result: boolean | null;
  /** Set when supported but not per the spec (BCD partial_implementation): what broke. */
  partial?: string;
  /** Why, for false and null results. */
  note?: string;
  /** Spec anchors (#...) for spec_url. */
  spec: string[];
  description?: string;
  /** The scenario whose run showed it (its runner page is the collector's test page). */
  scenario: ScenarioResult;
}

const SLUG = /[^a-zA-Z0-9_\-$@]/g;
/** A key system or init data type as a feature name: characters BCD does not allow (dots) become `_`. */
export function featureName(raw: string): string {
  return raw.replace(SLUG, '_');
}

/** The page's API surface probe (pages/js/runner.js emeApiSurface) → BCD features. */
const API_SURFACE: { probe: string; path: string[]; spec: string }[] = [
  {
    probe: 'navigator.requestMediaKeySystemAccess',
    path: ['Navigator', 'requestMediaKeySystemAccess'],
    spec: '#dom-navigator-requestmediakeysystemaccess',
  },
  { probe: 'MediaKeys', path: ['MediaKeys'], spec: '#mediakeys-interface' },
  { probe: 'MediaKeySession', path: ['MediaKeySession'], spec: '#mediakeysession-interface' },
  { probe: 'MediaKeySystemAccess', path: ['MediaKeySystemAccess'], spec: '#mediakeysystemaccess-interface' },
  { probe: 'MediaKeyStatusMap', path: ['MediaKeyStatusMap'], spec: '#mediakeystatusmap-interface' },
  { probe: 'MediaKeyMessageEvent', path: ['MediaKeyMessageEvent'], spec: '#mediakeymessageevent' },
  { probe: 'MediaEncryptedEvent', path: ['MediaEncryptedEvent'], spec: '#dom-mediaencryptedevent' },
  {
    probe: 'HTMLMediaElement.prototype.setMediaKeys',
    path: ['HTMLMediaElement', 'setMediaKeys'],
    spec: '#dom-htmlmediaelement-setmediakeys',
  },
];

/** Recorded calls, events and promises (page timeline target → interface) → BCD member features. */
const MEMBERS: Record<string, { target: RegExp; members: Record<string, string> }> = {
  Navigator: {
    target: /^navigator$/,
    members: { requestMediaKeySystemAccess: '#dom-navigator-requestmediakeysystemaccess' },
  },
  MediaKeySystemAccess: {
    target: /^access$/,
    members: {
      createMediaKeys: '#dom-mediakeysystemaccess-createmediakeys',
      getConfiguration: '#dom-mediakeysystemaccess-getconfiguration',
      keySystem: '#dom-mediakeysystemaccess-keysystem',
    },
  },
  MediaKeys: {
    target: /^mediaKeys$/,
    members: {
      createSession: '#dom-mediakeys-createsession',
      setServerCertificate: '#dom-mediakeys-setservercertificate',
      getStatusForPolicy: '#dom-mediakeys-getstatusforpolicy',
    },
  },
  MediaKeySession: {
    target: /^(?:[\w]+-)?s\d+$/,
    members: {
      generateRequest: '#dom-mediakeysession-generaterequest',
      update: '#dom-mediakeysession-update',
      close: '#dom-mediakeysession-close',
      remove: '#dom-mediakeysession-remove',
      load: '#dom-mediakeysession-load',
      closed: '#dom-mediakeysession-closed',
      message_event: '#queue-message',
      keystatuseschange_event: '#update-key-statuses',
    },
  },
  HTMLMediaElement: {
    target: /^(?:[\w]+-)?video\d*$/,
    members: {
      setMediaKeys: '#dom-htmlmediaelement-setmediakeys',
      encrypted_event: '#initdata-encountered',
      waitingforkey_event: '#wait-for-key',
    },
  },
};

/**
 * Behaviour a scenario verdict (or one of its checks) shows. `check`: the feature is that check (held:
 * supported; broken: not supported). Without: pass is support, fail is a partial implementation.
 * `buildDependent`: what a browser build may lack without its engine lacking it (codecs, CDMs).
 */
export const BEHAVIOURS: {
  path: string[];
  scenarios: string[];
  check?: string;
  spec: string[];
  description?: string;
  buildDependent?: boolean;
}[] = [
  {
    path: ['HTMLMediaElement', 'waitingforkey_event'],
    scenarios: ['playback.waiting-for-key'],
    spec: ['#wait-for-key'],
  }, // BCD's own feature: no description
  {
    path: ['MediaKeySession', 'closed', 'reason_closed-by-application'],
    scenarios: ['lifecycle.temporary.keyids', 'lifecycle.temporary.cenc'],
    check: 'closed-by-application',
    spec: ['#session-closed'],
    description:
      "<code>closed</code> resolves with the reason <code>'closed-by-application'</code> after <code>close()</code>",
  },
  {
    path: ['MediaKeySession', 'closed', 'reason_release-acknowledged'],
    scenarios: ['lifecycle.persistent-license'],
    check: 'release-acknowledged',
    spec: ['#session-closed'],
    description:
      "<code>closed</code> resolves with the reason <code>'release-acknowledged'</code> once a license release is acknowledged",
  },
  {
    path: ['MediaKeys', 'createSession', 'sessionType_persistent-license'],
    scenarios: ['lifecycle.persistent-license'],
    spec: ['#dom-mediakeysessiontype-persistent-license'],
    description: "<code>'persistent-license'</code> sessions: store, load, remove and release a license",
  },
  {
    path: ['HTMLMediaElement', 'setMediaKeys', 'cenc_scheme_playback'],
    scenarios: ['playback.cenc'],
    spec: ['#media-element-extensions', '#dom-mediakeysystemmediacapability-encryptionscheme'],
    description: "Playback of <code>'cenc'</code> (AES-CTR) encrypted MP4",
    buildDependent: true,
  },
  {
    path: ['HTMLMediaElement', 'setMediaKeys', 'cbcs_scheme_playback'],
    scenarios: ['playback.cbcs'],
    spec: ['#media-element-extensions', '#dom-mediakeysystemmediacapability-encryptionscheme'],
    description: "Playback of <code>'cbcs'</code> (AES-CBC pattern) encrypted MP4",
    buildDependent: true,
  },
  {
    path: ['HTMLMediaElement', 'setMediaKeys', 'webm_container_playback'],
    scenarios: ['playback.webm'],
    spec: ['#media-element-extensions', '#initdata-encountered'],
    description: 'Playback of encrypted WebM (VP9 + Opus)',
    buildDependent: true,
  },
];

const CLEAR_KEY = 'org.w3.clearkey';
const KEY_SYSTEM_SPEC = ['#get-supported-configuration'];
const HARNESS_TROUBLE = new Set(['error', 'timeout', 'crash', 'not-measurable']);

function note(s: ScenarioResult, text: string = s.reason): string {
  return `eme-compat ${s.id}: ${text}`;
}

/** Every feature observation in one report (not yet combined). */
export function observe(r: CompatReport, standIn: boolean): Observation[] {
  const out: Observation[] = [];
  const withEnv = r.scenarios.filter((s) => s.environment);

  // 1. The API surface every page records.
  for (const a of API_SURFACE) {
    const s = withEnv.find((x) => x.environment!.emeApi[a.probe] !== undefined);
    if (!s) continue;
    const kind = s.environment!.emeApi[a.probe]!;
    out.push({
      path: a.path,
      result: kind !== 'undefined',
      ...(kind === 'undefined' ? { note: note(s, `${a.probe} is undefined`) } : {}),
      spec: [a.spec],
      scenario: s,
    });
  }

  // 2. Members the pages used: a call that returned, resolved or rejected shows the member exists; a
  //    TypeError "... is not a function" shows it does not, except in the context.* scenarios, which run
  //    EME where the spec hides it (insecure origins, sandboxed or policy-blocked frames); events and
  //    promises that fired exist.
  for (const s of r.scenarios) {
    const entries = s.record?.page?.entries ?? [];
    for (const e of entries) {
      const iface = Object.entries(MEMBERS).find(([, m]) => m.target.test(e.target));
      if (!iface) continue;
      const [name, { members }] = iface;
      const member = e.type === 'event' ? `${e.name}_event` : e.name;
      const spec = members[member];
      if (!spec) continue;
      let result: boolean | null = null;
      let why: string | undefined;
      if (e.type === 'event' || e.type === 'promise') result = true;
      else if (e.type === 'result') {
        const missing =
          e.outcome === 'threw' &&
          e.error?.name === 'TypeError' &&
          /not a function|is undefined/i.test(e.error.message);
        if (missing && s.id.startsWith('context.')) continue;
        result = !missing;
        if (missing) why = `${e.error!.name}: ${e.error!.message}`;
      } else continue;
      out.push({ path: [name, member], result, ...(why ? { note: note(s, why) } : {}), spec: [spec], scenario: s });
    }
  }

  // 3. Behaviour scenarios show.
  for (const b of BEHAVIOURS)
    for (const s of r.scenarios.filter((x) => b.scenarios.includes(x.id))) {
      const base = {
        path: b.path,
        spec: b.spec,
        ...(b.description ? { description: b.description } : {}),
        scenario: s,
      };
      let o: Observation;
      if (HARNESS_TROUBLE.has(s.verdict)) o = { ...base, result: null, note: note(s, `${s.verdict}: ${s.reason}`) };
      else if (s.verdict === 'unsupported') o = { ...base, result: false, note: note(s) };
      else if (b.check) {
        const c = s.checks.find((x) => x.id === b.check);
        o = !c
          ? { ...base, result: null, note: note(s, `the run ended before checking "${b.check}"`) }
          : c.ok
            ? { ...base, result: true }
            : { ...base, result: false, note: note(s, `${c.title}: expected ${c.expected}; observed ${c.observed}`) };
      } else o = s.verdict === 'pass' ? { ...base, result: true } : { ...base, result: true, partial: note(s) };
      // A stand-in build lacking what the real browser adds at build time says nothing about that browser.
      if (standIn && b.buildDependent && o.result === false)
        o = { ...o, result: null, note: `${o.note} (a stand-in build; not evidence for the browser it stands in for)` };
      out.push(o);
    }

  // 4. Key systems and init data types from the capability probes. Only Clear Key is part of every
  //    browser; other CDMs are bundled or downloaded per build and profile, so their absence is unknown,
  //    not "unsupported".
  for (const s of r.scenarios.filter((x) => x.id.startsWith('probe.'))) {
    const findings = s.findings as
      | { outcomes?: { keySystem: string; initDataType: string; supported: boolean }[] }
      | undefined;
    const outcomes = findings?.outcomes ?? [];
    const names = new Map<string, string>();
    for (const keySystem of new Set(outcomes.map((o) => o.keySystem))) {
      const slug = `keySystem_${featureName(keySystem)}`;
      if (names.has(slug) && names.get(slug) !== keySystem)
        throw new Error(`key systems ${names.get(slug)} and ${keySystem} map to the same BCD feature name ${slug}`);
      names.set(slug, keySystem);
      const mine = outcomes.filter((o) => o.keySystem === keySystem);
      const verdict = (supported: boolean, what: string): Pick<Observation, 'result' | 'note'> =>
        supported
          ? { result: true }
          : keySystem === CLEAR_KEY
            ? { result: false, note: note(s, `${what} not supported`) }
            : {
                result: null,
                note: note(s, `${what} not available in this build and profile (a CDM outside the browser engine)`),
              };
      out.push({
        path: ['Navigator', 'requestMediaKeySystemAccess', slug],
        ...verdict(
          mine.some((o) => o.supported),
          keySystem,
        ),
        spec: KEY_SYSTEM_SPEC,
        description: `Key system <code>${keySystem}</code>`,
        scenario: s,
      });
      for (const type of new Set(mine.map((o) => o.initDataType))) {
        out.push({
          path: ['Navigator', 'requestMediaKeySystemAccess', slug, `initDataType_${featureName(type)}`],
          ...verdict(
            mine.some((o) => o.initDataType === type && o.supported),
            `${keySystem} with init data type ${type}`,
          ),
          spec: KEY_SYSTEM_SPEC,
          description: `Init data type <code>${type}</code> with <code>${keySystem}</code>`,
          scenario: s,
        });
      }
    }
  }
  return out;
}

/** One report's verdict on one feature: its observations combined. */
export interface FeatureResult {
  path: string[];
  /** As the collector combines results: any true wins, then any false, else null. */
  result: boolean | null;
  partial: string[];
  notes: string[];
  spec: string[];
  description?: string;
  /** The first observation that decided it. */
  scenario: ScenarioResult;
}

export function combine(observations: Observation[]): FeatureResult[] {
  const byPath = new Map<string, Observation[]>();
  for (const o of observations) byPath.set(o.path.join('.'), [...(byPath.get(o.path.join('.')) ?? []), o]);
  return [...byPath.values()].map((list) => {
    const decided = list.find((o) => o.result === true) ?? list.find((o) => o.result === false) ?? list[0]!;
    const result = decided.result;
    const relevant = list.filter((o) => o.result === result);
    return {
      path: decided.path,
      result,
      partial: result === true ? [...new Set(relevant.flatMap((o) => (o.partial ? [o.partial] : [])))] : [],
      notes: result === true ? [] : [...new Set(relevant.flatMap((o) => (o.note ? [o.note] : [])))],
      spec: [...new Set(list.flatMap((o) => o.spec))],
      ...(list.find((o) => o.description) ? { description: list.find((o) => o.description)!.description! } : {}),
      scenario: decided.scenario,
    };
  });
}

/** A report's BCD target and combined feature results, or why it speaks for no BCD browser. */
export function bcdFeatures(
  r: CompatReport,
  browsers: BcdBrowsers,
): { target: BcdTarget; features: FeatureResult[] } | { omitted: string } {
  const target = bcdTarget(r, browsers);
  if ('omitted' in target) return target;
  return { target, features: combine(observe(r, target.standIn !== null)) };
}

// ---------------------------------------------------------------------------------------------------
// The BCD export

export type SimpleStatement = {
  version_added: string | boolean | null;
  version_removed?: string;
  flags?: BcdFlag[];
  partial_implementation?: true;
  notes?: string | string[];
};
type CompatNode = {
  __compat?: {
    description?: string;
    spec_url: string | string[];
    support: Record<string, SimpleStatement | SimpleStatement[]>;
    status: { experimental: boolean; standard_track: boolean; deprecated: boolean };
  };
} & { [name: string]: unknown };

export interface BcdExport {
  /** The BCD data: `{ api: { ... } }`. */
  data: { api: Record<string, unknown> };
  /** Reports that speak for no BCD browser, and why (not part of the BCD data). */
  omitted: { project: string; reason: string }[];
}

const versionKey = (v: string) => v.split('.').map(Number);
function compareVersions(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function notesValue(notes: string[]): Pick<SimpleStatement, 'notes'> {
  const unique = [...new Set(notes)];
  return unique.length === 0 ? {} : unique.length === 1 ? { notes: unique[0]! } : { notes: unique };
}

/** The tested releases of one BCD browser, oldest first, each supported when any of its builds supports the feature. */
function byRelease(
  results: { target: BcdTarget; feature: FeatureResult }[],
): { release: string; label: string; supported: boolean; results: { target: BcdTarget; feature: FeatureResult }[] }[] {
  const releases = new Map<string, { target: BcdTarget; feature: FeatureResult }[]>();
  for (const x of results.filter((r) => r.feature.result !== null))
    releases.set(x.target.release, [...(releases.get(x.target.release) ?? []), x]);
  return [...releases.entries()]
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([release, list]) => {
      const supporting = list.filter((x) => x.feature.result === true);
      return {
        release,
        label: (supporting[0] ?? list[0]!).target.label,
        supported: supporting.length > 0,
        results: supporting.length ? supporting : list,
      };
    });
}

/**
 * One statement from the results of several builds (tested releases) of one BCD browser with the same
 * flags, for the newest stretch of releases that support the feature:
 * - version_added: the first release of that stretch when an older tested release lacked the feature (the
 *   change happened after that older release, by that one); "≤N" when the oldest tested release N already
 *   supports it (supported in N, maybe earlier: nothing older was tested);
 * - version_removed: likewise, the first tested release after the stretch that lacks it.
 * Partial when the newest supporting build is partial. Notes name the tested releases that bound a change.
 */
function statement(results: { target: BcdTarget; feature: FeatureResult }[], flags: BcdFlag[]): SimpleStatement | null {
  const releases = byRelease(results);
  if (!releases.length) return null;
  const flagPart = flags.length ? { flags } : {};
  const notesOf = (r: (typeof releases)[number]) => [...new Set(r.results.flatMap((x) => x.feature.notes))];
  const last = releases.findLastIndex((r) => r.supported);
  if (last < 0) return { version_added: false, ...flagPart, ...notesValue(releases.flatMap(notesOf)) };
  let first = last;
  while (first > 0 && releases[first - 1]!.supported) first--;
  const newest = releases[last]!.results.at(-1)!;
  const before = first > 0 ? releases[first - 1]! : null;
  const after = last < releases.length - 1 ? releases[last + 1]! : null;
  const earlier = releases.slice(0, first).filter((r) => r.supported);
  const notes = [
    ...newest.feature.partial,
    ...(before
      ? [
          `Not supported in the tested release ${before.release} (${before.label}): ${notesOf(before).join('; ') || 'see the report'}`,
        ]
      : []),
    ...(after
      ? [
          `Not supported in the tested release ${after.release} (${after.label}): ${notesOf(after).join('; ') || 'see the report'}`,
        ]
      : []),
    ...(earlier.length
      ? [`Also supported in the older tested release(s) ${earlier.map((r) => r.release).join(', ')}`]
      : []),
  ];
  return {
    version_added: before ? releases[first]!.release : `≤${releases[first]!.release}`,
    ...(after ? { version_removed: after.release } : {}),
    ...flagPart,
    ...(newest.feature.partial.length ? { partial_implementation: true as const } : {}),
    ...notesValue(notes),
  };
}

const STATUS = { experimental: false, standard_track: true, deprecated: false };

function sortKeys(node: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(node).sort((a, b) => (a === '__compat' ? -1 : b === '__compat' ? 1 : a.localeCompare(b)));
  return Object.fromEntries(
    keys.map((k) => [k, k === '__compat' ? node[k] : sortKeys(node[k] as Record<string, unknown>)]),
  );
}

/** BCD data for the browsers of a run; several reports of one BCD browser are merged into its statements. */
export function toBcd(reports: CompatReport[], browsers: BcdBrowsers = loadBcdBrowsers().browsers): BcdExport {
  const omitted: BcdExport['omitted'] = [];
  // feature path → BCD id → flags key → results
  type Row = {
    path: string[];
    spec: Set<string>;
    description?: string;
    byBrowser: Map<string, Map<string, { target: BcdTarget; feature: FeatureResult }[]>>;
  };
  const table = new Map<string, Row>();
  for (const r of reports) {
    const mapped = bcdFeatures(r, browsers);
    if ('omitted' in mapped) {
      omitted.push({ project: r.browser.project, reason: mapped.omitted });
      continue;
    }
    const flagsKey = JSON.stringify(mapped.target.flags);
    for (const f of mapped.features) {
      const key = f.path.join('.');
      const row: Row = table.get(key) ?? { path: f.path, spec: new Set<string>(), byBrowser: new Map() };
      for (const a of f.spec) row.spec.add(a);
      if (!row.description && f.description) row.description = f.description;
      const byFlags = row.byBrowser.get(mapped.target.id) ?? new Map();
      byFlags.set(flagsKey, [...(byFlags.get(flagsKey) ?? []), { target: mapped.target, feature: f }]);
      row.byBrowser.set(mapped.target.id, byFlags);
      table.set(key, row);
    }
  }

  const api: Record<string, unknown> = {};
  for (const row of table.values()) {
    const support: Record<string, SimpleStatement | SimpleStatement[]> = {};
    for (const [id, byFlags] of [...row.byBrowser.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const unflagged = statement(byFlags.get('[]') ?? [], []);
      // A flag statement says what the preference adds: only support the default profile lacks.
      const fullySupported =
        unflagged !== null && typeof unflagged.version_added === 'string' && !unflagged.partial_implementation;
      const flagged = [...byFlags.entries()]
        .filter(([k]) => k !== '[]')
        .map(([k, list]) => statement(list, JSON.parse(k) as BcdFlag[]))
        .filter((s): s is SimpleStatement => s !== null && typeof s.version_added === 'string' && !fullySupported);
      // BCD allows no `version_added: false` in an array of statements (lint test-versions): a feature only
      // behind a preference is its flag statement alone, which in BCD means "not without the flag".
      const keepUnflagged = unflagged !== null && !(flagged.length && unflagged.version_added === false);
      const all = [...(keepUnflagged ? [unflagged] : []), ...flagged];
      if (all.length) support[id] = all.length === 1 ? all[0]! : all;
    }
    if (!Object.keys(support).length) continue; // nobody could tell: not a statement worth making
    let node = api;
    for (const part of row.path) node = (node[part] ??= {}) as Record<string, unknown>;
    const spec = [...row.spec].map((a) => new URL(a, SPEC_BASE).href);
    (node as CompatNode).__compat = {
      ...(row.description ? { description: row.description } : {}),
      spec_url: spec.length === 1 ? spec[0]! : spec,
      support,
      status: STATUS,
    };
  }
  const data = { api: sortKeys(api) };
  assertValidBcd(data, { browsers }); // never hand back data BCD would refuse
  return { data, omitted };
}

// ---------------------------------------------------------------------------------------------------
// Validation, from compat-data.schema.json's rules

const FEATURE_NAME = /^[a-zA-Z_0-9\-$@]*$/;
const VERSION = /^(≤?(\d+)(\.\d+)*|preview)$/;
const SPEC_URL = /^https:\/\/[^#]+#.+/;

const Flag = z.strictObject({
  type: z.enum(['preference', 'runtime_flag']),
  name: z.string().min(1),
  value_to_set: z.string().optional(),
});
const Notes = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(2, 'notes as an array needs 2+ strings (use a string for one)'),
]);
const VersionValue = z.union([
  z.string().regex(VERSION, 'not a BCD version (N, N.N, ≤N or preview)'),
  z.boolean(),
  z.null(),
]);
const Simple = z
  .strictObject({
    version_added: VersionValue,
    version_removed: z.union([z.string().regex(VERSION), z.literal(true)]).optional(),
    version_last: z.string().regex(VERSION).optional(),
    prefix: z.string().optional(),
    alternative_name: z.string().optional(),
    flags: z.array(Flag).min(1).optional(),
    impl_url: z.union([z.string().url(), z.array(z.string().url()).min(2)]).optional(),
    partial_implementation: z.literal(true).optional(),
    notes: Notes.optional(),
  })
  .refine((s) => !s.partial_implementation || s.notes !== undefined, {
    message: 'partial_implementation: true requires notes',
    path: ['notes'],
  });
const StatementArray = z.array(Simple).min(2, 'a statement array needs 2+ statements (use an object for one)');
const SpecUrl = z.string().regex(SPEC_URL, 'spec_url must be https with a #fragment');
const Compat = z.strictObject({
  description: z.string().optional(),
  mdn_url: z
    .string()
    .regex(/^https:\/\/developer\.mozilla\.org\/docs\//)
    .optional(),
  spec_url: z.union([SpecUrl, z.array(SpecUrl).min(2)]).optional(),
  tags: z.array(z.string()).min(1).optional(),
  source_file: z.string().optional(),
  support: z.record(z.string(), z.unknown()), // each statement is checked on its own, for precise messages
  status: z.strictObject({ experimental: z.boolean(), standard_track: z.boolean(), deprecated: z.boolean() }),
});

export interface BcdRules {
  /** BCD's browsers (ids and releases): support keys must be ids, versions real releases of that browser. */
  browsers: BcdBrowsers;
  /**
   * version_added must be ranged ("≤N") unless its notes name an older tested release that lacked the
   * feature ("Not supported in the tested release M …", M older): one tested release never tells the first
   * one. Default true.
   */
  requireRanged?: boolean;
}

/** Every way `data` breaks BCD's compat-data schema (and the given release data); empty when valid. */
export function bcdProblems(data: unknown, rules: BcdRules): string[] {
  const problems: string[] = [];
  const requireRanged = rules.requireRanged ?? true;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return ['the file is not a JSON object'];
  const top = Object.keys(data);
  if (top.length !== 1)
    problems.push(`a BCD file has exactly one top-level key; found ${top.length}: ${top.join(', ') || 'none'}`);

  const checkVersion = (where: string, browser: string, field: string, v: unknown, notes: string[] = []) => {
    if (typeof v !== 'string') return;
    const releases = rules.browsers[browser]?.releases ?? {};
    if (v === 'preview') {
      if (!rules.browsers[browser]?.preview_name) problems.push(`${where}: ${browser} has no preview release`);
      return;
    }
    const bare = v.replace(/^≤/, '');
    if (!releases[bare])
      problems.push(`${where}: ${field} ${JSON.stringify(v)} is not a release of ${browser} in BCD's data`);
    // An exact version is known when the notes name an older tested release that lacked the feature.
    const bounded = notes.some((n) => {
      const older = /^Not supported in the tested release (\d+(?:\.\d+)*) /.exec(n);
      return older !== null && compareVersions(older[1]!, bare) < 0;
    });
    if (requireRanged && field === 'version_added' && !v.startsWith('≤') && !bounded)
      problems.push(
        `${where}: version_added ${JSON.stringify(v)} claims support since that release; only "≤${bare}" (supported in ${bare}, maybe earlier) is known`,
      );
  };

  const walk = (node: unknown, path: string[]) => {
    const where = path.join('.');
    if (!node || typeof node !== 'object' || Array.isArray(node)) {
      problems.push(`${where}: a feature must be an object`);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '__compat') {
        const parsed = Compat.safeParse(value);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            problems.push(`${where}.__compat${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
          continue;
        }
        for (const [browser, raw] of Object.entries(parsed.data.support)) {
          if (!rules.browsers[browser]) {
            problems.push(`${where}.__compat.support: "${browser}" is not a BCD browser id`);
            continue;
          }
          const statement = Array.isArray(raw) ? StatementArray.safeParse(raw) : Simple.safeParse(raw);
          if (!statement.success) {
            for (const issue of statement.error.issues)
              problems.push(
                `${where}.__compat.support.${browser}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`,
              );
            continue;
          }
          const st = statement.data;
          for (const [i, s] of (Array.isArray(st) ? st : [st]).entries()) {
            const at = `${where}.__compat.support.${browser}${Array.isArray(st) ? `[${i}]` : ''}`;
            if (Array.isArray(st) && s.version_added === false)
              problems.push(`${at}: version_added: false cannot be in an array of statements`);
            const extra = Object.keys(s).filter((k) => !['version_added', 'notes', 'impl_url'].includes(k));
            if (s.version_added === false && extra.length)
              problems.push(`${at}: says no support but has ${extra.join(', ')}, which suggest support`);
            if (s.version_last !== undefined)
              problems.push(`${at}: version_last is generated by BCD's build, never written by hand`);
            checkVersion(at, browser, 'version_added', s.version_added, [s.notes ?? []].flat());
            checkVersion(at, browser, 'version_removed', s.version_removed);
            if (s.flags && !rules.browsers[browser]!.accepts_flags) problems.push(`${at}: ${browser} takes no flags`);
          }
        }
        continue;
      }
      if (!FEATURE_NAME.test(key)) {
        problems.push(
          `${where}: feature name ${JSON.stringify(key)} has characters BCD does not allow (only a-z A-Z 0-9 _ - $ @)`,
        );
        continue;
      }
      walk(value, [...path, key]);
    }
  };
  for (const key of top) {
    if (!FEATURE_NAME.test(key) || key === '__compat')
      problems.push(`top-level key ${JSON.stringify(key)} is not a BCD feature name`);
    else walk((data as Record<string, unknown>)[key], [key]);
  }
  return problems;
}

/** Throws with every problem when `data` is not valid BCD. */
export function assertValidBcd(data: unknown, rules: BcdRules, source = 'BCD export'): void {
  const problems = bcdProblems(data, rules);
  if (problems.length) throw new Error(`${source} is not valid BCD:\n  ${problems.join('\n  ')}`);
}
