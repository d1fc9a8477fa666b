// What a Playwright invocation asked for, read from its arguments as Playwright reads them, and the
// coverage a selection plans over a browser set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { narrowing, projectMatcher, selectionFromArgv } from '../../harness/selection.ts';
import { plannedCoverage } from '../../report/coverage.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';
import { SCENARIOS } from '../../harness/catalog.ts';

test('--project is variadic, --grep/-g and --grep-invert/-G take one value, = forms work', () => {
  const s = selectionFromArgv(
    [
      'node',
      'cli',
      'test',
      '--project',
      'chromium',
      'firefox',
      '-g',
      '@group-B',
      '--grep-invert=probe',
      '--workers',
      '2',
    ],
    null,
  );
  assert.deepEqual(s, { projects: ['chromium', 'firefox'], grep: '@group-B', grepInvert: 'probe', shard: null });
  assert.deepEqual(selectionFromArgv(['test', '--project=webkit', '--shard', '2/3'], { current: 2, total: 3 }), {
    projects: ['webkit'],
    grep: null,
    grepInvert: null,
    shard: '2/3',
  });
  assert.deepEqual(selectionFromArgv(['merge-reports', 'blobs'], null), {
    projects: null,
    grep: null,
    grepInvert: null,
    shard: null,
  });
  assert.equal(narrowing({ projects: null, grep: null, grepInvert: null, shard: null }), null);
  assert.equal(
    narrowing({ projects: ['a'], grep: 'x', grepInvert: null, shard: '1/2' }),
    'projects a; grep x; shard 1/2',
  );
});

test('project patterns follow Playwright: * wildcard, any case', () => {
  const m = projectMatcher(['fire*', 'CHROMIUM']);
  assert.deepEqual(['firefox', 'firefox-persistent', 'chromium', 'webkit'].filter(m), [
    'firefox',
    'firefox-persistent',
    'chromium',
  ]);
});

test('planned coverage: every project of the set × catalog, narrowed by grep and each profile filter', () => {
  const profiles = loadProfiles('debian');
  const all = plannedCoverage(profiles, { projects: null, grep: null, grepInvert: null });
  assert.deepEqual([...all.keys()], ['chromium', 'firefox', 'webkit', 'firefox-persistent']);
  assert.equal(all.get('chromium')!.length, SCENARIOS.length);
  assert.ok(all.get('firefox-persistent')!.every((id) => id.startsWith('lifecycle.persistent')));
  const groupB = plannedCoverage(profiles, { projects: ['chromium'], grep: '@group-B', grepInvert: null });
  assert.deepEqual(
    groupB.get('chromium'),
    SCENARIOS.filter((s) => s.group === 'B').map((s) => s.id),
  );
  assert.equal(groupB.size, 1);
  // A grep that leaves a project nothing to run plans nothing for it (firefox-persistent under group B).
  assert.equal(
    plannedCoverage(profiles, { projects: null, grep: '@group-B', grepInvert: null }).has('firefox-persistent'),
    false,
  );
  assert.throws(
    () => plannedCoverage(profiles, { projects: ['safari'], grep: null, grepInvert: null }),
    /no project "safari" in the browser set; it has chromium/,
  );
  assert.throws(
    () => plannedCoverage(profiles, { projects: null, grep: '(', grepInvert: null }),
    /the grep is not a regular expression/,
  );
});
