// Independent readers for the committed media: mp4box.js (GPAC's reader) for MP4 and node-ebml for WebM,
// never the packager's own code. Each returns the list of problems it finds in one track file, judged
// against what media/manifest.json says about it; an empty list means the file is what the manifest claims.
import { createHash } from 'node:crypto';
import { Decoder } from 'ebml';
import { MP4BoxBuffer, createFile } from 'mp4box';
import type { AssetInfo, TrackInfo } from '../../model/manifest.ts';

export const COMMON_SYSTEM_ID = '1077efecc0b24d02ace33c1e52e2fb4b';
/** sbgp group_description_index values above this name the fragment's own sgpd entries (ISO/IEC 14496-12 8.9.4). */
const FRAGMENT_LOCAL_BASE = 0x10000;

/** Label → hex key id (media/keys.json). */
export type KidOf = (label: string) => string;

// The parts of mp4box's box objects these checks read.
interface Mp4Box {
  type: string;
  start: number;
  size: number;
  boxes?: Mp4Box[];
}
interface SidxBox extends Mp4Box {
  reference_ID: number;
  timescale: number;
  earliest_presentation_time: number;
  first_offset: number;
  references: {
    reference_type: number;
    referenced_size: number;
    subsegment_duration: number;
    starts_with_SAP: number;
    SAP_type: number;
  }[];
}
interface TfraBox extends Mp4Box {
  entries: { time: number; moof_offset: number }[];
}
interface SeigEntry {
  isProtected: number;
  Per_Sample_IV_Size: number;
  KID: string;
}
interface SgpdBox extends Mp4Box {
  grouping_type: string;
  entries: SeigEntry[];
}
interface SbgpBox extends Mp4Box {
  grouping_type: string;
  entries: { sample_count: number; group_description_index: number }[];
}
interface SampleEntryBox extends Mp4Box {
  sinf?: Mp4Box & { schm?: { scheme_type: string }; schi?: { tenc?: { default_KID: string } } };
}
interface Mp4Sample {
  cts: number;
  dts: number;
  duration: number;
  is_sync: boolean;
  moof_number: number;
  number_in_traf: number;
  description: SampleEntryBox;
}
interface Mp4File {
  boxes: Mp4Box[];
  moofs: (Mp4Box & { trafs: (Mp4Box & { tfhd: { track_id: number } })[] })[];
  moov: Mp4Box & {
    psshs?: (Mp4Box & { system_id: string; kid: string[] })[];
    traks: {
      tkhd: { track_id: number };
      mdia: { mdhd: { timescale: number }; minf: { stbl: Mp4Box & { stsd: { entries: SampleEntryBox[] } } } };
      samples: Mp4Sample[];
    }[];
  };
}

const kids = (list: Iterable<string | null>) => [...new Set([...list].filter((k): k is string => k !== null))].sort();
const childrenOf = <T extends Mp4Box>(box: Mp4Box, type: string) =>
  (box.boxes ?? []).filter((b) => b.type === type) as T[];

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Size and hash against the manifest. */
export function fileProblems(bytes: Buffer, track: TrackInfo): string[] {
  const problems: string[] = [];
  if (bytes.length !== track.bytes) problems.push(`is ${bytes.length} bytes; the manifest says ${track.bytes}`);
  if (sha256(bytes) !== track.sha256) problems.push('sha256 differs from the manifest');
  return problems;
}

export function readMp4(bytes: Buffer): Mp4File {
  const file = createFile();
  const errors: string[] = [];
  file.onError = (module, message) => errors.push(`${module}: ${message}`);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy, 0));
  file.flush();
  if (errors.length) throw new Error(`mp4box: ${errors.join('; ')}`);
  return file as unknown as Mp4File;
}

/** The key id that protects a sample, from its sample entry's tenc and any 'seig' group it belongs to; null when clear. */
function sampleKid(file: Mp4File, sample: Mp4Sample, stbl: Mp4Box): string | null {
  const tenc = sample.description.sinf?.schi?.tenc;
  if (!tenc) return null;
  const traf = file.moofs[sample.moof_number - 1]?.trafs[0];
  const sbgp = traf && childrenOf<SbgpBox>(traf, 'sbgp').find((b) => b.grouping_type === 'seig');
  if (!traf || !sbgp) return tenc.default_KID;
  let index = 0;
  let first = 0;
  for (const run of sbgp.entries) {
    if (sample.number_in_traf < first + run.sample_count) {
      index = run.group_description_index;
      break;
    }
    first += run.sample_count;
  }
  if (index === 0) return tenc.default_KID;
  const local = index > FRAGMENT_LOCAL_BASE;
  const sgpd = childrenOf<SgpdBox>(local ? traf : stbl, 'sgpd').find((b) => b.grouping_type === 'seig');
  const entry = sgpd?.entries[(local ? index - FRAGMENT_LOCAL_BASE : index) - 1];
  if (!entry) return `missing seig description #${index}`;
  return entry.isProtected ? entry.KID : null;
}

/** The key label the manifest says protects `track` at `seconds`, or null for clear content. */
function expectedKey(asset: AssetInfo, track: TrackInfo, seconds: number): string | null {
  if (seconds < asset.clearLeadSeconds - 1e-9) return null;
  if (asset.rotation && track.type === 'video') {
    return asset.rotation.filter((r) => r.fromSeconds <= seconds + 1e-9).at(-1)?.key ?? null;
  }
  return track.keys[0] ?? null;
}

export function mp4Problems(bytes: Buffer, asset: AssetInfo, track: TrackInfo, kidOf: KidOf): string[] {
  const problems: string[] = [];
  let file: Mp4File;
  try {
    file = readMp4(bytes);
  } catch (err) {
    return [(err as Error).message];
  }
  const top = file.boxes;
  const end = top.reduce((n, b) => Math.max(n, b.start + b.size), 0);
  if (end !== bytes.length) problems.push(`boxes end at ${end}, the file at ${bytes.length}`);
  const trak = file.moov.traks[0];
  if (!trak || file.moov.traks.length !== 1) return [...problems, `has ${file.moov.traks.length} tracks, expected 1`];
  const moofs = top.filter((b) => b.type === 'moof');
  if (!moofs.length) problems.push('has no fragments (moof)');

  // Segment index: one sidx between the init segment and the first fragment, one reference per fragment.
  const sidxs = top.filter((b) => b.type === 'sidx') as SidxBox[];
  const sidx = sidxs[0];
  if (!sidx) problems.push('has no sidx');
  else if (sidxs.length > 1) problems.push(`has ${sidxs.length} sidx boxes`);
  else {
    const firstMoof = moofs[0];
    if (firstMoof && sidx.start > firstMoof.start) problems.push('sidx comes after the first moof');
    if (sidx.reference_ID !== trak.tkhd.track_id) problems.push(`sidx reference_ID ${sidx.reference_ID}`);
    if (sidx.timescale !== trak.mdia.mdhd.timescale)
      problems.push(`sidx timescale ${sidx.timescale}, the track's ${trak.mdia.mdhd.timescale}`);
    if (sidx.references.length !== moofs.length)
      problems.push(`sidx has ${sidx.references.length} references for ${moofs.length} fragments`);
    let at = sidx.start + sidx.size + sidx.first_offset;
    const bySegment = (i: number) => trak.samples.filter((s) => s.moof_number === i + 1);
    const presentation = (i: number) => Math.min(...bySegment(i).map((s) => s.cts));
    if (sidx.earliest_presentation_time !== presentation(0))
      problems.push(
        `sidx earliest_presentation_time ${sidx.earliest_presentation_time}, first sample at ${presentation(0)}`,
      );
    sidx.references.forEach((ref, i) => {
      const moof = moofs[i];
      if (ref.reference_type !== 0) problems.push(`sidx reference ${i} points at another sidx`);
      if (!moof || moof.start !== at) {
        problems.push(`sidx reference ${i} starts at ${at}, which is not a moof`);
        return;
      }
      const next = top[top.indexOf(moof) + 1];
      const size = moof.size + (next?.type === 'mdat' ? next.size : 0);
      if (ref.referenced_size !== size)
        problems.push(`sidx reference ${i} is ${ref.referenced_size} bytes, the fragment ${size}`);
      const samples = bySegment(i);
      const endTime = i + 1 < moofs.length ? presentation(i + 1) : Math.max(...samples.map((s) => s.cts + s.duration));
      if (ref.subsegment_duration !== endTime - presentation(i))
        problems.push(
          `sidx reference ${i} lasts ${ref.subsegment_duration}, the fragment ${endTime - presentation(i)}`,
        );
      const sap = samples[0]?.is_sync ? 1 : 0;
      if (ref.starts_with_SAP !== sap) problems.push(`sidx reference ${i} starts_with_SAP ${ref.starts_with_SAP}`);
      at += ref.referenced_size;
    });
    if (sidx.references.length && at !== bytes.length)
      problems.push(`sidx references end at ${at}, the file at ${bytes.length}`);
  }

  // A movie fragment random access box is optional; when present it must sit last and point at the moofs.
  const mfra = top.find((b) => b.type === 'mfra');
  if (mfra) {
    if (top.at(-1) !== mfra) problems.push('mfra is not the last box');
    const starts = new Set(moofs.map((m) => m.start));
    for (const tfra of childrenOf<TfraBox>(mfra, 'tfra')) {
      for (const e of tfra.entries)
        if (!starts.has(e.moof_offset)) problems.push(`mfra names a moof at ${e.moof_offset}, where there is none`);
    }
  }

  // Protection: sample entries, pssh, and the key of every sample against the manifest's keys and rotation.
  const stbl = trak.mdia.minf.stbl;
  const entries = stbl.stsd.entries;
  const psshs = file.moov.psshs ?? [];
  if (!track.encrypted) {
    if (entries.some((e) => e.sinf)) problems.push('a clear track has a protected sample entry');
    if (psshs.length) problems.push('a clear track has a pssh');
    return problems;
  }
  const protectedEntries = entries.filter((e) => e.sinf);
  for (const e of protectedEntries) {
    const scheme = e.sinf?.schm?.scheme_type;
    if (scheme !== asset.scheme)
      problems.push(`sample entry ${e.type} has scheme ${scheme}, the manifest ${asset.scheme}`);
    if (!e.sinf?.schi?.tenc) problems.push(`sample entry ${e.type} has no tenc`);
  }
  const samples = trak.samples;
  const secondsOf = (s: Mp4Sample) => s.cts / trak.mdia.mdhd.timescale;
  const used = samples.map((s) => sampleKid(file, s, stbl));
  const wrong = samples.findIndex((s, i) => {
    const label = expectedKey(asset, track, secondsOf(s));
    return (label === null ? null : kidOf(label)) !== used[i];
  });
  if (wrong >= 0) {
    const s = samples[wrong]!;
    problems.push(
      `sample ${wrong} (${secondsOf(s).toFixed(2)} s) is under ${used[wrong] ?? 'no key'}, the manifest says ${expectedKey(asset, track, secondsOf(s)) ?? 'clear'}`,
    );
  }
  const trackKids = kids(track.keys.map(kidOf));
  if (kids(used).join() !== trackKids.join())
    problems.push(`samples use ${kids(used)}, the track's keys are ${trackKids}`);

  const assetKids = kids(asset.tracks.flatMap((t) => t.keys).map(kidOf));
  if (!psshs.length) problems.push('has no pssh');
  for (const p of psshs) {
    if (p.system_id !== COMMON_SYSTEM_ID) problems.push(`pssh of system ${p.system_id}`);
    const listed = kids(p.kid ?? []);
    const missing = trackKids.filter((k) => !listed.includes(k));
    const foreign = listed.filter((k) => !assetKids.includes(k));
    if (missing.length) problems.push(`pssh does not name ${missing}`);
    if (foreign.length) problems.push(`pssh names ${foreign}, which no track of the asset uses`);
  }
  const psshBytes = Buffer.concat(psshs.map((p) => bytes.subarray(p.start, p.start + p.size)));
  if (psshBytes.toString('base64') !== track.initData['cenc']) problems.push("initData.cenc is not the moov's pssh");

  // Rotation: the layout the manifest names.
  const seigTrafs = file.moofs.filter((m) =>
    m.trafs.some((t) => childrenOf<SgpdBox>(t, 'sgpd').some((g) => g.grouping_type === 'seig')),
  );
  const seigSbgps = file.moofs.filter((m) =>
    m.trafs.some((t) => childrenOf<SbgpBox>(t, 'sbgp').some((g) => g.grouping_type === 'seig')),
  );
  if (asset.rotation && track.type === 'video') {
    const rotationKids = asset.rotation.map((r) => kidOf(r.key));
    const entryKids = protectedEntries.map((e) => e.sinf?.schi?.tenc?.default_KID);
    if (asset.rotationLayout === 'seig-sample-groups') {
      if (protectedEntries.length !== 1)
        problems.push(`has ${protectedEntries.length} protected sample entries, expected 1`);
      if (entryKids[0] !== rotationKids[0])
        problems.push(`tenc holds ${entryKids[0]}, not the first key ${rotationKids[0]}`);
      if (seigTrafs.length !== moofs.length || seigSbgps.length !== moofs.length)
        problems.push(
          `seig sgpd in ${seigTrafs.length} and sbgp in ${seigSbgps.length} of ${moofs.length} fragments; expected all`,
        );
    } else if (asset.rotationLayout === 'sample-entries') {
      if (entryKids.join() !== rotationKids.join())
        problems.push(`protected sample entries hold ${entryKids.join(', ')}, expected one per key: ${rotationKids}`);
      if (seigTrafs.length || seigSbgps.length) problems.push('uses seig sample groups, not sample entries');
    } else {
      problems.push(`rotates keys but the manifest names no rotationLayout (${asset.rotationLayout})`);
    }
  } else if (asset.rotationLayout) {
    if (track.type === 'video' || !asset.rotation)
      problems.push(`names rotationLayout ${asset.rotationLayout} without rotation`);
  }
  return problems;
}

// ---- WebM ----

interface EbmlNode {
  name: string;
  id: number;
  start: number;
  dataStart: number;
  end: number;
  value?: unknown;
  data?: Buffer;
  children: EbmlNode[];
}

/** The element tree node-ebml reads (offsets are absolute in the file). */
export async function readWebm(bytes: Buffer): Promise<EbmlNode[]> {
  const decoder = new Decoder();
  const roots: EbmlNode[] = [];
  const stack: EbmlNode[] = [];
  const add = (n: EbmlNode) => (stack.length ? stack.at(-1)!.children.push(n) : roots.push(n));
  const done = new Promise<void>((resolve, reject) => {
    decoder.on('data', ([kind, tag]) => {
      const node: EbmlNode = {
        name: tag.name,
        id: Number.parseInt(tag.tagStr, 16),
        start: tag.start,
        dataStart: tag.end - tag.dataSize,
        end: tag.end,
        children: [],
      };
      if (kind === 'start') {
        add(node);
        stack.push(node);
      } else if (kind === 'end') stack.pop();
      else add({ ...node, value: (tag as { value?: unknown }).value, data: (tag as { data?: Buffer }).data });
    });
    decoder.on('error', reject);
    decoder.on('finish', resolve);
  });
  decoder.end(bytes);
  await done;
  return roots;
}

const find = (node: EbmlNode, name: string) => node.children.filter((c) => c.name === name);
/** An unsigned value as node-ebml gives it: a number, or a hex string past 6 bytes. */
const uint = (node: EbmlNode | undefined) =>
  typeof node?.value === 'string' ? Number.parseInt(node.value, 16) : (node?.value as number | undefined);
const one = (node: EbmlNode, name: string) => find(node, name)[0];

export async function webmProblems(bytes: Buffer, track: TrackInfo, kidOf: KidOf): Promise<string[]> {
  const problems: string[] = [];
  let roots: EbmlNode[];
  try {
    roots = await readWebm(bytes);
  } catch (err) {
    return [`node-ebml: ${(err as Error).message}`];
  }
  if (roots[0]?.name !== 'EBML') problems.push('does not start with an EBML header');
  const segments = roots.filter((r) => r.name === 'Segment');
  const segment = segments[0];
  if (!segment || segments.length !== 1) return [...problems, `has ${segments.length} Segments`];
  if (segment.end !== bytes.length) problems.push(`Segment ends at ${segment.end}, the file at ${bytes.length}`);
  const byStart = new Map(segment.children.map((c) => [c.start, c]));
  const clusters = find(segment, 'Cluster');
  if (!clusters.length) problems.push('has no Cluster');

  const cues = find(segment, 'Cues');
  if (cues.length !== 1) problems.push(`has ${cues.length} Cues elements, expected 1`);
  const cued = new Set<number>();
  for (const point of cues[0] ? find(cues[0], 'CuePoint') : []) {
    const time = one(point, 'CueTime')?.value;
    for (const pos of find(point, 'CueTrackPositions')) {
      const at = uint(one(pos, 'CueClusterPosition'));
      const target = typeof at === 'number' ? byStart.get(segment.dataStart + at) : undefined;
      if (target?.name !== 'Cluster') {
        problems.push(`a CuePoint (time ${time}) points at ${target?.name ?? 'no element'} (position ${at})`);
        continue;
      }
      cued.add(target.start);
      const clusterTime = one(target, 'Timecode')?.value;
      if (clusterTime !== time) problems.push(`a CuePoint says time ${time}, its Cluster starts at ${clusterTime}`);
    }
  }
  if (cues.length && clusters[0] && !cued.has(clusters[0].start)) problems.push('the first Cluster has no CuePoint');

  for (const head of find(segment, 'SeekHead')) {
    for (const seek of find(head, 'Seek')) {
      const id = one(seek, 'SeekID')?.data;
      const at = uint(one(seek, 'SeekPosition'));
      const target = typeof at === 'number' ? byStart.get(segment.dataStart + at) : undefined;
      if (!id || !target || target.id !== id.readUIntBE(0, id.length))
        problems.push(`a Seek entry for ${id?.toString('hex')} points at ${target?.name ?? 'nothing'}`);
    }
  }

  const entries = find(one(segment, 'Tracks') ?? segment, 'TrackEntry');
  if (entries.length !== 1) problems.push(`has ${entries.length} TrackEntry elements, expected 1`);
  const keyId = entries[0]
    ? one(
        one(
          one(one(entries[0], 'ContentEncodings') ?? entries[0], 'ContentEncoding') ?? entries[0],
          'ContentEncryption',
        ) ?? entries[0],
        'ContentEncKeyID',
      )
    : undefined;
  if (!track.encrypted) {
    if (keyId) problems.push('a clear track has a ContentEncKeyID');
    return problems;
  }
  const expected = track.keys[0] ? kidOf(track.keys[0]) : undefined;
  const kid = keyId?.data?.toString('hex');
  if (kid !== expected) problems.push(`ContentEncKeyID is ${kid ?? 'missing'}, the manifest's key ${expected}`);
  if (track.keys.length !== 1) problems.push(`a WebM track names ${track.keys.length} keys`);
  if (keyId?.data?.toString('base64') !== track.initData['webm']) problems.push('initData.webm is not the key id');
  return problems;
}
