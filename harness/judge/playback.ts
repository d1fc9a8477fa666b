// Rules for encrypted playback (SCENARIOS groups E, F, H). The media manifest says what the browser
// should see ('encrypted' init data, keys); the timeline says what it did; the picture evidence says
// whether what it decoded is the clear picture.
import type { AssetInfo } from '../../model/manifest.ts';
import { recordedFault } from '../../model/faults.ts';
import type { PlaybackMode } from '../../model/page-params.ts';
import type { EventName, EventOf, LicenseEntry, PageEntry, RunRecord } from '../../model/record.ts';
import { licenseReleased, pictureNote, rotationWaiting } from './notes.ts';
import { messageJson, sessionLabels, sessionOf, usableKeyIds } from './session-state.ts';
import { Timeline, describeSettled, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

export interface PlaybackExpectation {
  asset: AssetInfo;
  mode: PlaybackMode;
  /** The progress milestone (seconds) playback must reach. */
  target: number;
  /** Key store label → hex key id, to name keys in the rules. */
  keyIds: Record<string, string>;
}

/** Largest mean absolute RGB difference still taken as "the same picture" (Firefox's VP9 path differs by ~8). */
export const PICTURE_THRESHOLD = 12;
/** Below this luma standard deviation a frame is blank, and proves nothing. */
export const BLANK_STDDEV = 8;

/** The events of the <video> the scenario plays. */
function videoEvents<N extends EventName>(t: Timeline, name: N): EventOf<N>[] {
  return t.events('video', name);
}

export function firstProgress(t: Timeline, seconds: number): EventOf<'progress'> | undefined {
  return videoEvents(t, 'progress').find((e) => (e.data?.milestone ?? 0) >= seconds);
}

/** Playback passed `target` seconds (a progress milestone of the <video>); else how far it got. */
export function progressCheck(t: Timeline, target: number, title = `playback passes ${target} s`): Check {
  const progress = firstProgress(t, target);
  return check({
    id: 'progress',
    title,
    ok: !!progress,
    expected: `currentTime ≥ ${target}`,
    observed: progress ? 'reached' : `last milestone: ${videoEvents(t, 'progress').at(-1)?.data?.milestone ?? 0} s`,
  });
}

export function mediaError(t: Timeline): string | null {
  const err = videoEvents(t, 'error')[0];
  if (err) return `MediaError ${err.data?.code}: ${err.data?.message || '(no message)'}`;
  const append = t.calls('mediaSource', 'appendBuffer').find((c) => c.result && !isFulfilled(c));
  if (append) return describeSettled(append);
  return null;
}

/** The same check after a held-back and after a delayed license: progress comes after the first update(). */
function resumesAfterUpdate(progress: PageEntry, update: PageEntry): Check {
  const ok = progress.seq > update.seq;
  return check({
    id: 'resumes-after-update',
    title: 'playback resumes after update()',
    ok,
    expected: 'progress after update',
    observed: ok ? 'ok' : 'progress before the key',
  });
}

/**
 * The held frame against the clear rendition's, both drawn by the page onto a canvas in this browser.
 * Where no frame can be had — the page could not draw one, or even the clear rendition's frame is
 * blank — the picture is not measurable here: that says nothing about the browser's decryption.
 */
export function pictureChecks(record: RunRecord, t: Timeline, reference: boolean): Check[] {
  const { ready, notReady } = pictureNote(t);
  const picture = record.evidence.find((e) => e.kind === 'picture');
  if (!ready)
    return [
      check({
        id: 'picture-ready',
        title: 'playback paused on the 1 s frame for the picture check',
        ok: false,
        expected: 'picture-ready',
        observed: notReady ? 'seek to 1 s did not complete' : 'playback never got there',
      }),
    ];
  const capture = ready.data.capture;
  const unmeasured = (id: string, title: string, why: string) =>
    check({ id, title, ok: false, expected: 'a picture to compare', observed: why, unmeasured: why });
  if (capture?.via === 'none')
    return [unmeasured('picture-taken', 'the page drew the held frame', `the page could not draw it: ${capture.why}`)];
  if (!picture) return [unmeasured('picture-taken', 'the held frame was taken', 'no picture evidence was recorded')];
  const blank = picture.stdDev <= BLANK_STDDEV;
  if (reference && blank)
    return [
      unmeasured(
        'picture-not-blank',
        'the frame drawn from the clear rendition is a picture',
        `the clear rendition's frame came out blank (luma std dev ${picture.stdDev.toFixed(1)} via ${picture.via}): this browser gives the page no picture to compare`,
      ),
    ];
  // Records from before referenceStdDev existed carry only the comparison: a reference was there.
  const noReference = picture.referenceStdDev === null && picture.meanAbsDiff === null;
  const blankReference = picture.referenceStdDev !== null && picture.referenceStdDev <= BLANK_STDDEV;
  if (!reference && (noReference || blankReference))
    return [
      unmeasured(
        'picture-matches-clear',
        'the decoded frame matches the clear rendition',
        noReference
          ? `no frame of ${picture.referenceScenario ?? 'the clear rendition'} to compare with in this browser`
          : `the clear rendition's frame is blank in this browser (luma std dev ${picture.referenceStdDev?.toFixed(1)})`,
      ),
    ];
  const checks = [
    check({
      id: 'picture-not-blank',
      title: 'the held frame is a picture, not a blank',
      ok: !blank,
      expected: `luma std dev > ${BLANK_STDDEV}`,
      observed: picture.stdDev.toFixed(1),
    }),
  ];
  if (!reference) {
    const diff = picture.meanAbsDiff;
    checks.push(
      check({
        id: 'picture-matches-clear',
        title: 'the decoded frame matches the clear rendition',
        ok: diff !== null && diff <= picture.threshold,
        expected: `mean |Δ| ≤ ${picture.threshold} vs ${picture.referenceScenario}`,
        observed: diff === null ? 'no reference picture' : `mean |Δ| ${diff.toFixed(2)}, max ${picture.maxAbsDiff}`,
      }),
    );
  }
  return checks;
}

function encryptedChecks(t: Timeline, asset: AssetInfo): Check[] {
  const events = videoEvents(t, 'encrypted');
  const expected = new Set(asset.tracks.flatMap((tr) => Object.values(tr.initData)));
  const wrongType = events.filter((e) => e.data?.initDataType !== asset.initDataType);
  const unknown = events.filter((e) => !expected.has(e.data?.initData?.base64 ?? ''));
  return [
    check({
      id: 'encrypted-fires',
      title: "the media element fires 'encrypted'",
      ok: events.length > 0,
      expected: 'at least one encrypted event',
      observed: `${events.length}`,
      spec: '#initdata-encountered',
    }),
    check({
      id: 'encrypted-init-data-type',
      title: `'encrypted' carries initDataType '${asset.initDataType}'`,
      ok: events.length > 0 && wrongType.length === 0,
      expected: asset.initDataType ?? '',
      observed: events.map((e) => e.data?.initDataType).join(', ') || 'none',
      spec: '#initdata-encountered',
    }),
    check({
      id: 'encrypted-init-data',
      title: "'encrypted' carries the init data the media holds",
      ok: events.length > 0 && unknown.length === 0,
      expected: 'the pssh boxes / key id of the manifest',
      observed: unknown.length ? `${unknown.length} event(s) with other init data` : `${events.length} matching`,
      spec: '#initdata-encountered',
    }),
  ];
}

/** The page put setMediaKeys() where the mode says (a harness check: otherwise the scenario tests nothing new). */
function setMediaKeysOrder(t: Timeline, mode: 'keys-after-src' | 'keys-in-encrypted' | 'keys-after-update'): Check {
  const setKeys = t.firstCall('video', 'setMediaKeys')?.call;
  const firstSourceBuffer = t.firstCall('mediaSource', 'addSourceBuffer')?.call;
  const firstEncrypted = videoEvents(t, 'encrypted')[0];
  const firstUpdate = t.calls(undefined, 'update').find((c) => isFulfilled(c))?.result;
  const at = (e: PageEntry | undefined) => e?.seq ?? Infinity;
  const rules = {
    'keys-after-src': {
      ok: at(setKeys) > at(firstSourceBuffer),
      expected: 'setMediaKeys() after the source buffers exist',
    },
    'keys-in-encrypted': {
      ok: at(setKeys) > at(firstEncrypted),
      expected: "setMediaKeys() from the first 'encrypted' handler",
    },
    'keys-after-update': {
      ok: at(setKeys) > at(firstUpdate) && at(setKeys) < at(firstSourceBuffer),
      expected: 'setMediaKeys() after update() resolved and before src',
    },
  } as const;
  const r = rules[mode];
  return check({
    id: 'set-media-keys-order',
    title: `the page called setMediaKeys() where the scenario says (${mode})`,
    ok: r.ok,
    expected: r.expected,
    observed: setKeys
      ? `setMediaKeys #${setKeys.seq}, addSourceBuffer #${firstSourceBuffer?.seq ?? '-'}, encrypted #${firstEncrypted?.seq ?? '-'}, update resolved #${firstUpdate?.seq ?? '-'}`
      : 'never called',
  });
}

export function judgePlayback(record: RunRecord, x: PlaybackExpectation): Judgement {
  const t = new Timeline(record);
  const { asset, mode } = x;
  const checks: Check[] = [];
  const error = mediaError(t);
  const playing = videoEvents(t, 'playing')[0];
  const progress = firstProgress(t, x.target);

  if (mode === 'reference') {
    checks.push(
      check({
        id: 'no-media-error',
        title: 'clear playback raises no media error',
        ok: !error,
        expected: 'no error',
        observed: error ?? 'none',
      }),
    );
    checks.push(progressCheck(t, x.target, `clear playback passes ${x.target} s`));
    checks.push(...pictureChecks(record, t, true));
    return decide(record, checks);
  }

  const setKeys = t.firstCall('video', 'setMediaKeys');
  checks.push(
    check({
      id: 'setMediaKeys-resolves',
      title: 'setMediaKeys() resolves',
      ok: isFulfilled(setKeys),
      expected: 'resolved',
      observed: describeSettled(setKeys),
      spec: '#dom-htmlmediaelement-setmediakeys',
    }),
  );
  if (mode !== 'session-per-key' && mode !== 'rotation') checks.push(...encryptedChecks(t, asset));

  const requests = t.entries.filter((e): e is LicenseEntry => e.type === 'license' && e.name === 'request');
  const failedExchanges = requests.map((r) => t.exchangeFor(r)).filter((x2) => x2?.response.status !== 200);
  checks.push(
    check({
      id: 'licenses-served',
      title: 'every license request was answered 200 by the endpoint',
      ok: requests.length > 0 && failedExchanges.length === 0,
      expected: 'HTTP 200 for each',
      observed: `${requests.length} request(s), ${failedExchanges.length} not 200`,
    }),
  );

  const kidFor = (label: string) => x.keyIds[label] ?? label;
  const needed = [...new Set(asset.tracks.flatMap((tr) => tr.keys))].map(kidFor);
  const usable = usableKeyIds(t);
  checks.push(
    check({
      id: 'keys-usable',
      title: 'every key the asset needs becomes usable',
      ok: needed.every((k) => usable.has(k)),
      expected: needed.join(', '),
      observed: [...usable].join(', ') || 'none',
      spec: '#update-key-statuses',
    }),
  );

  if (mode === 'wrong-key') {
    const picture = record.evidence.find((e) => e.kind === 'picture');
    const garbled =
      picture?.meanAbsDiff !== null && picture?.meanAbsDiff !== undefined && picture.meanAbsDiff > picture.threshold;
    const observed =
      error ??
      (!progress
        ? `stalled at ${videoEvents(t, 'progress').at(-1)?.data?.state?.currentTime ?? 0} s`
        : garbled
          ? `picture differs (mean |Δ| ${picture!.meanAbsDiff!.toFixed(1)})`
          : 'it played the clear picture');
    checks.push(
      check({
        id: 'wrong-key-not-decoded',
        title: 'content under a wrong key does not play correctly',
        ok: !!error || !progress || garbled,
        expected: 'a decode error, a stall, or a wrong picture',
        observed,
      }),
    );
    return decide(record, checks, { findings: { browserError: error } });
  }

  checks.push(
    check({
      id: 'no-media-error',
      title: 'playback raises no media error',
      ok: !error,
      expected: 'no error',
      observed: error ?? 'none',
      spec: '#media-element-extensions',
    }),
  );
  checks.push(
    check({
      id: 'playing',
      title: "the element fires 'playing'",
      ok: !!playing,
      expected: 'playing',
      observed: playing ? 'fired' : 'not fired',
    }),
  );
  checks.push(progressCheck(t, x.target));

  const firstUpdate = t.calls(undefined, 'update')[0];
  const sessions = sessionLabels(t);
  if (mode === 'basic' && asset.tracks.some((tr) => tr.type === 'video'))
    checks.push(...pictureChecks(record, t, false));
  if (mode === 'keys-after-src' || mode === 'keys-in-encrypted' || mode === 'keys-after-update')
    checks.push(setMediaKeysOrder(t, mode));
  if (mode === 'waiting-for-key') {
    const waiting = videoEvents(t, 'waitingforkey')[0];
    const released = licenseReleased(t);
    checks.push(
      check({
        id: 'waitingforkey-before-license',
        title: "'waitingforkey' fires while the license is held back",
        ok: !!waiting && (!released || waiting.seq < released.seq),
        expected: 'E:waitingforkey before the license',
        observed: waiting ? `at currentTime ${waiting.data?.state?.currentTime}` : 'never fired',
        spec: '#wait-for-key',
      }),
    );
    if (waiting) {
      checks.push(
        check({
          id: 'waiting-not-paused',
          title: 'the element is not paused while it waits for a key',
          ok: waiting.data?.state?.paused === false,
          expected: 'paused false',
          observed: String(waiting.data?.state?.paused),
          spec: '#wait-for-key',
        }),
      );
      checks.push(
        check({
          id: 'waiting-ready-state',
          title: 'readyState is at most HAVE_CURRENT_DATA while waiting',
          ok: (waiting.data?.state?.readyState ?? 9) <= 2,
          expected: '≤ 2',
          observed: String(waiting.data?.state?.readyState),
          spec: '#wait-for-key',
          level: 'advisory',
        }),
      );
    }
    if (progress && firstUpdate) checks.push(resumesAfterUpdate(progress, firstUpdate.call));
  }
  if (mode === 'delayed-license') {
    const waiting = videoEvents(t, 'waitingforkey')[0];
    const answer = t.entries.find((e): e is LicenseEntry => e.type === 'license' && e.name === 'response');
    const slowest = Math.max(0, ...t.exchanges.map((e) => e.durationMs));
    const injected = recordedFault(t.exchanges[0]?.fault);
    const delay = injected && 'ms' in injected ? injected.ms : 0;
    checks.push(
      check({
        id: 'license-delayed',
        title: 'the endpoint held the license back',
        ok: delay > 0 && slowest >= delay,
        expected: `≥ ${delay} ms`,
        observed: `${slowest.toFixed(0)} ms`,
      }),
    );
    checks.push(
      check({
        id: 'waitingforkey-while-delayed',
        title: "'waitingforkey' fires before the delayed license arrives",
        ok: !!waiting && !!answer && waiting.seq < answer.seq,
        expected: 'E:waitingforkey before the answer',
        observed: waiting ? `at currentTime ${waiting.data?.state?.currentTime}` : 'never fired',
        spec: '#wait-for-key',
      }),
    );
    if (progress && firstUpdate) checks.push(resumesAfterUpdate(progress, firstUpdate.call));
  }
  if (mode === 'clear-lead') {
    const early = firstProgress(t, 0.5);
    checks.push(
      check({
        id: 'plays-before-key',
        title: 'the clear lead plays before any key arrives',
        ok: !!early && (!firstUpdate || early.seq < firstUpdate.call.seq),
        expected: 'currentTime ≥ 0.5 before update()',
        observed: early
          ? firstUpdate && early.seq > firstUpdate.call.seq
            ? 'only after update()'
            : 'before'
          : 'never',
      }),
    );
  }
  if (mode === 'one-session') {
    const message = t.entries.find((e): e is EventOf<'message'> => e.type === 'event' && e.name === 'message');
    const requested = messageJson(message)?.['kids'];
    const kids = (Array.isArray(requested) ? requested : [])
      .map((k) => Buffer.from(String(k), 'base64url').toString('hex'))
      .sort();
    checks.push(
      check({
        id: 'one-session',
        title: 'one session serves every key (the pssh lists them all)',
        ok: sessions.length === 1,
        expected: '1 session',
        observed: `${sessions.length} sessions`,
      }),
    );
    checks.push(
      check({
        id: 'request-lists-all-keys',
        title: 'its license request names every key',
        ok: JSON.stringify(kids) === JSON.stringify([...needed].sort()),
        expected: needed.join(', '),
        observed: kids.join(', ') || 'none',
        spec: '#clear-key-request-format',
      }),
    );
  }
  if (mode === 'session-per-key' || mode === 'rotation') {
    const perSession = sessions.map((label) => {
      const last = sessionOf(t, label).keyChanges().at(-1);
      return Object.keys(last?.session?.keyStatuses ?? {});
    });
    const isolated = perSession.every((kids) => kids.length === 1);
    checks.push(
      check({
        id: 'sessions-per-key',
        title: 'each session holds only its own key',
        ok: sessions.length === needed.length && isolated,
        expected: `${needed.length} sessions with one key each`,
        observed: perSession.map((k, i) => `${sessions[i]}: ${k.length} key(s)`).join('; '),
        spec: '#dom-mediakeysession-keystatuses',
      }),
    );
  }
  if (mode === 'rotation') checks.push(waitsAtNextKeyCheck(rotationWaiting(t), asset));
  return decide(record, checks);
}

/**
 * Key rotation: with key 1 only, playback must wait at the first key-2 sample — not at once, not
 * anywhere on key-1 content. The decoder runs ahead of the playback position (Chromium: ~0.2 s), so
 * the wait may come up to half a fragment (at least 0.5 s) before the boundary; audio that needs no
 * new key can carry the clock a little past it (Chromium, once in five runs: 1.109 s), so 0.25 s after.
 */
export function waitsAtNextKeyCheck(
  waiting: { data?: { state?: { currentTime?: number } } } | undefined,
  asset: AssetInfo,
): Check {
  const boundary = asset.rotation?.[1]?.fromSeconds;
  const slack = Math.max(0.5, asset.fragmentSeconds / 2);
  const at = waiting?.data?.state?.currentTime;
  const window = boundary === undefined ? null : ([Math.max(0, boundary - slack), boundary + 0.25] as const);
  return check({
    id: 'waits-at-next-key',
    title: "with key 1 only, playback waits ('waitingforkey') at the key-2 boundary",
    ok: !!window && typeof at === 'number' && at >= window[0] && at <= window[1],
    expected: window
      ? `E:waitingforkey after key 1 is usable, at currentTime ${window[0]}–${window[1]} s (key 2 from ${boundary} s)`
      : 'an asset with a second key period',
    observed: waiting ? `at currentTime ${at}` : 'no waitingforkey',
    spec: '#wait-for-key',
  });
}
