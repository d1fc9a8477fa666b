import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KeyStore } from '../../model/keystore.ts';
import { readManifest } from '../../model/manifest.ts';
import { ASSET_PLANS, buildAssets } from '../../media/packager/assets.ts';
import { encryptMp4 } from '../../media/packager/mp4/encrypt-mp4.ts';
import { decryptMp4, psshKids } from '../../media/packager/mp4/decrypt-mp4.ts';
import { allSamples, parseFmp4 } from '../../media/packager/mp4/fragments.ts';
import { h264Subsamples } from '../../media/packager/mp4/subsamples.ts';
import { Mp4FormatError, parseBoxes, writeBoxes } from '../../media/packager/mp4/box.ts';

const media = (rel: string) => readFileSync(new URL(`../../media/${rel}`, import.meta.url));
const keys = KeyStore.load(new URL('../../media/keys.json', import.meta.url).pathname);
const keyMap = new Map(Object.values(keys.keyIds()).map((hex) => [hex, keys.get(Buffer.from(hex, 'hex'))!.key]));
const manifest = readManifest();
const clear = {
  video: allSamples(parseFmp4(media('clear/video-h264.mp4'))),
  audio: allSamples(parseFmp4(media('clear/audio-aac.mp4'))),
};

const mp4Assets = Object.entries(manifest.assets).filter(([, a]) => a.container === 'mp4' && a.scheme !== 'none');

test('every MP4 asset decrypts, sample by sample, to its clear source (except the wrong-key control)', () => {
  for (const [id, asset] of mp4Assets) {
    for (const track of asset.tracks) {
      const { fragments } = decryptMp4(media(track.url.replace('/media/', '')), keyMap);
      const samples = fragments.flatMap((f) => f.samples);
      const source = clear[track.type];
      assert.equal(samples.length, source.length, `${id}/${track.type}: sample count`);
      const same = samples.filter((s, i) => s.equals(source[i]!)).length;
      if (asset.wrongKey) assert.equal(same, 0, `${id}/${track.type}: the wrong key must not decrypt any sample`);
      else assert.equal(same, source.length, `${id}/${track.type}: every sample decrypts to the clear source`);
    }
  }
});

test('fragments use the keys, clear lead and rotation the manifest describes', () => {
  const frags = (id: string, type: string) => decryptMp4(media(`encrypted/${id}/${type}.mp4`), keyMap).fragments;
  const hex = (label: string) => keys.keyIds()[label];
  assert.deepEqual(
    frags('h264-cenc-clearlead', 'video').map((f) => f.kid),
    [null, hex('key-1')],
  );
  assert.deepEqual(
    frags('h264-cenc-rotation', 'video').map((f) => [f.descriptionIndex, f.kid]),
    [
      [1, hex('key-1')],
      [1, hex('key-2')],
    ],
    'one sample entry; the seig group names key-2',
  );
  assert.deepEqual(
    frags('h264-cenc-rotation-entries', 'video').map((f) => [f.descriptionIndex, f.kid]),
    [
      [1, hex('key-1')],
      [2, hex('key-2')],
    ],
    'one sample entry per key',
  );
  assert.deepEqual(
    frags('h264-cenc-multikey', 'audio').map((f) => f.kid),
    frags('h264-cenc-multikey', 'audio').map(() => hex('key-2')),
  );
  const moov = parseBoxes(media('encrypted/h264-cenc-multikey/video.mp4')).find((b) => b.type === 'moov')!;
  assert.deepEqual(
    psshKids(moov).map((list) => list.map((k) => k.toString('hex'))),
    [[hex('key-1'), hex('key-2')]],
    'one pssh lists both keys',
  );
});

test('the manifest init data is the pssh box the init segment carries', () => {
  for (const [id, asset] of mp4Assets) {
    for (const track of asset.tracks) {
      const file = media(track.url.replace('/media/', ''));
      const pssh = parseBoxes(file)
        .find((b) => b.type === 'moov')!
        .children!.filter((b) => b.type === 'pssh');
      assert.equal(writeBoxes(pssh).toString('base64'), track.initData['cenc'], `${id}/${track.type}`);
    }
  }
});

test('the committed media and manifest are exactly what the packager builds (deterministic)', () => {
  const built = buildAssets(new URL('../../media/', import.meta.url).pathname, keys);
  for (const [rel, bytes] of built.files)
    assert.ok(media(rel).equals(bytes), `${rel} differs from a fresh build: run npm run media`);
  assert.deepEqual(JSON.parse(media('manifest.json').toString()), JSON.parse(JSON.stringify(built.manifest)));
  const again = buildAssets(new URL('../../media/', import.meta.url).pathname, keys);
  for (const [rel, bytes] of again.files) assert.ok(built.files.get(rel)!.equals(bytes), `${rel}: two builds differ`);
  assert.deepEqual(Object.keys(built.manifest.assets).sort(), Object.keys(ASSET_PLANS).sort());
});

test('structure checks catch a broken saio, trun offset or senc', () => {
  const good = media('encrypted/h264-cenc/video.mp4');
  const corrupt = (type: string, at: number, value: number) => {
    const copy = Buffer.from(good);
    const box = parseBoxes(copy)
      .find((b) => b.type === 'moof')!
      .children!.find((b) => b.type === 'traf')!
      .children!.find((b) => b.type === type)!;
    copy.writeUInt32BE(value, box.offset + 8 + at);
    return copy;
  };
  assert.throws(() => decryptMp4(corrupt('saio', 8, 4), keyMap), /saio offset/);
  assert.throws(() => decryptMp4(corrupt('trun', 8, 0x7fffff), keyMap), /outside the mdat/);
  assert.throws(() => decryptMp4(corrupt('senc', 4, 3), keyMap), /senc has 3 samples/);
  assert.throws(() => decryptMp4(good, new Map()), /no key for key id/);
});

test('H.264 subsamples keep each VCL NAL length and header clear, other NALs whole', () => {
  // [SEI len 3][VCL type 5 len 40][VCL type 1 len 10]
  const nal = (type: number, len: number) =>
    Buffer.concat([Buffer.from([0, 0, 0, len]), Buffer.from([type]), Buffer.alloc(len - 1, 0xaa)]);
  const sample = Buffer.concat([nal(6, 3), nal(5, 40), nal(1, 10)]);
  assert.deepEqual(h264Subsamples(sample, 4), [
    { clear: 7 + 5, protected: 39 },
    { clear: 5, protected: 9 },
  ]);
  assert.deepEqual(
    h264Subsamples(sample, 4, 16),
    [
      { clear: 12, protected: 39 },
      { clear: 14, protected: 0 },
    ],
    'cbcs folds NALs under a block into clear',
  );
  assert.throws(() => h264Subsamples(Buffer.from([0, 0, 0, 9, 5]), 4), /does not fit/);
});

test('input the packager cannot handle is refused with a reason', () => {
  const key = { kid: Buffer.alloc(16, 1), key: Buffer.alloc(16, 2) };
  const opts = { scheme: 'cenc' as const, keys: [key], ivSeed: Buffer.alloc(32) };
  assert.throws(() => encryptMp4(media('encrypted/h264-cenc/video.mp4'), opts), /already encrypted/);
  assert.throws(() => encryptMp4(media('clear/video-vp9.webm'), opts), Mp4FormatError);
  assert.throws(() => encryptMp4(Buffer.from('not an mp4 at all'), opts), Mp4FormatError);
  const clearVideo = media('clear/video-h264.mp4');
  // Drop default-base-is-moof from the first tfhd.
  const noBase = Buffer.from(clearVideo);
  const tfhd = parseBoxes(noBase)
    .find((b) => b.type === 'moof')!
    .children!.find((b) => b.type === 'traf')!
    .children!.find((b) => b.type === 'tfhd')!;
  noBase.writeUInt32BE(noBase.readUInt32BE(tfhd.offset + 8) & ~0x020000, tfhd.offset + 8);
  assert.throws(() => encryptMp4(noBase, opts), /default-base-is-moof/);
  assert.throws(() => encryptMp4(clearVideo, { ...opts, fragmentKeys: [0] }), /fragmentKeys lists 1 fragments/);
  assert.throws(
    () => encryptMp4(clearVideo, { ...opts, keys: [{ kid: Buffer.alloc(15), key: Buffer.alloc(16) }] }),
    /16 bytes/,
  );
});
