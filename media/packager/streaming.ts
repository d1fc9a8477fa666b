// DASH and HLS manifests for the packaged assets, written beside their files so real players can load them:
// a static on-demand MPD (SegmentBase: the sidx or Cues as indexRange, the init segment as Initialization)
// with ContentProtection for Common Encryption, the common system's pssh and W3C Clear Key; and, for MP4,
// HLS playlists (fMP4: EXT-X-MAP and EXT-X-BYTERANGE; EXT-X-KEY and EXT-X-SESSION-KEY in the form hls.js
// reads for org.w3.clearkey). Byte ranges come from the packaged files themselves.
import { posix } from 'node:path';
import type { AssetInfo, TrackInfo } from '../../model/manifest.ts';
import { Mp4FormatError, parseBoxes, versionAndFlags } from './mp4/box.ts';
import { ID, findChild, parseElements, readUint } from './webm/ebml.ts';

export const COMMON_SYSTEM_URN = 'urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b';
export const CLEAR_KEY_SYSTEM_URN = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';
export const MP4_PROTECTION_URN = 'urn:mpeg:dash:mp4protection:2011';

/** Inclusive byte range, as DASH and HLS write them. */
export interface ByteRange {
  first: number;
  last: number;
}

export interface Segment extends ByteRange {
  seconds: number;
}

export interface TrackLayout {
  init: ByteRange;
  index: ByteRange;
  segments: Segment[];
  width?: number;
  height?: number;
}

const range = (start: number, length: number): ByteRange => ({ first: start, last: start + length - 1 });

/** Where the init segment, the sidx and each fragment of a packaged MP4 are. */
export function mp4Layout(bytes: Buffer): TrackLayout {
  const boxes = parseBoxes(bytes);
  const size = (i: number) => (boxes[i + 1]?.offset ?? bytes.length) - boxes[i]!.offset;
  const moovAt = boxes.findIndex((b) => b.type === 'moov');
  const sidxAt = boxes.findIndex((b) => b.type === 'sidx');
  if (moovAt < 0 || sidxAt < 0) throw new Mp4FormatError('a streamable MP4 needs a moov and a sidx');
  const sidx = boxes[sidxAt]!;
  const p = sidx.payload;
  const wide = versionAndFlags(sidx).version === 1;
  const timescale = p.readUInt32BE(8);
  const firstOffset = wide ? Number(p.readBigUInt64BE(20)) : p.readUInt32BE(16);
  let pos = wide ? 28 : 20;
  const count = p.readUInt16BE(pos + 2);
  pos += 4;
  let at = sidx.offset + size(sidxAt) + firstOffset;
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const bytesOf = p.readUInt32BE(pos) & 0x7fffffff;
    segments.push({ ...range(at, bytesOf), seconds: p.readUInt32BE(pos + 4) / timescale });
    at += bytesOf;
    pos += 12;
  }
  const moov = boxes[moovAt]!;
  const entry = moov.children
    ?.find((b) => b.type === 'trak')
    ?.children?.find((b) => b.type === 'mdia')
    ?.children?.find((b) => b.type === 'minf')
    ?.children?.find((b) => b.type === 'stbl')
    ?.children?.find((b) => b.type === 'stsd')?.children?.[0];
  const visual = entry && (entry.type === 'avc1' || entry.type === 'encv');
  return {
    init: range(0, moov.offset + size(moovAt)),
    index: range(sidx.offset, size(sidxAt)),
    segments,
    ...(visual ? { width: entry.payload.readUInt16BE(24), height: entry.payload.readUInt16BE(26) } : {}),
  };
}

/** Where the init part (header to Tracks), the Cues and each Cluster of a packaged WebM are. */
export function webmLayout(bytes: Buffer): TrackLayout {
  const offsetOf = (raw: Buffer | undefined) => (raw ? raw.byteOffset - bytes.byteOffset : -1);
  const segment = parseElements(bytes).find((e) => e.id === ID.Segment);
  const children = segment?.children ?? [];
  const clusters = children.filter((c) => c.id === ID.Cluster);
  const cues = children.find((c) => c.id === ID.Cues);
  if (!clusters.length || !cues?.raw) throw new Error('WebM: a streamable file needs Clusters and Cues');
  const info = children.find((c) => c.id === ID.Info);
  const scale = info && findChild(info, ID.TimecodeScale);
  const secondsPerTick = (scale ? readUint(scale.data) : 1_000_000) / 1e9;
  const times = clusters.map((c) => readUint(findChild(c, ID.Timecode)?.data ?? Buffer.alloc(0)) * secondsPerTick);
  const video = children
    .find((c) => c.id === ID.Tracks)
    ?.children?.find((c) => c.id === ID.TrackEntry)
    ?.children?.find((c) => c.id === ID.Video);
  const dimension = (id: number) => {
    const e = video?.children?.find((c) => c.id === id);
    return e ? readUint(e.data) : undefined;
  };
  const width = dimension(0xb0);
  const height = dimension(0xba);
  return {
    init: range(0, offsetOf(clusters[0]!.raw)),
    index: range(offsetOf(cues.raw), cues.raw.length),
    // A Cluster's duration is up to the next one; the last one's is not written down, so it is left at 0.
    segments: clusters.map((c, i) => ({
      ...range(offsetOf(c.raw), c.raw!.length),
      seconds: (times[i + 1] ?? times[i]!) - times[i]!,
    })),
    ...(width && height ? { width, height } : {}),
  };
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
const uuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const isoSeconds = (s: number) => `PT${Number(s.toFixed(3))}S`;
const span = (r: ByteRange) => `${r.first}-${r.last}`;

export interface StreamingTrack {
  info: TrackInfo;
  layout: TrackLayout;
  /** Hex key id of each key label. */
  kids: string[];
}

function contentProtection(asset: AssetInfo, t: StreamingTrack, indent: string): string[] {
  if (!t.info.encrypted) return [];
  const kid = t.kids[0];
  if (!kid) throw new Error('an encrypted track needs a key');
  const pssh = t.info.initData['cenc'];
  const scheme = asset.scheme === 'cbcs' ? 'cbcs' : 'cenc';
  return [
    `${indent}<ContentProtection${attrs({ schemeIdUri: MP4_PROTECTION_URN, value: scheme, 'cenc:default_KID': uuid(kid) })}/>`,
    ...(pssh
      ? [
          `${indent}<ContentProtection${attrs({ schemeIdUri: COMMON_SYSTEM_URN })}><cenc:pssh>${pssh}</cenc:pssh></ContentProtection>`,
        ]
      : []),
    `${indent}<ContentProtection${attrs({ schemeIdUri: CLEAR_KEY_SYSTEM_URN, value: 'ClearKey1.0' })}/>`,
  ];
}

/** A static on-demand MPD: one AdaptationSet and Representation per track, addressed by SegmentBase. */
export function dashMpd(asset: AssetInfo, tracks: StreamingTrack[], baseUrl: (t: TrackInfo) => string): string {
  const profiles =
    asset.container === 'webm'
      ? 'urn:mpeg:dash:profile:isoff-on-demand:2011,urn:webm:dash:profile:webm-on-demand:2012'
      : 'urn:mpeg:dash:profile:isoff-on-demand:2011';
  const sets = tracks.flatMap((t, i) => {
    const [mime, codecs] = t.info.contentType.split(/;\s*codecs=/);
    const bytes = t.layout.segments.reduce((n, s) => n + s.last - s.first + 1, 0);
    return [
      `    <AdaptationSet${attrs({ id: i, contentType: t.info.type, mimeType: mime, segmentAlignment: 'true', startWithSAP: 1 })}>`,
      ...contentProtection(asset, t, '      '),
      `      <Representation${attrs({
        id: t.info.type,
        codecs: codecs?.replace(/"/g, ''),
        bandwidth: Math.ceil((bytes * 8) / asset.durationSeconds),
        width: t.layout.width,
        height: t.layout.height,
      })}>`,
      `        <BaseURL>${escapeXml(baseUrl(t.info))}</BaseURL>`,
      `        <SegmentBase${attrs({ indexRange: span(t.layout.index), indexRangeExact: 'true' })}>`,
      `          <Initialization${attrs({ range: span(t.layout.init) })}/>`,
      '        </SegmentBase>',
      '      </Representation>',
      '    </AdaptationSet>',
    ];
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD${attrs({
      xmlns: 'urn:mpeg:dash:schema:mpd:2011',
      'xmlns:cenc': 'urn:mpeg:cenc:2013',
      type: 'static',
      profiles,
      minBufferTime: 'PT1S',
      mediaPresentationDuration: isoSeconds(asset.durationSeconds),
    })}>`,
    `  <Period${attrs({ id: '0', start: 'PT0S' })}>`,
    ...sets,
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}

/** EXT-X-KEY / EXT-X-SESSION-KEY attributes for a Clear Key key id, as hls.js reads them. */
function keyAttributes(asset: AssetInfo, kid: string): string {
  const method = asset.scheme === 'cbcs' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR';
  const uri = `data:text/plain;base64,${Buffer.from(kid, 'hex').toString('base64')}`;
  return `METHOD=${method},URI="${uri}",KEYID=0x${kid.toUpperCase()},KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1"`;
}

/** A VOD media playlist of one fMP4 track; the key tag changes where the track's key does (rotation). */
export function hlsMediaPlaylist(
  asset: AssetInfo,
  t: StreamingTrack,
  uri: string,
  kidAt: (seconds: number) => string | null,
): string {
  const target = Math.max(1, ...t.layout.segments.map((s) => Math.ceil(s.seconds - 1e-9)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-PLAYLIST-TYPE:VOD'];
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  let key: string | null = null;
  let time = 0;
  const keyTag = (kid: string) => `#EXT-X-KEY:${keyAttributes(asset, kid)}`;
  // The first key is declared before the init segment: hls.js only asks for a license while a key is declared.
  const first = t.info.encrypted ? kidAt(asset.clearLeadSeconds) : null;
  if (first) {
    lines.push(keyTag(first));
    key = first;
  }
  lines.push(`#EXT-X-MAP:URI="${uri}",BYTERANGE="${t.layout.init.last + 1}@0"`);
  for (const s of t.layout.segments) {
    const kid = t.info.encrypted ? (kidAt(time) ?? key) : null;
    if (kid && kid !== key) {
      lines.push(keyTag(kid));
      key = kid;
    }
    lines.push(`#EXTINF:${s.seconds.toFixed(5)},`, `#EXT-X-BYTERANGE:${s.last - s.first + 1}@${s.first}`, uri);
    time += s.seconds;
  }
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/** The multivariant playlist: the video as the variant, the audio as its rendition, every key as a session key. */
export function hlsMainPlaylist(asset: AssetInfo, tracks: StreamingTrack[], uris: Map<TrackInfo, string>): string {
  const video = tracks.find((t) => t.info.type === 'video');
  const audio = tracks.find((t) => t.info.type === 'audio');
  const main = video ?? audio;
  if (!main) throw new Error('an HLS asset needs a track');
  const codecs = tracks.map((t) => t.info.contentType.split(/codecs=/)[1]?.replace(/"/g, '')).join(',');
  const bytes = tracks.reduce((n, t) => n + t.layout.segments.reduce((m, s) => m + s.last - s.first + 1, 0), 0);
  const kids = [...new Set(tracks.flatMap((t) => (t.info.encrypted ? t.kids : [])))];
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const kid of kids) lines.push(`#EXT-X-SESSION-KEY:${keyAttributes(asset, kid)}`);
  if (video && audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,URI="${uris.get(audio.info)}"`,
    );
  }
  const resolution = video?.layout.width ? `,RESOLUTION=${video.layout.width}x${video.layout.height}` : '';
  const bandwidth = Math.ceil((bytes * 8) / asset.durationSeconds);
  lines.push(
    `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="${codecs}"${resolution}${video && audio ? ',AUDIO="audio"' : ''}`,
    uris.get(main.info)!,
    '',
  );
  return lines.join('\n');
}

export interface StreamingFiles {
  /** media-relative path → contents */
  files: Map<string, Buffer>;
  dash: string;
  hls: string | null;
}

/** The MPD and, for MP4, the HLS playlists of one asset, written in the directory of its tracks. */
export function streamingManifests(
  id: string,
  asset: AssetInfo,
  fileOf: (t: TrackInfo) => Buffer,
  kidOf: (label: string) => string,
): StreamingFiles {
  const rel = (t: TrackInfo) => t.url.replace(/^\/media\//, '');
  const dirs = new Set(asset.tracks.map((t) => posix.dirname(rel(t))));
  const dir = [...dirs][0];
  if (!dir || dirs.size !== 1) throw new Error(`${id}: tracks in ${dirs.size} directories; manifests need one`);
  const tracks: StreamingTrack[] = asset.tracks.map((info) => ({
    info,
    layout: asset.container === 'mp4' ? mp4Layout(fileOf(info)) : webmLayout(fileOf(info)),
    kids: info.keys.map(kidOf),
  }));
  const base = (t: TrackInfo) => posix.basename(rel(t));
  const files = new Map<string, Buffer>();
  const mpd = posix.join(dir, `${id}.mpd`);
  files.set(mpd, Buffer.from(dashMpd(asset, tracks, base)));
  if (asset.container !== 'mp4') return { files, dash: `/media/${mpd}`, hls: null };

  const uris = new Map<TrackInfo, string>();
  for (const t of tracks) {
    const name = `${id}-${t.info.type}.m3u8`;
    uris.set(t.info, name);
    const kidAt = (seconds: number) => {
      if (seconds < asset.clearLeadSeconds - 1e-9) return null;
      const label =
        asset.rotation && t.info.type === 'video'
          ? asset.rotation.filter((r) => r.fromSeconds <= seconds + 1e-9).at(-1)?.key
          : t.info.keys[0];
      return label ? kidOf(label) : null;
    };
    files.set(posix.join(dir, name), Buffer.from(hlsMediaPlaylist(asset, t, base(t.info), kidAt)));
  }
  const main = posix.join(dir, `${id}.m3u8`);
  files.set(main, Buffer.from(hlsMainPlaylist(asset, tracks, uris)));
  return { files, dash: `/media/${mpd}`, hls: `/media/${main}` };
}
