// The order close() settles in, for every session any scenario closes. Since 2024 the queued task
// resolves close()'s promise and then runs Session Closed, whose Update Key Statuses queues the
// empty 'keystatuseschange': an event before the promise is the older order. Browsers seen in 2026
// still use it, and the promise and the event reach the page through different task sources, so
// the rule is advisory.
import { sessionOf } from './session-state.ts';
import { isFulfilled, type Timeline } from './timeline.ts';
import { check, type Check } from './verdict.ts';

export const CLOSE_ORDER_WHY =
  'today’s spec resolves the promise first (2024 change); browsers still settle in the older order, and the promise and the event arrive through different task sources';

/** One advisory check per resolved close() that was followed by the empty 'keystatuseschange'. */
export function closeOrderChecks(t: Timeline): Check[] {
  const closes = t.calls(undefined, 'close').filter((c) => isFulfilled(c) && c.result);
  return closes.flatMap((close) => {
    const empty = sessionOf(t, close.call.target).emptiedAfter(close.call.seq);
    if (!empty || !close.result) return [];
    const promiseFirst = close.result.seq < empty.seq;
    return [
      check({
        id: `close-promise-before-empty-keystatuses:${close.call.target}`,
        title: `${close.call.target}: close() resolves before the empty 'keystatuseschange'`,
        ok: promiseFirst,
        expected: 'P:close → E:keystatuseschange(empty)',
        observed: promiseFirst ? 'P:close first' : 'E:keystatuseschange(empty) first',
        spec: '#dom-mediakeysession-close',
        step: 'step 5.3',
        level: 'advisory',
        why: CLOSE_ORDER_WHY,
      }),
    ];
  });
}
