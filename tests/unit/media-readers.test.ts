// Every asset of media/manifest.json, read by mp4box.js and node-ebml (not by the packager): each MP4
// carries a sidx that indexes its fragments and no stale mfra, each WebM its Cues, rotation assets are in
// the layout their manifest entry names, key ids match the manifest's keys, and bytes match its sha256.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KeyStore } from '../../model/keystore.ts';
import { type AssetInfo, readManifest } from '../../model/manifest.ts';
import { type KidOf, fileProblems, mp4Problems, readMp4, readWebm, webmProblems } from './media-readers.ts';

const mediaUrl = new URL('../../media/', import.meta.url);
const manifest = readManifest();
const keys = KeyStore.load(new URL('keys.json', mediaUrl).pathname);
const kidOf: KidOf = (label) => {
  const kid = keys.keyIds()[label];
  if (!kid) throw new Error(`the manifest names key ${label}, which media/keys.json lacks`);
  return kid;
};
const read = (url: string) => readFileSync(new URL(url.replace(/^\/media\//, ''), mediaUrl));

async function problemsOf(asset: AssetInfo, track: AssetInfo['tracks'][number], bytes: Buffer): Promise<string[]> {
  return asset.container === 'mp4' ? mp4Problems(bytes, asset, track, kidOf) : await webmProblems(bytes, track, kidOf);
}

test('every track of every asset is what the manifest says, read by mp4box.js and node-ebml', async () => {
  const problems: string[] = [];
  for (const [id, asset] of Object.entries(manifest.assets)) {
    for (const track of asset.tracks) {
      const bytes = read(track.url);
      const found = [...fileProblems(bytes, track), ...(await problemsOf(asset, track, bytes))];
      problems.push(...found.map((p) => `${id}/${track.type} (${track.url}): ${p}`));
    }
  }
  assert.deepEqual(problems, []);
});

test('key rotation comes in both layouts, each saying which it is', () => {
  const rotating = Object.entries(manifest.assets).filter(([, a]) => a.rotation);
  assert.deepEqual(rotating.map(([id, a]) => [id, a.rotationLayout]).sort(), [
    ['h264-cenc-rotation', 'seig-sample-groups'],
    ['h264-cenc-rotation-entries', 'sample-entries'],
  ]);
  for (const [id, a] of Object.entries(manifest.assets))
    if (!a.rotation) assert.equal(a.rotationLayout ?? null, null, id);
});

// The checks must be able to fail: each broken copy of a good file is caught for the reason it was broken.
const asset = (id: string) => manifest.assets[id]!;
const videoOf = (id: string) => asset(id).tracks.find((t) => t.type === 'video')!;
const topBox = (bytes: Buffer, type: string) => readMp4(bytes).boxes.find((b) => b.type === type)!;

test('an MP4 without its sidx, or with a sidx that does not add up, is caught', () => {
  const good = read(videoOf('h264-cenc').url);
  const sidx = topBox(good, 'sidx');
  const without = Buffer.concat([good.subarray(0, sidx.start), good.subarray(sidx.start + sidx.size)]);
  assert.ok(mp4Problems(without, asset('h264-cenc'), videoOf('h264-cenc'), kidOf).includes('has no sidx'));
  // referenced_size of the first reference (version 0: 12-byte header, 4+4+4+4+2+2, then the references)
  const short = Buffer.from(good);
  const at = sidx.start + 8 + 4 + 4 + 4 + 4 + 4 + 2 + 2;
  short.writeUInt32BE(short.readUInt32BE(at) - 1, at);
  const found = mp4Problems(short, asset('h264-cenc'), videoOf('h264-cenc'), kidOf);
  assert.ok(
    found.some((p) => /sidx reference 0 is \d+ bytes/.test(p)),
    found.join('\n'),
  );
});

test('an mfra whose offsets are not the moofs is caught', () => {
  const good = read(videoOf('h264-cenc').url);
  const moof = topBox(good, 'moof');
  const tfra = (offset: number) => {
    const b = Buffer.alloc(8 + 4 + 4 + 4 + 4 + 4 + 4 + 3);
    b.writeUInt32BE(b.length, 0);
    b.write('tfra', 4, 'latin1');
    b.writeUInt32BE(1, 12); // track_ID
    b.writeUInt32BE(0, 16); // 1-byte traf/trun/sample numbers
    b.writeUInt32BE(1, 20); // one entry
    b.writeUInt32BE(0, 24); // time
    b.writeUInt32BE(offset, 28);
    b.writeUIntBE(0x010101, 32, 3);
    return b;
  };
  const mfra = (offset: number) => {
    const inner = tfra(offset);
    const mfro = Buffer.from([0, 0, 0, 16, ...Buffer.from('mfro'), 0, 0, 0, 0, 0, 0, 0, 0]);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + inner.length + mfro.length, 0);
    head.write('mfra', 4, 'latin1');
    mfro.writeUInt32BE(8 + inner.length + mfro.length, 12);
    return Buffer.concat([head, inner, mfro]);
  };
  const right = mp4Problems(Buffer.concat([good, mfra(moof.start)]), asset('h264-cenc'), videoOf('h264-cenc'), kidOf);
  assert.ok(!right.some((p) => p.includes('mfra')), right.join('\n'));
  const stale = mp4Problems(Buffer.concat([good, mfra(737)]), asset('h264-cenc'), videoOf('h264-cenc'), kidOf);
  assert.ok(stale.includes('mfra names a moof at 737, where there is none'), stale.join('\n'));
});

test('a rotation asset that is not in the layout its manifest entry names is caught', () => {
  const seig = read(videoOf('h264-cenc-rotation').url);
  const entries = read(videoOf('h264-cenc-rotation-entries').url);
  const claims = (a: string, layout: AssetInfo['rotationLayout']) => ({ ...asset(a), rotationLayout: layout });
  const asEntries = mp4Problems(
    seig,
    claims('h264-cenc-rotation', 'sample-entries'),
    videoOf('h264-cenc-rotation'),
    kidOf,
  );
  assert.ok(
    asEntries.some((p) => p.includes('expected one per key')),
    asEntries.join('\n'),
  );
  assert.ok(asEntries.includes('uses seig sample groups, not sample entries'));
  const asSeig = mp4Problems(
    entries,
    claims('h264-cenc-rotation-entries', 'seig-sample-groups'),
    videoOf('h264-cenc-rotation-entries'),
    kidOf,
  );
  assert.ok(asSeig.includes('has 2 protected sample entries, expected 1'), asSeig.join('\n'));
  const unnamed = mp4Problems(seig, claims('h264-cenc-rotation', undefined), videoOf('h264-cenc-rotation'), kidOf);
  assert.ok(unnamed.some((p) => p.includes('names no rotationLayout')));
  // The rotation itself: a manifest that puts the switch one second later disagrees with the samples.
  const late = {
    ...asset('h264-cenc-rotation'),
    rotation: [
      { fromSeconds: 0, key: 'key-1' },
      { fromSeconds: 2, key: 'key-2' },
    ],
  };
  const lateProblems = mp4Problems(seig, late, videoOf('h264-cenc-rotation'), kidOf);
  assert.ok(lateProblems.some((p) => /sample 25 \(1\.00 s\) is under \w+, the manifest says key-1/.test(p)));
});

test('tenc and pssh key ids that are not the manifest keys are caught', () => {
  const bytes = read(videoOf('h264-cenc').url);
  const other = { ...videoOf('h264-cenc'), keys: ['key-3'] };
  const found = mp4Problems(bytes, asset('h264-cenc'), other, kidOf);
  assert.ok(
    found.some((p) => p.startsWith('sample 0 (0.00 s) is under')),
    found.join('\n'),
  );
  assert.ok(
    found.some((p) => p.startsWith('pssh does not name')),
    found.join('\n'),
  );
  const webm = asset('vp9-opus-webm');
  const track = webm.tracks[0]!;
  return webmProblems(read(track.url), { ...track, keys: ['key-3'] }, kidOf).then((p) =>
    assert.ok(
      p.some((x) => x.startsWith('ContentEncKeyID is')),
      p.join('\n'),
    ),
  );
});

test('a WebM without Cues, or with a Cue that points at no Cluster, is caught', async () => {
  const track = asset('vp9-opus-webm').tracks[0]!;
  const good = read(track.url);
  const roots = await readWebm(good);
  const segment = roots.find((r) => r.name === 'Segment')!;
  const cues = segment.children.find((c) => c.name === 'Cues')!;
  // Rename the Cues element (1C 53 BB 6B) to a Void-sized unknown id of the same length: the file keeps its size.
  const noCues = Buffer.from(good);
  noCues.writeUInt32BE(0x1c53bb6c, cues.start);
  const p1 = await webmProblems(noCues, track, kidOf);
  assert.ok(p1.includes('has 0 Cues elements, expected 1'), p1.join('\n'));
  // Shift the first CueClusterPosition by one byte.
  const pos = cues.children[0]!.children.find((c) => c.name === 'CueTrackPositions')!.children.find(
    (c) => c.name === 'CueClusterPosition',
  )!;
  const moved = Buffer.from(good);
  moved[pos.end - 1]! += 1;
  const p2 = await webmProblems(moved, track, kidOf);
  assert.ok(
    p2.some((p) => p.includes('points at no element')),
    p2.join('\n'),
  );
});

test('bytes that differ from the manifest sha256 are caught', () => {
  const track = videoOf('h264-cenc');
  const bytes = Buffer.from(read(track.url));
  bytes[bytes.length - 1]! ^= 1;
  assert.deepEqual(fileProblems(bytes, track), ['sha256 differs from the manifest']);
});
