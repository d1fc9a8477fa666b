import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePersistentLifecycle, judgeTemporaryLifecycle } from '../../harness/judge/lifecycle.ts';
import { find, fixtureRecord, moveAfter, withEntries } from './helpers.ts';

const failed = (j: { checks: { id: string; ok: boolean; level: string }[] }) =>
  j.checks.filter((c) => !c.ok && c.level === 'must').map((c) => c.id);

test('real Chromium and Firefox temporary lifecycles pass', () => {
  for (const name of ['chromium-temporary-keyids', 'firefox-temporary-cenc']) {
    const j = judgeTemporaryLifecycle(fixtureRecord(name));
    assert.equal(j.verdict, 'pass', `${name}: ${j.reason}`);
    assert.deepEqual(failed(j), []);
  }
});

test('update() resolving after keystatuseschange is accepted but noted (advisory)', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const entries = record.page!.entries;
  const updateResult = entries.find((e) => e.type === 'result' && e.name === 'update')!;
  const usable = entries.find((e) => e.type === 'event' && e.name === 'keystatuseschange')!;
  const swapped = moveAfter(record, updateResult.seq, usable.seq);
  const j = judgeTemporaryLifecycle(swapped);
  assert.equal(j.verdict, 'pass', j.reason);
  const order = j.checks.find((c) => c.id === 'update-then-keystatuseschange')!;
  assert.equal(order.ok, false);
  assert.equal(order.level, 'advisory');
});

test('a message before generateRequest resolves breaks the strict order', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const gen = find(record.page!.entries, 's1', 'generateRequest', 'result');
  const message = find(record.page!.entries, 's1', 'message', 'event');
  const early = moveAfter(record, gen.seq, message.seq);
  const j = judgeTemporaryLifecycle(early);
  assert.equal(j.verdict, 'fail');
  assert.deepEqual(failed(j), ['message-after-generateRequest']);
});

test('a wrong closed reason fails with expected and observed', () => {
  const record = withEntries(fixtureRecord('firefox-temporary-cenc'), (es) =>
    es.map((e) => (e.type === 'promise' && e.name === 'closed' ? { ...e, value: { undefined: true } } : e)),
  );
  const j = judgeTemporaryLifecycle(record);
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /closed-by-application/);
  assert.match(j.reason, /observed resolved with \{"undefined":true\}/);
});

test('a missing empty keystatuseschange after close fails', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const close = find(record.page!.entries, 's1', 'close', 'call');
  const j = judgeTemporaryLifecycle(
    withEntries(record, (es) => es.filter((e) => !(e.name === 'keystatuseschange' && e.seq > close.seq))),
  );
  assert.deepEqual(failed(j), ['empty-keystatuses-on-close']);
});

test('events after the session closed fail "nothing-after-closed"', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const j = judgeTemporaryLifecycle(
    withEntries(record, (es) => {
      const last = es.at(-1)!;
      const extra = { ...find(es, 's1', 'keystatuseschange', 'event'), seq: last.seq + 1, t: last.t + 1 };
      return [...es, extra];
    }),
  );
  assert.deepEqual(failed(j), ['nothing-after-closed']);
});

test('a request body with padded or wrong kids fails the Clear Key format rule', () => {
  const record = withEntries(fixtureRecord('chromium-temporary-keyids'), (es) =>
    es.map((e) =>
      e.name === 'message' && e.data
        ? { ...e, data: { ...e.data, message: { json: { kids: ['AAAAAAAAAAAAAAAAAAAAAA=='], type: 'temporary' } } } }
        : e,
    ),
  );
  const j = judgeTemporaryLifecycle(record);
  assert.ok(failed(j).includes('request-format'), j.reason);
  assert.ok(failed(j).includes('wire-matches-message'), 'page bytes no longer match the server view');
});

test('keys that never become usable fail with the last statuses seen', () => {
  const record = withEntries(fixtureRecord('firefox-temporary-cenc'), (es) =>
    es.map((e) =>
      e.session
        ? {
            ...e,
            session: {
              ...e.session,
              keyStatuses: Object.fromEntries(Object.keys(e.session.keyStatuses).map((k) => [k, 'internal-error'])),
            },
          }
        : e,
    ),
  );
  const j = judgeTemporaryLifecycle(record);
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /every key usable/);
  assert.match(j.reason, /internal-error/);
});

test('WebKitGTK without EME is unsupported with the true reason', () => {
  const j = judgeTemporaryLifecycle(fixtureRecord('webkit-temporary-keyids'));
  assert.equal(j.verdict, 'unsupported');
  assert.match(j.reason, /navigator\.requestMediaKeySystemAccess is undefined/);
});

test('a run whose page never reported is an error, not a fail', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const j = judgeTemporaryLifecycle({ ...record, finished: false, page: null, joined: [] });
  assert.equal(j.verdict, 'error');
});

test('a harness fault in the page is an error', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const j = judgeTemporaryLifecycle({
    ...record,
    page: { ...record.page!, outcome: { status: 'harness-error', reason: 'TypeError: x is undefined' } },
  });
  assert.equal(j.verdict, 'error');
  assert.match(j.reason, /TypeError: x is undefined/);
});

test("Firefox's persistent lifecycle fails on the missing release, and says so", () => {
  const j = judgePersistentLifecycle(fixtureRecord('firefox-persistent'));
  assert.equal(j.verdict, 'fail');
  assert.ok(failed(j).includes('keys-released'));
  assert.ok(failed(j).includes('license-release-message'));
  const passed = j.checks.filter((c) => c.ok).map((c) => c.id);
  assert.ok(passed.includes('load-finds-session'), 'load(sessionId) found the stored license');
});

test('a page the driver saw crash is a crash verdict; one that hung is a timeout', () => {
  const record = fixtureRecord('chromium-temporary-keyids');
  const lost = (reason: 'crash' | 'timeout') => ({
    ...record,
    finished: false,
    page: null,
    joined: [],
    evidence: [{ kind: 'page-lost' as const, reason, detail: `page ${reason}` }],
  });
  assert.equal(judgeTemporaryLifecycle(lost('crash')).verdict, 'crash');
  assert.equal(judgeTemporaryLifecycle(lost('timeout')).verdict, 'timeout');
  assert.equal(
    judgeTemporaryLifecycle({ ...record, finished: false, status: 'incomplete', page: null, joined: [] }).verdict,
    'error',
  );
});
