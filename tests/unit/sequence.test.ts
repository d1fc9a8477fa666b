import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignAgainst,
  alignSequences,
  canonicalSteps,
  emeSteps,
  raceGroups,
  toMermaid,
  toSteps,
} from '../../report/sequence.ts';
import { renderCrossBrowser } from '../../report/html.ts';
import { fixtureRecord, syntheticReport } from './helpers.ts';

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

function report(project: string, record: ReturnType<typeof fixtureRecord>, verdict: 'pass' | 'fail', id: string) {
  const r = syntheticReport(project, [{ id, verdict, expected: [verdict] }]);
  r.scenarios[0]!.record = record;
  return r;
}

test("Firefox's missing second keystatuseschange shows as missing against Chromium, and the other way round as extra", () => {
  const chromium = toSteps(fixtureRecord('chromium-keystatuseschange-count').page!.entries);
  const firefox = toSteps(fixtureRecord('firefox-keystatuseschange-count').page!.entries);
  const rows = alignSequences([chromium, firefox], 0);
  const missing = rows.filter((r) => r.cells[1]?.status === 'missing');
  assert.deepEqual(
    missing.map((r) => r.cells[1]!.step),
    ['E:s1.keystatuseschange(usable×2)'],
  );
  // Row by row: the missing step sits on the row of Chromium's second keystatuseschange, after the second update.
  const at = rows.indexOf(missing[0]!);
  assert.equal(rows[at - 1]!.cells[0]!.step, 's1.update ✓');
  assert.equal(rows[at - 1]!.cells[1]!.status, 'same');
  assert.equal(rows.length, chromium.length, 'nothing extra: every row is a Chromium step');
  // With Firefox as the reference, Chromium's second event is extra (the user chooses the reference).
  const other = alignSequences([chromium, firefox], 1);
  assert.deepEqual(
    other.filter((r) => r.cells[0]?.status === 'extra').map((r) => r.cells[0]!.step),
    ['E:s1.keystatuseschange(usable×2)'],
  );
  assert.equal(other.filter((r) => r.cells[0]?.status === 'missing').length, 0);
});

test('orders the spec leaves open are races, not differences: message vs generateRequest, update vs keystatuseschange', () => {
  const newOrder = [
    's1.generateRequest ✓',
    'E:s1.message(license-request)',
    'L:s1 HTTP 200',
    's1.update ✓',
    'E:s1.keystatuseschange(usable)',
  ];
  const oldOrder = [
    'E:s1.message(license-request)',
    's1.generateRequest ✓',
    'L:s1 HTTP 200',
    'E:s1.keystatuseschange(usable)',
    's1.update ✓',
  ];
  assert.deepEqual(raceGroups(newOrder), [0, 0, -1, 1, 1]);
  const rows = alignSequences([newOrder, oldOrder], 0);
  assert.equal(rows.length, 5);
  assert.ok(
    rows.every((r) => r.cells[1]!.status === 'same'),
    'no step differs',
  );
  assert.deepEqual(rows[0]!.cells[1]!.race, ['E:s1.message(license-request)', 's1.generateRequest ✓']);
  assert.equal(rows[2]!.cells[1]!.race, undefined, 'the license answer races nothing');
  // Another session's steps never race, nor do a real difference inside a group.
  assert.deepEqual(raceGroups(['s1.update ✓', 'E:s2.keystatuseschange(usable)']), [-1, -1]);
  const broken = alignSequences([newOrder, ['s1.generateRequest ✗ TypeError', ...newOrder.slice(1)]], 0);
  assert.equal(broken[0]!.cells[1]!.status, 'different');
  assert.equal(broken[0]!.cells[1]!.instead, 's1.generateRequest ✓');
});

test('close, closed and the empty keystatuseschange race in any order', () => {
  const a = ['s1.close ✓', 'P:s1.closed(closed-by-application)', 'E:s1.keystatuseschange(empty)'];
  const b = ['P:s1.closed(closed-by-application)', 'E:s1.keystatuseschange(empty)', 's1.close ✓'];
  assert.deepEqual(raceGroups(b), [0, 0, 0]);
  assert.deepEqual(
    alignSequences([a, b], 0).map((r) => r.cells[1]!.status),
    ['same', 'same', 'same'],
  );
});

test('a recorded timeline becomes a Mermaid sequence diagram between page, CDM and license server', () => {
  const text = toMermaid(fixtureRecord('chromium-temporary-keyids').page!.entries);
  const lines = text.split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  assert.ok(lines.some((l) => /participant License as License server/.test(l)));
  assert.ok(lines.some((l) => /Page->>CDM: s1\.generateRequest\(\)/.test(l)));
  assert.ok(lines.some((l) => /CDM-\)Page: event s1\.message\(license-request\)/.test(l)));
  assert.ok(lines.some((l) => /Page->>License: POST license/.test(l)));
  assert.ok(lines.some((l) => /License-->>Page: HTTP 200/.test(l)));
  assert.ok(
    lines.every((l) => !/[;#]/.test(l)),
    'no Mermaid statement or entity syntax in messages',
  );
  const short = toMermaid(fixtureRecord('chromium-temporary-keyids').page!.entries, { max: 3 });
  assert.match(short, /Note over Page,License: \d+ more steps not drawn/);
});

test('the cross-browser view shows the missing step, marks races, and lets the reader pick the reference', () => {
  const id = 'session.keystatuseschange-count';
  const html = renderCrossBrowser([
    report('chromium', fixtureRecord('chromium-keystatuseschange-count'), 'pass', id),
    report('firefox', fixtureRecord('firefox-keystatuseschange-count'), 'pass', id),
  ]);
  assert.match(html, /<td class="missing">— missing: E:s1\.keystatuseschange\(usable×2\)<\/td>/);
  assert.match(html, /<option value="firefox">firefox<\/option>/);
  assert.match(html, /data-counts="firefox">1 missing</);
  // With Firefox as the reference, Chromium's extra step shows instead.
  assert.match(html, /<td class="extra">\+ E:s1\.keystatuseschange\(usable×2\)<\/td>/);
});

test("the cross-browser view shows Chromium lacks Firefox's TypeError from update() and its retry", () => {
  const id = 'faults.wrong-type';
  const html = renderCrossBrowser([
    report('chromium', fixtureRecord('chromium-fault-wrong-type'), 'fail', id),
    report('firefox', fixtureRecord('firefox-fault-wrong-type'), 'pass', id),
  ]);
  // Firefox passed, so it is the default reference: Chromium never rejected the wrong-type license, so
  // neither the TypeError nor the retried license request is in its sequence.
  const auto = html.slice(html.indexOf('data-ref="auto"'), html.indexOf('data-ref="chromium"'));
  assert.match(auto, /<td class="missing">— missing: s1\.update ✗ TypeError<\/td>/);
  assert.match(auto, /data-counts="chromium">2 missing, \d+ in another order the spec allows</);
});

test('the EME steps the dashboard compares ignore races, other sessions interleaving and media element timing', () => {
  const a = [
    's1.generateRequest ✓',
    'E:s1.message(license-request)',
    'E:video.waitingforkey',
    's2.generateRequest ✓',
    'L:s1 HTTP 200',
    's1.update ✓',
    'E:s1.keystatuseschange(usable)',
  ];
  const b = [
    'E:s1.message(license-request)',
    's2.generateRequest ✓',
    's1.generateRequest ✓',
    'L:s1 HTTP 200',
    'E:video.waitingforkey',
    'E:video.waitingforkey',
    'E:s1.keystatuseschange(usable)',
    's1.update ✓',
  ];
  assert.deepEqual(emeSteps(a), emeSteps(b));
  assert.deepEqual(canonicalSteps(['E:s1.message(license-request)', 's1.generateRequest ✓']), [
    's1.generateRequest ✓',
    'E:s1.message(license-request)',
  ]);
  // A closed reason that changed, a missing event, a call on the element: real differences.
  assert.notDeepEqual(emeSteps(['P:s1.closed(undefined)']), emeSteps(['P:s1.closed(closed-by-application)']));
  assert.notDeepEqual(emeSteps(a), emeSteps(a.slice(0, -1)));
  assert.ok(emeSteps(['video.setMediaKeys ✓']).includes('video.setMediaKeys ✓'));
});
