// Rules for a real player's playback (group K). The player drives EME itself; the page's tracer
// recorded its conversation, the server the license exchanges, the <video> its events and the held
// frame. A failure names its cause — the player, the browser or the content — with the evidence that
// says so, because a player team reads these verdicts to know whose bug it is.
import type { AssetInfo } from '../../model/manifest.ts';
import type { PlayerName, StreamFormat } from '../../model/players.ts';
import type { NoteEntry, PageEntry, RunRecord } from '../../model/record.ts';
import type { Difference } from '../../model/verdict.ts';
import { playerNotes, runKeys } from './notes.ts';
import { firstProgress, mediaError, pictureChecks, progressCheck } from './playback.ts';
import { usableKeyIds } from './session-state.ts';
import { Timeline, describeSettled, isFulfilled, type Settled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

export interface PlayerExpectation {
  player: PlayerName;
  format: StreamFormat;
  asset: AssetInfo;
  target: number;
}

/** Whose behaviour made a player scenario fail, and what shows it. */
export interface Cause {
  by: 'player' | 'browser' | 'content';
  evidence: string;
}

const PROBE_WHY =
  'a capability probe is a claim and playback is the fact; a mismatch is a finding for whoever trusts the probe, not a spec rule';

/**
 * The conversation a player must have had, in order; each step found after the one before it. Access
 * may come from MediaCapabilities: decodingInfo() with a keySystemConfiguration hands back a
 * MediaKeySystemAccess (Shaka 5 asks that way, and Chromium then makes no requestMediaKeySystemAccess call).
 */
const CONVERSATION: ReadonlyArray<{ what: string; calls?: string[]; event?: 'message' | 'keystatuseschange' }> = [
  {
    what: 'access granted (requestMediaKeySystemAccess or decodingInfo)',
    calls: ['requestMediaKeySystemAccess', 'decodingInfo'],
  },
  { what: 'createSession', calls: ['createSession'] },
  { what: 'generateRequest resolved', calls: ['generateRequest'] },
  { what: 'message', event: 'message' },
  { what: 'update resolved', calls: ['update'] },
  { what: 'keystatuseschange with a usable key', event: 'keystatuseschange' },
];

/** decodingInfo() resolves for unsupported configurations too; only a keySystemAccess in its answer is access. */
function grantsAccess(s: Settled): boolean {
  const value = s.result?.value as { keySystemAccess?: unknown } | undefined;
  return !!value && typeof value === 'object' && !!value.keySystemAccess;
}

function conversationCheck(t: Timeline): { check: Check; rejected: Settled | null } {
  let after = -1;
  const reached: string[] = [];
  let rejected: Settled | null = null;
  for (const step of CONVERSATION) {
    let found: PageEntry | undefined;
    if (step.calls) {
      const calls = step.calls
        .flatMap((name) => t.calls(undefined, name))
        .filter((c) => c.call.seq > after)
        .sort((a, b) => a.call.seq - b.call.seq);
      const ok = calls.find((c) => isFulfilled(c) && (c.call.name !== 'decodingInfo' || grantsAccess(c)));
      if (!ok) {
        rejected = calls.find((c) => c.result && !isFulfilled(c)) ?? null;
        const why = rejected ? `${rejected.call.name} ${describeSettled(rejected)}` : `no ${step.what}`;
        return { check: conversationResult(reached, why), rejected };
      }
      // Later steps count from the call, not its result: the spec queues message and keystatuseschange
      // before it resolves the promise, so the event may be recorded before the result is.
      found = ok.call;
    } else {
      found = t.entries.find(
        (e) =>
          e.seq > after &&
          e.type === 'event' &&
          e.name === step.event &&
          (step.event !== 'keystatuseschange' ||
            Object.values(e.session?.keyStatuses ?? {}).some((status) => status === 'usable')),
      );
      if (!found) return { check: conversationResult(reached, `no ${step.what}`), rejected };
    }
    reached.push(step.what);
    after = found.seq;
  }
  return { check: conversationResult(reached, null), rejected };
}

function conversationResult(reached: string[], stopped: string | null): Check {
  return check({
    id: 'eme-conversation',
    title: "the player's EME conversation reaches usable keys",
    ok: stopped === null,
    expected: CONVERSATION.map((s) => s.what).join(' → '),
    observed: stopped === null ? 'all, in order' : `${reached.join(' → ') || 'nothing'}; then ${stopped}`,
    spec: '#dom-mediakeysession-generaterequest',
  });
}

/**
 * A rejected call the spec requires the browser to reject, given what the player passed: the player's
 * doing. Today one shape: 'keyids' init data that is not the JSON the Key IDs format defines.
 */
function playerMisuse(rejected: Settled): string | null {
  if (rejected.call.name !== 'generateRequest') return null;
  const [initDataType, initData] = rejected.call.args ?? [];
  if (initDataType !== 'keyids') return null;
  const described = Object.values((initData ?? {}) as Record<string, { json?: unknown }>)[0];
  if (described && typeof described === 'object' && described.json !== undefined) return null;
  return `the player passed init data that is not Key IDs JSON as 'keyids' (the browser must reject it with TypeError: #keyids, #dom-mediakeysession-generaterequest), and generateRequest ${describeSettled(rejected)}`;
}

/** What the judge saw, for naming the cause of a failure. */
interface Seen {
  /** A rejected EME call in the conversation, if it stopped at one. */
  rejected: Settled | null;
  /** The player's first fatal error. */
  fatal: NoteEntry<'player-error'> | undefined;
  /** The element's media error, in words. */
  media: string | null;
  keysUsable: boolean;
}

function causeOf({ rejected, fatal, media, keysUsable }: Seen, failed: Check): Cause {
  if (rejected) {
    const misuse = playerMisuse(rejected);
    if (misuse) return { by: 'player', evidence: misuse };
    return {
      by: 'browser',
      evidence: `${rejected.call.target}.${rejected.call.name}(${JSON.stringify(rejected.call.args ?? []).slice(0, 200)}) ${describeSettled(rejected)}`,
    };
  }
  if (media && keysUsable) return { by: 'browser', evidence: `with every key usable, the element failed: ${media}` };
  if (fatal)
    return {
      by: 'player',
      evidence: `the player gave up without a browser rejection: ${fatal.data.message}${fatal.data.detail ? ` ${String(fatal.data.detail).slice(0, 300)}` : ''}`,
    };
  if (media) return { by: 'browser', evidence: media };
  if (keysUsable && (failed.id.startsWith('picture') || failed.id === 'progress'))
    return { by: 'browser', evidence: `every key usable, no error, yet ${failed.title}: ${failed.observed}` };
  return { by: 'player', evidence: `no browser rejection and no error, yet ${failed.title}: ${failed.observed}` };
}

const DIFFERENCE_OF: Record<Cause['by'], Difference> = {
  player: 'player-limitation',
  browser: 'spec-deviation',
  content: 'content-format',
};

export function judgePlayer(record: RunRecord, x: PlayerExpectation): Judgement {
  const t = new Timeline(record);
  const notes = playerNotes(t);
  const checks: Check[] = [];
  const version = notes.loaded?.data.version ?? null;
  checks.push(
    check({
      id: 'player-loaded',
      title: 'the player build loaded',
      ok: !!notes.loaded,
      expected: `${x.player} loaded`,
      observed: notes.loaded ? `${x.player} ${version}` : 'never loaded',
    }),
  );
  const fatal = notes.errors.find((e) => e.data.fatal);
  checks.push(
    check({
      id: 'no-player-error',
      title: 'the player reports no fatal error',
      ok: !fatal,
      expected: 'none',
      observed: fatal
        ? `${fatal.data.message}${fatal.data.detail ? ` ${String(fatal.data.detail).slice(0, 300)}` : ''}`
        : `none (${notes.errors.length} recoverable)`,
    }),
  );
  const media = mediaError(t);
  checks.push(
    check({
      id: 'no-media-error',
      title: 'the element raises no media error',
      ok: !media,
      expected: 'no error',
      observed: media ?? 'none',
    }),
  );

  const conversation = conversationCheck(t);
  checks.push(conversation.check);

  const exchanges = t.exchanges;
  const notOk = exchanges.filter((e) => e.response.status !== 200);
  checks.push(
    check({
      id: 'licenses-served',
      title: "the player's license requests reached the endpoint and were answered 200",
      ok: exchanges.length > 0 && notOk.length === 0,
      expected: 'at least one exchange, each HTTP 200',
      observed: `${exchanges.length} exchange(s)${notOk.length ? `, ${notOk.map((e) => e.response.status).join(', ')}` : ''}`,
    }),
  );

  const byLabel = runKeys(t).byLabel;
  const needed = [...new Set(x.asset.tracks.flatMap((tr) => tr.keys))].map((label) => byLabel[label] ?? label);
  const usable = usableKeyIds(t);
  const keysUsable = needed.every((k) => usable.has(k));
  checks.push(
    check({
      id: 'keys-usable',
      title: 'every key the asset needs becomes usable',
      ok: keysUsable,
      expected: needed.join(', '),
      observed: [...usable].join(', ') || 'none',
      spec: '#update-key-statuses',
    }),
  );

  const progress = firstProgress(t, x.target);
  checks.push(progressCheck(t, x.target));
  if (progress) checks.push(...pictureChecks(record, t, false));

  const played = !!progress && !fatal && !media;
  const failed = checks.find((c) => c.level === 'must' && !c.ok && !c.unmeasured);
  const cause = failed ? causeOf({ rejected: conversation.rejected, fatal, media, keysUsable }, failed) : null;
  const claims = notes.claims?.data;
  // A probe speaks for the browser: where the player failed on its own, playback says nothing about it.
  const comparable = cause?.by !== 'player';
  if (claims && comparable) {
    const probes = [
      { id: 'probe-agrees-harness', who: "the harness's requestMediaKeySystemAccess probe", claim: claims.harness },
      ...(claims.player ? [{ id: 'probe-agrees-player', who: `${x.player}'s own probe`, claim: claims.player }] : []),
    ];
    for (const p of probes)
      checks.push(
        check({
          id: p.id,
          title: `${p.who} agrees with playback`,
          level: 'advisory',
          ok: p.claim.supported === played,
          expected: played ? 'claims supported (it played)' : 'claims unsupported (it did not play)',
          observed: `${p.claim.supported ? 'supported' : 'unsupported'}: ${p.claim.detail.slice(0, 300)}`,
          why: PROBE_WHY,
        }),
      );
  }

  const findings: Record<string, unknown> = {
    player: { name: x.player, version, format: x.format, manifest: notes.loaded?.data.manifest ?? null },
    ...(claims ? { probes: { ...claims, played, comparable } } : {}),
  };
  const judged = decide(record, checks, { findings });
  if (judged.verdict !== 'fail' || !cause) return judged;
  return {
    ...judged,
    reason: `${cause.by === 'player' ? `player limitation (${x.player} ${version ?? '?'})` : cause.by}: ${cause.evidence} — ${judged.reason}`,
    difference: DIFFERENCE_OF[cause.by],
    findings: { ...findings, cause },
  };
}
