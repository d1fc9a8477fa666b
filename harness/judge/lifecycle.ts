// Rules for Clear Key session lifecycles, written against the EME algorithms:
//  generateRequest(): the promise resolves, then a 'message' task fires (#dom-mediakeysession-generaterequest, #queue-message)
//  update(): key statuses change; the promise and the 'keystatuseschange' task race in real CDMs (advisory order)
//  close(): P:close → P:closed('closed-by-application') → E:keystatuseschange(empty)   (#session-closed)
//  remove(): statuses 'released', P:remove, then message('license-release'); the ack closes with 'release-acknowledged'
import type { PageEntry, RunRecord } from '../../model/record.ts';
import { Timeline, describeSettled, describeStatuses, isFulfilled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The hex key ids a run asked for, from the runner's start note. */
export function expectedKeyIds(t: Timeline): string[] {
  const start = t.notes('start')[0]?.data as { params?: { keys?: string[] }; keyIds?: Record<string, string> } | undefined;
  const labels = start?.params?.keys ?? [];
  return labels.map((label) => start?.keyIds?.[label] ?? `unknown:${label}`);
}

function b64urlToHex(value: unknown): string {
  return typeof value === 'string' ? Buffer.from(value, 'base64url').toString('hex') : String(value);
}

function statusesAre(entry: PageEntry | undefined, kids: string[], status: string): boolean {
  return !!entry?.session && kids.every((k) => entry.session?.keyStatuses[k] === status);
}

function messageJson(entry: PageEntry | undefined): Record<string, unknown> | undefined {
  const json = (entry?.data?.['message'] as { json?: unknown } | undefined)?.json;
  return json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
}

function messageBase64(entry: PageEntry | undefined): string | undefined {
  return (entry?.data?.['message'] as { base64?: string } | undefined)?.base64;
}

/** generateRequest → message(license-request) → license round trip → update → keys usable. */
export function licenseRequestChecks(t: Timeline, label: string, kids: string[], sessionType: string): Check[] {
  const checks: Check[] = [];
  const gen = t.firstCall(label, 'generateRequest');
  checks.push(check('generateRequest-resolves', 'generateRequest() resolves', isFulfilled(gen), 'resolved', describeSettled(gen), { spec: '#dom-mediakeysession-generaterequest' }));
  const sessionId = gen?.result?.session?.sessionId ?? '';
  checks.push(check('sessionId-set', 'sessionId is set once generateRequest() resolves', sessionId.length > 0, 'a non-empty sessionId', JSON.stringify(sessionId), { spec: '#dom-mediakeysession-sessionid' }));

  const firstMessage = t.events(label, 'message')[0];
  const message = t.events(label, 'message').find((e) => e.data?.['messageType'] === 'license-request');
  checks.push(check('message-license-request', "a 'message' event of type license-request fires", !!message, "message with messageType 'license-request'", firstMessage ? `first message type ${String(firstMessage.data?.['messageType'])}` : 'no message event', { spec: '#queue-message' }));
  if (message && gen?.result) {
    checks.push(check('message-after-generateRequest', "the 'message' event follows generateRequest()'s resolution", message.seq > gen.result.seq, 'P:generateRequest → E:message', `message #${message.seq}, generateRequest settled #${gen.result.seq}`, { spec: '#dom-mediakeysession-generaterequest' }));
  }
  if (message) {
    checks.push(check('no-keys-at-message', 'keyStatuses is empty when the license request fires', message.session?.size === 0, 'size 0', describeStatuses(message.session), { spec: '#dom-mediakeysession-keystatuses' }));
    const body = messageJson(message);
    const bodyKids = Array.isArray(body?.['kids']) ? (body['kids'] as unknown[]) : [];
    const hexKids = bodyKids.map(b64urlToHex).sort();
    const formatOk = bodyKids.every((k) => typeof k === 'string' && B64URL.test(k));
    checks.push(check('request-format', 'the license request is Clear Key JSON {kids, type}', !!body && formatOk && body['type'] === sessionType && JSON.stringify(hexKids) === JSON.stringify([...kids].sort()),
      `{"kids":[base64url of ${kids.join(', ')}],"type":"${sessionType}"}`, body ? JSON.stringify(body) : 'not JSON', { spec: '#clear-key-request-format' }));

    const sent = t.licenseRequests(label).find((e) => e.data?.['forMessage'] === message.seq);
    const exchange = sent ? t.exchangeFor(sent) : undefined;
    checks.push(check('license-served', 'the license endpoint received the request and answered 200', exchange?.response.status === 200,
      'server exchange with status 200', exchange ? `status ${exchange.response.status}` : 'no exchange recorded by the server'));
    if (exchange) {
      checks.push(check('wire-matches-message', 'the bytes on the wire are the message event bytes', exchange.request.base64 === messageBase64(message),
        'server request bytes == page message bytes', `${exchange.request.size} bytes on the wire`));
    }
  }

  const update = t.firstCall(label, 'update');
  checks.push(check('update-resolves', 'update() with the license resolves', isFulfilled(update), 'resolved', describeSettled(update), { spec: '#dom-mediakeysession-update' }));
  const changes = update ? t.events(label, 'keystatuseschange', update.call.seq) : [];
  const usable = changes.find((e) => statusesAre(e, kids, 'usable'));
  const seen = changes.length ? `changes seen: ${changes.slice(0, 4).map((e) => describeStatuses(e.session)).join('; ')}` : "no 'keystatuseschange' after update()";
  checks.push(check('keys-usable', "a 'keystatuseschange' reports every key usable", !!usable, `${kids.length} key(s) usable`, usable ? describeStatuses(usable.session) : seen, { spec: '#update-key-statuses' }));
  if (usable && update?.result) {
    checks.push(check('update-then-keystatuseschange', "update() resolves before 'keystatuseschange' fires", update.result.seq < usable.seq, 'P:update → E:keystatuseschange',
      update.result.seq < usable.seq ? 'update first' : 'keystatuseschange first', { spec: '#dom-mediakeysession-update', level: 'advisory' }));
    const expiration = usable.session?.expiration;
    checks.push(check('expiration-nan', 'expiration is NaN for Clear Key', expiration === 'NaN', 'NaN', JSON.stringify(expiration), { spec: '#clear-key' }));
  }
  return checks;
}

/** close() → closed('closed-by-application') → keystatuseschange(empty), and nothing after. */
export function closeChecks(t: Timeline, label: string): Check[] {
  const checks: Check[] = [];
  const close = t.firstCall(label, 'close');
  checks.push(check('close-resolves', 'close() resolves', isFulfilled(close), 'resolved', describeSettled(close), { spec: '#dom-mediakeysession-close' }));
  const closed = t.promise(label, 'closed');
  checks.push(check('closed-by-application', "the closed promise resolves with 'closed-by-application'", closed?.outcome === 'resolved' && closed.value === 'closed-by-application',
    "resolved with 'closed-by-application'", closed ? `${closed.outcome} with ${JSON.stringify(closed.value ?? closed.error)}` : 'never settled', { spec: '#session-closed' }));
  const empty = close ? t.events(label, 'keystatuseschange', close.call.seq).find((e) => e.session?.size === 0) : undefined;
  checks.push(check('empty-keystatuses-on-close', "a 'keystatuseschange' with an empty map follows close()", !!empty, 'keystatuseschange, size 0', empty ? 'fired' : 'no such event', { spec: '#session-closed' }));
  if (close?.result && closed && empty) {
    const order = [
      ['P:close', close.result.seq],
      ['P:closed', closed.seq],
      ['E:keystatuseschange(empty)', empty.seq],
    ] as const;
    const observed = [...order].sort((a, b) => a[1] - b[1]).map((o) => o[0]).join(' → ');
    checks.push(check('close-order', 'close settles in the spec order', observed === order.map((o) => o[0]).join(' → '), order.map((o) => o[0]).join(' → '), observed, { spec: '#session-closed', level: 'advisory' }));
  }
  if (closed && empty) {
    const last = Math.max(closed.seq, empty.seq);
    const after = t.sessionActivity(label, last);
    checks.push(check('nothing-after-closed', 'no session events after it closed', after.length === 0, 'no further events', after.length ? after.map((e) => `${e.name}#${e.seq}`).join(', ') : 'none', { spec: '#session-closed' }));
  }
  return checks;
}

export function judgeTemporaryLifecycle(record: RunRecord): Judgement {
  const t = new Timeline(record);
  const kids = expectedKeyIds(t);
  return decide(record, [...licenseRequestChecks(t, 's1', kids, 'temporary'), ...closeChecks(t, 's1')]);
}

export function judgePersistentLifecycle(record: RunRecord): Judgement {
  const t = new Timeline(record);
  const kids = expectedKeyIds(t);
  const checks = [...licenseRequestChecks(t, 's1', kids, 'persistent-license')];

  const close = t.firstCall('s1', 'close');
  checks.push(check('close-resolves', 'close() keeps the stored license and resolves', isFulfilled(close), 'resolved', describeSettled(close), { spec: '#dom-mediakeysession-close' }));
  const closed = t.promise('s1', 'closed');
  checks.push(check('closed-by-application', "the closed promise resolves with 'closed-by-application'", closed?.value === 'closed-by-application', "'closed-by-application'", JSON.stringify(closed?.value ?? closed?.error ?? 'never settled'), { spec: '#session-closed' }));

  const load = t.firstCall('s2', 'load');
  checks.push(check('load-finds-session', 'load(sessionId) in a new session resolves true', load?.result?.value === true, 'resolved with true', describeSettled(load), { spec: '#dom-mediakeysession-load' }));
  const loadedUsable = load ? [load.result, ...t.events('s2', 'keystatuseschange', load.call.seq)].find((e) => statusesAre(e, kids, 'usable')) : undefined;
  checks.push(check('loaded-keys-usable', 'the loaded session reports every key usable', !!loadedUsable, `${kids.length} key(s) usable`, loadedUsable ? 'usable' : 'not seen', { spec: '#dom-mediakeysession-load' }));

  const remove = t.firstCall('s2', 'remove');
  checks.push(check('remove-resolves', 'remove() resolves', isFulfilled(remove), 'resolved', describeSettled(remove), { spec: '#dom-mediakeysession-remove' }));
  const released = remove ? [remove.result, ...t.events('s2', 'keystatuseschange', remove.call.seq)].find((e) => statusesAre(e, kids, 'released')) : undefined;
  checks.push(check('keys-released', "remove() marks every key 'released'", !!released, `${kids.length} key(s) released`, released ? 'released' : 'not seen', { spec: '#dom-mediakeysession-remove' }));
  const releaseMessage = remove ? t.events('s2', 'message', remove.call.seq).find((e) => e.data?.['messageType'] === 'license-release') : undefined;
  checks.push(check('license-release-message', "remove() queues a 'license-release' message", !!releaseMessage, "message with messageType 'license-release'", releaseMessage ? 'fired' : 'no such message', { spec: '#dom-mediakeysession-remove' }));
  const releaseBody = messageJson(releaseMessage);
  if (releaseMessage) {
    const hexKids = (Array.isArray(releaseBody?.['kids']) ? (releaseBody['kids'] as unknown[]) : []).map(b64urlToHex).sort();
    checks.push(check('release-format', 'the release message is Clear Key JSON {kids}', JSON.stringify(hexKids) === JSON.stringify([...kids].sort()), `{"kids":[base64url of ${kids.join(', ')}]}`, releaseBody ? JSON.stringify(releaseBody) : 'not JSON', { spec: '#clear-key-release-format' }));
  }
  const ack = t.calls('s2', 'update')[0];
  checks.push(check('release-ack-resolves', 'update() with the release acknowledgement resolves', isFulfilled(ack), 'resolved', describeSettled(ack), { spec: '#dom-mediakeysession-update' }));
  const closed2 = t.promise('s2', 'closed');
  checks.push(check('release-acknowledged', "the closed promise resolves with 'release-acknowledged'", closed2?.value === 'release-acknowledged', "'release-acknowledged'", JSON.stringify(closed2?.value ?? closed2?.error ?? 'never settled'), { spec: '#session-closed' }));

  const reload = t.firstCall('s3', 'load');
  checks.push(check('load-after-remove-false', 'load(sessionId) after the release resolves false', reload?.result?.value === false, 'resolved with false', describeSettled(reload), { spec: '#dom-mediakeysession-load' }));
  return decide(record, checks);
}
