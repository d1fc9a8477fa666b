// Versioned builds: how selections are read, where a build comes from, how an installed build becomes a
// browser profile, and the driver comparison. Pure logic; the cache is a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildName, formatBuilds, namesBuilds, parseBuilds, parseSelection } from '../../harness/builds/spec.ts';
import {
  chooseSource,
  compareVersions,
  parseMadison,
  sourceName,
  unavailableMessage,
} from '../../harness/builds/sources.ts';
import { driverFor, readManifest, upstreamVersion } from '../../harness/builds/cache.ts';
import { browserSetName, buildProfile, loadProfiles } from '../../harness/browsers/profiles.ts';
import { compareDrivers } from '../../cli/compare-drivers.ts';
import { syntheticReport } from './helpers.ts';

test('a selection reads families, bare majors that continue them, build sets and profile sets', () => {
  assert.deepEqual(parseBuilds('chromium@92,119,153,156 firefox-esr@140,153').map(buildName), [
    'chromium@92',
    'chromium@119',
    'chromium@153',
    'chromium@156',
    'firefox-esr@140',
    'firefox-esr@153',
  ]);
  assert.equal(formatBuilds(parseBuilds('chromium@119, 119 chromium@119')), 'chromium@119');
  const versions = parseBuilds('versions');
  assert.ok(
    versions.filter((s) => s.family === 'chromium').length >= 8,
    'the versions set has at least 8 Chromium majors',
  );
  assert.deepEqual(
    parseSelection('debian,chromium@119').map((i) => (i.kind === 'set' ? i.name : buildName(i.spec))),
    ['debian', 'chromium@119'],
  );
  assert.ok(namesBuilds('chromium@119') && namesBuilds('versions') && !namesBuilds('debian,branded'));
});

test('bad selections are refused with the token named', () => {
  assert.throws(() => parseBuilds('119'), /"119": a bare version needs a family before it/);
  assert.throws(() => parseBuilds('safari@17'), /unknown browser family "safari"/);
  assert.throws(() => parseBuilds('chromium@latest'), /expected <family>@<major>/);
  assert.throws(() => parseBuilds('debian chromium@119'), /debian is not a build/);
  // A profile set resets the family: a bare major after it has none.
  assert.throws(() => parseSelection('chromium@119 debian 120'), /"120": a bare version needs a family/);
});

const madison = ` chromium | 156.0.8078.114-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
 chromium | 150.0.7871.100-1~deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages
firefox-esr | 153.8.0esr-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
firefox-esr | 140.12.0esr-1~deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages
chromium-common | 156.0.8078.114-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
chromium-common | 150.0.7871.100-1~deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages
`;
const available = {
  debian: parseMadison(madison),
  npm: ['92.0.0', '119.0.0', '119.0.1-next.2', '119.0.2', '153.0.0', '110.0.1', '110.0.0'],
};

test('a build comes from Debian when its archive has the major (with companions), else from npm', () => {
  const debian = chooseSource({ family: 'chromium', major: 150 }, available);
  assert.deepEqual(debian, {
    kind: 'debian',
    version: '150.0.7871.100-1~deb12u1',
    packages: [
      { name: 'chromium', version: '150.0.7871.100-1~deb12u1' },
      { name: 'chromium-common', version: '150.0.7871.100-1~deb12u1' },
    ],
  });
  assert.equal(sourceName(debian!), 'debian:chromium=150.0.7871.100-1~deb12u1');
  // The newest release of the major, never a prerelease.
  const npm = chooseSource({ family: 'chromium', major: 119 }, available);
  assert.equal(npm && sourceName(npm), 'npm:@sparticuz/chromium@119.0.2');
  assert.equal(
    sourceName(chooseSource({ family: 'firefox-esr', major: 140 }, available)!),
    'debian:firefox-esr=140.12.0esr-1~deb12u1',
  );
  // Debian's Chromium without its resources package of the same version is not installable.
  const lone = { debian: { chromium: ['150.0.7871.100-1~deb12u1'] }, npm: null };
  assert.equal(chooseSource({ family: 'chromium', major: 150 }, lone), null);
  assert.equal(chooseSource({ family: 'firefox-esr', major: 128 }, available), null);
  assert.equal(chooseSource({ family: 'chromium', major: 120 }, available), null);
});

test('an unavailable build is explained with what each place has, or that npm could not be asked', () => {
  assert.equal(
    unavailableMessage({ family: 'chromium', major: 120 }, available),
    "chromium@120 is not available: Debian's archive has 150, 156; npm @sparticuz/chromium has 92, 110, 119, 153",
  );
  assert.match(
    unavailableMessage({ family: 'chromium', major: 120 }, { debian: {}, npm: null }),
    /Debian's archive has none; the npm registry could not be asked/,
  );
});

test('versions compare numerically, Debian versions shed epoch and revision, ESR 140 takes puppeteer', () => {
  assert.ok(compareVersions('110.0.1', '92.0.0') > 0);
  assert.ok(compareVersions('119.0.2', '119.0.10') < 0);
  assert.equal(upstreamVersion('1:140.12.0esr-1~deb12u1'), '140.12.0esr');
  assert.equal(driverFor({ family: 'firefox-esr', major: 140 }), 'puppeteer');
  assert.equal(driverFor({ family: 'firefox-esr', major: 153 }), 'playwright');
  assert.equal(driverFor({ family: 'chromium', major: 92 }), 'playwright');
});

/** A cache folder holding one unpacked build with its manifest. */
function fakeCache(name: string, manifest: Record<string, unknown>): string {
  const cache = mkdtempSync(join(tmpdir(), 'eme-builds-'));
  const dir = join(cache, 'builds', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chromium'), '');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, executablePath: join(dir, 'chromium') }));
  return cache;
}

test('an installed build becomes a profile named <family>@<major> that names its source; a missing one says how to install it', () => {
  const cache = fakeCache('chromium@110', {
    schemaVersion: 1,
    name: 'chromium@110',
    family: 'chromium',
    major: 110,
    version: '110.0.5478.0',
    source: 'npm:@sparticuz/chromium@110.0.1',
    driver: 'playwright',
    installedAt: '2026-12-02T00:00:00.000Z',
  });
  const before = process.env['EME_BROWSER_CACHE'];
  process.env['EME_BROWSER_CACHE'] = cache;
  try {
    const [profile, ...rest] = loadProfiles('chromium@110');
    assert.equal(rest.length, 0);
    assert.equal(profile!.project, 'chromium@110');
    assert.equal(profile!.source, 'npm:@sparticuz/chromium@110.0.1');
    assert.equal(profile!.executablePath, join(cache, 'builds', 'chromium@110', 'chromium'));
    assert.ok(
      profile!.args.some((a) => a.startsWith('--autoplay-policy')),
      'the harness flags come along',
    );
    assert.throws(
      () => loadProfiles('chromium@111'),
      /chromium@111 is not installed; install it with: npx eme-compat browsers install chromium@111/,
    );
    // Expectations of versioned builds live in one set, whatever the selection.
    assert.equal(browserSetName('chromium@110'), 'versions');
    assert.equal(browserSetName('debian,chromium@110'), 'debian+versions');
    assert.equal(browserSetName('debian,branded'), 'debian+branded');
  } finally {
    if (before === undefined) delete process.env['EME_BROWSER_CACHE'];
    else process.env['EME_BROWSER_CACHE'] = before;
  }
});

test('a manifest whose binary is gone, or that does not parse, is not an installed build', () => {
  const cache = fakeCache('chromium@92', { schemaVersion: 1, name: 'chromium@92' });
  assert.equal(readManifest(join(cache, 'builds', 'chromium@92')), null);
});

test('Firefox ESR builds take their driver and Playwright channel from the manifest', () => {
  const base = {
    schemaVersion: 1 as const,
    family: 'firefox-esr' as const,
    args: [],
    installedAt: 'x',
    origin: 'cache' as const,
  };
  const old = buildProfile({
    ...base,
    name: 'firefox-esr@140',
    major: 140,
    version: '140.12.0esr',
    source: 'debian:firefox-esr=140.12.0esr-1~deb12u1',
    driver: 'puppeteer',
    executablePath: '/x/firefox-esr',
  });
  assert.equal(old.driver, 'puppeteer');
  assert.equal(old.channel, undefined);
  assert.equal(old.engine, 'firefox');
  const current = buildProfile({
    ...base,
    name: 'firefox-esr@153',
    major: 153,
    version: '153.8.0esr',
    source: 'debian:firefox-esr=153.8.0esr-1~deb12u1',
    driver: 'playwright',
    executablePath: '/usr/bin/firefox-esr',
  });
  assert.equal(current.channel, 'moz-firefox');
});

test('the driver comparison counts identical verdicts and explains each difference from the checks', () => {
  const a = syntheticReport('chromium', [
    { id: 'x.same', verdict: 'pass' },
    { id: 'x.picture', verdict: 'pass' },
    { id: 'x.rule', verdict: 'pass' },
  ]);
  const b = syntheticReport('chromium-webdriver', [
    { id: 'x.same', verdict: 'pass' },
    { id: 'x.picture', verdict: 'not-measurable' },
    { id: 'x.rule', verdict: 'fail' },
  ]);
  b.browser.driver = 'webdriver';
  b.scenarios[1]!.reason = 'the picture cannot be captured through this driver';
  const check = { id: 'c1', title: 'update() resolves', level: 'must' as const, expected: 'resolves' };
  a.scenarios[2]!.checks = [{ ...check, ok: true, observed: 'resolves' }];
  b.scenarios[2]!.checks = [{ ...check, ok: false, observed: 'TypeError' }];
  const c = compareDrivers(a, b);
  assert.equal(c.compared, 3);
  assert.equal(c.identical, 1);
  assert.deepEqual(
    c.differences.map((d) => [d.id, d.kind]),
    [
      ['x.picture', 'not-measurable'],
      ['x.rule', 'driver'],
    ],
  );
  assert.match(c.differences[0]!.why, /not measurable through webdriver: the picture cannot be captured/);
  assert.equal(
    c.differences[1]!.why,
    'checks went the other way: update() resolves: resolves / TypeError (expected resolves)',
  );
});
