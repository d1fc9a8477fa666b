// The DASH MPDs and HLS playlists the packager writes beside each asset: well-formed XML with the on-demand
// structure, byte ranges that mp4box.js / node-ebml find in the files (not the packager's own reader), and
// the keys the manifest names (per fragment for HLS key rotation).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KeyStore } from '../../model/keystore.ts';
import { type AssetInfo, readManifest } from '../../model/manifest.ts';
import { readMp4, readWebm } from './media-readers.ts';

const mediaUrl = new URL('../../media/', import.meta.url);
const manifest = readManifest();
const keys = KeyStore.load(new URL('keys.json', mediaUrl).pathname);
const kidOf = (label: string) => keys.keyIds()[label]!;
const read = (url: string) => readFileSync(new URL(url.replace(/^\/media\//, ''), mediaUrl));
const dirOf = (url: string) => url.slice(0, url.lastIndexOf('/') + 1);
const uuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

interface Ranges {
  init: string;
  index: string;
  segments: string[];
}

/** Init, index and segment byte ranges ("first-last") as independent readers see the file. */
async function rangesOf(asset: AssetInfo, bytes: Buffer): Promise<Ranges> {
  const span = (start: number, size: number) => `${start}-${start + size - 1}`;
  if (asset.container === 'mp4') {
    const boxes = readMp4(bytes).boxes;
    const moov = boxes.find((b) => b.type === 'moov')!;
    const sidx = boxes.find((b) => b.type === 'sidx')!;
    const segments = boxes.flatMap((b, i) => {
      const mdat = boxes[i + 1];
      return b.type === 'moof' && mdat ? [span(b.start, b.size + mdat.size)] : [];
    });
    return { init: span(0, moov.start + moov.size), index: span(sidx.start, sidx.size), segments };
  }
  const segment = (await readWebm(bytes)).find((r) => r.name === 'Segment')!;
  const clusters = segment.children.filter((c) => c.name === 'Cluster');
  const cues = segment.children.find((c) => c.name === 'Cues')!;
  return {
    init: span(0, clusters[0]!.start),
    index: span(cues.start, cues.end - cues.start),
    segments: clusters.map((c) => span(c.start, c.end - c.start)),
  };
}

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

test('every asset has a DASH MPD, and HLS playlists exactly when it is MP4', () => {
  for (const [id, asset] of Object.entries(manifest.assets)) {
    assert.equal(asset.dash, `${dirOf(asset.tracks[0]!.url)}${id}.mpd`, id);
    assert.equal(asset.hls, asset.container === 'mp4' ? `${dirOf(asset.tracks[0]!.url)}${id}.m3u8` : null, id);
  }
});

/** Fails (throws) unless `text` is a well-formed static on-demand MPD whose ranges and keys are the asset's. */
async function checkMpd(id: string, asset: AssetInfo, text: string): Promise<void> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
  assert.equal(XMLValidator.validate(text), true, `${id}: MPD is not well-formed XML`);
  const mpd = parser.parse(text).MPD;
  assert.equal(mpd['@xmlns'], 'urn:mpeg:dash:schema:mpd:2011', id);
  assert.equal(mpd['@type'], 'static', id);
  assert.match(mpd['@profiles'], /urn:mpeg:dash:profile:isoff-on-demand:2011/, id);
  assert.equal(mpd['@mediaPresentationDuration'], `PT${asset.durationSeconds}S`, id);
  const sets = list(mpd.Period.AdaptationSet);
  assert.equal(sets.length, asset.tracks.length, `${id}: one AdaptationSet per track`);
  for (const track of asset.tracks) {
    const set = sets.find((s) => s['@contentType'] === track.type);
    assert.ok(set, `${id}: no ${track.type} AdaptationSet`);
    assert.equal(`${set['@mimeType']}; codecs="${set.Representation['@codecs']}"`, track.contentType, id);
    const rep = set.Representation;
    assert.equal(dirOf(asset.dash!) + rep.BaseURL, track.url, `${id}/${track.type}: BaseURL`);
    const ranges = await rangesOf(asset, read(track.url));
    assert.equal(rep.SegmentBase['@indexRange'], ranges.index, `${id}/${track.type}: indexRange`);
    assert.equal(rep.SegmentBase.Initialization['@range'], ranges.init, `${id}/${track.type}: Initialization`);

    const protection = list(set.ContentProtection);
    if (!track.encrypted) {
      assert.equal(protection.length, 0, `${id}/${track.type}: a clear track has no ContentProtection`);
      continue;
    }
    const scheme = protection.find((p) => p['@schemeIdUri'] === 'urn:mpeg:dash:mp4protection:2011');
    assert.equal(scheme?.['@cenc:default_KID'], uuid(kidOf(track.keys[0]!)), `${id}/${track.type}: default_KID`);
    assert.equal(scheme?.['@value'], asset.scheme === 'cbcs' ? 'cbcs' : 'cenc');
    assert.ok(
      protection.some((p) => p['@schemeIdUri'] === 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e'),
      `${id}/${track.type}: W3C Clear Key system`,
    );
    const common = protection.find((p) => p['@schemeIdUri'] === 'urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b');
    if (asset.container === 'mp4') assert.equal(common?.['cenc:pssh'], track.initData['cenc'], `${id}: pssh`);
  }
}

test('each MPD is well-formed, static on-demand, and its ranges and keys are those of the files', async () => {
  for (const [id, asset] of Object.entries(manifest.assets)) await checkMpd(id, asset, read(asset.dash!).toString());
});

test('an MPD that is malformed, or whose indexRange or default_KID is off, is caught', async () => {
  const asset = manifest.assets['h264-cenc']!;
  const good = read(asset.dash!).toString();
  await checkMpd('h264-cenc', asset, good);
  await assert.rejects(checkMpd('h264-cenc', asset, good.replace('</Period>', '')), /not well-formed/);
  const index = /indexRange="(\d+)-(\d+)"/.exec(good)!;
  const shifted = good.replace(index[0], `indexRange="${index[1]}-${Number(index[2]) + 1}"`);
  await assert.rejects(checkMpd('h264-cenc', asset, shifted), /indexRange/);
  const kid = /cenc:default_KID="([^"]+)"/.exec(good)![1]!;
  await assert.rejects(checkMpd('h264-cenc', asset, good.replace(kid, kid.replace(/^./, '0'))), /default_KID/);
});

test("each HLS playlist addresses the files' init segment and fragments, with the keys the manifest names", async () => {
  for (const [id, asset] of Object.entries(manifest.assets)) {
    const hls = asset.hls;
    if (!hls) continue;
    const main = read(hls).toString().split('\n');
    assert.equal(main[0], '#EXTM3U', id);
    const sessionKeys = main
      .filter((l) => l.startsWith('#EXT-X-SESSION-KEY:'))
      .map((l) => /KEYID=0x(\w+)/.exec(l)?.[1]);
    const assetKids = [...new Set(asset.tracks.filter((t) => t.encrypted).flatMap((t) => t.keys.map(kidOf)))];
    assert.deepEqual(sessionKeys.map((k) => k?.toLowerCase()).sort(), assetKids.sort(), `${id}: session keys`);
    const playlists = main
      .filter((l) => l.endsWith('.m3u8'))
      .concat(main.flatMap((l) => /URI="([^"]+\.m3u8)"/.exec(l)?.[1] ?? []));
    assert.equal(new Set(playlists).size, asset.tracks.length, `${id}: one media playlist per track`);
    for (const track of asset.tracks) {
      const name = `${id}-${track.type}.m3u8`;
      assert.ok(playlists.includes(name), `${id}: ${name} is listed`);
      const lines: string[] = read(dirOf(hls) + name)
        .toString()
        .split('\n');
      const ranges = await rangesOf(asset, read(track.url));
      const map: string | undefined = lines.find((l) => l.startsWith('#EXT-X-MAP:'));
      const [length] = /BYTERANGE="(\d+)@0"/.exec(map ?? '')!.slice(1);
      assert.equal(`0-${Number(length) - 1}`, ranges.init, `${id}/${track.type}: EXT-X-MAP`);
      // Walk the segments, tracking the key in force and the time.
      let key: string | null = null;
      let time = 0;
      const seen: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.startsWith('#EXT-X-KEY:')) key = /KEYID=0x(\w+)/.exec(line)?.[1]?.toLowerCase() ?? null;
        if (!line.startsWith('#EXT-X-BYTERANGE:')) continue;
        const [size, at] = line.slice('#EXT-X-BYTERANGE:'.length).split('@').map(Number);
        seen.push(`${at}-${at! + size! - 1}`);
        const expected = !track.encrypted
          ? null
          : asset.rotation && track.type === 'video'
            ? kidOf(asset.rotation.filter((r) => r.fromSeconds <= time + 1e-9).at(-1)!.key)
            : kidOf(track.keys[0]!);
        assert.equal(key, expected, `${id}/${track.type}: key at ${time} s`);
        time += Number(/#EXTINF:([\d.]+)/.exec(lines[i - 1]!)?.[1]);
      }
      assert.deepEqual(seen, ranges.segments, `${id}/${track.type}: segment byte ranges`);
      assert.ok(Math.abs(time - asset.durationSeconds) < 0.05, `${id}/${track.type}: ${time} s of segments`);
    }
  }
});
