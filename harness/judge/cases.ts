// Rules for "case table" scenarios: the page makes a list of calls, each tagged with a case id, and
// the catalog says what the spec expects of each one. An expectation is data, so the catalog
// document can print it, and a browser that throws another error than the spec names fails with
// the name it threw (error-name drift stays visible in the report).
import { Timeline, describeSettled, isFulfilled, type Settled } from './timeline.ts';
import { emptiedOnCloseCheck, loadAfterRemoveCheck } from './lifecycle.ts';
import { countWindows, runKeys } from './notes.ts';
import { sessionOf } from './session-state.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';
import type { CallEntry, RunRecord } from '../../model/record.ts';
import { describeExpect, type CaseExpect, type CaseTable } from '../case-table.ts';
import type { TimelineRules } from '../scenario.ts';

/** Replaces '$label' strings with the run's key ids, so expectations can name keys. */
function withKeyIds(value: unknown, keyIds: Record<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('$')) return keyIds[value.slice(1)] ?? value;
  if (Array.isArray(value)) return value.map((v) => withKeyIds(v, keyIds));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withKeyIds(v, keyIds)]));
  return value;
}

function meets(s: Settled, expect: CaseExpect, keyIds: Record<string, string>): boolean {
  if (Array.isArray(expect)) return expect.some((e) => meets(s, e, keyIds));
  if (!s.result) return false;
  if (typeof expect === 'string') {
    if (expect === 'record') return true;
    if (expect === 'resolves') return isFulfilled(s);
    if (expect === 'rejects') return !isFulfilled(s);
    return !isFulfilled(s) && s.result.error?.name === expect;
  }
  return isFulfilled(s) && JSON.stringify(s.result.value) === JSON.stringify(withKeyIds(expect.value, keyIds));
}

/** A case's outcome as the report shows it. */
const observe = (s: Settled | undefined) => describeSettled(s, { missing: 'never ran', max: 300 });

/** The settled call the page tagged with this case id. */
export function caseCall(t: Timeline, id: string): Settled | undefined {
  const call = t.entries.find((e): e is CallEntry => e.type === 'call' && e.data?.case === id);
  return call ? t.settled(call) : undefined;
}

export function caseChecks(record: RunRecord, table: CaseTable): { checks: Check[]; observed: Record<string, string> } {
  const t = new Timeline(record);
  const keyIds = runKeys(t).byLabel;
  const checks: Check[] = [];
  const observed: Record<string, string> = {};
  for (const [id, rule] of Object.entries(table)) {
    // 'x:detail' reads what call 'x' granted; when 'x' was (legitimately) refused there is nothing to read.
    const base = id.includes(':') ? caseCall(t, id.slice(0, id.indexOf(':'))) : undefined;
    if (base?.result && !isFulfilled(base)) {
      observed[id] = `not applicable: ${id.slice(0, id.indexOf(':'))} was refused`;
      continue;
    }
    const settled = caseCall(t, id);
    observed[id] = observe(settled);
    const ok = !!settled && meets(settled, rule.expect, keyIds);
    checks.push(
      check({
        id: `case:${id}`,
        title: `${rule.does} → ${describeExpect(rule.expect)}`,
        ok,
        expected: describeExpect(rule.expect),
        observed: observed[id],
        spec: rule.spec,
        ...(rule.step ? { step: rule.step } : {}),
        level: rule.advisory || rule.expect === 'record' ? 'advisory' : 'must',
        ...(rule.advisory ? { why: rule.advisory } : {}),
        ...(rule.expect === 'record' ? { why: 'the spec leaves the outcome open: recorded as a finding' } : {}),
      }),
    );
  }
  return { checks, observed };
}

/** Judges a case table; `more` names the timeline rules a table cannot express. */
export function judgeCases(record: RunRecord, table: CaseTable, more?: TimelineRules): Judgement {
  const { checks, observed } = caseChecks(record, table);
  if (more) checks.push(...TIMELINE_RULES[more](new Timeline(record)));
  return decide(record, checks, { findings: { cases: observed } });
}

/**
 * After the close() tagged 'close': the map empties (the lifecycle's rule, emptiedOnCloseCheck), and
 * no message events or key statuses other than the empty map follow.
 */
function afterCloseRules(t: Timeline): Check[] {
  const closeCall = caseCall(t, 'close')?.call;
  if (!closeCall)
    return [
      check({
        id: 'after-close',
        title: 'nothing happens after close()',
        ok: false,
        expected: 'close() called',
        observed: 'never called',
        spec: '#session-closed',
      }),
    ];
  const s = sessionOf(t, closeCall.target);
  const bad = s
    .eventsAfter(closeCall.seq)
    .filter((e) => e.name === 'message' || (e.name === 'keystatuseschange' && (e.session?.size ?? 0) > 0));
  return [
    emptiedOnCloseCheck(s, closeCall),
    check({
      id: 'nothing-after-close',
      title: 'no message or non-empty key statuses after close()',
      ok: bad.length === 0,
      expected: 'none',
      observed: bad.map((e) => `${e.name}#${e.seq}`).join(', ') || 'none',
      spec: '#session-closed',
    }),
  ];
}

/** keystatuseschange events per window: after the first update, a repeated update, and close. */
function countRules(t: Timeline): Check[] {
  const windows = countWindows(t);
  const target = windows[0]?.target;
  if (!target || windows.length < 3)
    return [
      check({
        id: 'count-windows',
        title: 'the page ran its three windows',
        ok: false,
        expected: '3 windows',
        observed: `${windows.length}`,
      }),
    ];
  const s = sessionOf(t, target);
  const inWindow = (i: number) =>
    s.keyChanges(windows[i]!.seq).filter((e) => i + 1 >= windows.length || e.seq < windows[i + 1]!.seq);
  const [first, repeat, closing] = [inWindow(0), inWindow(1), inWindow(2)];
  const statuses = first.flatMap((e) => Object.values(e.session?.keyStatuses ?? {}));
  const odd = statuses.filter((s) => s !== 'usable' && s !== 'status-pending');
  const individualization = s.messages().filter((e) => e.data?.messageType === 'individualization-request');
  const counts = `after update: ${first.length}; after the same license again: ${repeat.length}; after close: ${closing.length}`;
  return [
    check({
      id: 'events-after-update',
      title: 'update() with two new keys fires keystatuseschange',
      ok: first.length >= 1,
      expected: '≥ 1',
      observed: counts,
      spec: '#update-key-statuses',
    }),
    check({
      id: 'one-event-per-update',
      title: 'one keystatuseschange per update (not one per key)',
      ok: first.length === 1,
      expected: '1',
      observed: counts,
      spec: '#update-key-statuses',
      level: 'advisory',
    }),
    check({
      id: 'intermediate-statuses',
      title: "statuses on the way are only 'status-pending' or 'usable'",
      ok: odd.length === 0,
      expected: 'status-pending | usable',
      observed: odd.join(', ') || 'none other',
      spec: '#dom-mediakeystatus',
    }),
    check({
      id: 'close-fires-once',
      title: 'close() fires keystatuseschange with an empty map',
      ok: closing.some((e) => e.session?.size === 0),
      expected: 'keystatuseschange(size 0)',
      observed: counts,
      spec: '#session-closed',
    }),
    check({
      id: 'no-individualization',
      title: 'Clear Key sends no individualization-request',
      ok: individualization.length === 0,
      expected: 'none',
      observed: `${individualization.length}`,
      spec: '#clear-key',
    }),
  ];
}

/** The load() of a destroyed persistent session in a later page (see loadAfterRemoveCheck). */
function afterDestroyRules(t: Timeline): Check[] {
  const load = caseCall(t, 'after-destroy-load');
  const release = caseCall(t, 'after-destroy-release-message');
  return [
    loadAfterRemoveCheck({
      acknowledged: caseCall(t, 'destroy-closed-reason')?.result?.value === 'release-acknowledged',
      removed: isFulfilled(caseCall(t, 'destroy-remove')),
      load: observe(load),
      loadValue: isFulfilled(load) ? load?.result?.value : undefined,
      releaseAgain: release?.result?.value === 'license-release',
    }),
  ];
}

const TIMELINE_RULES: Record<TimelineRules, (t: Timeline) => Check[]> = {
  'after-close': afterCloseRules,
  'after-destroy': afterDestroyRules,
  'keystatuseschange-count': countRules,
};
