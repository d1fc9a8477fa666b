import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffExpectations, gateReports, proposeExpectations } from '../../report/gate.ts';
import { Expectations, type ExpectationFile } from '../../harness/expectations.ts';
import type { CompatReport } from '../../model/results.ts';
import type { Verdict } from '../../model/verdict.ts';
import { syntheticReport } from './helpers.ts';

function report(verdicts: Record<string, Verdict>): CompatReport {
  return syntheticReport(
    'chromium',
    Object.entries(verdicts).map(([id, verdict]) => ({ id, verdict })),
    { label: 'c' },
  );
}
const file = (expectations: ExpectationFile['expectations']): ExpectationFile => ({
  schemaVersion: 1,
  project: 'chromium',
  expectations,
});

test('the gate flags regressions and unexpected passes against the current expectations', () => {
  const expectations = new Expectations(
    file({
      a: { verdicts: ['unsupported'], reason: 'no CDM' },
      b: { verdicts: ['fail', 'pass'], reason: 'intermittent' },
    }),
    'x.json',
  );
  const findings = gateReports([report({ a: 'pass', b: 'pass', c: 'fail', d: 'pass' })], () => expectations);
  assert.deepEqual(
    findings.map((f) => [f.scenario, f.kind]),
    [
      ['a', 'unexpected-pass'],
      ['c', 'regression'],
    ],
  );
  assert.deepEqual(
    gateReports([report({ a: 'unsupported', b: 'fail', c: 'pass' })], () => expectations),
    [],
  );
});

test('regenerating keeps intermittents and reasons that still hold, and shows the diff', () => {
  const current = file({
    a: { verdicts: ['unsupported'], reason: 'no CDM', bug: 'https://bugs.example/1' },
    b: { verdicts: ['fail', 'pass'], reason: 'flaky' },
    gone: { verdicts: ['fail'], reason: 'fixed since' },
  });
  const proposed = proposeExpectations(report({ a: 'unsupported', b: 'pass', gone: 'pass', c: 'timeout' }), current);
  assert.deepEqual(proposed.expectations['a'], current.expectations['a'], 'bug link kept');
  assert.deepEqual(proposed.expectations['b'], current.expectations['b'], 'intermittent kept');
  assert.equal(proposed.expectations['gone'], undefined);
  assert.deepEqual(proposed.expectations['c'], { verdicts: ['timeout'], reason: 'observed timeout' });
  assert.deepEqual(diffExpectations(current, proposed), [
    '+ c: timeout (observed timeout)',
    '- gone: was fail, now expected to pass',
  ]);
  assert.deepEqual(
    diffExpectations(proposed, proposeExpectations(report({ a: 'unsupported', b: 'fail', c: 'timeout' }), proposed)),
    [],
    'a second run with the same verdicts changes nothing',
  );
});

test('a verdict that changed between attempts is flagged flaky, unless listed as intermittent', () => {
  const r = report({ a: 'pass' });
  r.scenarios[0]!.attempts = ['fail', 'pass'];
  const strict = new Expectations(file({}), 'x.json');
  assert.deepEqual(
    gateReports([r], () => strict).map((f) => [f.scenario, f.kind, f.reason]),
    [['a', 'flaky', 'attempts: fail → pass']],
  );
  const known = new Expectations(file({ a: { verdicts: ['pass', 'fail'], reason: 'known intermittent' } }), 'x.json');
  assert.deepEqual(
    gateReports([r], () => known),
    [],
  );
});

test('conditional expectations pick the entry for a channel and version range', () => {
  const exp = new Expectations(
    file({
      'probe.widevine': {
        verdicts: ['unsupported'],
        reason: 'no CDM',
        when: [
          { if: { channel: 'chrome' }, verdicts: ['pass'], reason: 'branded Chrome ships Widevine' },
          { if: { minVersion: 200 }, verdicts: ['fail'], reason: 'a future regression' },
        ],
      },
    }),
    'x.json',
  );
  assert.deepEqual(exp.for('probe.widevine', { channel: null, version: '156.0.1' }).verdicts, ['unsupported']);
  assert.deepEqual(exp.for('probe.widevine', { channel: 'chrome', version: '156.0.1' }).verdicts, ['pass']);
  assert.deepEqual(exp.for('probe.widevine', { channel: null, version: '201.0' }).verdicts, ['fail']);
  assert.match(exp.for('probe.widevine', { channel: 'chrome', version: '1' }).source, /when \{"channel":"chrome"\}/);
  // Regeneration keeps a conditional entry that already covers the run.
  const r = report({ 'probe.widevine': 'pass' });
  r.browser.channel = 'chrome';
  assert.deepEqual(diffExpectations(exp.file, proposeExpectations(r, exp.file)), []);
});
