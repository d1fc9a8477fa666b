// The BCD export against the rules of MDN's compat-data schema (and BCD's own browser and release data
// from @mdn/browser-compat-data), and the validator against each rule it enforces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcdProblems, loadBcdBrowsers, toBcd } from '../../report/exports.ts';
import { BEHAVIOURS, featureName } from '../../report/exports/bcd.ts';
import { SCENARIOS } from '../../harness/catalog.ts';
import { SPEC_BASE } from '../../model/verdict.ts';
import { FIREFOX_PERSISTENT_PREF } from '../../harness/browsers/profiles.ts';
import { PROJECTS, realisticReport } from './exports-helpers.ts';

const { browsers } = loadBcdBrowsers();
type Statement = {
  version_added: string | boolean | null;
  flags?: { type: string; name: string; value_to_set?: string }[];
  partial_implementation?: true;
  notes?: string | string[];
};
type Node = {
  __compat?: {
    spec_url: string | string[];
    support: Record<string, Statement | Statement[]>;
    status: Record<string, boolean>;
  };
  [k: string]: unknown;
};

function features(node: Node, path: string[] = []): [string, NonNullable<Node['__compat']>][] {
  return Object.entries(node).flatMap(([k, v]) =>
    k === '__compat'
      ? [[path.join('.'), v as NonNullable<Node['__compat']>] as [string, NonNullable<Node['__compat']>]]
      : features(v as Node, [...path, k]),
  );
}
function at(data: unknown, path: string): NonNullable<Node['__compat']> {
  const node = path.split('.').reduce((n, k) => (n as Record<string, unknown>)[k], data) as Node;
  assert.ok(node?.__compat, `${path} is in the export`);
  return node.__compat!;
}

test('the export of a realistic run is valid BCD: one top-level key, BCD ids and real releases, ranged versions', () => {
  const { data, omitted } = toBcd(
    PROJECTS.map((p) => realisticReport(p)),
    browsers,
  );
  assert.deepEqual(bcdProblems(data, { browsers }), []);
  assert.deepEqual(Object.keys(data), ['api']);
  const all = features(data as unknown as Node);
  assert.ok(all.length > 20, `${all.length} features`);
  const catalogAnchors = new Set(SCENARIOS.flatMap((s) => s.spec));
  for (const [path, compat] of all) {
    assert.ok(compat.status, `${path} has a status`);
    assert.ok(compat.spec_url, `${path} has a spec_url`);
    for (const url of [compat.spec_url].flat()) {
      assert.ok(url.startsWith(SPEC_BASE) && /^https:\/\/[^#]+#.+/.test(url), `${path}: spec_url ${url}`);
    }
    assert.deepEqual(
      Object.keys(compat.support).filter((b) => !['chrome', 'firefox'].includes(b)),
      [],
      `${path}: only chrome and firefox speak here`,
    );
    for (const s of Object.values(compat.support).flat()) {
      if (typeof s.version_added === 'string')
        assert.match(s.version_added, /^≤\d+$/, `${path}: supported in N, maybe earlier`);
    }
  }
  // Behaviour features point at anchors the catalog's scenarios check.
  for (const b of BEHAVIOURS)
    for (const a of b.spec) assert.ok(catalogAnchors.has(a), `${b.path.join('.')}: ${a} is a catalog anchor`);
  // WebKitGTK has no BCD id: left out, with the reason beside the data (not in it).
  assert.deepEqual(
    omitted.map((o) => o.project),
    ['webkit'],
  );
  assert.match(omitted[0]!.reason, /no browser id for WebKitGTK/);
  assert.doesNotMatch(JSON.stringify(data), /"(chromium|webkit|firefox-persistent|eme)"\s*:/);
});

test('Chromium stands in for chrome and Firefox ESR is firefox, at their BCD releases', () => {
  const { data } = toBcd(
    PROJECTS.map((p) => realisticReport(p)),
    browsers,
  );
  const rmksa = at(data, 'api.Navigator.requestMediaKeySystemAccess');
  assert.deepEqual(rmksa.support, { chrome: { version_added: '≤156' }, firefox: { version_added: '≤153' } });
  assert.ok(browsers['chrome']!.releases['156'] && browsers['firefox']!.releases['153']);
  assert.deepEqual(at(data, 'api.MediaKeySession.close').support['chrome'], { version_added: '≤156' });
  // Key systems: dots become underscores; Chromium's missing Widevine CDM is not "chrome: false".
  assert.equal(featureName('org.w3.clearkey'), 'org_w3_clearkey');
  const clearKey = at(data, 'api.Navigator.requestMediaKeySystemAccess.keySystem_org_w3_clearkey');
  assert.deepEqual(clearKey.support, { chrome: { version_added: '≤156' } });
  assert.deepEqual(
    at(data, 'api.Navigator.requestMediaKeySystemAccess.keySystem_org_w3_clearkey.initDataType_keyids').support,
    { chrome: { version_added: '≤156' } },
  );
  const rmksaNode = (data.api['Navigator'] as Record<string, Node>)['requestMediaKeySystemAccess']!;
  assert.equal(
    rmksaNode['keySystem_com_widevine_alpha'],
    undefined,
    'no CDM in a Chromium build is not evidence about Chrome',
  );
});

test('the pref-gated persistent-license support is a flags statement under firefox, never a pseudo-browser', () => {
  const { data } = toBcd(
    PROJECTS.map((p) => realisticReport(p)),
    browsers,
  );
  // Firefox ESR rejects persistent-license without the pref, so the support is the flag statement alone
  // (in BCD: supported only behind the flag; BCD allows no version_added: false inside an array).
  const flagged = at(data, 'api.MediaKeys.createSession.sessionType_persistent-license').support[
    'firefox'
  ] as Statement;
  assert.ok(!Array.isArray(flagged));
  assert.equal(flagged.version_added, '≤153');
  assert.deepEqual(flagged.flags, [{ type: 'preference', name: FIREFOX_PERSISTENT_PREF, value_to_set: 'true' }]);
  // The recorded run stores and reloads, but remove() sends no license-release: partial, with why.
  assert.equal(flagged.partial_implementation, true);
  assert.match(String(flagged.notes), /license-release|released/);
  // Where the pref adds nothing (the API exists either way), there is no flag statement.
  assert.deepEqual(at(data, 'api.MediaKeys').support['firefox'], { version_added: '≤153' });
  // And where the pref breaks nothing new (release-acknowledged fails with it too), Firefox says no.
  assert.equal(
    (at(data, 'api.MediaKeySession.closed.reason_release-acknowledged').support['firefox'] as Statement).version_added,
    false,
  );
});

test('where the default profile has some support, the flag statement joins it in an array of two', () => {
  const plain = realisticReport('firefox');
  const s = plain.scenarios.find((x) => x.id === 'lifecycle.persistent-license')!;
  Object.assign(s, { verdict: 'fail', reason: 'load() finds the stored session, but keys are not usable' });
  const pref = realisticReport('firefox-persistent');
  Object.assign(pref.scenarios.find((x) => x.id === 'lifecycle.persistent-license')!, {
    verdict: 'pass',
    reason: '22 rules held',
  });
  const { data } = toBcd([plain, pref], browsers);
  assert.deepEqual(bcdProblems(data, { browsers }), []);
  const firefox = at(data, 'api.MediaKeys.createSession.sessionType_persistent-license').support['firefox'];
  assert.deepEqual(firefox, [
    {
      version_added: '≤153',
      partial_implementation: true,
      notes: 'eme-compat lifecycle.persistent-license: load() finds the stored session, but keys are not usable',
    },
    { version_added: '≤153', flags: [{ type: 'preference', name: FIREFOX_PERSISTENT_PREF, value_to_set: 'true' }] },
  ]);
});

test('reports of one BCD browser merge: the oldest supporting release bounds the range', () => {
  const older = realisticReport('firefox');
  older.browser = { ...older.browser, project: 'firefox-140', version: '140.12.0' };
  const { data } = toBcd([realisticReport('firefox'), older], browsers);
  assert.deepEqual(at(data, 'api.MediaKeySession.update').support['firefox'], { version_added: '≤140' });
  // A branded Chrome beside Debian Chromium: both are chrome; Chrome's own negative for a build-dependent
  // feature counts, Chromium's does not.
  const chromium = realisticReport('chromium');
  chromium.scenarios.find((s) => s.id === 'playback.cenc')!.verdict = 'unsupported';
  const noCdm = toBcd([chromium], browsers).data;
  assert.equal(
    ((noCdm.api['HTMLMediaElement'] as Record<string, Node>)['setMediaKeys'] as Node)['cenc_scheme_playback'],
    undefined,
    'a stand-in build says nothing about Chrome here',
  );
  const chrome = realisticReport('chromium');
  chrome.browser = { ...chrome.browser, project: 'chrome', channel: 'chrome', executablePath: null };
  chrome.scenarios.find((s) => s.id === 'playback.cenc')!.verdict = 'unsupported';
  assert.deepEqual(
    at(toBcd([chrome], browsers).data, 'api.HTMLMediaElement.setMediaKeys.cenc_scheme_playback').support['chrome'],
    {
      version_added: false,
      notes: `eme-compat playback.cenc: ${chrome.scenarios.find((s) => s.id === 'playback.cenc')!.reason}`,
    },
  );
});

test('a release BCD does not know is left out, not invented', () => {
  const future = realisticReport('chromium');
  future.browser = { ...future.browser, version: '999.0.1.2' };
  const { data, omitted } = toBcd([future, realisticReport('firefox')], browsers);
  assert.deepEqual(
    omitted.map((o) => o.project),
    ['chromium'],
  );
  assert.match(omitted[0]!.reason, /chrome 999 .* is not a release in BCD's data/);
  assert.deepEqual(Object.keys(at(data, 'api.MediaKeys').support), ['firefox']);
});

// A small valid file the rule tests break one rule at a time.
function valid(): { api: Record<string, Node> } {
  return {
    api: {
      MediaKeySession: {
        __compat: {
          spec_url: 'https://w3c.github.io/encrypted-media/#mediakeysession-interface',
          support: {
            chrome: { version_added: '≤156' },
            firefox: [
              {
                version_added: '≤153',
                partial_implementation: true,
                notes: 'without the pref, remove() sends nothing',
              },
              {
                version_added: '≤153',
                flags: [{ type: 'preference', name: 'media.x', value_to_set: 'true' }],
                notes: ['with the pref', 'all rules hold'],
              },
            ],
          },
          status: { experimental: false, standard_track: true, deprecated: false },
        },
        'reason_closed-by-application': {
          __compat: {
            spec_url: 'https://w3c.github.io/encrypted-media/#session-closed',
            support: { chrome: { version_added: '≤156' } },
            status: { experimental: false, standard_track: true, deprecated: false },
          },
        },
      },
    },
  };
}
const compat = (d: ReturnType<typeof valid>) =>
  d.api['MediaKeySession']!.__compat! as unknown as Record<string, unknown> & { support: Record<string, unknown> };

test('the validator accepts the valid file and rejects each broken rule', () => {
  assert.deepEqual(bcdProblems(valid(), { browsers }), []);
  const broken: [string, (d: ReturnType<typeof valid>) => void, RegExp][] = [
    [
      'a dot in a feature name',
      (d) => {
        d.api['MediaKeySession']!['com.widevine.alpha'] = { __compat: compat(valid()) };
      },
      /feature name "com\.widevine\.alpha" has characters BCD does not allow/,
    ],
    [
      'two top-level keys',
      (d) => {
        (d as Record<string, unknown>)['eme'] = {};
      },
      /exactly one top-level key; found 2/,
    ],
    [
      'an unknown browser id',
      (d) => {
        compat(d).support['firefox-persistent'] = { version_added: '≤153' };
      },
      /"firefox-persistent" is not a BCD browser id/,
    ],
    [
      'a pseudo-browser for a build',
      (d) => {
        compat(d).support['chromium'] = { version_added: '≤156' };
      },
      /"chromium" is not a BCD browser id/,
    ],
    [
      'a one-element notes array',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤156', notes: ['one'] };
      },
      /notes as an array needs 2\+ strings/,
    ],
    [
      'a missing status',
      (d) => {
        delete compat(d)['status'];
      },
      /MediaKeySession\.__compat\.status/,
    ],
    [
      'a bare version when ranged is required',
      (d) => {
        compat(d).support['chrome'] = { version_added: '156' };
      },
      /version_added "156" claims support since that release; only "≤156"/,
    ],
    [
      'partial_implementation without notes',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤156', partial_implementation: true };
      },
      /partial_implementation: true requires notes/,
    ],
    [
      'an unknown statement property',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤156', eme_compat_project: 'chromium' };
      },
      /Unrecognized key.*eme_compat_project/,
    ],
    [
      'an unknown __compat property',
      (d) => {
        compat(d)['tested_with'] = 'eme-compat';
      },
      /Unrecognized key.*tested_with/,
    ],
    [
      'a release the browser never had',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤999' };
      },
      /"≤999" is not a release of chrome/,
    ],
    [
      'a version that is not a BCD version',
      (d) => {
        compat(d).support['chrome'] = { version_added: 'since 156' };
      },
      /not a BCD version/,
    ],
    [
      'a one-statement array',
      (d) => {
        compat(d).support['chrome'] = [{ version_added: '≤156' }];
      },
      /statement array needs 2\+ statements/,
    ],
    [
      'a spec_url without a fragment',
      (d) => {
        compat(d)['spec_url'] = 'https://w3c.github.io/encrypted-media/';
      },
      /spec_url must be https with a #fragment/,
    ],
    [
      'an http spec_url',
      (d) => {
        compat(d)['spec_url'] = 'http://w3c.github.io/encrypted-media/#x';
      },
      /spec_url must be https with a #fragment/,
    ],
    [
      'a flag of an unknown type',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤156', flags: [{ type: 'pref', name: 'x' }] };
      },
      /flags/,
    ],
    [
      'version_added: false inside an array',
      (d) => {
        compat(d).support['firefox'] = [
          { version_added: false },
          { version_added: '≤153', flags: [{ type: 'preference', name: 'media.x' }] },
        ];
      },
      /version_added: false cannot be in an array/,
    ],
    [
      'a false statement that suggests support',
      (d) => {
        compat(d).support['firefox'] = { version_added: false, flags: [{ type: 'preference', name: 'media.x' }] };
      },
      /says no support but has flags/,
    ],
    [
      'a hand-written version_last',
      (d) => {
        compat(d).support['chrome'] = { version_added: '≤150', version_removed: '≤156', version_last: '155' };
      },
      /version_last is generated/,
    ],
    [
      'a flag for a browser that takes none',
      (d) => {
        compat(d).support['firefox_android'] = { version_added: '≤153', flags: [{ type: 'preference', name: 'x' }] };
      },
      /firefox_android takes no flags/,
    ],
    [
      'a missing support block',
      (d) => {
        delete (compat(d) as Record<string, unknown>)['support'];
      },
      /support/,
    ],
  ];
  for (const [rule, breakIt, message] of broken) {
    const d = valid();
    breakIt(d);
    const problems = bcdProblems(d, { browsers });
    assert.ok(problems.length > 0, `${rule}: not rejected`);
    assert.match(problems.join('\n'), message, `${rule}: ${problems.join(' | ')}`);
  }
  // Exact versions are valid BCD when the caller knows the first release; the export never does.
  const exact = valid();
  compat(exact).support['chrome'] = { version_added: '156' };
  assert.deepEqual(bcdProblems(exact, { browsers, requireRanged: false }), []);
});

// ---- versions from a sweep: several tested releases of one BCD browser

/** The realistic Chromium report as another tested release, with the closed-by-application rule held or broken. */
function chromiumAt(major: number, closedByApplication: boolean) {
  const r = realisticReport('chromium');
  r.browser = { ...r.browser, project: `chromium@${major}`, version: `${major}.0.1000.0` };
  for (const s of r.scenarios)
    for (const c of s.checks)
      if (c.id === 'closed-by-application' && !closedByApplication)
        Object.assign(c, { ok: false, observed: 'closed resolved with undefined' });
  return r;
}
const CLOSED = 'api.MediaKeySession.closed.reason_closed-by-application';

test('version_added is the first tested release that supports a feature an older tested release lacked', () => {
  assert.ok(
    chromiumAt(92, true).scenarios.some((s) => s.checks.some((c) => c.id === 'closed-by-application')),
    'the fixture checks closed-by-application',
  );
  const { data } = toBcd([chromiumAt(119, true), chromiumAt(92, false), chromiumAt(110, true)], browsers);
  assert.deepEqual(bcdProblems(data, { browsers }), []);
  const chrome = at(data, CLOSED).support['chrome'] as Statement & { version_removed?: string };
  assert.equal(chrome.version_added, '110', 'not "≤110": 92 was tested and lacked it');
  assert.equal(chrome.version_removed, undefined);
  assert.match(String(chrome.notes), /Not supported in the tested release 92 \(chromium@92/);
  // Without the note naming the older tested release, the exact version is refused: nothing says it is known.
  const { notes: _n, ...bare } = chrome;
  const unfounded = structuredClone(data) as unknown as { api: Record<string, Node> };
  const node = CLOSED.split('.')
    .slice(1)
    .reduce((n, k) => (n as Record<string, Node>)[k]!, unfounded.api as unknown as Node);
  node.__compat!.support['chrome'] = bare;
  assert.match(
    bcdProblems(unfounded, { browsers }).join('\n'),
    /version_added "110" claims support since that release/,
  );
  // Features every tested release supports stay "≤oldest".
  assert.deepEqual(at(data, 'api.MediaKeySession.close').support['chrome'], { version_added: '≤92' });
});

test('version_removed is the first tested release that lacks a feature an older tested release supported', () => {
  const { data } = toBcd([chromiumAt(92, true), chromiumAt(110, true), chromiumAt(119, false)], browsers);
  assert.deepEqual(bcdProblems(data, { browsers }), []);
  const chrome = at(data, CLOSED).support['chrome'] as Statement & { version_removed?: string };
  assert.equal(chrome.version_added, '≤92');
  assert.equal(chrome.version_removed, '119');
  assert.match(String(chrome.notes), /Not supported in the tested release 119/);
  // Gone, back again: the newest stretch of support decides, and the older one is noted.
  const back = toBcd([chromiumAt(92, true), chromiumAt(110, false), chromiumAt(119, true)], browsers).data;
  const again = at(back, CLOSED).support['chrome'] as Statement & { version_removed?: string };
  assert.equal(again.version_added, '119');
  assert.equal(again.version_removed, undefined);
  assert.match(String(again.notes), /Also supported in the older tested release\(s\) 92/);
  // Never supported in any tested release: false, whatever the order.
  const never = toBcd([chromiumAt(92, false), chromiumAt(119, false)], browsers).data;
  assert.equal((at(never, CLOSED).support['chrome'] as Statement).version_added, false);
});
