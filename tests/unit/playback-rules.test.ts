import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import type { RunRecord } from '../../model/record.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

const judge = (id: string, record: RunRecord) => judgeScenario(findScenario(id)!, record);
const failed = (j: { checks: { id: string; ok: boolean; level: string }[] }) =>
  j.checks.filter((c) => !c.ok && c.level === 'must').map((c) => c.id);

test('a real Chromium cenc playback passes with its picture evidence', () => {
  const j = judge('playback.cenc', fixtureRecord('chromium-playback-cenc'));
  assert.equal(j.verdict, 'pass', j.reason);
});

test('a picture unlike the clear rendition fails the picture check', () => {
  const record = fixtureRecord('chromium-playback-cenc');
  const garbled = { ...record, evidence: record.evidence.map((e) => ({ ...e, meanAbsDiff: 40, maxAbsDiff: 255 })) };
  const j = judge('playback.cenc', garbled);
  assert.deepEqual(failed(j), ['picture-matches-clear']);
  const blank = { ...record, evidence: record.evidence.map((e) => ({ ...e, stdDev: 0 })) };
  assert.ok(failed(judge('playback.cenc', blank)).includes('picture-not-blank'));
  assert.ok(failed(judge('playback.cenc', { ...record, evidence: [] })).includes('picture-taken'));
});

test('playback that never passes 1 s, or raises a media error, fails', () => {
  const record = fixtureRecord('chromium-playback-cenc');
  const stalled = withEntries(record, (es) =>
    es.filter((e) => !(e.name === 'progress' && (e.data?.['milestone'] as number) >= 1)),
  );
  assert.ok(failed(judge('playback.cenc', stalled)).includes('progress'));
  const broken = withEntries(record, (es) => [
    ...es,
    {
      seq: es.length,
      t: 9999,
      type: 'event',
      target: 'video',
      name: 'error',
      data: { code: 3, message: 'PIPELINE_ERROR_DECODE' },
    },
  ]);
  const j = judge('playback.cenc', broken);
  assert.ok(failed(j).includes('no-media-error'));
  assert.match(j.reason, /PIPELINE_ERROR_DECODE/);
});

test("'encrypted' with init data other than the media's fails", () => {
  const record = withEntries(fixtureRecord('chromium-playback-cenc'), (es) =>
    es.map((e) => (e.name === 'encrypted' ? { ...e, data: { ...e.data, initData: { base64: 'AAAA' } } } : e)),
  );
  assert.ok(failed(judge('playback.cenc', record)).includes('encrypted-init-data'));
});

test('the wrong-key control passes when decoding fails, and fails if the clear picture appears', () => {
  const record = fixtureRecord('chromium-playback-wrong-key');
  const j = judge('playback.wrong-key', record);
  assert.equal(j.verdict, 'pass', j.reason);
  assert.match(String(j.findings?.['browserError'] ?? ''), /MediaError|decode/i);
  // A run that decoded the clear picture (a real cenc playback) must fail the control's main rule.
  assert.ok(
    failed(judge('playback.wrong-key', fixtureRecord('chromium-playback-cenc'))).includes('wrong-key-not-decoded'),
  );
});

test('waiting for a key: waitingforkey must come while the license is held', () => {
  const record = fixtureRecord('firefox-playback-waiting');
  assert.equal(judge('playback.waiting-for-key', record).verdict, 'pass');
  const noWait = withEntries(record, (es) => es.filter((e) => e.name !== 'waitingforkey'));
  assert.ok(failed(judge('playback.waiting-for-key', noWait)).includes('waitingforkey-before-license'));
});

test('key rotation needs the second waitingforkey and one key per session', () => {
  const record = fixtureRecord('chromium-playback-rotation');
  assert.equal(judge('playback.key-rotation', record).verdict, 'pass');
  const noWait = withEntries(record, (es) =>
    es.map((e) => (e.name === 'rotation-request' ? { ...e, data: { ...e.data, afterWaiting: null } } : e)),
  );
  assert.ok(failed(judge('playback.key-rotation', noWait)).includes('waits-at-next-key'));
});
