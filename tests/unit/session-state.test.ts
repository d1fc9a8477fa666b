// The session-state model (harness/judge/session-state.ts) and the note readers (notes.ts) on timelines
// recorded in real browsers: the states each session went through, where the spec's transitions were
// left, and the run's keys read once from the start note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKeys } from '../../harness/judge/notes.ts';
import { TRANSITIONS, sessionLabels, sessionOf } from '../../harness/judge/session-state.ts';
import { Timeline } from '../../harness/judge/timeline.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

const path = (t: Timeline, label: string) => sessionOf(t, label).transitions.map((x) => `${x.step}→${x.to}`);

test('a temporary session: created → request-generated → licensed → closed', () => {
  for (const name of ['chromium-temporary-keyids', 'firefox-temporary-cenc']) {
    const t = new Timeline(fixtureRecord(name));
    const s = sessionOf(t, 's1');
    assert.deepEqual(path(t, 's1'), ['generateRequest→request-generated', 'update→licensed', 'closed→closed'], name);
    assert.deepEqual(s.departures, [], name);
    assert.equal(s.state(), 'closed');
    const licensed = s.reached('licensed')!;
    assert.equal(s.state(licensed.seq - 1), 'request-generated');
    assert.equal(s.state(licensed.seq), 'licensed');
    assert.ok(s.sessionId.length > 0);
    assert.ok(s.emptiedAfter(s.close!.call.seq), 'closing emptied the key status map');
  }
});

test("Firefox's persistent lifecycle: stored and closed, loaded, removed, never acknowledged; the third load finds nothing", () => {
  const t = new Timeline(fixtureRecord('firefox-persistent'));
  assert.deepEqual(sessionLabels(t), ['s1', 's2', 's3']);
  assert.deepEqual(path(t, 's1'), ['generateRequest→request-generated', 'update→licensed', 'closed→closed']);
  assert.deepEqual(path(t, 's2'), ['load→loaded', 'remove→released']);
  assert.equal(sessionOf(t, 's2').state(), 'released', 'no release acknowledgement closed it');
  assert.equal(sessionOf(t, 's3').state(), 'created', 'load() resolving false leaves the session without a license');
});

test('calls after close() that must reject change nothing; one that resolves is a departure', () => {
  const record = fixtureRecord('chromium-close-rules');
  const t = new Timeline(record);
  assert.equal(sessionOf(t, 's1').state(), 'closed');
  assert.deepEqual(
    sessionOf(t, 's1').departures,
    [],
    'a second close() resolves; update, remove, generateRequest reject',
  );
  const lenient = withEntries(record, (es) =>
    es.map((e) =>
      e.type === 'result' && e.name === 'update' && e.error?.name === 'InvalidStateError'
        ? { ...e, outcome: 'resolved', error: undefined }
        : e,
    ),
  );
  const departures = sessionOf(new Timeline(lenient), 's1').departures;
  assert.deepEqual(
    departures.map((d) => `${d.from}: ${d.step}`),
    ['closed: update'],
  );
  assert.equal(TRANSITIONS.closed.update, undefined);
});

test("the run's keys come from one reader of the start note", () => {
  const t = new Timeline(fixtureRecord('chromium-temporary-keyids'));
  const { byLabel, requested } = runKeys(t);
  assert.equal(requested.length, 2);
  assert.deepEqual(requested, [byLabel['key-1'], byLabel['key-2']]);
  assert.ok(requested.every((k) => /^[0-9a-f]{32}$/.test(k)));
  const noStart = runKeys(
    new Timeline(withEntries(fixtureRecord('chromium-temporary-keyids'), (es) => es.filter((e) => e.name !== 'start'))),
  );
  assert.deepEqual(noStart, { byLabel: {}, requested: [] });
});
