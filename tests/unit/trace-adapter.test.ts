// The tracer's adapter under Node (pages/js/tracer/adapter.js): trace-anything's logs and media element
// events in, timeline entries of the runner pages' schema out. Live EME objects are stood in for by
// plain objects with the fields the adapter reads; every entry it emits must pass PageEntry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceAdapter } from '../../pages/js/tracer/adapter.js';
import { PageEntry } from '../../model/record.ts';

interface Emitted {
  type: string;
  target: string;
  name: string;
  seq: number;
  [k: string]: unknown;
}

function harness() {
  const entries: Emitted[] = [];
  const warnings: string[] = [];
  const adapter = new TraceAdapter({
    emit(entry) {
      const seq = entries.length;
      entries.push({ ...(entry as object), seq } as Emitted);
      return seq;
    },
    warn: (m) => warnings.push(m),
  });
  /** Every entry, numbered and timed as the merge does, must be a valid PageEntry. */
  const valid = () => entries.map((e) => PageEntry.parse({ ...e, t: e.seq }));
  return { adapter, entries, warnings, valid };
}

const tick = () => new Promise((r) => setImmediate(r));
const kid = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const kidHex = Buffer.from(kid).toString('hex');

function fakeSession(id = 'abc') {
  const statuses = new Map<ArrayBuffer, string>();
  return {
    sessionId: id,
    expiration: Number.NaN,
    keyStatuses: statuses,
    setUsable() {
      statuses.set(kid.buffer.slice(0), 'usable');
    },
  };
}

test('an async EME call becomes a call entry now and a result entry when it settles, before the page sees the value', async () => {
  const { adapter, entries, valid } = harness();
  let resolve!: (v: unknown) => void;
  const promise = new Promise((r) => (resolve = r));
  const configs = [
    { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
  ];
  adapter.onLog({
    type: 'Method',
    className: 'Navigator',
    methodName: 'requestMediaKeySystemAccess',
    args: ['org.w3.clearkey', configs],
    result: promise,
  });
  assert.deepEqual(
    entries.map((e) => [e.type, e.target, e.name]),
    [['call', 'navigator', 'requestMediaKeySystemAccess']],
  );
  assert.deepEqual(entries[0]!['args'], ['org.w3.clearkey', configs]);
  // The page's own continuation is attached after the tracer's: the result entry must be there first.
  let seenByPage = -1;
  void promise.then(() => (seenByPage = entries.length));
  resolve({ keySystem: 'org.w3.clearkey' });
  await tick();
  assert.equal(entries[1]!.type, 'result');
  assert.equal(entries[1]!['outcome'], 'resolved');
  assert.equal(entries[1]!['of'], 0);
  assert.deepEqual(entries[1]!['value'], { keySystem: 'org.w3.clearkey' });
  assert.equal(seenByPage, 2, 'the result entry was recorded before the page continued');
  valid();
});

test('createSession labels the session s1, s2…; session calls carry its label and snapshot', async () => {
  const { adapter, entries, valid } = harness();
  const s1 = fakeSession('s-one');
  const s2 = fakeSession('s-two');
  adapter.onLog({
    type: 'Method',
    className: 'MediaKeys',
    methodName: 'createSession',
    args: ['temporary'],
    result: s1,
  });
  adapter.onLog({ type: 'Method', className: 'MediaKeys', methodName: 'createSession', args: [], result: s2 });
  assert.deepEqual(
    entries.filter((e) => e.type === 'call').map((e) => e['data']),
    [{ label: 's1' }, { label: 's2' }],
  );
  assert.deepEqual(
    entries.filter((e) => e.type === 'result').map((e) => e['outcome']),
    ['returned', 'returned'],
  );
  const init = new TextEncoder().encode(JSON.stringify({ kids: [Buffer.from(kid).toString('base64url')] }));
  let settle!: () => void;
  adapter.onLog({
    type: 'Method',
    className: 'MediaKeySession',
    methodName: 'generateRequest',
    instance: s2,
    args: ['keyids', init],
    result: new Promise<void>((r) => (settle = r)),
  });
  const call = entries.at(-1)!;
  assert.equal(call.target, 's2');
  assert.deepEqual((call['args'] as unknown[])[0], 'keyids');
  // Bytes are described as the runner's recorder describes them: size, hex, base64, and JSON when they are.
  const described = (call['args'] as Record<string, Record<string, unknown>>[])[1]!['Uint8Array']!;
  assert.equal(described['bytes'], init.length);
  assert.deepEqual(described['json'], { kids: [Buffer.from(kid).toString('base64url')] });
  settle();
  await tick();
  const result = entries.at(-1)!;
  assert.equal(result.type, 'result');
  assert.deepEqual(result['session'], { sessionId: 's-two', expiration: 'NaN', keyStatuses: {}, size: 0 });
  valid();
});

test('a throwing call and a rejecting call are recorded with the error name and message', async () => {
  const { adapter, entries, valid } = harness();
  const session = fakeSession();
  const error = Object.assign(new Error('not callable yet'), { name: 'InvalidStateError' });
  adapter.onLog({
    type: 'Method',
    className: 'MediaKeySession',
    methodName: 'update',
    instance: session,
    args: [new Uint8Array(2)],
    threw: error,
  });
  adapter.onLog({
    type: 'Method',
    className: 'MediaKeys',
    methodName: 'setServerCertificate',
    args: [new ArrayBuffer(4)],
    result: Promise.reject(Object.assign(new Error('no'), { name: 'NotSupportedError' })),
  });
  await tick();
  const results = entries.filter((e) => e.type === 'result');
  assert.deepEqual(
    results.map((e) => [e.target, e.name, e['outcome'], (e['error'] as { name: string }).name]),
    [
      ['s1', 'update', 'threw', 'InvalidStateError'],
      ['mediaKeys', 'setServerCertificate', 'rejected', 'NotSupportedError'],
    ],
  );
  valid();
});

test('only EME methods are recorded; decodingInfo only when it asks about a key system', () => {
  const { adapter, entries } = harness();
  adapter.onLog({
    type: 'Method',
    className: 'MediaKeys',
    methodName: 'addEventListener',
    args: [],
    result: undefined,
  });
  adapter.onLog({ type: 'Method', className: 'HTMLVideoElement', methodName: 'play', args: [], result: undefined });
  adapter.onLog({ type: 'Getter', className: 'MediaKeySession', instance: fakeSession() });
  adapter.onLog({
    type: 'Method',
    className: 'MediaCapabilities',
    methodName: 'decodingInfo',
    args: [{ type: 'media-source' }],
    result: undefined,
  });
  assert.equal(entries.length, 0);
  adapter.onLog({
    type: 'Method',
    className: 'MediaCapabilities',
    methodName: 'decodingInfo',
    args: [{ type: 'media-source', keySystemConfiguration: { keySystem: 'org.w3.clearkey' } }],
    result: undefined,
  });
  assert.deepEqual(
    entries.map((e) => `${e.type} ${e.target}.${e.name}`),
    ['call mediaCapabilities.decodingInfo', 'result mediaCapabilities.decodingInfo'],
  );
});

test('session events: message with the decoded Clear Key request, keystatuseschange and closed with snapshots', () => {
  const { adapter, entries, valid } = harness();
  const session = fakeSession('77');
  adapter.onLog({ type: 'Method', className: 'MediaKeys', methodName: 'createSession', args: [], result: session });
  const request = { kids: ['AQIDBAUGBwgJCgsMDQ4PEA'], type: 'temporary' };
  adapter.onLog({
    type: 'Event',
    className: 'MediaKeySession',
    eventName: 'message',
    instance: session,
    event: { messageType: 'license-request', message: new TextEncoder().encode(JSON.stringify(request)).buffer },
  });
  session.setUsable();
  adapter.onLog({
    type: 'Event',
    className: 'MediaKeySession',
    eventName: 'keystatuseschange',
    instance: session,
    event: {},
  });
  adapter.onLog({
    type: 'Event',
    className: 'MediaKeySession',
    eventName: 'closed Promise resolved',
    instance: session,
    event: { result: 'closed-by-application' },
  });
  adapter.onLog({
    type: 'Event',
    className: 'MediaKeySession',
    eventName: 'somethingelse',
    instance: session,
    event: {},
  });
  const [, , message, change, closed] = entries;
  assert.equal(entries.length, 5);
  assert.equal(message!['name'], 'message');
  assert.deepEqual((message!['data'] as { message: { json: unknown } }).message.json, request);
  assert.equal((message!['data'] as { messageType: string }).messageType, 'license-request');
  assert.deepEqual((change!['session'] as { keyStatuses: unknown }).keyStatuses, { [kidHex]: 'usable' });
  assert.deepEqual(
    [closed!.type, closed!.name, closed!['outcome'], closed!['value']],
    ['promise', 'closed', 'resolved', 'closed-by-application'],
  );
  valid();
});

function fakeElement(localName: 'video' | 'audio', currentTime = 0) {
  const listeners = new Map<string, ((e: unknown) => void)[]>();
  return {
    localName,
    currentTime,
    readyState: 1,
    paused: false,
    networkState: 2,
    error: null as null | { code: number; message: string },
    canPlayType: () => '',
    addEventListener(name: string, fn: (e: unknown) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
    },
    fire(type: string, extra: Record<string, unknown> = {}) {
      const event = { type, target: this, ...extra };
      for (const fn of listeners.get(type) ?? []) fn(event);
      return event;
    },
  };
}

test('media element events: encrypted with its init data, labels per element, milestones once, each event once', () => {
  const { adapter, entries, valid } = harness();
  const video = fakeElement('video');
  const audio = fakeElement('audio');
  const second = fakeElement('video');
  const pssh = Uint8Array.of(0, 0, 0, 0x20, 0x70, 0x73, 0x73, 0x68);
  const encrypted = { type: 'encrypted', target: video, initDataType: 'cenc', initData: pssh.buffer };
  adapter.onMediaEvent(encrypted);
  adapter.onMediaEvent(encrypted); // the same event seen again (window capture, then the element's own listener)
  adapter.onMediaEvent({ type: 'waitingforkey', target: audio });
  adapter.onMediaEvent({ type: 'playing', target: second });
  adapter.onMediaEvent({ type: 'error', target: { localName: 'img' } }); // not a media element
  video.currentTime = 1.2;
  adapter.onMediaEvent({ type: 'timeupdate', target: video });
  adapter.onMediaEvent({ type: 'timeupdate', target: video });
  video.error = { code: 3, message: 'PIPELINE_ERROR_DECODE' };
  adapter.onMediaEvent({ type: 'error', target: video });
  assert.deepEqual(
    entries.map((e) => `${e.target}.${e.name}`),
    ['video.encrypted', 'audio.waitingforkey', 'video2.playing', 'video.progress', 'video.progress', 'video.error'],
  );
  const data = entries[0]!['data'] as {
    initDataType: string;
    initData: { hex: string };
    state: { currentTime: number };
  };
  assert.equal(data.initDataType, 'cenc');
  assert.equal(data.initData.hex, Buffer.from(pssh).toString('hex'));
  assert.deepEqual(
    entries.filter((e) => e.name === 'progress').map((e) => (e['data'] as { milestone: number }).milestone),
    [0.5, 1],
  );
  assert.deepEqual(entries.at(-1)!['data'], {
    code: 3,
    message: 'PIPELINE_ERROR_DECODE',
    state: { currentTime: 1.2, readyState: 1, paused: false, networkState: 2 },
  });
  valid();
});

test('setMediaKeys is recorded on the element, and the element is watched directly (it may not be in a document)', async () => {
  const { adapter, entries } = harness();
  const video = fakeElement('video');
  adapter.onLog({
    type: 'Method',
    className: 'HTMLMediaElement',
    methodName: 'setMediaKeys',
    instance: video,
    args: [null],
    result: Promise.resolve(undefined),
  });
  await tick();
  video.fire('waitingforkey');
  assert.deepEqual(
    entries.map((e) => `${e.type} ${e.target}.${e.name}`),
    ['call video.setMediaKeys', 'result video.setMediaKeys', 'event video.waitingforkey'],
  );
});

test('trace-anything warnings are passed on', () => {
  const { adapter, warnings } = harness();
  adapter.onLog({ type: 'Warning', message: 'Unable to trace sessionId on MediaKeySession in-place!' });
  assert.deepEqual(warnings, ['Unable to trace sessionId on MediaKeySession in-place!']);
});
