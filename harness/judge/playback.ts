// Rules for encrypted playback (SCENARIOS groups E, F, H). The media manifest says what the browser
// should see ('encrypted' init data, keys); the timeline says what it did; the picture evidence says
// whether what it decoded is the clear picture.
import type { AssetInfo } from '../../model/manifest.ts';
import type { PageEntry, RunRecord } from '../../model/record.ts';
import { Timeline, describeSettled, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

export type PlaybackMode =
  | 'reference' | 'basic' | 'wrong-key' | 'waiting-for-key' | 'delayed-license' | 'clear-lead' | 'one-session' | 'session-per-key' | 'rotation'
  | 'keys-after-src' | 'keys-in-encrypted' | 'keys-after-update';

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

interface VideoData {
  state?: { currentTime: number; readyState: number; paused: boolean };
  milestone?: number;
  initDataType?: string;
  initData?: { base64?: string } | null;
  code?: number | null;
  message?: string;
}

const data = (e: PageEntry | undefined) => (e?.data ?? {}) as VideoData;

function videoEvents(t: Timeline, name: string): PageEntry[] {
  return t.entries.filter((e) => e.type === 'event' && e.target === 'video' && e.name === name);
}

function firstProgress(t: Timeline, seconds: number): PageEntry | undefined {
  return videoEvents(t, 'progress').find((e) => (data(e).milestone ?? 0) >= seconds);
}

function sessionsOf(t: Timeline): string[] {
  return [...new Set(t.calls('mediaKeys', 'createSession').map((c) => String(c.call.data?.['label'])))];
}

function usableKids(t: Timeline): Set<string> {
  const kids = new Set<string>();
  for (const e of t.entries) {
    if (e.type !== 'event' || e.name !== 'keystatuseschange' || !e.session) continue;
    for (const [kid, status] of Object.entries(e.session.keyStatuses)) if (status === 'usable') kids.add(kid);
  }
  return kids;
}

function mediaError(t: Timeline): string | null {
  const err = videoEvents(t, 'error')[0];
  if (err) return `MediaError ${data(err).code}: ${data(err).message || '(no message)'}`;
  const append = t.calls('mediaSource', 'appendBuffer').find((c) => c.result && !isFulfilled(c));
  if (append) return describeSettled(append);
  return null;
}

function pictureChecks(record: RunRecord, t: Timeline, reference: boolean): Check[] {
  const ready = t.notes('picture-ready')[0];
  const picture = record.evidence.find((e) => e.kind === 'picture');
  if (!ready) return [check('picture-ready', 'playback paused on the 1 s frame for the picture check', false, 'picture-ready', t.notes('picture-not-ready').length ? 'seek to 1 s did not complete' : 'playback never got there')];
  if (!picture) return [check('picture-taken', 'the test photographed the decoded frame', false, 'picture evidence', 'none recorded')];
  const checks = [check('picture-not-blank', 'the photographed frame is a picture, not a blank', picture.stdDev > BLANK_STDDEV, `luma std dev > ${BLANK_STDDEV}`, picture.stdDev.toFixed(1))];
  if (!reference) {
    const diff = picture.meanAbsDiff;
    checks.push(check('picture-matches-clear', 'the decoded frame matches the clear rendition', diff !== null && diff <= picture.threshold,
      `mean |Δ| ≤ ${picture.threshold} vs ${picture.referenceScenario}`, diff === null ? 'no reference picture' : `mean |Δ| ${diff.toFixed(2)}, max ${picture.maxAbsDiff}`));
  }
  return checks;
}

function encryptedChecks(t: Timeline, asset: AssetInfo): Check[] {
  const events = videoEvents(t, 'encrypted');
  const expected = new Set(asset.tracks.flatMap((tr) => Object.values(tr.initData)));
  const wrongType = events.filter((e) => data(e).initDataType !== asset.initDataType);
  const unknown = events.filter((e) => !expected.has(data(e).initData?.base64 ?? ''));
  return [
    check('encrypted-fires', "the media element fires 'encrypted'", events.length > 0, 'at least one encrypted event', `${events.length}`, { spec: '#initdata-encountered' }),
    check('encrypted-init-data-type', `'encrypted' carries initDataType '${asset.initDataType}'`, events.length > 0 && wrongType.length === 0, asset.initDataType ?? '', events.map((e) => data(e).initDataType).join(', ') || 'none', { spec: '#initdata-encountered' }),
    check('encrypted-init-data', "'encrypted' carries the init data the media holds", events.length > 0 && unknown.length === 0, 'the pssh boxes / key id of the manifest', unknown.length ? `${unknown.length} event(s) with other init data` : `${events.length} matching`, { spec: '#initdata-encountered' }),
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
    'keys-after-src': { ok: at(setKeys) > at(firstSourceBuffer), expected: 'setMediaKeys() after the source buffers exist' },
    'keys-in-encrypted': { ok: at(setKeys) > at(firstEncrypted), expected: "setMediaKeys() from the first 'encrypted' handler" },
    'keys-after-update': { ok: at(setKeys) > at(firstUpdate) && at(setKeys) < at(firstSourceBuffer), expected: 'setMediaKeys() after update() resolved and before src' },
  } as const;
  const r = rules[mode];
  return check('set-media-keys-order', `the page called setMediaKeys() where the scenario says (${mode})`, r.ok, r.expected, setKeys ? `setMediaKeys #${setKeys.seq}, addSourceBuffer #${firstSourceBuffer?.seq ?? '-'}, encrypted #${firstEncrypted?.seq ?? '-'}, update resolved #${firstUpdate?.seq ?? '-'}` : 'never called');
}

export function judgePlayback(record: RunRecord, x: PlaybackExpectation): Judgement {
  const t = new Timeline(record);
  const { asset, mode } = x;
  const checks: Check[] = [];
  const error = mediaError(t);
  const playing = videoEvents(t, 'playing')[0];
  const progress = firstProgress(t, x.target);

  if (mode === 'reference') {
    checks.push(check('no-media-error', 'clear playback raises no media error', !error, 'no error', error ?? 'none'));
    checks.push(check('progress', `clear playback passes ${x.target} s`, !!progress, `currentTime ≥ ${x.target}`, progress ? 'reached' : 'not reached'));
    checks.push(...pictureChecks(record, t, true));
    return decide(record, checks);
  }

  const setKeys = t.firstCall('video', 'setMediaKeys');
  checks.push(check('setMediaKeys-resolves', 'setMediaKeys() resolves', isFulfilled(setKeys), 'resolved', describeSettled(setKeys), { spec: '#dom-htmlmediaelement-setmediakeys' }));
  if (mode !== 'session-per-key' && mode !== 'rotation') checks.push(...encryptedChecks(t, asset));

  const requests = t.entries.filter((e) => e.type === 'license' && e.name === 'request');
  const failedExchanges = requests.map((r) => t.exchangeFor(r)).filter((x2) => x2?.response.status !== 200);
  checks.push(check('licenses-served', 'every license request was answered 200 by the endpoint', requests.length > 0 && failedExchanges.length === 0, 'HTTP 200 for each', `${requests.length} request(s), ${failedExchanges.length} not 200`));

  const kidFor = (label: string) => x.keyIds[label] ?? label;
  const needed = [...new Set(asset.tracks.flatMap((tr) => tr.keys))].map(kidFor);
  const usable = usableKids(t);
  checks.push(check('keys-usable', 'every key the asset needs becomes usable', needed.every((k) => usable.has(k)), needed.join(', '), [...usable].join(', ') || 'none', { spec: '#update-key-statuses' }));

  if (mode === 'wrong-key') {
    const picture = record.evidence.find((e) => e.kind === 'picture');
    const garbled = picture?.meanAbsDiff !== null && picture?.meanAbsDiff !== undefined && picture.meanAbsDiff > picture.threshold;
    const observed = error ?? (!progress ? `stalled at ${data(videoEvents(t, 'progress').at(-1)).state?.currentTime ?? 0} s` : garbled ? `picture differs (mean |Δ| ${picture!.meanAbsDiff!.toFixed(1)})` : 'it played the clear picture');
    checks.push(check('wrong-key-not-decoded', 'content under a wrong key does not play correctly', !!error || !progress || garbled, 'a decode error, a stall, or a wrong picture', observed));
    return decide(record, checks, { browserError: error });
  }

  checks.push(check('no-media-error', 'playback raises no media error', !error, 'no error', error ?? 'none', { spec: '#media-element-extensions' }));
  checks.push(check('playing', "the element fires 'playing'", !!playing, 'playing', playing ? 'fired' : 'not fired'));
  checks.push(check('progress', `playback passes ${x.target} s`, !!progress, `currentTime ≥ ${x.target}`, progress ? 'reached' : `last: ${data(videoEvents(t, 'progress').at(-1)).milestone ?? 0} s`));

  const firstUpdate = t.calls(undefined, 'update')[0];
  const sessions = sessionsOf(t);
  if (mode === 'basic' && asset.tracks.some((tr) => tr.type === 'video')) checks.push(...pictureChecks(record, t, false));
  if (mode === 'keys-after-src' || mode === 'keys-in-encrypted' || mode === 'keys-after-update') checks.push(setMediaKeysOrder(t, mode));
  if (mode === 'waiting-for-key') {
    const waiting = videoEvents(t, 'waitingforkey')[0];
    const released = t.notes('license-released')[0];
    checks.push(check('waitingforkey-before-license', "'waitingforkey' fires while the license is held back", !!waiting && (!released || waiting.seq < released.seq), 'E:waitingforkey before the license', waiting ? `at currentTime ${data(waiting).state?.currentTime}` : 'never fired', { spec: '#wait-for-key' }));
    if (waiting) {
      checks.push(check('waiting-not-paused', 'the element is not paused while it waits for a key', data(waiting).state?.paused === false, 'paused false', String(data(waiting).state?.paused), { spec: '#wait-for-key' }));
      checks.push(check('waiting-ready-state', 'readyState is at most HAVE_CURRENT_DATA while waiting', (data(waiting).state?.readyState ?? 9) <= 2, '≤ 2', String(data(waiting).state?.readyState), { spec: '#wait-for-key', level: 'advisory' }));
    }
    if (progress && firstUpdate) checks.push(check('resumes-after-update', 'playback resumes after update()', progress.seq > firstUpdate.call.seq, 'progress after update', 'ok'));
  }
  if (mode === 'delayed-license') {
    const waiting = videoEvents(t, 'waitingforkey')[0];
    const answer = t.entries.find((e) => e.type === 'license' && e.name === 'response');
    const slowest = Math.max(0, ...t.exchanges.map((e) => e.durationMs));
    const delay = Number(t.exchanges[0]?.fault?.['ms'] ?? 0);
    checks.push(check('license-delayed', 'the endpoint held the license back', delay > 0 && slowest >= delay, `≥ ${delay} ms`, `${slowest.toFixed(0)} ms`));
    checks.push(check('waitingforkey-while-delayed', "'waitingforkey' fires before the delayed license arrives", !!waiting && !!answer && waiting.seq < answer.seq, 'E:waitingforkey before the answer', waiting ? `at currentTime ${data(waiting).state?.currentTime}` : 'never fired', { spec: '#wait-for-key' }));
    if (progress && firstUpdate) checks.push(check('resumes-after-update', 'playback resumes after update()', progress.seq > firstUpdate.call.seq, 'progress after update', progress.seq > firstUpdate.call.seq ? 'ok' : 'progress before the key'));
  }
  if (mode === 'clear-lead') {
    const early = firstProgress(t, 0.5);
    checks.push(check('plays-before-key', 'the clear lead plays before any key arrives', !!early && (!firstUpdate || early.seq < firstUpdate.call.seq), 'currentTime ≥ 0.5 before update()', early ? (firstUpdate && early.seq > firstUpdate.call.seq ? 'only after update()' : 'before') : 'never'));
  }
  if (mode === 'one-session') {
    const message = t.entries.find((e) => e.type === 'event' && e.name === 'message');
    const kids = ((message?.data?.['message'] as { json?: { kids?: string[] } } | undefined)?.json?.kids ?? []).map((k) => Buffer.from(k, 'base64url').toString('hex')).sort();
    checks.push(check('one-session', 'one session serves every key (the pssh lists them all)', sessions.length === 1, '1 session', `${sessions.length} sessions`));
    checks.push(check('request-lists-all-keys', 'its license request names every key', JSON.stringify(kids) === JSON.stringify([...needed].sort()), needed.join(', '), kids.join(', ') || 'none', { spec: '#clear-key-request-format' }));
  }
  if (mode === 'session-per-key' || mode === 'rotation') {
    const perSession = sessions.map((label) => {
      const last = t.events(label, 'keystatuseschange').at(-1);
      return Object.keys(last?.session?.keyStatuses ?? {});
    });
    const isolated = perSession.every((kids) => kids.length === 1);
    checks.push(check('sessions-per-key', 'each session holds only its own key', sessions.length === needed.length && isolated, `${needed.length} sessions with one key each`, perSession.map((k, i) => `${sessions[i]}: ${k.length} key(s)`).join('; '), { spec: '#dom-mediakeysession-keystatuses' }));
  }
  if (mode === 'rotation') {
    const request = t.notes('rotation-request')[0];
    const waitedAt = request?.data?.['afterWaiting'];
    const waiting = typeof waitedAt === 'number' ? t.entries.find((e) => e.seq === waitedAt) : undefined;
    checks.push(check('waits-at-next-key', "with key 1 only, playback waits ('waitingforkey') at key-2 content", !!waiting, 'E:waitingforkey after key 1 is usable', waiting ? `at currentTime ${data(waiting).state?.currentTime}` : 'no waitingforkey', { spec: '#wait-for-key' }));
  }
  return decide(record, checks);
}
