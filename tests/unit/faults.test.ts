import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunFaults, faultyAnswer } from '../../server/faults.ts';
import { FaultRules, type Fault } from '../../model/faults.ts';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

const license = {
  keys: [{ kty: 'oct', kid: 'AAAAAAAAAAAAAAAAAAAAAA', k: 'AQEBAQEBAQEBAQEBAQEBAQ' }],
  type: 'temporary',
};

test('a fault hits the nth matching message, and sticks to the page request it hit', () => {
  const faults = new RunFaults(
    FaultRules.parse([{ fault: { kind: 'status', status: 500 }, on: 'license-request', nth: 2 }]),
  );
  assert.equal(faults.for('license-request', 1), null);
  assert.equal(faults.for('license-release', 2), null, 'other message types do not count');
  assert.equal(faults.for('license-request', 3)?.fault.kind, 'status');
  assert.equal(
    faults.for('license-request', 3)?.fault.kind,
    'status',
    'a browser re-send of request 3 gets the same fault',
  );
  assert.equal(faults.for('license-request', 4), null);
});

test('fault rules are validated', () => {
  assert.throws(() => FaultRules.parse([{ fault: { kind: 'explode' } }]));
  assert.throws(() => FaultRules.parse([{ fault: { kind: 'delay', ms: 999_999 } }]));
  assert.throws(() => FaultRules.parse([{ fault: { kind: 'status', status: 200 } }]), 'only error statuses');
  assert.equal(FaultRules.parse([{ fault: { kind: 'hang' } }])[0]?.fault.kind, 'hang');
});

test('each body fault changes what the client receives, as named', () => {
  const body = (f: Fault) => faultyAnswer(f, 200, license);
  assert.equal(body({ kind: 'empty-body' }).body.length, 0);
  assert.throws(() => JSON.parse(body({ kind: 'truncated-body' }).body.toString()));
  assert.throws(() => JSON.parse(body({ kind: 'malformed-body' }).body.toString()));
  assert.equal(body({ kind: 'status', status: 503 }).status, 503);
  const parsed = (f: Fault) => JSON.parse(body(f).body.toString());
  assert.notEqual(parsed({ kind: 'wrong-key' }).keys[0].k, license.keys[0]!.k);
  assert.equal(parsed({ kind: 'wrong-key' }).keys[0].kid, license.keys[0]!.kid);
  assert.notEqual(parsed({ kind: 'unknown-kid' }).keys[0].kid, license.keys[0]!.kid);
  assert.deepEqual(parsed({ kind: 'missing-key' }).keys, []);
  assert.equal(parsed({ kind: 'wrong-type' }).type, 'persistent-license');
  assert.deepEqual(parsed({ kind: 'delay', ms: 5 }), license, 'timing faults leave the body alone');
});

const judge = (id: string, name: string) => judgeScenario(findScenario(id)!, fixtureRecord(name));

test('real runs: resets seen by the page, retries recorded; Chromium accepts a wrong license type', () => {
  const reset = judge('faults.connection-reset', 'chromium-fault-reset');
  assert.equal(reset.verdict, 'pass', reset.reason);
  assert.ok(Number(reset.findings?.['serverAttemptsForFirstRequest']) > 1, 'Chromium re-sent the POST itself');
  const chromiumType = judge('faults.wrong-type', 'chromium-fault-wrong-type');
  assert.equal(chromiumType.verdict, 'fail');
  assert.match(chromiumType.reason, /expected rejected with TypeError; observed resolved/);
  assert.equal(judge('faults.wrong-type', 'firefox-fault-wrong-type').verdict, 'pass');
  assert.equal(judge('faults.http-500', 'firefox-fault-http-500').verdict, 'pass');
});

test('an update() made from an HTTP error body, or a session that never recovers, fails', () => {
  const record = fixtureRecord('firefox-fault-http-500');
  const noRetryNote = withEntries(record, (es) => es.filter((e) => e.name !== 'retry'));
  assert.ok(
    judgeScenario(findScenario('faults.http-500')!, noRetryNote).checks.some(
      (c) => c.id === 'no-update-with-error' && !c.ok,
    ),
  );
  const neverUsable = withEntries(record, (es) =>
    es.map((e) => (e.session ? { ...e, session: { ...e.session, keyStatuses: {} } } : e)),
  );
  const j = judgeScenario(findScenario('faults.http-500')!, neverUsable);
  assert.equal(j.verdict, 'fail');
  assert.ok(j.checks.some((c) => c.id === 'session-recovers' && !c.ok));
});
