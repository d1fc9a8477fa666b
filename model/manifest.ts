// The media manifest: what each asset is, which keys protect it, and the init data a browser will
// see for it. Written by the packager, read by pages (as JSON), tests and the judge.
import { z } from 'zod';
import { readJsonFile } from './json-file.ts';

export const TrackInfo = z.object({
  type: z.enum(['video', 'audio']),
  url: z.string(),
  /** The MIME type with codecs, as MediaSource.addSourceBuffer and requestMediaKeySystemAccess take it. */
  contentType: z.string(),
  encrypted: z.boolean(),
  /** Key labels (media/keys.json) protecting this track, in playback order. */
  keys: z.array(z.string()),
  /** initData the 'encrypted' event carries, base64, per initDataType (empty for clear tracks). */
  initData: z.record(z.string(), z.string()),
  bytes: z.number().int().positive(),
  sha256: z.string(),
});
export type TrackInfo = z.infer<typeof TrackInfo>;

export const AssetInfo = z.object({
  title: z.string(),
  container: z.enum(['mp4', 'webm']),
  /** Common-encryption scheme; 'none' for a clear reference. */
  scheme: z.enum(['cenc', 'cbcs', 'webm', 'none']),
  initDataType: z.enum(['cenc', 'webm']).nullable(),
  durationSeconds: z.number(),
  fragmentSeconds: z.number(),
  /** The clear asset with the same pictures, for the picture check. */
  reference: z.string().nullable(),
  tracks: z.array(TrackInfo).min(1),
  /** Seconds of clear content before encryption starts (0 when encrypted from the start). */
  clearLeadSeconds: z.number(),
  /** Key rotation: the key label that protects the video from each start time on. */
  rotation: z.array(z.object({ fromSeconds: z.number(), key: z.string() })).nullable(),
  /**
   * How the MP4 signals the key changes of `rotation`: 'seig-sample-groups' is Common Encryption's own way
   * (one protected sample entry; per-fragment `sgpd`/`sbgp` 'seig' name the key), 'sample-entries' one
   * protected sample entry per key, picked by tfhd.sample_description_index. Null without rotation.
   */
  rotationLayout: z.enum(['seig-sample-groups', 'sample-entries']).nullable().optional(),
  /** Encrypted with a key value that differs from the key store's for the same key id. */
  wrongKey: z.boolean(),
  /** URL of a static on-demand DASH MPD (SegmentBase) for the asset's tracks. */
  dash: z.string().nullable().optional(),
  /** URL of an HLS multivariant playlist (fMP4, byte ranges); null for WebM, which HLS cannot carry. */
  hls: z.string().nullable().optional(),
});
export type AssetInfo = z.infer<typeof AssetInfo>;

export const Manifest = z.object({
  schemaVersion: z.literal(1),
  generatedBy: z.string(),
  assets: z.record(z.string(), AssetInfo),
});
export type Manifest = z.infer<typeof Manifest>;

export function readManifest(path: string | URL = new URL('../media/manifest.json', import.meta.url)): Manifest {
  return readJsonFile(path, Manifest, 'media manifest');
}
