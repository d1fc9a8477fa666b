// The case-table and timeline rules of the session scenarios, on timelines recorded in real browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import type { PageEntry } from '../../model/record.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

const judge = (id: string, fixture: string, edit?: Parameters<typeof withEntries>[1]) => {
  const record = fixtureRecord(fixture);
  return judgeScenario(findScenario(id)!, edit ? withEntries(record, edit) : record);
};

test("session.update-arguments passes on Chromium's recorded answers", () => {
  const j = judge('session.update-arguments', 'chromium-update-arguments');
  assert.equal(j.verdict, 'pass', j.reason);
});

test('an InvalidAccessError where the spec says TypeError fails, naming the error seen', () => {
  const j = judge('session.update-arguments', 'chromium-update-arguments', (entries) =>
    entries.map((e) =>
      e.type === 'result' && e.error?.name === 'TypeError'
        ? { ...e, error: { name: 'InvalidAccessError', message: 'old name' } }
        : e,
    ),
  );
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /expected TypeError; observed rejected with InvalidAccessError/);
});

test('session.close-rules: Chromium passes; Firefox fails with its InvalidAccessError for remove() after close', () => {
  assert.equal(judge('session.close-rules', 'chromium-close-rules').verdict, 'pass');
  const firefox = judge('session.close-rules', 'firefox-close-rules');
  assert.equal(firefox.verdict, 'fail');
  assert.match(firefox.reason, /remove\(\) after close → InvalidStateError.*InvalidAccessError/);
});

test('session.close-rules fails when a message event comes after close()', () => {
  const j = judge('session.close-rules', 'chromium-close-rules', (entries) => {
    const last = entries.at(-1)!;
    const lateMessage = {
      seq: last.seq + 1,
      t: last.t + 1,
      type: 'event' as const,
      target: 's1',
      name: 'message',
      data: { messageType: 'license-request' },
    };
    return [...entries, lateMessage];
  });
  assert.equal(j.verdict, 'fail');
  assert.ok(j.checks.some((c) => c.id === 'nothing-after-close' && !c.ok));
});

test('session.close-rules and the temporary lifecycle share one rule for the empty map after close()', () => {
  // The after-close rule used to exist twice (closed-empties-statuses here, empty-keystatuses-on-close in
  // the lifecycle); both scenarios now run the lifecycle's, under its id.
  const noEmptyMap = (entries: PageEntry[]) => {
    const close = entries.find((e) => e.type === 'call' && e.data?.case === 'close')!;
    return entries.filter((e) => !(e.name === 'keystatuseschange' && e.seq > close.seq));
  };
  const j = judge('session.close-rules', 'chromium-close-rules', noEmptyMap);
  assert.equal(j.verdict, 'fail');
  assert.ok(j.checks.some((c) => c.id === 'empty-keystatuses-on-close' && !c.ok));
  assert.ok(!j.checks.some((c) => c.id === 'closed-empties-statuses'));
  assert.ok(
    judge('session.close-rules', 'chromium-close-rules').checks.some(
      (c) => c.id === 'empty-keystatuses-on-close' && c.ok,
    ),
  );
});

test('session.keystatuseschange-count records the counts and passes in both browsers', () => {
  for (const fixture of ['chromium-keystatuseschange-count', 'firefox-keystatuseschange-count']) {
    const j = judge('session.keystatuseschange-count', fixture);
    assert.equal(j.verdict, 'pass', `${fixture}: ${j.reason}`);
    assert.match(j.checks.find((c) => c.id === 'events-after-update')!.observed, /after update: \d+/);
  }
});

test('session.keystatuseschange-count fails on an individualization-request or an odd intermediate status', () => {
  const withIndividualization = judge(
    'session.keystatuseschange-count',
    'chromium-keystatuseschange-count',
    (entries) =>
      entries.map((e) =>
        e.type === 'event' && e.name === 'message'
          ? { ...e, data: { ...e.data, messageType: 'individualization-request' } }
          : e,
      ),
  );
  assert.equal(withIndividualization.verdict, 'fail');
  const oddStatus = judge('session.keystatuseschange-count', 'chromium-keystatuseschange-count', (entries) => {
    const i = entries.findIndex((e) => e.name === 'keystatuseschange' && (e.session?.size ?? 0) > 0);
    const e = entries[i]!;
    entries[i] = {
      ...e,
      session: {
        ...e.session!,
        keyStatuses: Object.fromEntries(Object.keys(e.session!.keyStatuses).map((k) => [k, 'internal-error'])),
      },
    };
    return entries;
  });
  assert.equal(oddStatus.verdict, 'fail');
  assert.ok(oddStatus.checks.some((c) => c.id === 'intermediate-statuses' && !c.ok));
});
