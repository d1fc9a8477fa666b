// The pure page modules under Node, as the browser loads them (pages/js/*.js, no build): byte
// helpers, init data builders checked against the init data in the packaged media, the describers
// that turn live objects into timeline JSON, and the witness scenarios wait on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { base64UrlToHex, fromHex, toBase64, toBase64Url, toHex, tryUtf8Json, utf8 } from '../../pages/js/bytes.js';
import {
  COMMON_SYSTEM_ID,
  buildInitData,
  cencInitData,
  keyIdsInitData,
  webmInitData,
} from '../../pages/js/init-data.js';
import { bytesOf, describeBytes, errorInfo, snapshotSession, summarise } from '../../pages/js/describe.js';
import { Witnessed } from '../../pages/js/witnessed.js';
import { Recorder } from '../../pages/js/recorder.js';
import { readManifest } from '../../model/manifest.ts';
import { KeyStore } from '../../model/keystore.ts';
import { PageEntry, SessionSnapshot } from '../../model/record.ts';

const manifest = readManifest();
const keyIds = KeyStore.load('media/keys.json').keyIds();
const kid = (label: string) => {
  const hex = keyIds[label];
  assert.ok(hex, `media/keys.json has ${label}`);
  return hex;
};

// ---- bytes.js ----

test('bytes: hex round trips, and fromHex refuses what is not hex', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(toHex(all), Buffer.from(all).toString('hex'));
  assert.deepEqual(fromHex(toHex(all)), all);
  assert.deepEqual(fromHex('ABcd'), Uint8Array.of(0xab, 0xcd));
  assert.deepEqual(fromHex(''), new Uint8Array(0));
  for (const bad of ['abc', 'zz', '0x00', 'a b ']) assert.throws(() => fromHex(bad), /not a hex string/, bad);
});

test('bytes: base64 and base64url agree with Node, without padding, and round trip through base64UrlToHex', () => {
  for (let length = 0; length <= 40; length++) {
    // Bytes chosen so '+', '/' and every padding length occur.
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 31 + 0xf8) & 0xff);
    assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
    const url = toBase64Url(bytes);
    assert.equal(url, Buffer.from(bytes).toString('base64url'), `length ${length}`);
    assert.doesNotMatch(url, /[+/=]/);
    assert.equal(base64UrlToHex(url), toHex(bytes), `length ${length}`);
    // A padded or standard-alphabet value reads the same.
    assert.equal(base64UrlToHex(toBase64(bytes)), toHex(bytes));
  }
  assert.equal(toBase64Url(Uint8Array.of(0xfb, 0xff)), '-_8');
});

test('bytes: utf8 encodes, tryUtf8Json reads JSON and gives undefined for anything else', () => {
  assert.deepEqual(utf8('é'), Uint8Array.of(0xc3, 0xa9));
  assert.deepEqual(tryUtf8Json(utf8('{"kids":["a"],"type":"temporary"}')), { kids: ['a'], type: 'temporary' });
  assert.equal(tryUtf8Json(utf8('42')), 42);
  assert.equal(tryUtf8Json(utf8('not json')), undefined);
  assert.equal(
    tryUtf8Json(Uint8Array.of(0x7b, 0xff, 0x7d)),
    undefined,
    'invalid UTF-8 is not decoded with replacement characters',
  );
  assert.equal(tryUtf8Json(new Uint8Array(0)), undefined);
});

// ---- init-data.js ----

/** The key ids in a version 1 'pssh' box, read per ISO/IEC 23001-7 (what a CDM reads). */
function psshKeyIds(box: Uint8Array): { systemId: string; kids: string[]; dataSize: number } {
  const view = new DataView(box.buffer, box.byteOffset, box.byteLength);
  assert.equal(view.getUint32(0), box.length, 'box size');
  assert.equal(new TextDecoder().decode(box.subarray(4, 8)), 'pssh');
  assert.equal(box[8], 1, 'version 1');
  const count = view.getUint32(28);
  const kids = Array.from({ length: count }, (_, i) => toHex(box.subarray(32 + 16 * i, 48 + 16 * i)));
  const dataSize = view.getUint32(32 + 16 * count);
  assert.equal(box.length, 36 + 16 * count + dataSize);
  return { systemId: toHex(box.subarray(12, 28)), kids, dataSize };
}

test("init data: cenc builds the same 'pssh' box the packaged media carries, for every cenc asset", () => {
  let checked = 0;
  for (const [id, asset] of Object.entries(manifest.assets)) {
    for (const track of asset.tracks) {
      const b64 = track.initData['cenc'];
      if (!b64) continue;
      const inMedia = new Uint8Array(Buffer.from(b64, 'base64'));
      const parsed = psshKeyIds(inMedia);
      assert.equal(parsed.systemId, COMMON_SYSTEM_ID, `${id}: the Common system id`);
      // The media names the track's keys (and may name the asset's others), by the key store's ids.
      const assetKids = new Set(asset.tracks.flatMap((t) => t.keys).map(kid));
      for (const k of track.keys.map(kid)) assert.ok(parsed.kids.includes(k), `${id} ${track.type}: names ${k}`);
      for (const k of parsed.kids) assert.ok(assetKids.has(k), `${id} ${track.type}: ${k} is one of the asset's keys`);
      assert.deepEqual(cencInitData(parsed.kids), inMedia, `${id} ${track.type}: cencInitData() bytes`);
      assert.deepEqual(buildInitData('cenc', parsed.kids), inMedia);
      checked++;
    }
  }
  assert.ok(checked >= 10, `${checked} cenc tracks checked`);
});

test('init data: two key ids make one box listing both, in order', () => {
  const box = cencInitData([kid('key-1'), kid('key-2')]);
  assert.deepEqual(psshKeyIds(box), { systemId: COMMON_SYSTEM_ID, kids: [kid('key-1'), kid('key-2')], dataSize: 0 });
});

test('init data: webm is the raw key id the packaged WebM tracks carry', () => {
  const asset = manifest.assets['vp9-opus-webm'];
  assert.ok(asset, 'the manifest has the WebM asset');
  for (const track of asset.tracks) {
    const inMedia = new Uint8Array(Buffer.from(track.initData['webm']!, 'base64'));
    const [label] = track.keys;
    assert.deepEqual(webmInitData(kid(label!)), inMedia, track.type);
    assert.deepEqual(buildInitData('webm', [kid(label!)]), inMedia);
  }
  assert.throws(() => buildInitData('webm', [kid('key-1'), kid('key-2')]), /exactly one key id/);
});

test('init data: keyids is UTF-8 JSON whose base64url kids read back as the key ids', () => {
  const hex = [kid('key-1'), kid('key-2')];
  const bytes = keyIdsInitData(hex);
  const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as { kids: string[] };
  assert.deepEqual(Object.keys(json), ['kids']);
  assert.deepEqual(
    json.kids,
    hex.map((h) => Buffer.from(h, 'hex').toString('base64url')),
  );
  assert.deepEqual(json.kids.map(base64UrlToHex), hex);
  assert.deepEqual(buildInitData('keyids', hex), bytes);
  assert.throws(() => buildInitData('no-such-type', hex), /no init data builder for no-such-type/);
});

// ---- describe.js ----

test('describe: errorInfo names any thrown value', () => {
  assert.deepEqual(errorInfo(new TypeError('bad argument')), { name: 'TypeError', message: 'bad argument' });
  assert.deepEqual(errorInfo(new DOMException('no key system', 'NotSupportedError')), {
    name: 'NotSupportedError',
    message: 'no key system',
  });
  assert.deepEqual(errorInfo({ name: 'QuotaExceededError' }), { name: 'QuotaExceededError', message: '' });
  assert.deepEqual(errorInfo({}), { name: 'Error', message: '' });
  assert.deepEqual(errorInfo('a string'), { name: 'string', message: 'a string' });
  assert.deepEqual(errorInfo(undefined), { name: 'undefined', message: 'undefined' });
  assert.deepEqual(errorInfo(null), { name: 'object', message: 'null' });
});

test('describe: bytesOf reads every BufferSource, from this realm or another, and nothing else', () => {
  const buffer = Uint8Array.of(1, 2, 3, 4, 5).buffer;
  assert.deepEqual(bytesOf(buffer), Uint8Array.of(1, 2, 3, 4, 5));
  assert.deepEqual(bytesOf(new Uint8Array(buffer, 1, 3)), Uint8Array.of(2, 3, 4), 'a view keeps its offset and length');
  assert.deepEqual(bytesOf(new DataView(buffer, 3)), Uint8Array.of(4, 5));
  assert.deepEqual(bytesOf(new Uint16Array([0x0102])), new Uint8Array(new Uint16Array([0x0102]).buffer));
  // A frame's ArrayBuffer is not an instance of this realm's ArrayBuffer.
  const foreign = runInNewContext('new Uint8Array([9, 8, 7]).buffer') as ArrayBuffer;
  assert.ok(!(foreign instanceof ArrayBuffer));
  assert.deepEqual(bytesOf(foreign), Uint8Array.of(9, 8, 7));
  for (const other of [null, undefined, 'abc', [1, 2], { byteLength: 2 }]) assert.equal(bytesOf(other), null);
});

test('describe: describeBytes gives size, hex of the first 256 bytes, base64 up to 4 KiB, and JSON when it is', () => {
  const message = utf8(JSON.stringify({ kids: ['IE4EQRFbzP7i2iVPfeeNgQ'], type: 'temporary' }));
  assert.deepEqual(describeBytes(message), {
    bytes: message.length,
    hex: toHex(message),
    base64: toBase64(message),
    json: { kids: ['IE4EQRFbzP7i2iVPfeeNgQ'], type: 'temporary' },
  });
  const big = new Uint8Array(5000).fill(0xab);
  const described = describeBytes(big);
  assert.equal(described.bytes, 5000);
  assert.equal(described.hex, 'ab'.repeat(256));
  assert.equal(described.base64, undefined);
  assert.equal(described.json, undefined);
  assert.deepEqual(describeBytes(new Uint8Array(4096)).base64?.length, 5464);
});

test('describe: summarise makes any value plain JSON', () => {
  assert.deepEqual(
    summarise({ n: NaN, inf: -Infinity, u: undefined, big: 10n, f: function named() {}, arrow: () => 0 }),
    {
      n: 'NaN',
      inf: '-Infinity',
      u: { undefined: true },
      big: '10',
      f: { function: 'named' },
      arrow: { function: 'arrow' },
    },
  );
  assert.deepEqual(summarise([null, true, 'x', 1.5]), [null, true, 'x', 1.5]);
  assert.deepEqual(summarise(Uint8Array.of(1, 2)), { Uint8Array: { bytes: 2, hex: '0102', base64: 'AQI=' } });
  assert.deepEqual(summarise(new DataView(new ArrayBuffer(1))), { DataView: { bytes: 1, hex: '00', base64: 'AA==' } });
  // The configurations requestMediaKeySystemAccess() is called with, as the timeline carries them.
  const config = [
    {
      initDataTypes: ['keyids'],
      videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"', encryptionScheme: undefined }],
    },
  ];
  assert.deepEqual(summarise(config), [
    {
      initDataTypes: ['keyids'],
      videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"', encryptionScheme: { undefined: true } }],
    },
  ]);
  const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
  assert.deepEqual(summarise(deep), { a: { b: { c: { d: { e: { f: '[too deep]' } } } } } });
  assert.doesNotThrow(() => JSON.stringify(summarise(globalThis)), 'a cyclic object is cut at the depth limit');
});

/** A MediaKeyStatusMap-like: iterates [keyId BufferSource, status] pairs, as browsers do. */
function statusMap(pairs: Array<[BufferSource, string]>) {
  return { size: pairs.length, [Symbol.iterator]: () => pairs[Symbol.iterator]() };
}

test("describe: snapshotSession reads a session's key statuses by hex key id, with NaN expiration as 'NaN'", () => {
  const k1 = fromHex(kid('key-1'));
  const session = {
    sessionId: 'B3B0F6A1',
    expiration: NaN,
    keyStatuses: statusMap([
      [k1.buffer, 'usable'],
      [new DataView(fromHex(kid('key-2')).buffer), 'output-restricted'],
    ]),
  } as unknown as MediaKeySession;
  const snap = snapshotSession(session);
  assert.deepEqual(snap, {
    sessionId: 'B3B0F6A1',
    expiration: 'NaN',
    keyStatuses: { [kid('key-1')]: 'usable', [kid('key-2')]: 'output-restricted' },
    size: 2,
  });
  assert.deepEqual(SessionSnapshot.parse(snap), snap, 'the model schema accepts it');
  const later = snapshotSession({
    sessionId: '',
    expiration: 1.7e12,
    keyStatuses: statusMap([]),
  } as unknown as MediaKeySession);
  assert.deepEqual(later, { sessionId: '', expiration: 1.7e12, keyStatuses: {}, size: 0 });
  assert.equal(
    snapshotSession({ sessionId: 'x', expiration: undefined, keyStatuses: statusMap([]) } as unknown as MediaKeySession)
      .expiration,
    null,
  );
});

// ---- witnessed.js (with the recorder it notes timeouts in) ----

const item = (rec: Recorder, name: string) => ({ entry: rec.add({ type: 'event', target: 's1', name }) });

test('witnessed: a wait for something already seen resolves at once, in order of what was seen', async () => {
  const rec = new Recorder();
  const w = new Witnessed(rec, 's1');
  const first = w.saw(item(rec, 'message'));
  w.saw(item(rec, 'message'));
  assert.equal(await w.waitFor('a message', (i) => i.entry.name === 'message', 10), first);
  assert.equal(w.waiters.size, 0);
  assert.equal(rec.entries.length, 2, 'no timeout noted');
});

test('witnessed: a wait resolves when a matching item arrives later, and ignores the rest', async () => {
  const rec = new Recorder();
  const w = new Witnessed(rec, 's1');
  const waiting = w.waitFor('keystatuseschange', (i) => i.entry.name === 'keystatuseschange', 1000);
  assert.equal(w.waiters.size, 1);
  w.saw(item(rec, 'message'));
  setTimeout(() => w.saw(item(rec, 'keystatuseschange')), 5);
  const found = await waiting;
  assert.equal(found?.entry.name, 'keystatuseschange');
  assert.equal(w.waiters.size, 0, 'the waiter is removed once it resolved');
  assert.deepEqual(
    w.seen.map((i) => i.entry.name),
    ['message', 'keystatuseschange'],
  );
});

test('witnessed: a wait that times out resolves null and notes what it waited for in the timeline', async () => {
  const rec = new Recorder();
  const w = new Witnessed(rec, 'video');
  w.saw(item(rec, 'playing'));
  const state = { currentTime: 0.4, readyState: 4, paused: false, networkState: 2 };
  const found = await w.waitFor(
    'currentTime ≥ 1',
    (i) => i.entry.name === 'progress',
    20,
    () => ({ state }),
  );
  assert.equal(found, null);
  assert.equal(w.waiters.size, 0);
  const note = rec.entries.at(-1)!;
  assert.deepEqual(
    { type: note.type, target: note.target, name: note.name, data: note.data },
    {
      type: 'note',
      target: 'video',
      name: 'wait-timeout',
      data: { waitingFor: 'currentTime ≥ 1', timeoutMs: 20, state },
    },
  );
  // The note is one the server accepts.
  PageEntry.parse(note);
  assert.deepEqual(
    rec.entries.map((e) => e.seq),
    [0, 1],
  );
  // An item arriving after the timeout is still seen, for the next wait.
  w.saw(item(rec, 'progress'));
  assert.equal((await w.waitFor('progress', (i) => i.entry.name === 'progress', 5))?.entry.seq, 2);
});

test('witnessed: several waiters on one witness each get their own match', async () => {
  const rec = new Recorder();
  const w = new Witnessed(rec, 's1');
  const a = w.waitFor('a', (i) => i.entry.name === 'a', 1000);
  const b = w.waitFor('b', (i) => i.entry.name === 'b', 1000);
  w.saw(item(rec, 'b'));
  w.saw(item(rec, 'a'));
  assert.deepEqual([(await a)?.entry.seq, (await b)?.entry.seq], [1, 0]);
  assert.equal(w.waiters.size, 0);
});
