import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignAgainst, toSteps } from '../../report/sequence.ts';
import { renderCrossBrowser } from '../../report/html.ts';
import { fixtureRecord } from './helpers.ts';

test('a timeline becomes comparable steps', () => {
  const steps = toSteps(fixtureRecord('chromium-temporary-keyids').page!.entries);
  assert.ok(steps.includes('s1.generateRequest ✓'));
  assert.ok(steps.includes('E:s1.message(license-request)'));
  assert.ok(steps.includes('E:s1.keystatuseschange(usable×2)'));
  assert.ok(steps.includes('P:s1.closed(closed-by-application)'));
  assert.ok(steps.includes('E:s1.keystatuseschange(empty)'));
  assert.ok(steps.includes('L:s1 HTTP 200'));
});

test('alignment marks missing, extra and reordered steps', () => {
  const ref = ['a', 'b', 'c', 'd'];
  assert.deepEqual(
    alignAgainst(ref, ['a', 'b', 'c', 'd']).filter((x) => !x.shared),
    [],
  );
  assert.deepEqual(
    alignAgainst(ref, ['a', 'c', 'b', 'd'])
      .filter((x) => !x.shared)
      .map((x) => x.step),
    ['b'],
    'one of a swapped pair is off the common order',
  );
  assert.deepEqual(
    alignAgainst(ref, ['a', 'x', 'd'])
      .filter((x) => !x.shared)
      .map((x) => x.step),
    ['x'],
  );
});

test("the cross-browser view highlights Firefox's different order against Chromium's", () => {
  const chromium = fixtureRecord('chromium-fault-wrong-type');
  const firefox = fixtureRecord('firefox-fault-wrong-type');
  const report = (project: string, record: typeof chromium, verdict: 'pass' | 'fail') => ({
    schemaVersion: 1 as const,
    generatedAt: '',
    tool: { name: 'eme-compat' as const, version: '0', playwright: '1' },
    browser: {
      project,
      label: project,
      engine: project,
      name: project,
      version: '1',
      channel: null,
      driver: 'playwright' as const,
      executablePath: null,
      args: [],
      prefs: {},
      userAgent: null,
    },
    environment: { os: '', node: '', ci: false },
    run: { startedAt: '', durationMs: 0, browserSet: 'debian' },
    summary: { pass: 0, fail: 0, unsupported: 0, error: 0, crash: 0, timeout: 0, total: 1 },
    scenarios: [
      {
        id: 'faults.wrong-type',
        title: '',
        group: 'G',
        spec: [],
        verdict,
        reason: '',
        expected: { verdicts: [verdict] },
        checks: [],
        durationMs: 0,
        attempts: [verdict],
        environment: null,
        record,
      },
    ],
  });
  const html = renderCrossBrowser([report('chromium', chromium, 'fail'), report('firefox', firefox, 'pass')]);
  // Chromium's update resolves where Firefox's rejects with TypeError: that step must be highlighted.
  assert.match(html, /<li class="diff">s1\.update ✗ TypeError<\/li>/);
  assert.match(html, /step\(s\) differ/);
});
