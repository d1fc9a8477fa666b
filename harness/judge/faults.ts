// Rules for license-endpoint faults (SCENARIOS group G). The server's record says which fault was
// injected; the page's timeline says what the browser and page saw; every scenario must end with the
// session usable, proving one bad answer does not break it. Error names follow the spec (TypeError for
// a license update() cannot use) and the observed name is kept, so drift shows in the report.
import type { PageEntry, RunRecord } from '../../model/record.ts';
import { expectedKeyIds } from './lifecycle.ts';
import { Timeline, describeSettled, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

export type FaultKind = 'none' | 'status' | 'reset' | 'hang' | 'empty-body' | 'truncated-body' | 'malformed-body' | 'wrong-key' | 'unknown-kid' | 'missing-key' | 'wrong-type';
export type FaultThen = 'retry' | 'duplicate' | 'update-after-close';

const UPDATE_SPEC = '#dom-mediakeysession-update';

function usableAfter(t: Timeline, label: string, kids: string[], afterSeq: number): PageEntry | undefined {
  return t.entries.find((e) => e.seq > afterSeq && e.target === label && e.session && kids.every((k) => e.session?.keyStatuses[k] === 'usable'));
}

export function judgeFault(record: RunRecord, kind: FaultKind, then: FaultThen = 'retry'): Judgement {
  const t = new Timeline(record);
  const kids = expectedKeyIds(t);
  const checks: Check[] = [];
  const first = t.exchanges[0];
  if (kind === 'none') {
    checks.push(check('answered', 'the first license request is answered 200', first?.response.status === 200, 'HTTP 200', first ? `HTTP ${first.response.status}` : 'no exchange recorded'));
  } else {
    checks.push(check('fault-injected', `the endpoint injected '${kind}' into the first exchange`, first?.fault?.['kind'] === kind, kind, first ? String(first.fault?.['kind'] ?? 'no fault') : 'no exchange recorded'));
  }

  const response = t.entries.find((e) => e.type === 'license' && e.name === 'response');
  const updates = t.calls('s1', 'update');
  const firstUpdate = updates[0];
  const retry = t.notes('retry')[0];
  const firstRequest = t.entries.find((e) => e.type === 'license' && e.name === 'request');
  const findings: Record<string, unknown> = {
    pageSaw: response?.error ? `${response.error.name}: ${response.error.message}` : `HTTP ${String(response?.data?.['status'])}`,
    firstUpdate: describeSettled(firstUpdate),
    // Exchanges the server saw for the page's first request: more than one means the browser re-sent it.
    serverAttemptsForFirstRequest: firstRequest ? t.exchanges.filter((x) => x.pageSeq === firstRequest.seq).length : 0,
  };

  if (kind === 'status' || kind === 'reset' || kind === 'hang') {
    const expected = kind === 'status' ? `HTTP ${String(first?.fault?.['status'])}` : kind === 'reset' ? 'a network error' : 'no answer (the page gives up)';
    const saw = kind === 'status' ? response?.data?.['status'] === first?.fault?.['status'] : response?.data?.['failure'] === (kind === 'reset' ? 'network' : 'timeout');
    checks.push(check('page-sees-failure', 'the page sees the failed license request', !!saw, expected, String(findings['pageSaw'])));
    checks.push(check('no-update-with-error', 'no update() is made from the failed answer', !firstUpdate || (!!retry && firstUpdate.call.seq > retry.seq), 'update only after the retry', firstUpdate ? `update #${firstUpdate.call.seq}` : 'none'));
  } else if (kind === 'empty-body' || kind === 'truncated-body' || kind === 'malformed-body' || kind === 'wrong-type') {
    const name = firstUpdate?.result?.error?.name;
    const spec = kind === 'wrong-type' ? '#clear-key-license-format' : UPDATE_SPEC;
    checks.push(check('update-rejects-typeerror', 'update() rejects the unusable license with TypeError', firstUpdate?.result?.outcome === 'rejected' && name === 'TypeError', 'rejected with TypeError', describeSettled(firstUpdate), { spec }));
  } else if (kind === 'wrong-key' || kind === 'none') {
    checks.push(check('update-resolves', 'update() accepts a well-formed license (a CDM cannot check key values)', isFulfilled(firstUpdate), 'resolved', describeSettled(firstUpdate), { spec: UPDATE_SPEC }));
  } else {
    // unknown-kid / missing-key: the license lacks the requested keys, so they must not become usable from it.
    const before = retry?.seq ?? Number.MAX_SAFE_INTEGER;
    const early = firstUpdate ? usableAfter(t, 's1', kids, firstUpdate.call.seq) : undefined;
    checks.push(check('requested-keys-not-usable', 'the requested keys do not become usable from a license that lacks them', !early || early.seq > before, 'not usable before the retry', early && early.seq < before ? 'usable' : 'not usable', { spec: '#update-key-statuses' }));
    const statuses = firstUpdate?.result?.session?.keyStatuses ?? {};
    findings['keyStatusesAfterFirstUpdate'] = statuses;
  }

  if (then === 'duplicate') {
    const second = updates[1];
    checks.push(check('duplicate-update-settles', 'a second update() with the same license settles', !!second?.result, 'resolved or rejected', describeSettled(second), { spec: UPDATE_SPEC }));
    if (second?.result) {
      checks.push(check('duplicate-keeps-keys', 'keys stay usable after the duplicate', !!second.result.session && kids.every((k) => second.result?.session?.keyStatuses[k] === 'usable'), 'usable', JSON.stringify(second.result.session?.keyStatuses ?? {}), { spec: '#update-key-statuses' }));
      findings['duplicateUpdate'] = describeSettled(second);
    }
  }
  if (then === 'update-after-close') {
    const close = t.firstCall('s1', 'close');
    const late = close ? updates.find((u) => u.call.seq > close.call.seq) : undefined;
    checks.push(check('update-after-close-invalid-state', 'update() after close() rejects with InvalidStateError', late?.result?.error?.name === 'InvalidStateError', 'rejected with InvalidStateError', describeSettled(late), { spec: UPDATE_SPEC }));
  }

  const recovered = usableAfter(t, 's1', kids, -1);
  checks.push(check('session-recovers', 'the session still gets usable keys (after a retry where needed)', !!recovered, `${kids.length} key(s) usable`, recovered ? 'usable' : 'never usable'));
  if (retry) {
    const retried = t.exchanges.at(-1);
    checks.push(check('retry-answered', 'the retried request is answered 200', retried?.response.status === 200, 'HTTP 200', retried ? `HTTP ${retried.response.status}` : 'no second exchange'));
  }
  const close = t.firstCall('s1', 'close');
  checks.push(check('close-resolves', 'close() resolves afterwards', isFulfilled(close), 'resolved', describeSettled(close), { spec: '#dom-mediakeysession-close' }));
  return decide(record, checks, findings);
}
