// The player group's rules (harness/judge/player.ts) on real runs of Shaka Player, dash.js and hls.js
// in Chromium and Firefox, and on those runs edited where the test needs a browser or player to have
// done otherwise: every failure must name its cause (player, browser) with the evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cause } from '../../harness/judge/player.ts';
import { fixtureRecord, withEntries } from './helpers.ts';
import { checkOf, judged } from './judging.ts';

const causeOf = (j: ReturnType<typeof judged>) => j.findings?.['cause'] as Cause | undefined;

test('Shaka (DASH, Chromium) and hls.js (HLS, multi-key, Firefox) pass: conversation, wire, keys, picture', () => {
  for (const name of ['chromium-player-shaka-dash', 'firefox-player-hlsjs-multikey']) {
    const j = judged(fixtureRecord(name));
    assert.equal(j.verdict, 'pass', `${name}: ${j.reason}`);
    assert.equal(checkOf(j, 'eme-conversation').observed, 'all, in order');
    assert.ok(checkOf(j, 'picture-matches-clear').ok);
    assert.ok(checkOf(j, 'probe-agrees-harness').ok);
    const player = j.findings?.['player'] as { name: string; version: string };
    assert.match(player.version, /^\d+\.\d+\.\d+$/);
  }
  // Shaka asks for access through MediaCapabilities: decodingInfo() with a keySystemAccess counts.
  const shaka = fixtureRecord('chromium-player-shaka-dash');
  assert.ok(!shaka.page!.entries.some((e) => e.name === 'requestMediaKeySystemAccess'));
  assert.ok(checkOf(judged(shaka), 'probe-agrees-player'), "Shaka's own probeSupport() claim is compared");
});

test('dash.js handing a pssh box to generateRequest as keyids is the player’s doing, with the rejection as evidence', () => {
  const j = judged(fixtureRecord('firefox-player-dashjs-dash'));
  assert.equal(j.verdict, 'fail');
  assert.equal(j.difference, 'player-limitation');
  assert.equal(causeOf(j)?.by, 'player');
  assert.match(causeOf(j)!.evidence, /not Key IDs JSON as 'keyids'.*TypeError/);
  assert.match(j.reason, /^player limitation \(dashjs 5\.2\.1\)/);
});

test('the same rejection of well-formed keyids init data is the browser’s', () => {
  const record = withEntries(fixtureRecord('firefox-player-dashjs-dash'), (entries) =>
    entries.map((e) =>
      e.type === 'call' && e.name === 'generateRequest'
        ? { ...e, args: ['keyids', { Uint8Array: { bytes: 10, hex: '7b7d', json: { kids: ['AAAA'] } } }] }
        : e,
    ),
  );
  const j = judged(record);
  assert.equal(causeOf(j)?.by, 'browser');
  assert.equal(j.difference, 'spec-deviation');
  assert.match(causeOf(j)!.evidence, /generateRequest.*rejected with TypeError/);
});

test("a player error before any EME call is the player's, named by the player's own code", () => {
  const j = judged(fixtureRecord('chromium-player-shaka-hls'));
  assert.equal(j.verdict, 'fail');
  assert.equal(causeOf(j)?.by, 'player');
  assert.match(causeOf(j)!.evidence, /4026/);
  assert.equal(checkOf(j, 'eme-conversation').ok, false);
});

test('a decode error with every key usable is the browser’s; a missing keystatuseschange breaks the conversation', () => {
  const base = fixtureRecord('chromium-player-shaka-dash');
  const lastSeq = base.page!.entries.at(-1)!.seq;
  const decodeError = withEntries(base, (entries) => [
    ...entries.filter((e) => !(e.target === 'video' && (e.name === 'progress' || e.name === 'picture-ready'))),
    {
      seq: lastSeq + 1,
      t: 9999,
      type: 'event',
      target: 'video',
      name: 'error',
      data: {
        code: 3,
        message: 'decode (edited)',
        state: { currentTime: 0.5, readyState: 2, paused: true, networkState: 2 },
      },
    },
  ]);
  const j = judged(decodeError);
  assert.equal(j.verdict, 'fail');
  assert.equal(causeOf(j)?.by, 'browser');
  assert.match(causeOf(j)!.evidence, /every key usable.*MediaError 3/);
  // The harness's probe said supported and nothing played: the mismatch is reported, as advice.
  const probe = checkOf(j, 'probe-agrees-harness');
  assert.equal(probe.ok, false);
  assert.equal(probe.level, 'advisory');

  const noKeys = withEntries(base, (entries) => entries.filter((e) => e.name !== 'keystatuseschange'));
  const k = judged(noKeys);
  assert.equal(k.verdict, 'fail');
  assert.match(checkOf(k, 'eme-conversation').observed, /update resolved; then no keystatuseschange/);
});

test('a run with no license exchange on the wire fails licenses-served, whatever the page says', () => {
  const j = judged({ ...fixtureRecord('chromium-player-shaka-dash'), exchanges: [] });
  assert.equal(checkOf(j, 'licenses-served').ok, false);
  assert.equal(j.verdict, 'fail');
});

test('where the player failed on its own, the probes are not set against playback (it says nothing of the browser)', () => {
  const j = judged(fixtureRecord('firefox-player-dashjs-dash'));
  assert.equal(
    j.checks.find((c) => c.id.startsWith('probe-agrees')),
    undefined,
  );
  assert.equal((j.findings?.['probes'] as { comparable: boolean } | undefined)?.comparable, false);
});

test("keystatuseschange recorded before update()'s result still completes the conversation (Firefox's order)", () => {
  const base = fixtureRecord('chromium-player-shaka-dash');
  const entries = base.page!.entries;
  const update = entries.find((e) => e.type === 'result' && e.name === 'update')!;
  const change = entries.find((e) => e.name === 'keystatuseschange')!;
  const swapped = withEntries(base, (list) =>
    list.map((e) =>
      e.seq === update.seq ? { ...e, seq: change.seq } : e.seq === change.seq ? { ...e, seq: update.seq } : e,
    ),
  );
  assert.equal(checkOf(judged(swapped), 'eme-conversation').observed, 'all, in order');
});
