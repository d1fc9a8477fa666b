// Realistic compatibility reports for the export tests: recorded runs from real browsers (tests/fixtures),
// judged by the catalog's own rules, with the committed debian expectations, under the identities the
// debian browser set reports (chromium, firefox, firefox-persistent, webkit).
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import { Expectations } from '../../harness/expectations.ts';
import type { RunRecord } from '../../model/record.ts';
import { countVerdicts, type CompatReport, type ScenarioResult } from '../../model/results.ts';
import { fixtureRecord } from './helpers.ts';

export const COMMIT = '5b1e0c9d7a3f4e2b8c6d0a1f9e8d7c6b5a4f3e2d';
const DEBIAN_OS = 'Debian GNU/Linux 12 (bookworm) (Linux 6.1.0-41-cloud-amd64)';
const FIREFOX_PREFS = { 'media.autoplay.default': 0, 'network.dns.localDomains': 'eme.test' };

export const IDENTITIES: Record<string, CompatReport['browser']> = {
  chromium: {
    project: 'chromium',
    label: 'Debian Chromium',
    engine: 'chromium',
    name: 'chromium',
    version: '156.0.8078.114',
    channel: null,
    driver: 'playwright',
    executablePath: '/usr/bin/chromium',
    args: ['--autoplay-policy=no-user-gesture-required'],
    prefs: {},
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
  },
  firefox: {
    project: 'firefox',
    label: 'Firefox ESR (WebDriver BiDi)',
    engine: 'firefox',
    name: 'firefox',
    version: '153.8.0',
    channel: 'moz-firefox',
    driver: 'playwright',
    executablePath: '/usr/bin/firefox-esr',
    args: [],
    prefs: FIREFOX_PREFS,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
  },
  'firefox-persistent': {
    project: 'firefox-persistent',
    label: 'Firefox ESR with media.clearkey.persistent-license.enabled',
    engine: 'firefox',
    name: 'firefox',
    version: '153.8.0',
    channel: 'moz-firefox',
    driver: 'playwright',
    executablePath: '/usr/bin/firefox-esr',
    args: [],
    prefs: { ...FIREFOX_PREFS, 'media.clearkey.persistent-license.enabled': true },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
  },
  webkit: {
    project: 'webkit',
    label: 'WebKitGTK MiniBrowser (WebKitWebDriver)',
    engine: 'webkit',
    name: 'MiniBrowser',
    version: '2.50.6',
    channel: null,
    driver: 'webdriver',
    executablePath: null,
    args: [],
    prefs: {},
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15',
  },
};

/** Fixture records each project's report is made of. */
const FIXTURES: Record<string, string[]> = {
  chromium: [
    'chromium-probe-clearkey',
    'chromium-temporary-keyids',
    'chromium-playback-cenc',
    'chromium-close-rules',
    'chromium-update-arguments',
    'chromium-keystatuseschange-count',
    'chromium-fault-wrong-type',
  ],
  firefox: [
    'firefox-temporary-cenc',
    'firefox-close-rules',
    'firefox-playback-waiting',
    'firefox-fault-http-500',
    'firefox-keystatuseschange-count',
  ],
  'firefox-persistent': ['firefox-persistent'],
  webkit: ['webkit-temporary-keyids'],
};

/** A scenario result as the test fixture would attach it: the catalog's judge on a recorded run. */
export function judged(record: RunRecord, project: string, browser: CompatReport['browser']): ScenarioResult {
  const scenario = findScenario(record.meta.scenario);
  if (!scenario) throw new Error(`fixture scenario ${record.meta.scenario} is not in the catalog`);
  const j = judgeScenario(scenario, record);
  const exp = Expectations.load('expectations', 'debian', project).for(scenario.id, browser);
  return {
    id: scenario.id,
    title: scenario.title,
    group: scenario.group,
    spec: scenario.spec,
    verdict: j.verdict,
    reason: j.reason,
    difference: j.difference,
    expected: { verdicts: exp.verdicts, ...(exp.reason ? { reason: exp.reason } : {}) },
    checks: j.checks,
    ...(j.findings ? { findings: j.findings } : {}),
    durationMs: 850,
    attempts: [j.verdict],
    environment: record.page?.environment ?? null,
    record: { ...record, meta: { ...record.meta, project } },
  };
}

/** A probe the browser has no CDM for, as judgeProbe reports it (every configuration NotSupportedError). */
function unsupportedProbe(id: string, keySystem: string, template: ScenarioResult): ScenarioResult {
  const outcomes = ['cenc', 'keyids', 'webm'].flatMap((initDataType) =>
    ['temporary', 'persistent-license'].map((sessionType) => ({
      keySystem,
      initDataType,
      sessionType,
      encryptionScheme: 'absent',
      supported: false,
      error: 'NotSupportedError: Unsupported keySystem or supportedConfigurations.',
    })),
  );
  const scenario = findScenario(id)!;
  return {
    ...template,
    id,
    title: scenario.title,
    spec: scenario.spec,
    verdict: 'unsupported',
    reason: `${keySystem}: no supported configuration (NotSupportedError: Unsupported keySystem or supportedConfigurations.)`,
    expected: { verdicts: ['unsupported'] },
    checks: [],
    findings: { byKeySystem: { [keySystem]: { supported: 0, probed: outcomes.length } }, supported: [], outcomes },
    attempts: ['unsupported'],
  };
}

/** Firefox without the pref: requestMediaKeySystemAccess rejects persistent-license (a precondition). */
function persistentUnsupported(browser: CompatReport['browser']): ScenarioResult {
  const record = fixtureRecord('firefox-persistent');
  record.page!.outcome = {
    status: 'precondition-failed',
    reason:
      'org.w3.clearkey rejects initDataTypes keyids, sessionTypes persistent-license, video/mp4; codecs="avc1.42E01E" + audio/mp4; codecs="mp4a.40.2": NotSupportedError: Key system configuration is not supported',
  };
  return judged(record, 'firefox', browser);
}

export function realisticReport(
  project: keyof typeof FIXTURES & string,
  options: { commit?: string | null } = {},
): CompatReport {
  const browser = structuredClone(IDENTITIES[project]!);
  const scenarios = FIXTURES[project]!.map((f) => judged(fixtureRecord(f), project, browser));
  if (project === 'chromium') scenarios.push(unsupportedProbe('probe.widevine', 'com.widevine.alpha', scenarios[0]!));
  if (project === 'firefox') scenarios.push(persistentUnsupported(browser));
  scenarios.sort((a, b) => a.id.localeCompare(b.id));
  const commit = options.commit === undefined ? COMMIT : options.commit;
  return {
    schemaVersion: 1,
    generatedAt: '2026-12-02T10:00:00.000Z',
    tool: { name: 'eme-compat', version: '0.1.0', playwright: '1.64.1' },
    browser,
    environment: { os: DEBIAN_OS, node: 'v20.20.2', ci: false },
    run: {
      startedAt: '2026-12-02T09:58:00.000Z',
      durationMs: 98_500,
      browserSet: 'debian',
      ...(commit === null ? {} : { git: { commit, branch: 'main', dirty: false } }),
    },
    summary: countVerdicts(scenarios),
    scenarios,
  };
}

export const PROJECTS = ['chromium', 'firefox', 'firefox-persistent', 'webkit'] as const;
