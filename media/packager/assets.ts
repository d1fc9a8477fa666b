// The asset catalogue: which clear and encrypted renditions are made from which ffmpeg sources
// (media/source/), with which keys. Building is a pure function of the sources and the key store, so it
// is deterministic and the tests can rebuild everything in memory and compare it with what is committed.
// Every rendition, clear ones too, is laid out for DASH on-demand: MP4 with a sidx, WebM with Cues.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyStore, TestKey } from '../../model/keystore.ts';
import type { AssetInfo, Manifest, TrackInfo } from '../../model/manifest.ts';
import { encryptMp4, type ContentKey, type RotationLayout } from './mp4/encrypt-mp4.ts';
import { parseFmp4, sampleEntry } from './mp4/fragments.ts';
import { packageClearMp4 } from './mp4/segment-index.ts';
import { avcCodecString } from './mp4/subsamples.ts';
import { encryptWebm, type WebmEncryption } from './webm/encrypt-webm.ts';
import { streamingManifests } from './streaming.ts';
import { packageClearWebm } from './webm/segment.ts';

/** What ffmpeg writes (`npm run media -- --sources`): the packager's input, never served. */
export const CLEAR_SOURCES = {
  h264: 'source/video-h264.mp4',
  aac: 'source/audio-aac.mp4',
  vp9: 'source/video-vp9.webm',
  opus: 'source/audio-opus.webm',
} as const;
type Source = keyof typeof CLEAR_SOURCES;

/** Where the packaged clear rendition of each source is served from. */
const CLEAR_OUTPUTS: Record<Source, string> = {
  h264: 'clear/video-h264.mp4',
  aac: 'clear/audio-aac.mp4',
  vp9: 'clear/video-vp9.webm',
  opus: 'clear/audio-opus.webm',
};

/** A key value that is not the store's, for the wrong-key control: license and content disagree. */
export const WRONG_KEY_VALUE = createHash('sha256').update('eme-compat wrong key').digest().subarray(0, 16);

type Mp4Plan = {
  kind: 'mp4';
  source: Source;
  scheme: 'cenc' | 'cbcs';
  /** key labels; fragments use them by index */
  keys: string[];
  /** how several keys are signalled (see encrypt-mp4.ts) */
  rotation?: RotationLayout;
  /** per fragment: index into keys, or null for clear; a function of the fragment count */
  fragmentKeys?: (count: number) => (number | null)[];
  psshKeys?: string[];
};
type WebmPlan = { kind: 'webm'; source: Source; key: string; mode: WebmEncryption['mode']; clearLeadMs?: number };
type ClearPlan = { kind: 'clear'; source: Source };
type TrackPlan = (Mp4Plan | WebmPlan | ClearPlan) & { type: 'video' | 'audio' };

interface AssetPlan {
  title: string;
  container: 'mp4' | 'webm';
  scheme: AssetInfo['scheme'];
  reference: string | null;
  clearLeadSeconds?: number;
  rotation?: AssetInfo['rotation'];
  rotationLayout?: RotationLayout;
  wrongKey?: boolean;
  tracks: TrackPlan[];
}

const clearLead = (count: number) => Array.from({ length: count }, (_, i) => (i === 0 ? null : 0));
const rotate = (count: number) => Array.from({ length: count }, (_, i) => (i === 0 ? 0 : 1));

/** H.264 video under key-1 for its first second, then key-2, signalled in `layout`; audio under key-1. */
function rotationAsset(title: string, layout: RotationLayout): AssetPlan {
  return {
    title,
    container: 'mp4',
    scheme: 'cenc',
    reference: 'h264-clear',
    rotation: [
      { fromSeconds: 0, key: 'key-1' },
      { fromSeconds: 1, key: 'key-2' },
    ],
    rotationLayout: layout,
    tracks: [
      {
        type: 'video',
        kind: 'mp4',
        source: 'h264',
        scheme: 'cenc',
        keys: ['key-1', 'key-2'],
        fragmentKeys: rotate,
        rotation: layout,
      },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cenc', keys: ['key-1'] },
    ],
  };
}

export const ASSET_PLANS: Record<string, AssetPlan> = {
  'h264-clear': {
    title: 'Clear H.264 + AAC (picture reference)',
    container: 'mp4',
    scheme: 'none',
    reference: null,
    tracks: [
      { type: 'video', kind: 'clear', source: 'h264' },
      { type: 'audio', kind: 'clear', source: 'aac' },
    ],
  },
  'vp9-clear': {
    title: 'Clear VP9 + Opus (picture reference)',
    container: 'webm',
    scheme: 'none',
    reference: null,
    tracks: [
      { type: 'video', kind: 'clear', source: 'vp9' },
      { type: 'audio', kind: 'clear', source: 'opus' },
    ],
  },
  'h264-cenc': {
    title: 'cenc (AES-CTR) H.264 + AAC, one key',
    container: 'mp4',
    scheme: 'cenc',
    reference: 'h264-clear',
    tracks: [
      { type: 'video', kind: 'mp4', source: 'h264', scheme: 'cenc', keys: ['key-1'] },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cenc', keys: ['key-1'] },
    ],
  },
  'h264-cbcs': {
    title: 'cbcs (AES-CBC 1:9 pattern) H.264 + AAC, one key',
    container: 'mp4',
    scheme: 'cbcs',
    reference: 'h264-clear',
    tracks: [
      { type: 'video', kind: 'mp4', source: 'h264', scheme: 'cbcs', keys: ['key-1'] },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cbcs', keys: ['key-1'] },
    ],
  },
  'h264-cenc-multikey': {
    title: 'cenc, video under key-1 and audio under key-2; each pssh lists both',
    container: 'mp4',
    scheme: 'cenc',
    reference: 'h264-clear',
    tracks: [
      { type: 'video', kind: 'mp4', source: 'h264', scheme: 'cenc', keys: ['key-1'], psshKeys: ['key-1', 'key-2'] },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cenc', keys: ['key-2'], psshKeys: ['key-1', 'key-2'] },
    ],
  },
  'h264-cenc-clearlead': {
    title: 'cenc with a clear first fragment (second, clear sample entry)',
    container: 'mp4',
    scheme: 'cenc',
    reference: 'h264-clear',
    clearLeadSeconds: 1,
    tracks: [
      { type: 'video', kind: 'mp4', source: 'h264', scheme: 'cenc', keys: ['key-1'], fragmentKeys: clearLead },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cenc', keys: ['key-1'], fragmentKeys: clearLead },
    ],
  },
  'h264-cenc-rotation': rotationAsset(
    "cenc key rotation: video under key-1 for 1 s, then key-2 (one sample entry; 'seig' sample groups)",
    'seig-sample-groups',
  ),
  'h264-cenc-rotation-entries': rotationAsset(
    'cenc key rotation, two sample entries, one per key (picked by tfhd.sample_description_index): video under key-1 for 1 s, then key-2',
    'sample-entries',
  ),
  'h264-cenc-wrongkey': {
    title: "Control: cenc under key-4's id but a different key value",
    container: 'mp4',
    scheme: 'cenc',
    reference: 'h264-clear',
    wrongKey: true,
    tracks: [
      { type: 'video', kind: 'mp4', source: 'h264', scheme: 'cenc', keys: ['key-4'] },
      { type: 'audio', kind: 'mp4', source: 'aac', scheme: 'cenc', keys: ['key-4'] },
    ],
  },
  'vp9-opus-webm': {
    title: 'WebM: VP9 under key-1 (whole frames), Opus under key-2 (TOC byte clear)',
    container: 'webm',
    scheme: 'webm',
    reference: 'vp9-clear',
    tracks: [
      { type: 'video', kind: 'webm', source: 'vp9', key: 'key-1', mode: 'whole' },
      { type: 'audio', kind: 'webm', source: 'opus', key: 'key-2', mode: 'partitioned' },
    ],
  },
};

export interface BuiltAssets {
  /** media-relative path → bytes */
  files: Map<string, Buffer>;
  manifest: Manifest;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function buildAssets(mediaDir: string, keys: KeyStore): BuiltAssets {
  const sources = new Map<Source, Buffer>();
  const source = (s: Source) => {
    if (!sources.has(s)) sources.set(s, readFileSync(join(mediaDir, CLEAR_SOURCES[s])));
    return sources.get(s)!;
  };
  const key = (label: string): TestKey => {
    const k = keys.byLabel(label);
    if (!k) throw new Error(`asset plan names ${label}, which media/keys.json does not have`);
    return k;
  };
  const files = new Map<string, Buffer>();
  const assets: Record<string, AssetInfo> = {};

  for (const [id, plan] of Object.entries(ASSET_PLANS)) {
    const tracks: TrackInfo[] = plan.tracks.map((t) => {
      const ext = plan.container;
      let bytes: Buffer;
      let path: string;
      let contentType: string;
      let keyLabels: string[] = [];
      const initData: Record<string, string> = {};
      const ivSeed = createHash('sha256').update(`${id}/${t.type}`).digest();
      if (t.kind === 'clear') {
        bytes =
          plan.container === 'mp4' ? packageClearMp4(parseFmp4(source(t.source))) : packageClearWebm(source(t.source));
        path = CLEAR_OUTPUTS[t.source];
      } else if (t.kind === 'mp4') {
        const contentKeys: ContentKey[] = t.keys.map((l) => ({
          kid: key(l).kid,
          key: plan.wrongKey ? WRONG_KEY_VALUE : key(l).key,
        }));
        const fragments = parseFmp4(source(t.source)).fragments.length;
        const out = encryptMp4(source(t.source), {
          scheme: t.scheme,
          keys: contentKeys,
          ...(t.fragmentKeys ? { fragmentKeys: t.fragmentKeys(fragments) } : {}),
          ...(t.psshKeys ? { psshKids: t.psshKeys.map((l) => key(l).kid) } : {}),
          ...(t.rotation ? { rotation: t.rotation } : {}),
          ivSeed,
        });
        bytes = out.bytes;
        path = `encrypted/${id}/${t.type}.${ext}`;
        keyLabels = t.keys;
        initData['cenc'] = out.psshBoxes.toString('base64');
      } else {
        const k = key(t.key);
        bytes = encryptWebm(source(t.source), {
          kid: k.kid,
          key: k.key,
          mode: t.mode,
          ivSeed,
          ...(t.clearLeadMs ? { clearLeadMs: t.clearLeadMs } : {}),
        });
        path = `encrypted/${id}/${t.type}.${ext}`;
        keyLabels = [t.key];
        initData['webm'] = k.kid.toString('base64');
      }
      files.set(path, bytes);
      if (plan.container === 'mp4') {
        const codec = t.type === 'video' ? avcCodecString(sampleEntry(parseFmp4(source(t.source)).moov)) : 'mp4a.40.2';
        contentType = `${t.type}/mp4; codecs="${codec}"`;
      } else {
        contentType = `${t.type}/webm; codecs="${t.type === 'video' ? 'vp9' : 'opus'}"`;
      }
      return {
        type: t.type,
        url: `/media/${path}`,
        contentType,
        encrypted: t.kind !== 'clear',
        keys: keyLabels,
        initData,
        bytes: bytes.length,
        sha256: sha256(bytes),
      };
    });
    assets[id] = {
      title: plan.title,
      container: plan.container,
      scheme: plan.scheme,
      initDataType: plan.scheme === 'none' ? null : plan.container === 'webm' ? 'webm' : 'cenc',
      durationSeconds: 2,
      fragmentSeconds: 1,
      reference: plan.reference,
      tracks,
      clearLeadSeconds: plan.clearLeadSeconds ?? 0,
      rotation: plan.rotation ?? null,
      rotationLayout: plan.rotationLayout ?? null,
      wrongKey: plan.wrongKey ?? false,
    };
  }
  for (const [id, asset] of Object.entries(assets)) {
    const fileOf = (t: TrackInfo) => files.get(t.url.replace(/^\/media\//, ''))!;
    const kidOf = (label: string) => key(label).kid.toString('hex');
    const streaming = streamingManifests(id, asset, fileOf, kidOf);
    for (const [path, bytes] of streaming.files) files.set(path, bytes);
    asset.dash = streaming.dash;
    asset.hls = streaming.hls;
  }
  return { files, manifest: { schemaVersion: 1, generatedBy: 'npm run media', assets } };
}
