// Rules for license-endpoint faults (SCENARIOS group G). The server's record says which fault was
// injected; the page's timeline says what the browser and page saw; every scenario must end with the
// session usable, proving one bad answer does not break it. Error names follow the spec (TypeError for
// a license update() cannot use) and the observed name is kept, so drift shows in the report.
// The fault kinds are the server's (model/faults.ts); the session's facts come from session-state.ts.
import { recordedFault, type FaultKind } from '../../model/faults.ts';
import type { FaultThen } from '../../model/page-params.ts';
import type { LicenseEntry, RunRecord } from '../../model/record.ts';
import { retryNote, runKeys } from './notes.ts';
import { sessionOf, statusesAre } from './session-state.ts';
import { Timeline, describeSettled, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

const UPDATE_SPEC = '#dom-mediakeysession-update';

type LicenseResponse = Extract<LicenseEntry, { name: 'response' }>;

/** Judges a license-fault run: `kind` is the fault the scenario injected ('none': no fault). */
export function judgeFault(record: RunRecord, kind: FaultKind | 'none', then: FaultThen = 'retry'): Judgement {
  const t = new Timeline(record);
  const kids = runKeys(t).requested;
  const s = sessionOf(t, 's1');
  const checks: Check[] = [];
  const first = t.exchanges[0];
  const injected = recordedFault(first?.fault);
  if (kind === 'none') {
    checks.push(
      check({
        id: 'answered',
        title: 'the first license request is answered 200',
        ok: first?.response.status === 200,
        expected: 'HTTP 200',
        observed: first ? `HTTP ${first.response.status}` : 'no exchange recorded',
      }),
    );
  } else {
    checks.push(
      check({
        id: 'fault-injected',
        title: `the endpoint injected '${kind}' into the first exchange`,
        ok: injected?.kind === kind,
        expected: kind,
        observed: first ? String(injected?.kind ?? 'no fault') : 'no exchange recorded',
      }),
    );
  }

  const response = t.entries.find((e): e is LicenseResponse => e.type === 'license' && e.name === 'response');
  const updates = s.updates;
  const firstUpdate = updates[0];
  const retry = retryNote(t);
  const firstRequest = t.entries.find((e) => e.type === 'license' && e.name === 'request');
  const findings: Record<string, unknown> = {
    pageSaw: response?.error
      ? `${response.error.name}: ${response.error.message}`
      : `HTTP ${String(response?.data?.status)}`,
    firstUpdate: describeSettled(firstUpdate),
    // Exchanges the server saw for the page's first request: more than one means the browser re-sent it.
    serverAttemptsForFirstRequest: firstRequest ? t.exchanges.filter((x) => x.pageSeq === firstRequest.seq).length : 0,
  };

  if (kind === 'status' || kind === 'reset' || kind === 'hang') {
    const status = injected?.kind === 'status' ? injected.status : undefined;
    const expected =
      kind === 'status'
        ? `HTTP ${String(status)}`
        : kind === 'reset'
          ? 'a network error'
          : 'no answer (the page gives up)';
    const saw =
      kind === 'status'
        ? response?.data?.status === status
        : response?.data?.failure === (kind === 'reset' ? 'network' : 'timeout');
    checks.push(
      check({
        id: 'page-sees-failure',
        title: 'the page sees the failed license request',
        ok: !!saw,
        expected,
        observed: String(findings['pageSaw']),
      }),
    );
    checks.push(
      check({
        id: 'no-update-with-error',
        title: 'no update() is made from the failed answer',
        ok: !firstUpdate || (!!retry && firstUpdate.call.seq > retry.seq),
        expected: 'update only after the retry',
        observed: firstUpdate ? `update #${firstUpdate.call.seq}` : 'none',
      }),
    );
  } else if (kind === 'empty-body' || kind === 'truncated-body' || kind === 'malformed-body' || kind === 'wrong-type') {
    const name = firstUpdate?.result?.error?.name;
    const spec = kind === 'wrong-type' ? '#clear-key-license-format' : UPDATE_SPEC;
    checks.push(
      check({
        id: 'update-rejects-typeerror',
        title: 'update() rejects the unusable license with TypeError',
        ok: firstUpdate?.result?.outcome === 'rejected' && name === 'TypeError',
        expected: 'rejected with TypeError',
        observed: describeSettled(firstUpdate),
        spec,
      }),
    );
  } else if (kind === 'wrong-key' || kind === 'delay' || kind === 'none') {
    checks.push(
      check({
        id: 'update-resolves',
        title: 'update() accepts a well-formed license (a CDM cannot check key values)',
        ok: isFulfilled(firstUpdate),
        expected: 'resolved',
        observed: describeSettled(firstUpdate),
        spec: UPDATE_SPEC,
      }),
    );
  } else {
    // unknown-kid / missing-key: the license lacks the requested keys, so they must not become usable from it.
    const before = retry?.seq ?? Number.MAX_SAFE_INTEGER;
    const early = firstUpdate ? s.firstWithStatuses(kids, 'usable', firstUpdate.call.seq) : undefined;
    checks.push(
      check({
        id: 'requested-keys-not-usable',
        title: 'the requested keys do not become usable from a license that lacks them',
        ok: !early || early.seq > before,
        expected: 'not usable before the retry',
        observed: early && early.seq < before ? 'usable' : 'not usable',
        spec: '#update-key-statuses',
      }),
    );
    const statuses = firstUpdate?.result?.session?.keyStatuses ?? {};
    findings['keyStatusesAfterFirstUpdate'] = statuses;
  }

  if (then === 'duplicate') {
    const second = updates[1];
    checks.push(
      check({
        id: 'duplicate-update-settles',
        title: 'a second update() with the same license settles',
        ok: !!second?.result,
        expected: 'resolved or rejected',
        observed: describeSettled(second),
        spec: UPDATE_SPEC,
      }),
    );
    if (second?.result) {
      checks.push(
        check({
          id: 'duplicate-keeps-keys',
          title: 'keys stay usable after the duplicate',
          ok: statusesAre(second.result, kids, 'usable'),
          expected: 'usable',
          observed: JSON.stringify(second.result.session?.keyStatuses ?? {}),
          spec: '#update-key-statuses',
        }),
      );
      findings['duplicateUpdate'] = describeSettled(second);
    }
  }
  if (then === 'update-after-close') {
    const close = s.close;
    const late = close ? updates.find((u) => u.call.seq > close.call.seq) : undefined;
    checks.push(
      check({
        id: 'update-after-close-invalid-state',
        title: 'update() after close() rejects with InvalidStateError',
        ok: late?.result?.error?.name === 'InvalidStateError',
        expected: 'rejected with InvalidStateError',
        observed: describeSettled(late),
        spec: UPDATE_SPEC,
      }),
    );
  }

  const recovered = s.firstWithStatuses(kids, 'usable');
  checks.push(
    check({
      id: 'session-recovers',
      title: 'the session still gets usable keys (after a retry where needed)',
      ok: !!recovered,
      expected: `${kids.length} key(s) usable`,
      observed: recovered ? 'usable' : 'never usable',
    }),
  );
  if (retry) {
    const retried = t.exchanges.at(-1);
    checks.push(
      check({
        id: 'retry-answered',
        title: 'the retried request is answered 200',
        ok: retried?.response.status === 200,
        expected: 'HTTP 200',
        observed: retried ? `HTTP ${retried.response.status}` : 'no second exchange',
      }),
    );
  }
  const close = s.close;
  checks.push(
    check({
      id: 'close-resolves',
      title: 'close() resolves afterwards',
      ok: isFulfilled(close),
      expected: 'resolved',
      observed: describeSettled(close),
      spec: '#dom-mediakeysession-close',
    }),
  );
  return decide(record, checks, { findings });
}
