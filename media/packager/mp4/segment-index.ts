// Lays a fragmented MP4 out the way DASH on-demand packagers do: init boxes (ftyp, moov), one segment
// index (sidx) with a reference per fragment, then the moof+mdat pairs. The input's own index and random
// access boxes (sidx, mfra) are dropped: their offsets belong to another layout.
import { type Box, Mp4FormatError, boxSize, fullBox, u16, u32, writeBoxes } from './box.ts';
import type { Fmp4 } from './fragments.ts';

/** Boxes that index another layout's byte offsets: never copied from the input. */
const INDEX_BOXES = new Set(['sidx', 'mfra', 'styp']);

export interface Subsegment {
  /** Earliest presentation time of the fragment, in the track's timescale. */
  earliest: number;
  duration: number;
  startsWithSap: boolean;
  bytes: number;
}

/** Timing of each fragment from its samples (decode time + composition offset). */
export function subsegments(file: Fmp4, sizes: number[]): Subsegment[] {
  const spans = file.fragments.map((f) => {
    if (!f.timing.length) throw new Mp4FormatError(`the fragment at ${f.moof.offset} has no samples`);
    const starts = f.timing.map((t) => t.decodeTime + t.compositionOffset);
    return {
      earliest: Math.min(...starts),
      end: Math.max(...f.timing.map((t, i) => starts[i]! + t.duration)),
      sap: f.timing[0]!.sync,
    };
  });
  return spans.map((s, i) => ({
    earliest: s.earliest,
    duration: (spans[i + 1]?.earliest ?? s.end) - s.earliest,
    startsWithSap: s.sap,
    bytes: sizes[i]!,
  }));
}

/** sidx (ISO/IEC 14496-12 8.16.3) whose references follow it directly (first_offset 0). */
export function sidxBox(trackId: number, timescale: number, parts: Subsegment[]): Box {
  const first = parts[0];
  if (!first) throw new Mp4FormatError('a segment index needs at least one fragment');
  const wide = first.earliest > 0xffffffff;
  const time = wide ? Buffer.alloc(16) : Buffer.alloc(8);
  if (wide) time.writeBigUInt64BE(BigInt(first.earliest), 0);
  else time.writeUInt32BE(first.earliest, 0);
  const refs = parts.map((p) => {
    if (p.bytes >= 2 ** 31) throw new Mp4FormatError('a fragment over 2 GiB cannot be indexed');
    // reference_type 0 (media) | referenced_size; duration; starts_with_SAP | SAP_type 1 | SAP_delta_time 0
    return Buffer.concat([u32(p.bytes), u32(p.duration), u32(p.startsWithSap ? 0x90000000 : 0)]);
  });
  return fullBox('sidx', wide ? 1 : 0, 0, u32(trackId), u32(timescale), time, u16(0), u16(parts.length), ...refs);
}

/** Writes init boxes, a sidx, and the fragments (moof, mdat pairs in order); `file` gives their timing. */
export function writeIndexed(file: Fmp4, init: Box[], fragments: { moof: Box; mdat: Box }[]): Buffer {
  if (fragments.length !== file.fragments.length)
    throw new Mp4FormatError(`${fragments.length} fragments to write, ${file.fragments.length} parsed`);
  const sizes = fragments.map((f) => boxSize(f.moof) + boxSize(f.mdat));
  const sidx = sidxBox(file.trackId, file.timescale, subsegments(file, sizes));
  return writeBoxes([...initBoxes(init), sidx, ...fragments.flatMap((f) => [f.moof, f.mdat])]);
}

/** The boxes before the first fragment, less any index of another layout. */
export function initBoxes(boxes: Box[]): Box[] {
  const firstMoof = boxes.findIndex((b) => b.type === 'moof');
  return boxes.slice(0, firstMoof < 0 ? boxes.length : firstMoof).filter((b) => !INDEX_BOXES.has(b.type));
}

/** A clear fragmented MP4, laid out with a sidx and without its mfra; samples and boxes unchanged. */
export function packageClearMp4(file: Fmp4): Buffer {
  return writeIndexed(file, file.boxes, file.fragments);
}
