// Rules for the conformance scenarios (harness/catalog-conformance.ts): their case tables, each check
// carrying its algorithm step (advisory ones say why, from the table); and the timeline
// rules a table cannot express: what follows close() on a session that never got keys, remove() on a
// live temporary session, an identical license applied twice, and close() right after generateRequest().
import type { CallEntry, EventOf, RunRecord } from '../../model/record.ts';
import type { CaseTable } from '../case-table.ts';
import type { ConformanceTimeline } from '../scenario.ts';
import { caseCall, caseChecks } from './cases.ts';
import { sessionOf, type SessionModel } from './session-state.ts';
import { Timeline, describeSettled, describeStatuses, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

/** A timeline rule found no tagged call to measure from: the page did not get that far. */
function missing(id: string, title: string, caseId: string, spec: string): Check {
  return check({ id, title, ok: false, expected: `the call tagged '${caseId}'`, observed: 'never called', spec });
}

const listEvents = (events: Array<{ name: string; seq: number; session?: unknown }>) =>
  events.map((e) => `${e.name}#${e.seq}`).join(', ') || 'none';

/** The session a tagged call was made on, and the call. */
function taggedSession(t: Timeline, caseId: string): { s: SessionModel; call: CallEntry } | undefined {
  const call = caseCall(t, caseId)?.call;
  return call ? { s: sessionOf(t, call.target), call } : undefined;
}

/** After close() on a session that got no keys: an empty keystatuseschange all the same, and nothing else. */
function closeWithoutKeys(t: Timeline): Check[] {
  const at = taggedSession(t, 'close');
  if (!at) return [missing('empty-keystatuses-without-keys', 'close() was called', 'close', '#session-closed')];
  const { s, call } = at;
  const empty = s.emptiedAfter(call.seq);
  const messages = s.messages(call.seq);
  return [
    check({
      id: 'empty-keystatuses-without-keys',
      title: "close() on a session that never got keys still queues a 'keystatuseschange' with an empty map",
      ok: !!empty,
      expected: 'keystatuseschange, size 0',
      observed: empty ? `keystatuseschange#${empty.seq} (${describeStatuses(empty.session)})` : 'no such event',
      spec: '#session-closed',
      step: 'step 5 (Update Key Statuses with an empty sequence, whose step 5 always queues the event)',
    }),
    check({
      id: 'no-message-after-close',
      title: 'no message event after close()',
      ok: messages.length === 0,
      expected: 'none',
      observed: listEvents(messages),
      spec: '#session-closed',
      step: 'no further events can be queued once Session Closed has run',
    }),
  ];
}

/** remove() on a licensed temporary session: keys released or gone, no message, the session still open. */
function removeTemporary(t: Timeline): Check[] {
  const at = taggedSession(t, 'remove');
  if (!at) return [missing('keys-destroyed-on-remove', 'remove() was called', 'remove', '#dom-mediakeysession-remove')];
  const { s, call } = at;
  const closeCall = caseCall(t, 'close-after-remove')?.call;
  const until = closeCall?.seq ?? Number.MAX_SAFE_INTEGER;
  const changes = s.keyChanges(call.seq).filter((e) => e.seq < until);
  const last = changes.at(-1);
  const statuses = Object.values(last?.session?.keyStatuses ?? {});
  const destroyed = !!last && (last.session?.size === 0 || statuses.every((v) => v === 'released'));
  const messages = s.messages(call.seq);
  const closed = s.closed;
  const closedEarly = closed && closed.seq < until;
  return [
    check({
      id: 'keys-destroyed-on-remove',
      title:
        "remove() on a temporary session: a keystatuseschange marks every key 'released' (or, per the Clear Key section, empties the map)",
      ok: destroyed,
      expected: "keystatuseschange with every key 'released', or an empty map",
      observed: last
        ? `${changes.length} event(s), last ${describeStatuses(last.session)}`
        : 'no keystatuseschange after remove()',
      spec: '#dom-mediakeysession-remove',
      step: "step 4.4.1.2 ('temporary': continue) and step 4.5.1 (Update Key Statuses, 'released')",
    }),
    check({
      id: 'no-message-on-temporary-remove',
      title: 'remove() on a temporary session sends no message (no record of license destruction)',
      ok: messages.length === 0,
      expected: 'no message event',
      observed: messages.map((m) => `message#${m.seq}(${String(m.data?.messageType)})`).join(', ') || 'none',
      spec: '#dom-mediakeysession-remove',
      step: 'step 4.2 (message stays null for a temporary session) and step 4.5.6',
    }),
    check({
      id: 'open-after-remove',
      title: 'remove() does not close a temporary session (closed settles only after close())',
      ok: !closedEarly,
      expected: 'closed unsettled until close()',
      observed: closedEarly ? `closed#${closed.seq} settled before close()` : 'unsettled',
      spec: '#dom-mediakeysession-remove',
      step: 'remove() runs no Session Closed',
      level: 'advisory',
      why: 'the CDM may close a session at any time (Monitor for CDM State Changes), so a session that closes itself after remove() breaks no step',
    }),
  ];
}

/** An identical license applied again: keys and statuses unchanged, so no keystatuseschange. */
function identicalLicense(t: Timeline): Check[] {
  const again = caseCall(t, 'update-again');
  const at = taggedSession(t, 'update-again');
  if (!again || !at)
    return [
      missing('no-event-for-same-license', 'the second update() ran', 'update-again', '#dom-mediakeysession-update'),
    ];
  const { s, call } = at;
  const end = caseCall(t, 'keys-after-second-update')?.call.seq ?? Number.MAX_SAFE_INTEGER;
  const events: EventOf<'keystatuseschange'>[] = s.keyChanges(call.seq).filter((e) => e.seq < end);
  const changed = events.filter((e) => Object.values(e.session?.keyStatuses ?? {}).some((v) => v !== 'usable'));
  return [
    check({
      id: 'no-event-for-same-license',
      title: 'an identical license applied again fires no keystatuseschange (nothing known or no status changed)',
      ok: events.length === 0,
      expected: 'no keystatuseschange',
      observed: `${events.length} event(s)${events.length ? `: ${events.map((e) => describeStatuses(e.session)).join('; ')}` : ''} (second update() ${describeSettled(again)})`,
      spec: '#dom-mediakeysession-update',
      step: 'step 6.8.1.1 (Update Key Statuses runs only if the set of known keys or a status changed)',
    }),
    check({
      id: 'statuses-unchanged-by-same-license',
      title: "keys stay 'usable' through the second update()",
      ok: changed.length === 0,
      expected: "only 'usable'",
      observed: changed.map((e) => describeStatuses(e.session)).join('; ') || "only 'usable'",
      spec: '#update-key-statuses',
    }),
  ];
}

/** close() in the same task as generateRequest(), and close() as soon as it resolves. */
function generateThenClose(t: Timeline): Check[] {
  const checks: Check[] = [];
  const awaited = taggedSession(t, 'close-after-generate');
  if (!awaited)
    return [
      missing(
        'nothing-after-closed',
        'close() after generateRequest() was called',
        'close-after-generate',
        '#session-closed',
      ),
    ];
  const { s, call } = awaited;
  const closed = s.closed;
  const empty = s.emptiedAfter(call.seq);
  const late = closed
    ? s
        .eventsAfter(closed.seq)
        .filter(
          (e) =>
            e.name === 'message' ||
            (e.name === 'keystatuseschange' && e.seq !== empty?.seq && (e.session?.size ?? 0) > 0),
        )
    : [];
  checks.push(
    check({
      id: 'empty-keystatuses-after-early-close',
      title: "close() right after generateRequest(): a 'keystatuseschange' with an empty map",
      ok: !!empty,
      expected: 'keystatuseschange, size 0',
      observed: empty ? `keystatuseschange#${empty.seq}` : 'no such event',
      spec: '#session-closed',
      step: 'step 5',
    }),
    check({
      id: 'nothing-after-closed',
      title: 'no message and no keys after closed resolves',
      ok: !!closed && late.length === 0,
      expected: 'none',
      observed: closed ? listEvents(late) : 'closed never settled',
      spec: '#session-closed',
      step: 'no further events can be queued once Session Closed has run',
    }),
  );
  const unawaited = taggedSession(t, 'close-same-task');
  const sameTask = caseCall(t, 'close-same-task');
  if (unawaited && sameTask) {
    const messages = unawaited.s.messages();
    // Only when the early close() was refused is the session expected to go on and send its request.
    if (sameTask.result && !isFulfilled(sameTask))
      checks.push(
        check({
          id: 'request-after-refused-close',
          title: 'after the refused close(), generateRequest() still queues its license-request',
          ok: messages.some((m) => m.data?.messageType === 'license-request'),
          expected: 'message(license-request)',
          observed: listEvents(messages),
          spec: '#dom-mediakeysession-generaterequest',
          step: 'step 10.10 (resolve, then Queue a "message" Event)',
        }),
      );
  }
  return checks;
}

const TIMELINE: Record<ConformanceTimeline, (t: Timeline) => Check[]> = {
  'close-without-keys': closeWithoutKeys,
  'remove-temporary': removeTemporary,
  'identical-license': identicalLicense,
  'generate-then-close': generateThenClose,
};

export function judgeConformance(
  record: RunRecord,
  table: CaseTable,
  { timeline }: { timeline?: ConformanceTimeline },
): Judgement {
  const { checks, observed } = caseChecks(record, table);
  if (timeline && record.page) checks.push(...TIMELINE[timeline](new Timeline(record)));
  return decide(record, checks, { findings: { cases: observed } });
}
