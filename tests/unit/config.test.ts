import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSetName, loadProfiles, BROWSER_SETS } from '../../harness/browsers/profiles.ts';
import { Expectations } from '../../harness/expectations.ts';
import { SCENARIOS } from '../../harness/catalog.ts';

test('the default set is Debian chromium, firefox, webkit (+ firefox with the persistent pref)', () => {
  const profiles = loadProfiles('debian');
  assert.deepEqual(
    profiles.map((p) => p.project),
    ['chromium', 'firefox', 'webkit', 'firefox-persistent'],
  );
  assert.equal(profiles.find((p) => p.project === 'webkit')?.driver, 'webdriver');
  assert.equal(profiles.find((p) => p.project === 'firefox')?.channel, 'moz-firefox');
});

test('browser sets can be combined and unknown names are explained', () => {
  assert.deepEqual(
    loadProfiles('branded').map((p) => p.channel),
    ['chrome', 'msedge'],
  );
  assert.throws(() => loadProfiles('debian,bundled'), /two profiles are named "chromium"/);
  assert.throws(
    () => loadProfiles('nope'),
    new RegExp(`unknown browser set "nope"; choose from ${BROWSER_SETS.join(', ')}`),
  );
  assert.equal(browserSetName('bundled'), 'bundled');
});

test('profiles can come from a JSON file, validated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-profiles-'));
  const good = join(dir, 'lab.json');
  await writeFile(
    good,
    JSON.stringify([
      {
        project: 'grid-chrome',
        label: 'Chrome on a grid',
        engine: 'chromium',
        driver: 'webdriver',
        webdriver: { url: 'http://127.0.0.1:4444/wd/hub' },
      },
    ]),
  );
  const [profile] = loadProfiles(good);
  assert.equal(profile?.webdriver?.url, 'http://127.0.0.1:4444/wd/hub');
  assert.equal(browserSetName(good), 'lab');
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify([{ project: 'x', label: 'x', engine: 'presto' }]));
  assert.throws(() => loadProfiles(bad), /profile #0 is invalid/);
});

test('committed expectations are valid and name only catalog scenarios', () => {
  const ids = new Set(SCENARIOS.map((s) => s.id));
  for (const profile of loadProfiles('debian')) {
    const exp = Expectations.load('expectations', 'debian', profile.project);
    assert.ok(exp.file, `expectations/debian/${profile.project}.json exists`);
    for (const id of Object.keys(exp.file.expectations))
      assert.ok(ids.has(id), `${profile.project}: ${id} is not a scenario`);
  }
});

test('an unlisted scenario is expected to pass; a file for the wrong project is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-exp-'));
  await mkdir(join(dir, 'set'));
  await writeFile(join(dir, 'set', 'a.json'), JSON.stringify({ schemaVersion: 1, project: 'b', expectations: {} }));
  assert.throws(() => Expectations.load(dir, 'set', 'a'), /is for project b/);
  assert.deepEqual(Expectations.load(dir, 'set', 'missing').for('anything').verdicts, ['pass']);
});

test('scenario ids are unique and every scenario names spec anchors', () => {
  const ids = SCENARIOS.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const s of SCENARIOS) {
    assert.ok(s.spec.length > 0 && s.spec.every((a) => a.startsWith('#')), `${s.id} spec anchors`);
    assert.match(s.id, /^[a-z0-9.-]+$/);
  }
});
