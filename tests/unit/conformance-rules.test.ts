// The conformance and interface-shape rules (harness/judge/conformance.ts, idl.ts) on records from real
// browsers (tests/fixtures), and on those records edited the way a browser that breaks the rule would
// have recorded them: each rule must pass the conforming record and fail the edited one, naming the
// algorithm step, and keep the browser's own error text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, findScenario } from '../../harness/catalog.ts';
import { judgeScenario, type Judgement } from '../../harness/judge/index.ts';
import type { PageEntry, RunRecord } from '../../model/record.ts';
import { find, fixtureRecord, moveAfter, withEntries } from './helpers.ts';
import { checkOf } from './judging.ts';

function judge(id: string, record: RunRecord): Judgement {
  const scenario = findScenario(id);
  assert.ok(scenario, `the catalog has ${id}`);
  return judgeScenario(scenario, record);
}

/** The seq of the call tagged with a case id. */
const tagged = (entries: PageEntry[], caseId: string) => {
  const call = entries.find((e) => e.type === 'call' && e.data?.['case'] === caseId);
  assert.ok(call, `a call tagged ${caseId}`);
  return call.seq;
};

// ---- close() on a session that never got keys ----

test('close-without-keys: Chromium queues the empty keystatuseschange and passes; without it the rule fails citing Session Closed step 5', () => {
  const record = fixtureRecord('chromium-close-without-keys');
  assert.equal(judge('session.close-without-keys', record).verdict, 'pass');
  const edited = withEntries(record, (entries) =>
    entries.filter((e) => !(e.type === 'event' && e.name === 'keystatuseschange')),
  );
  const j = judge('session.close-without-keys', edited);
  assert.equal(j.verdict, 'fail');
  const c = checkOf(j, 'empty-keystatuses-without-keys');
  assert.equal(c.ok, false);
  assert.equal(c.spec, '#session-closed');
  assert.match(c.step ?? '', /^step 5/);
});

test('close-without-keys: Firefox fires no keystatuseschange for a key-less session, a fail', () => {
  const j = judge('session.close-without-keys', fixtureRecord('firefox-close-without-keys'));
  assert.equal(j.verdict, 'fail');
  assert.equal(checkOf(j, 'empty-keystatuses-without-keys').observed, 'no such event');
  assert.equal(j.difference, 'spec-deviation');
});

test('close-without-keys: a message after close() fails', () => {
  const record = fixtureRecord('chromium-close-without-keys');
  const edited = withEntries(record, (entries) => {
    const message = find(entries, 's1', 'message', 'event');
    const last = Math.max(...entries.map((e) => e.seq));
    return [...entries, { ...message, seq: last + 1, t: message.t + 500 }];
  });
  assert.equal(checkOf(judge('session.close-without-keys', edited), 'no-message-after-close').ok, false);
});

// ---- remove() on a live temporary session ----

test("remove-temporary: Chromium marks the key 'released', sends nothing and stays open: pass", () => {
  const j = judge('session.remove-temporary', fixtureRecord('chromium-remove-temporary'));
  assert.equal(j.verdict, 'pass', j.reason);
  assert.match(checkOf(j, 'keys-destroyed-on-remove').step ?? '', /4\.5\.1/);
});

test("remove-temporary: an emptied map is accepted too (Clear Key's section); statuses left 'usable' fail", () => {
  const record = fixtureRecord('chromium-remove-temporary');
  const afterRemove = (edit: (e: PageEntry) => PageEntry) =>
    withEntries(record, (entries) => {
      const remove = tagged(entries, 'remove');
      const closeCall = tagged(entries, 'close-after-remove');
      return entries.map((e) =>
        e.type === 'event' && e.name === 'keystatuseschange' && e.seq > remove && e.seq < closeCall ? edit(e) : e,
      );
    });
  const emptied = afterRemove((e) => ({ ...e, session: { ...e.session!, keyStatuses: {}, size: 0 } }));
  assert.equal(checkOf(judge('session.remove-temporary', emptied), 'keys-destroyed-on-remove').ok, true);
  const usable = afterRemove((e) => ({
    ...e,
    session: {
      ...e.session!,
      keyStatuses: Object.fromEntries(Object.keys(e.session!.keyStatuses).map((k) => [k, 'usable'])),
    },
  }));
  const j = judge('session.remove-temporary', usable);
  assert.equal(j.verdict, 'fail');
  assert.equal(checkOf(j, 'keys-destroyed-on-remove').ok, false);
});

test('remove-temporary: Firefox refuses remove() on a temporary session with InvalidAccessError, kept in the reason', () => {
  const j = judge('session.remove-temporary', fixtureRecord('firefox-remove-temporary'));
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /InvalidAccessError: Calling MediaKeySession\.remove\(\) on non-persistent session/);
  assert.match(j.reason, /#dom-mediakeysession-remove step 4\.4\.1\.2/);
});

// ---- an identical license applied twice ----

test('identical-license: Chromium fires keystatuseschange again for the same license, a fail citing update() step 6.8.1.1', () => {
  const j = judge('session.identical-license-twice', fixtureRecord('chromium-identical-license'));
  assert.equal(j.verdict, 'fail');
  const c = checkOf(j, 'no-event-for-same-license');
  assert.match(c.step ?? '', /6\.8\.1\.1/);
  assert.match(c.observed, /^1 event\(s\)/);
});

test('identical-license: without that event Chromium would pass; Firefox fires none and passes', () => {
  const record = fixtureRecord('chromium-identical-license');
  const edited = withEntries(record, (entries) => {
    const again = tagged(entries, 'update-again');
    return entries.filter((e) => !(e.type === 'event' && e.name === 'keystatuseschange' && e.seq > again));
  });
  assert.equal(judge('session.identical-license-twice', edited).verdict, 'pass');
  assert.equal(judge('session.identical-license-twice', fixtureRecord('firefox-identical-license')).verdict, 'pass');
});

// ---- generateRequest() then close() ----

test('generate-then-close: Chromium refuses close() in the same task (InvalidStateError) and closes cleanly after: pass', () => {
  const j = judge('session.generate-then-close', fixtureRecord('chromium-generate-then-close'));
  assert.equal(j.verdict, 'pass', j.reason);
  assert.equal(checkOf(j, 'request-after-refused-close').ok, true);
});

test('generate-then-close: a message after closed fails', () => {
  const record = fixtureRecord('chromium-generate-then-close');
  const entries = record.page!.entries;
  const message = entries.find((e) => e.type === 'event' && e.name === 'message' && e.target === 's2')!;
  const closed = entries.find((e) => e.type === 'promise' && e.name === 'closed' && e.target === 's2')!;
  const moved = moveAfter(record, message.seq, closed.seq);
  assert.equal(checkOf(judge('session.generate-then-close', moved), 'nothing-after-closed').ok, false);
});

// ---- interface shape ----

test('idl.interfaces: Chromium shows every interface and member as the IDL declares; one check per member', () => {
  const j = judge('idl.interfaces', fixtureRecord('chromium-idl-interfaces'));
  assert.equal(j.verdict, 'pass', j.reason);
  assert.equal(j.checks.filter((c) => c.id.startsWith('member:')).length, 30);
  assert.equal(j.checks.filter((c) => c.id.startsWith('interface:')).length, 8);
  assert.ok(j.checks.filter((c) => c.id.startsWith('too-few:')).length >= 10);
});

test('idl.interfaces: a member with the wrong length, or a readonly attribute with a setter, fails naming it', () => {
  const record = fixtureRecord('chromium-idl-interfaces');
  const edit = (caseId: string, change: (value: Record<string, unknown>) => Record<string, unknown>) =>
    withEntries(record, (entries) => {
      const seq = tagged(entries, caseId);
      return entries.map((e) =>
        e.type === 'result' && e.of === seq ? { ...e, value: change(e.value as Record<string, unknown>) } : e,
      );
    });
  const longer = judge(
    'idl.interfaces',
    edit('member:MediaKeySession.generateRequest', (v) => ({ ...v, length: 1 })),
  );
  assert.equal(longer.verdict, 'fail');
  assert.match(checkOf(longer, 'member:MediaKeySession.generateRequest').observed, /length: expected 2, saw 1/);
  const settable = judge(
    'idl.interfaces',
    edit('member:MediaKeySession.sessionId', (v) => ({ ...v, set: 'function' })),
  );
  assert.match(checkOf(settable, 'member:MediaKeySession.sessionId').observed, /set: expected "undefined"/);
});

test('idl.secure-context: Firefox exposes the [SecureContext] names to an insecure frame, a fail; a secure frame measures nothing', () => {
  const record = fixtureRecord('firefox-idl-secure-context');
  const j = judge('idl.secure-context', record);
  assert.equal(j.verdict, 'fail');
  assert.equal(checkOf(j, 'exposed:MediaEncryptedEvent').ok, true, 'MediaEncryptedEvent is not [SecureContext]');
  assert.equal(checkOf(j, 'exposed:MediaKeys').ok, false);
  const secureFrame = withEntries(record, (entries) => {
    const seq = tagged(entries, 'frame:secure-context');
    return entries.map((e) => (e.type === 'result' && e.of === seq ? { ...e, value: true } : e));
  });
  assert.equal(judge('idl.secure-context', secureFrame).verdict, 'not-measurable');
});

// ---- the catalog entries ----

test('every conformance case names its anchor; advisory ones say why; case checks carry the step', () => {
  const scenarios = SCENARIOS.filter((s) => s.rules.by === 'conformance');
  assert.equal(scenarios.length, 12);
  for (const s of scenarios) {
    for (const [id, rule] of Object.entries(s.cases ?? {})) {
      assert.match(rule.spec, /^#[a-z0-9-]+$/, `${s.id} ${id}: a spec anchor`);
      if (rule.advisory !== undefined) assert.ok(rule.advisory.length > 20, `${s.id} ${id}: why it is advisory`);
    }
  }
  const j = judge('session.remove-temporary', fixtureRecord('chromium-remove-temporary'));
  assert.match(checkOf(j, 'case:remove').step ?? '', /step 4\.4\.1\.2/);
});
