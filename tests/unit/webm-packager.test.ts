import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ID, encodeSize, parseElements, readSize } from '../../media/packager/webm/ebml.ts';
import {
  decryptWebmFrames,
  encryptWebm,
  webmFrames,
  webmKeyId,
  type WebmEncryption,
} from '../../media/packager/webm/encrypt-webm.ts';

const clearDir = fileURLToPath(new URL('../../media/source/', import.meta.url));
const sources = ['video-vp9.webm', 'audio-opus.webm']
  .map((name) => ({ name, path: clearDir + name }))
  .filter((s) => existsSync(s.path))
  .map((s) => ({ name: s.name, bytes: readFileSync(s.path) }));
const skip = sources.length < 2 ? 'ffmpeg sources missing in media/source/' : false;

const kid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const key = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
const ivSeed = Buffer.from('iv-seed');
const variants: { label: string; enc: WebmEncryption }[] = [
  { label: 'whole', enc: { kid, key, ivSeed, mode: 'whole' } },
  { label: 'partitioned', enc: { kid, key, ivSeed, mode: 'partitioned' } },
  { label: 'whole + clear lead', enc: { kid, key, ivSeed, mode: 'whole', clearLeadMs: 500 } },
  { label: 'partitioned + clear lead', enc: { kid, key, ivSeed, mode: 'partitioned', clearLeadMs: 500 } },
  {
    label: 'partitioned, clearBytes past short frames',
    enc: { kid, key, ivSeed, mode: 'partitioned', clearBytes: 400 },
  },
];

function assertWebmError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.match(err.message, /^(EBML|WebM): /);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

for (const source of sources) {
  const clearFrames = webmFrames(source.bytes);

  for (const { label, enc } of variants) {
    test(`${source.name} ${label}: round trip gives back the clear frames`, { skip }, () => {
      const out = encryptWebm(source.bytes, enc);
      const decrypted = decryptWebmFrames(out, key);
      assert.equal(decrypted.length, clearFrames.length);
      assert.deepEqual(decrypted, clearFrames);
      assert.deepEqual(webmKeyId(out), kid);
    });
  }

  test(`${source.name}: a wrong key does not give back the clear frames`, { skip }, () => {
    const out = encryptWebm(source.bytes, variants[0]!.enc);
    const decrypted = decryptWebmFrames(out, Buffer.alloc(16, 7));
    assert.equal(decrypted.length, clearFrames.length);
    for (const [i, frame] of decrypted.entries()) assert.notDeepEqual(frame, clearFrames[i], `frame ${i}`);
  });

  test(`${source.name}: output is deterministic`, { skip }, () => {
    for (const { enc } of variants) assert.deepEqual(encryptWebm(source.bytes, enc), encryptWebm(source.bytes, enc));
  });

  test(`${source.name}: output holds SeekHead, Info, Tracks, Clusters and Cues, with the key id`, { skip }, () => {
    assert.equal(webmKeyId(source.bytes), null);
    const out = encryptWebm(source.bytes, variants[0]!.enc);
    const [header, segment, ...rest] = parseElements(out);
    assert.equal(rest.length, 0);
    assert.equal(header?.id, ID.EBML);
    assert.deepEqual(header?.raw, parseElements(source.bytes)[0]?.raw, 'EBML header kept as is');
    assert.equal(segment?.id, ID.Segment);
    const ids = segment.children!.map((e) => e.id);
    assert.deepEqual(ids.slice(0, 3), [ID.SeekHead, ID.Info, ID.Tracks]);
    assert.equal(ids.at(-1), ID.Cues);
    assert.ok(ids.slice(3, -1).every((id) => id === ID.Cluster));
    for (const dropped of [ID.Void, ID.Tags]) assert.ok(!ids.includes(dropped));
    assert.equal(webmFrames(out).length, clearFrames.length);
  });

  test(`${source.name}: partitioned frames keep the first byte clear`, { skip }, () => {
    const stored = webmFrames(encryptWebm(source.bytes, variants[1]!.enc));
    stored.forEach((frame, i) => {
      assert.equal(frame[0], 0x03);
      assert.equal(frame[9], 1, 'one partition');
      assert.equal(frame.readUInt32BE(10), 1, 'partition offset');
      assert.equal(frame[14], clearFrames[i]![0], `TOC byte of frame ${i}`);
    });
  });

  test(`${source.name}: clear lead frames are stored clear, the rest encrypted`, { skip }, () => {
    const signals = webmFrames(encryptWebm(source.bytes, variants[2]!.enc)).map((f) => f[0]);
    const clearCount = signals.indexOf(0x01);
    assert.ok(clearCount > 0);
    assert.ok(signals.slice(0, clearCount).every((s) => s === 0x00));
    assert.ok(signals.slice(clearCount).every((s) => s === 0x01));
    // 25 fps video: frames at 0, 40, ..., 480 ms are below 500 ms.
    if (source.name.startsWith('video')) assert.equal(clearCount, 13);
  });

  test(`${source.name}: unknown-size Segment and Clusters are parsed`, { skip }, () => {
    const [header, segment] = parseElements(source.bytes);
    const unknown8 = Buffer.from('01ffffffffffffff', 'hex');
    const parts = [header!.raw!, Buffer.from('18538067', 'hex'), unknown8];
    for (const child of segment!.children!) {
      if (child.id === ID.Cluster) parts.push(Buffer.from('1f43b675ff', 'hex'), child.data);
      else parts.push(child.raw!);
    }
    const streamed = Buffer.concat(parts);
    assert.deepEqual(webmFrames(streamed), clearFrames);
    assert.deepEqual(decryptWebmFrames(encryptWebm(streamed, variants[1]!.enc), key), clearFrames);
  });

  test(`${source.name}: malformed input throws a useful Error`, { skip }, () => {
    assertWebmError(
      () => encryptWebm(source.bytes.subarray(0, source.bytes.length >> 1), variants[0]!.enc),
      /past the end/,
    );
    assertWebmError(() => webmFrames(source.bytes.subarray(0, 3)), /truncated/);
    assertWebmError(() => encryptWebm(encryptWebm(source.bytes, variants[0]!.enc), variants[0]!.enc), /already/);
    assertWebmError(() => decryptWebmFrames(source.bytes, key), /not encrypted/);
  });

  test(`${source.name}: laced blocks are rejected`, { skip }, () => {
    const segment = parseElements(source.bytes)[1]!;
    const block = segment.children!.find((e) => e.id === ID.Cluster)!.children!.find((e) => e.id === ID.SimpleBlock)!;
    const laced = Buffer.from(source.bytes);
    laced[block.data.byteOffset - source.bytes.byteOffset + readSize(block.data, 0).length + 2]! |= 0x02;
    assertWebmError(() => encryptWebm(laced, variants[0]!.enc), /lac/);
  });
}

test('random bytes throw a useful Error', () => {
  for (let i = 0; i < 20; i++) {
    const junk = createHash('sha512').update(`junk ${i}`).digest();
    assertWebmError(() => encryptWebm(junk, variants[0]!.enc));
  }
});

test('decryption validates signal bytes and partition offsets', { skip }, () => {
  const out = encryptWebm(sources[1]?.bytes ?? Buffer.alloc(0), variants[1]!.enc);
  const firstFrame = webmFrames(out)[0]!;
  const at = out.indexOf(firstFrame);
  const badSignal = Buffer.from(out);
  badSignal[at] = 0x02;
  assertWebmError(() => decryptWebmFrames(badSignal, key), /signal byte 0x2/);
  const badOffset = Buffer.from(out);
  badOffset.writeUInt32BE(firstFrame.length, at + 10);
  assertWebmError(() => decryptWebmFrames(badOffset, key), /partition offset/);
});

test('sizes use the shortest vint and avoid the reserved all-ones value', () => {
  assert.deepEqual(encodeSize(0), Buffer.from('80', 'hex'));
  assert.deepEqual(encodeSize(126), Buffer.from('fe', 'hex'));
  assert.deepEqual(encodeSize(127), Buffer.from('407f', 'hex'));
  assert.deepEqual(encodeSize(2 ** 14 - 2), Buffer.from('7ffe', 'hex'));
  assert.deepEqual(readSize(Buffer.from('01ffffffffffffff', 'hex'), 0), { value: null, length: 8 });
  assert.deepEqual(readSize(Buffer.from('407f', 'hex'), 0), { value: 127, length: 2 });
  assertWebmError(() => parseElements(Buffer.from('0880', 'hex')), /longer than 4 bytes/);
});
