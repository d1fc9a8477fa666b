// The packager's layout rules in isolation: sidx timing and versions, the two rotation layouts, and the
// WebM Cluster/Cues writer. The committed files themselves are checked by independent readers in
// media-readers.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { child, parseBoxes, requireChild } from '../../media/packager/mp4/box.ts';
import { decryptMp4, readEntries } from '../../media/packager/mp4/decrypt-mp4.ts';
import { encryptMp4 } from '../../media/packager/mp4/encrypt-mp4.ts';
import { allSamples, parseFmp4 } from '../../media/packager/mp4/fragments.ts';
import { packageClearMp4, sidxBox, subsegments } from '../../media/packager/mp4/segment-index.ts';
import { ID, findChild, parseElements, readUint } from '../../media/packager/webm/ebml.ts';
import { webmFrames } from '../../media/packager/webm/encrypt-webm.ts';
import { packageClearWebm } from '../../media/packager/webm/segment.ts';
import { readMp4 } from './media-readers.ts';

const source = (name: string) => readFileSync(new URL(`../../media/source/${name}`, import.meta.url));
const k1 = { kid: Buffer.alloc(16, 0x11), key: Buffer.alloc(16, 0xa1) };
const k2 = { kid: Buffer.alloc(16, 0x22), key: Buffer.alloc(16, 0xa2) };
const keyMap = new Map([k1, k2].map((k) => [k.kid.toString('hex'), k.key]));
const ivSeed = Buffer.from('layout-test');

test('subsegment timing takes composition offsets into account and ends at the last presentation', () => {
  const file = parseFmp4(source('video-h264.mp4'));
  // Reorder like B-frames: the second sample of each fragment is shown first.
  for (const f of file.fragments) {
    f.timing[0]!.compositionOffset = 1024;
    f.timing[1]!.compositionOffset = -512;
  }
  const [a, b] = subsegments(file, [100, 200]);
  const d = file.fragments[0]!.timing[0]!.duration;
  assert.equal(a!.earliest, d - 512, 'earliest = decode time of sample 1 minus 512');
  assert.equal(a!.duration, b!.earliest - a!.earliest);
  assert.equal(b!.bytes, 200);
  assert.equal(
    b!.earliest + b!.duration,
    Math.max(...file.fragments[1]!.timing.map((t) => t.decodeTime + t.compositionOffset + t.duration)),
  );
});

test('sidx is version 0 for 32-bit times and version 1 past them', () => {
  const part = { earliest: 5, duration: 10, startsWithSap: true, bytes: 99 };
  const v0 = sidxBox(1, 1000, [part]);
  assert.equal(v0.payload[0], 0);
  assert.equal(v0.payload.readUInt32BE(12), 5, 'earliest_presentation_time');
  assert.equal(v0.payload.readUInt32BE(24), 99, 'reference_type 0 + referenced_size');
  assert.equal(v0.payload.readUInt32BE(32), 0x90000000, 'starts_with_SAP, SAP type 1');
  const v1 = sidxBox(1, 1000, [{ ...part, earliest: 2 ** 33, startsWithSap: false }]);
  assert.equal(v1.payload[0], 1);
  assert.equal(v1.payload.readBigUInt64BE(12), 2n ** 33n);
  assert.equal(v1.payload.readUInt32BE(40), 0, 'no SAP');
  assert.throws(() => sidxBox(1, 1000, []), /at least one fragment/);
});

test('a packaged clear MP4 keeps every sample, gains a sidx and loses the mfra', () => {
  const input = source('video-h264.mp4');
  assert.ok(
    parseBoxes(input).some((b) => b.type === 'mfra'),
    'ffmpeg wrote an mfra',
  );
  const out = packageClearMp4(parseFmp4(input));
  assert.deepEqual(
    parseBoxes(out).map((b) => b.type),
    ['ftyp', 'moov', 'sidx', 'moof', 'mdat', 'moof', 'mdat'],
  );
  assert.deepEqual(allSamples(parseFmp4(out)), allSamples(parseFmp4(input)));
  assert.ok(packageClearMp4(parseFmp4(out)).equals(out), 'packaging twice changes nothing');
});

test("seig rotation: one protected entry, each fragment's own seig group names its key", () => {
  const input = source('video-h264.mp4');
  const out = encryptMp4(input, {
    scheme: 'cenc',
    keys: [k1, k2],
    fragmentKeys: [0, 1],
    rotation: 'seig-sample-groups',
    ivSeed,
  }).bytes;
  const moov = parseBoxes(out).find((b) => b.type === 'moov')!;
  assert.deepEqual(
    readEntries(moov).map((e) => e.protection?.kid.toString('hex')),
    [k1.kid.toString('hex')],
  );
  const { fragments } = decryptMp4(out, keyMap);
  assert.deepEqual(
    fragments.map((f) => [f.descriptionIndex, f.kid]),
    [
      [1, k1.kid.toString('hex')],
      [1, k2.kid.toString('hex')],
    ],
  );
  assert.deepEqual(
    fragments.flatMap((f) => f.samples),
    allSamples(parseFmp4(input)),
  );
  // mp4box agrees on the group: sbgp maps every sample to the fragment-local description 0x10001.
  const traf = readMp4(out).moofs[1]!.trafs[0]!;
  const sbgp = traf.boxes!.find((b) => b.type === 'sbgp') as unknown as { entries: object[] };
  assert.deepEqual(sbgp.entries, [{ sample_count: 25, group_description_index: 0x10001 }]);
});

test('cbcs seig groups carry the pattern and the constant IV', () => {
  const out = encryptMp4(source('video-h264.mp4'), {
    scheme: 'cbcs',
    keys: [k1, k2],
    fragmentKeys: [0, 1],
    rotation: 'seig-sample-groups',
    ivSeed,
  }).bytes;
  const moof = parseBoxes(out).filter((b) => b.type === 'moof')[1]!;
  const sgpd = child(requireChild(moof, 'traf'), 'sgpd')!;
  const entry = sgpd.payload.subarray(16);
  assert.equal(sgpd.payload.readUInt32BE(8), 37, 'default_length: 20 + constant IV size + 16');
  assert.equal(entry[1], 0x19, 'crypt 1, skip 9');
  assert.equal(entry[3], 0, 'no per-sample IV');
  assert.equal(entry[20], 16);
  const { fragments } = decryptMp4(out, keyMap);
  assert.deepEqual(
    fragments.flatMap((f) => f.samples),
    allSamples(parseFmp4(source('video-h264.mp4'))),
  );
});

test('several keys without a rotation layout are refused', () => {
  assert.throws(
    () => encryptMp4(source('video-h264.mp4'), { scheme: 'cenc', keys: [k1, k2], fragmentKeys: [0, 1], ivSeed }),
    /rotation layout/,
  );
});

test('WebM: Clusters start at keyframes about every second, and Cues index each of them', () => {
  for (const name of ['video-vp9.webm', 'audio-opus.webm']) {
    const input = source(name);
    const out = packageClearWebm(input);
    assert.deepEqual(webmFrames(out), webmFrames(input), `${name}: frames unchanged`);
    assert.ok(packageClearWebm(out).equals(out), `${name}: packaging twice changes nothing`);
    const segment = parseElements(out).find((e) => e.id === ID.Segment)!;
    const clusters = segment.children!.filter((c) => c.id === ID.Cluster);
    const times = clusters.map((c) => readUint(findChild(c, ID.Timecode)!.data));
    for (const [i, t] of times.entries()) if (i) assert.ok(t - times[i - 1]! >= 1000, `${name}: clusters ${times}`);
    assert.ok(clusters.length >= 2, `${name}: ${clusters.length} clusters`);
    for (const c of clusters) {
      // A SimpleBlock with its keyframe flag, or a BlockGroup without a ReferenceBlock (ffmpeg's last Opus frame).
      const first = c.children!.find((b) => b.id === ID.SimpleBlock || b.id === ID.BlockGroup)!;
      const key = first.id === ID.SimpleBlock ? first.data[3]! & 0x80 : !findChild(first, ID.ReferenceBlock);
      assert.ok(key, `${name}: a cluster starts with a keyframe`);
    }
    const cues = findChild(segment, ID.Cues)!;
    assert.equal(parseElements(cues.data).length, clusters.length, `${name}: one CuePoint per Cluster`);
  }
});
