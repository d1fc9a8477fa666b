// Rules for Clear Key session lifecycles, written against the EME algorithms:
//  generateRequest(): the promise resolves, then a 'message' task fires (#dom-mediakeysession-generaterequest, #queue-message)
//  update(): key statuses change; the promise and the 'keystatuseschange' task race in real CDMs (advisory order)
//  close(): P:close → P:closed('closed-by-application') → E:keystatuseschange(empty)   (#session-closed)
//  remove(): statuses 'released', P:remove, then message('license-release'); the ack closes with 'release-acknowledged'
// Each session's calls, events and states come from the session-state model (session-state.ts).
import type { CallEntry, RunRecord } from '../../model/record.ts';
import { runKeys } from './notes.ts';
import { messageJson, sessionOf, statusesAre, type SessionModel } from './session-state.ts';
import { Timeline, describeSettled, describeStatuses, isFulfilled, type Settled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

const B64URL = /^[A-Za-z0-9_-]+$/;

function b64urlToHex(value: unknown): string {
  return typeof value === 'string' ? Buffer.from(value, 'base64url').toString('hex') : String(value);
}

/**
 * Closing empties the key status map (#session-closed): a 'keystatuseschange' with an empty map
 * follows `close` on the session. The temporary lifecycle and the close-rules case table both check it.
 */
export function emptiedOnCloseCheck(s: SessionModel, close: CallEntry | undefined): Check {
  const empty = close ? s.emptiedAfter(close.seq) : undefined;
  return check({
    id: 'empty-keystatuses-on-close',
    title: "a 'keystatuseschange' with an empty map follows close()",
    ok: !!empty,
    expected: 'keystatuseschange, size 0',
    observed: empty ? 'fired' : 'no such event',
    spec: '#session-closed',
  });
}

/** generateRequest → message(license-request) → license round trip → update → keys usable. */
export function licenseRequestChecks(t: Timeline, label: string, kids: string[], sessionType: string): Check[] {
  const checks: Check[] = [];
  const s = sessionOf(t, label);
  const gen = s.generateRequest;
  checks.push(
    check({
      id: 'generateRequest-resolves',
      title: 'generateRequest() resolves',
      ok: isFulfilled(gen),
      expected: 'resolved',
      observed: describeSettled(gen),
      spec: '#dom-mediakeysession-generaterequest',
    }),
  );
  const sessionId = s.sessionId;
  checks.push(
    check({
      id: 'sessionId-set',
      title: 'sessionId is set once generateRequest() resolves',
      ok: sessionId.length > 0,
      expected: 'a non-empty sessionId',
      observed: JSON.stringify(sessionId),
      spec: '#dom-mediakeysession-sessionid',
    }),
  );

  const firstMessage = s.messages()[0];
  const message = s.message('license-request');
  checks.push(
    check({
      id: 'message-license-request',
      title: "a 'message' event of type license-request fires",
      ok: !!message,
      expected: "message with messageType 'license-request'",
      observed: firstMessage ? `first message type ${String(firstMessage.data?.messageType)}` : 'no message event',
      spec: '#queue-message',
    }),
  );
  if (message && gen?.result) {
    checks.push(
      check({
        id: 'message-after-generateRequest',
        title: "the 'message' event follows generateRequest()'s resolution",
        ok: message.seq > gen.result.seq,
        expected: 'P:generateRequest → E:message',
        observed: `message #${message.seq}, generateRequest settled #${gen.result.seq}`,
        spec: '#dom-mediakeysession-generaterequest',
      }),
    );
  }
  if (message) {
    checks.push(
      check({
        id: 'no-keys-at-message',
        title: 'keyStatuses is empty when the license request fires',
        ok: message.session?.size === 0,
        expected: 'size 0',
        observed: describeStatuses(message.session),
        spec: '#dom-mediakeysession-keystatuses',
      }),
    );
    const body = messageJson(message);
    const bodyKids = Array.isArray(body?.['kids']) ? (body['kids'] as unknown[]) : [];
    const hexKids = bodyKids.map(b64urlToHex).sort();
    const formatOk = bodyKids.every((k) => typeof k === 'string' && B64URL.test(k));
    checks.push(
      check({
        id: 'request-format',
        title: 'the license request is Clear Key JSON {kids, type}',
        ok:
          !!body &&
          formatOk &&
          body['type'] === sessionType &&
          JSON.stringify(hexKids) === JSON.stringify([...kids].sort()),
        expected: `{"kids":[base64url of ${kids.join(', ')}],"type":"${sessionType}"}`,
        observed: body ? JSON.stringify(body) : 'not JSON',
        spec: '#clear-key-request-format',
      }),
    );

    const sent = t.licenseRequests(label).find((e) => e.data?.forMessage === message.seq);
    const exchange = sent ? t.exchangeFor(sent) : undefined;
    checks.push(
      check({
        id: 'license-served',
        title: 'the license endpoint received the request and answered 200',
        ok: exchange?.response.status === 200,
        expected: 'server exchange with status 200',
        observed: exchange ? `status ${exchange.response.status}` : 'no exchange recorded by the server',
      }),
    );
    if (exchange) {
      checks.push(
        check({
          id: 'wire-matches-message',
          title: 'the bytes on the wire are the message event bytes',
          ok: exchange.request.base64 === message.data?.message?.base64,
          expected: 'server request bytes == page message bytes',
          observed: `${exchange.request.size} bytes on the wire`,
        }),
      );
    }
  }

  const update = s.updates[0];
  checks.push(
    check({
      id: 'update-resolves',
      title: 'update() with the license resolves',
      ok: isFulfilled(update),
      expected: 'resolved',
      observed: describeSettled(update),
      spec: '#dom-mediakeysession-update',
    }),
  );
  const changes = update ? s.keyChanges(update.call.seq) : [];
  const usable = changes.find((e) => statusesAre(e, kids, 'usable'));
  const seen = changes.length
    ? `changes seen: ${changes
        .slice(0, 4)
        .map((e) => describeStatuses(e.session))
        .join('; ')}`
    : "no 'keystatuseschange' after update()";
  checks.push(
    check({
      id: 'keys-usable',
      title: "a 'keystatuseschange' reports every key usable",
      ok: !!usable,
      expected: `${kids.length} key(s) usable`,
      observed: usable ? describeStatuses(usable.session) : seen,
      spec: '#update-key-statuses',
    }),
  );
  if (usable && update?.result) {
    checks.push(
      check({
        id: 'update-then-keystatuseschange',
        title: "update() resolves before 'keystatuseschange' fires",
        ok: update.result.seq < usable.seq,
        expected: 'P:update → E:keystatuseschange',
        observed: update.result.seq < usable.seq ? 'update first' : 'keystatuseschange first',
        spec: '#dom-mediakeysession-update',
        level: 'advisory',
      }),
    );
    const expiration = usable.session?.expiration;
    checks.push(
      check({
        id: 'expiration-nan',
        title: 'expiration is NaN for Clear Key',
        ok: expiration === 'NaN',
        expected: 'NaN',
        observed: JSON.stringify(expiration),
        spec: '#clear-key',
      }),
    );
  }
  return checks;
}

/** close() → closed('closed-by-application') → keystatuseschange(empty), and nothing after. */
export function closeChecks(t: Timeline, label: string): Check[] {
  const checks: Check[] = [];
  const s = sessionOf(t, label);
  const close = s.close;
  checks.push(
    check({
      id: 'close-resolves',
      title: 'close() resolves',
      ok: isFulfilled(close),
      expected: 'resolved',
      observed: describeSettled(close),
      spec: '#dom-mediakeysession-close',
    }),
  );
  const closed = s.closed;
  checks.push(
    check({
      id: 'closed-by-application',
      title: "the closed promise resolves with 'closed-by-application'",
      ok: closed?.outcome === 'resolved' && closed.value === 'closed-by-application',
      expected: "resolved with 'closed-by-application'",
      observed: closed ? `${closed.outcome} with ${JSON.stringify(closed.value ?? closed.error)}` : 'never settled',
      spec: '#session-closed',
    }),
  );
  const empty = close ? s.emptiedAfter(close.call.seq) : undefined;
  checks.push(emptiedOnCloseCheck(s, close?.call));
  if (close?.result && closed && empty) {
    const order = [
      ['P:close', close.result.seq],
      ['P:closed', closed.seq],
      ['E:keystatuseschange(empty)', empty.seq],
    ] as const;
    const observed = [...order]
      .sort((a, b) => a[1] - b[1])
      .map((o) => o[0])
      .join(' → ');
    checks.push(
      check({
        id: 'close-order',
        title: 'close settles in the spec order',
        ok: observed === order.map((o) => o[0]).join(' → '),
        expected: order.map((o) => o[0]).join(' → '),
        observed,
        spec: '#session-closed',
        level: 'advisory',
      }),
    );
  }
  if (closed && empty) {
    const last = Math.max(closed.seq, empty.seq);
    const after = s.activityAfter(last);
    checks.push(
      check({
        id: 'nothing-after-closed',
        title: 'no session events after it closed',
        ok: after.length === 0,
        expected: 'no further events',
        observed: after.length ? after.map((e) => `${e.name}#${e.seq}`).join(', ') : 'none',
        spec: '#session-closed',
      }),
    );
  }
  return checks;
}

export function judgeTemporaryLifecycle(record: RunRecord): Judgement {
  const t = new Timeline(record);
  const kids = runKeys(t).requested;
  return decide(record, [...licenseRequestChecks(t, 's1', kids, 'temporary'), ...closeChecks(t, 's1')]);
}

export function judgePersistentLifecycle(record: RunRecord): Judgement {
  const t = new Timeline(record);
  const kids = runKeys(t).requested;
  const checks = [...licenseRequestChecks(t, 's1', kids, 'persistent-license')];
  const [stored, loaded, reloaded] = [sessionOf(t, 's1'), sessionOf(t, 's2'), sessionOf(t, 's3')];

  const close = stored.close;
  checks.push(
    check({
      id: 'close-resolves',
      title: 'close() keeps the stored license and resolves',
      ok: isFulfilled(close),
      expected: 'resolved',
      observed: describeSettled(close),
      spec: '#dom-mediakeysession-close',
    }),
  );
  const closed = stored.closed;
  checks.push(
    check({
      id: 'closed-by-application',
      title: "the closed promise resolves with 'closed-by-application'",
      ok: closed?.value === 'closed-by-application',
      expected: "'closed-by-application'",
      observed: JSON.stringify(closed?.value ?? closed?.error ?? 'never settled'),
      spec: '#session-closed',
    }),
  );

  const load = loaded.load;
  checks.push(
    check({
      id: 'load-finds-session',
      title: 'load(sessionId) in a new session resolves true',
      ok: load?.result?.value === true,
      expected: 'resolved with true',
      observed: describeSettled(load),
      spec: '#dom-mediakeysession-load',
    }),
  );
  const loadedUsable = load
    ? [load.result, ...loaded.keyChanges(load.call.seq)].find((e) => statusesAre(e, kids, 'usable'))
    : undefined;
  checks.push(
    check({
      id: 'loaded-keys-usable',
      title: 'the loaded session reports every key usable',
      ok: !!loadedUsable,
      expected: `${kids.length} key(s) usable`,
      observed: loadedUsable ? 'usable' : 'not seen',
      spec: '#dom-mediakeysession-load',
    }),
  );

  const remove = loaded.remove;
  checks.push(
    check({
      id: 'remove-resolves',
      title: 'remove() resolves',
      ok: isFulfilled(remove),
      expected: 'resolved',
      observed: describeSettled(remove),
      spec: '#dom-mediakeysession-remove',
    }),
  );
  checks.push(keysReleasedCheck(loaded, remove, kids));
  const releaseMessage = remove ? loaded.message('license-release', remove.call.seq) : undefined;
  checks.push(
    check({
      id: 'license-release-message',
      title: "remove() queues a 'license-release' message",
      ok: !!releaseMessage,
      expected: "message with messageType 'license-release'",
      observed: releaseMessage ? 'fired' : 'no such message',
      spec: '#dom-mediakeysession-remove',
    }),
  );
  const releaseBody = messageJson(releaseMessage);
  if (releaseMessage) {
    const hexKids = (Array.isArray(releaseBody?.['kids']) ? (releaseBody['kids'] as unknown[]) : [])
      .map(b64urlToHex)
      .sort();
    checks.push(
      check({
        id: 'release-format',
        title: 'the release message is Clear Key JSON {kids}',
        ok: JSON.stringify(hexKids) === JSON.stringify([...kids].sort()),
        expected: `{"kids":[base64url of ${kids.join(', ')}]}`,
        observed: releaseBody ? JSON.stringify(releaseBody) : 'not JSON',
        spec: '#clear-key-release-format',
      }),
    );
  }
  const ack = loaded.updates[0];
  checks.push(
    check({
      id: 'release-ack-resolves',
      title: 'update() with the release acknowledgement resolves',
      ok: isFulfilled(ack),
      expected: 'resolved',
      observed: describeSettled(ack),
      spec: '#dom-mediakeysession-update',
    }),
  );
  const closed2 = loaded.closed;
  checks.push(
    check({
      id: 'release-acknowledged',
      title: "the closed promise resolves with 'release-acknowledged'",
      ok: closed2?.value === 'release-acknowledged',
      expected: "'release-acknowledged'",
      observed: JSON.stringify(closed2?.value ?? closed2?.error ?? 'never settled'),
      spec: '#session-closed',
    }),
  );

  const acknowledged = closed2?.value === 'release-acknowledged';
  const reload = reloaded.load;
  checks.push(
    loadAfterRemoveCheck({
      acknowledged,
      removed: isFulfilled(remove),
      load: describeSettled(reload),
      loadValue: reload?.result?.value,
      releaseAgain: reload ? reloaded.message('license-release', reload.call.seq) !== undefined : false,
    }),
  );
  return decide(record, checks);
}

/**
 * After remove(): every key 'released' (the generic remove() algorithm) or an emptied key-status map
 * (the Clear Key section says the map empties); statuses that stay as they were break both.
 */
export function keysReleasedCheck(s: SessionModel, remove: Settled | undefined, kids: string[]): Check {
  const after = remove ? [remove.result, ...s.keyChanges(remove.call.seq)] : [];
  const released = after.find((e) => statusesAre(e, kids, 'released'));
  const emptied = after.find((e) => e?.session?.size === 0);
  const last = after.filter((e) => e?.session).at(-1)?.session?.keyStatuses;
  return check({
    id: 'keys-released',
    title: "remove() marks every key 'released' or empties the key-status map",
    ok: !!released || !!emptied,
    expected: `${kids.length} key(s) released, or an empty map (Clear Key)`,
    observed: released ? 'released' : emptied ? 'map emptied' : `neither: ${JSON.stringify(last ?? {})}`,
    spec: '#dom-mediakeysession-remove',
    step: 'step 4.5.1',
  });
}

export interface LoadAfterRemove {
  /** closed resolved with 'release-acknowledged': the record of license destruction is gone. */
  acknowledged: boolean;
  /** remove() resolved, so a record of license destruction was stored. */
  removed: boolean;
  /** The later load(), described. */
  load: string;
  loadValue: unknown;
  /** A license-release message followed that load. */
  releaseAgain: boolean;
}

/**
 * load() of a removed persistent session. The stored data, with its record of license destruction,
 * survives until the release is acknowledged: only then does load() resolve false. Before that it
 * finds the data (true) and, when remove() stored the record, sends the release message again.
 */
export function loadAfterRemoveCheck(o: LoadAfterRemove): Check {
  if (o.acknowledged)
    return check({
      id: 'load-after-remove-false',
      title: 'load(sessionId) after the acknowledged release resolves false',
      ok: o.loadValue === false,
      expected: 'resolved with false',
      observed: o.load,
      spec: '#dom-mediakeysession-load',
      step: 'step 8.8.1',
    });
  const wantRelease = o.removed;
  return check({
    id: 'load-after-remove-false',
    title: wantRelease
      ? 'with the release never acknowledged, load(sessionId) still finds the record of destruction and sends the release again'
      : 'with the release never acknowledged, load(sessionId) still finds the stored session',
    ok: o.loadValue === true && (!wantRelease || o.releaseAgain),
    expected: wantRelease ? "resolved with true, then a 'license-release' message" : 'resolved with true',
    observed: `${o.load}${wantRelease ? (o.releaseAgain ? ", then 'license-release'" : ', no release message') : ''}`,
    spec: '#dom-mediakeysession-load',
    step: wantRelease ? 'step 8.8.9' : 'step 8.8.7',
  });
}
