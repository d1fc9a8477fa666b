// Reads a single-track fragmented MP4 as ffmpeg writes it (ftyp, moov, then moof+mdat pairs) into
// its init boxes and, per fragment, the sample table the trun describes.
import { Mp4FormatError, child, parseBoxes, path, requireChild, versionAndFlags, type Box } from './box.ts';

export const TFHD = {
  baseDataOffset: 0x000001,
  sampleDescriptionIndex: 0x000002,
  defaultSampleDuration: 0x000008,
  defaultSampleSize: 0x000010,
  defaultSampleFlags: 0x000020,
  defaultBaseIsMoof: 0x020000,
} as const;

export const TRUN = {
  dataOffset: 0x000001,
  firstSampleFlags: 0x000004,
  sampleDuration: 0x000100,
  sampleSize: 0x000200,
  sampleFlags: 0x000400,
  compositionOffset: 0x000800,
} as const;

export interface Tfhd {
  flags: number;
  trackId: number;
  sampleDescriptionIndex?: number;
  defaultSampleDuration?: number;
  defaultSampleSize?: number;
  defaultSampleFlags?: number;
}

export interface Fragment {
  moof: Box;
  mdat: Box;
  tfhd: Tfhd;
  /** Offset of data_offset inside the trun payload, so it can be rewritten. */
  dataOffset: number;
  /** Each sample's place in the file and its bytes. */
  samples: { offset: number; size: number; data: Buffer }[];
  /** Each sample's timing in the track's timescale, and whether it is a sync sample. */
  timing: SampleTiming[];
}

export interface SampleTiming {
  decodeTime: number;
  duration: number;
  compositionOffset: number;
  sync: boolean;
}

export interface Fmp4 {
  boxes: Box[];
  ftyp: Box;
  moov: Box;
  fragments: Fragment[];
  /** trex default sample size, for truns without sizes. */
  trexDefaultSize: number;
  /** trex default sample description index (1-based). */
  trexDefaultDescription: number;
  trackId: number;
  /** mdhd timescale: units per second of every time in `timing`. */
  timescale: number;
}

export function parseTfhd(box: Box): Tfhd {
  const { flags } = versionAndFlags(box);
  const p = box.payload;
  let pos = 4;
  const tfhd: Tfhd = { flags, trackId: p.readUInt32BE(pos) };
  pos += 4;
  if (flags & TFHD.baseDataOffset) pos += 8;
  const next = (): number => {
    pos += 4;
    return p.readUInt32BE(pos - 4);
  };
  if (flags & TFHD.sampleDescriptionIndex) tfhd.sampleDescriptionIndex = next();
  if (flags & TFHD.defaultSampleDuration) tfhd.defaultSampleDuration = next();
  if (flags & TFHD.defaultSampleSize) tfhd.defaultSampleSize = next();
  if (flags & TFHD.defaultSampleFlags) tfhd.defaultSampleFlags = next();
  return tfhd;
}

interface TrunInfo {
  dataOffset: number;
  dataOffsetAt: number;
  sizes: (number | undefined)[];
  durations: (number | undefined)[];
  flags: (number | undefined)[];
  compositionOffsets: number[];
}

/** sample_is_non_sync_sample in the sample flags (ISO/IEC 14496-12 8.8.3.1). */
const NON_SYNC = 0x10000;

export function parseTrun(box: Box): TrunInfo {
  const { version, flags } = versionAndFlags(box);
  const p = box.payload;
  const count = p.readUInt32BE(4);
  let pos = 8;
  if (!(flags & TRUN.dataOffset)) throw new Mp4FormatError('trun without data_offset is not supported');
  const dataOffsetAt = pos;
  const dataOffset = p.readInt32BE(pos);
  pos += 4;
  let firstFlags: number | undefined;
  if (flags & TRUN.firstSampleFlags) {
    firstFlags = p.readUInt32BE(pos);
    pos += 4;
  }
  const info: Omit<TrunInfo, 'dataOffset' | 'dataOffsetAt'> = {
    sizes: [],
    durations: [],
    flags: [],
    compositionOffsets: [],
  };
  const field = (present: number): number | undefined => {
    if (!(flags & present)) return undefined;
    if (pos + 4 > p.length)
      throw new Mp4FormatError(`trun payload is ${p.length} bytes, too short for ${count} samples`);
    pos += 4;
    return p.readUInt32BE(pos - 4);
  };
  for (let i = 0; i < count; i++) {
    info.durations.push(field(TRUN.sampleDuration));
    info.sizes.push(field(TRUN.sampleSize));
    info.flags.push(field(TRUN.sampleFlags) ?? (i === 0 ? firstFlags : undefined));
    const cto = field(TRUN.compositionOffset) ?? 0;
    info.compositionOffsets.push(version === 0 ? cto : cto | 0);
  }
  if (pos !== p.length) throw new Mp4FormatError(`trun payload is ${p.length} bytes, its ${count} samples need ${pos}`);
  return { dataOffset, dataOffsetAt, ...info };
}

export function parseFmp4(buf: Buffer): Fmp4 {
  const boxes = parseBoxes(buf);
  const ftyp = boxes.find((b) => b.type === 'ftyp');
  const moov = boxes.find((b) => b.type === 'moov');
  if (!ftyp || !moov) throw new Mp4FormatError('not a fragmented MP4 init segment: ftyp and moov are required');
  const traks = moov.children!.filter((b) => b.type === 'trak');
  if (traks.length !== 1)
    throw new Mp4FormatError(`expected exactly one track, found ${traks.length} (mux audio and video separately)`);
  const trex = path(boxes, ['moov', 'mvex', 'trex']);
  const trackId = trex.payload.readUInt32BE(4);
  const trexDefaultDescription = trex.payload.readUInt32BE(8);
  const trexDefaultDuration = trex.payload.readUInt32BE(12);
  const trexDefaultSize = trex.payload.readUInt32BE(16);
  const trexDefaultFlags = trex.payload.readUInt32BE(20);
  const mdhd = path([moov], ['moov', 'trak', 'mdia', 'mdhd']);
  const timescale = mdhd.payload.readUInt32BE(versionAndFlags(mdhd).version === 1 ? 20 : 12);
  if (!timescale) throw new Mp4FormatError('mdhd timescale is 0');

  const fragments: Fragment[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const moof = boxes[i]!;
    if (moof.type !== 'moof') continue;
    const mdat = boxes[i + 1];
    if (mdat?.type !== 'mdat') throw new Mp4FormatError(`moof at ${moof.offset} is not followed by its mdat`);
    const trafs = moof.children!.filter((b) => b.type === 'traf');
    if (trafs.length !== 1)
      throw new Mp4FormatError(`moof at ${moof.offset} has ${trafs.length} trafs; one is supported`);
    const traf = trafs[0]!;
    const tfhd = parseTfhd(requireChild(traf, 'tfhd'));
    if (!(tfhd.flags & TFHD.defaultBaseIsMoof))
      throw new Mp4FormatError('tfhd lacks default-base-is-moof; write the input with -movflags +default_base_moof');
    if (tfhd.flags & TFHD.baseDataOffset) throw new Mp4FormatError('tfhd base_data_offset is not supported');
    if (traf.children!.filter((b) => b.type === 'trun').length !== 1)
      throw new Mp4FormatError('exactly one trun per traf is supported');
    if (child(traf, 'senc') || child(traf, 'saiz')) throw new Mp4FormatError('the input is already encrypted');
    const trun = parseTrun(requireChild(traf, 'trun'));
    const tfdt = child(traf, 'tfdt');
    if (!tfdt) throw new Mp4FormatError(`moof at ${moof.offset} has no tfdt (base media decode time)`);
    let decodeTime =
      versionAndFlags(tfdt).version === 1 ? Number(tfdt.payload.readBigUInt64BE(4)) : tfdt.payload.readUInt32BE(4);
    const timing = trun.sizes.map((_, i): SampleTiming => {
      const duration = trun.durations[i] ?? tfhd.defaultSampleDuration ?? trexDefaultDuration;
      const sampleFlags = trun.flags[i] ?? tfhd.defaultSampleFlags ?? trexDefaultFlags;
      const t = {
        decodeTime,
        duration,
        compositionOffset: trun.compositionOffsets[i]!,
        sync: !(sampleFlags & NON_SYNC),
      };
      decodeTime += duration;
      return t;
    });
    const samples: Fragment['samples'] = [];
    let offset = moof.offset + trun.dataOffset;
    for (const s of trun.sizes) {
      const size = s ?? tfhd.defaultSampleSize ?? trexDefaultSize;
      const mdatStart = mdat.offset + 8;
      if (offset < mdatStart || offset + size > mdatStart + mdat.payload.length) {
        throw new Mp4FormatError(`a sample at ${offset} (+${size}) lies outside the mdat at ${mdat.offset}`);
      }
      samples.push({ offset, size, data: buf.subarray(offset, offset + size) });
      offset += size;
    }
    fragments.push({ moof, mdat, tfhd, dataOffset: trun.dataOffsetAt, samples, timing });
  }
  if (!fragments.length)
    throw new Mp4FormatError('no fragments: write the input with -movflags frag_keyframe+empty_moov+default_base_moof');
  return { boxes, ftyp, moov, fragments, trexDefaultSize, trexDefaultDescription, trackId, timescale };
}

export function sampleEntry(moov: Box): Box {
  const stsd = path([moov], ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
  const entries = stsd.children ?? [];
  if (entries.length !== 1) throw new Mp4FormatError(`expected one sample entry, found ${entries.length}`);
  return entries[0]!;
}

/** All samples of a file in order: what a decryptor must give back. */
export function allSamples(file: Fmp4): Buffer[] {
  return file.fragments.flatMap((f) => f.samples.map((s) => s.data));
}
