// Which bytes of a sample stay clear. H.264 (AVCC): each VCL NAL keeps its length field and its
// one-byte NAL header clear (Chromium refuses a protected header); other NALs stay whole in the clear.
import { Mp4FormatError, child, type Box } from './box.ts';

export interface Subsample {
  clear: number;
  protected: number;
}

/** NAL length field size from the avcC box of an avc1 sample entry. */
export function nalLengthSize(entry: Box): number {
  const avcC = child(entry, 'avcC');
  if (!avcC) throw new Mp4FormatError(`'${entry.type}' has no avcC box`);
  return (avcC.payload.readUInt8(4) & 0x03) + 1;
}

/** The codec string of an avc1 entry, e.g. avc1.4D400C. */
export function avcCodecString(entry: Box): string {
  const avcC = child(entry, 'avcC');
  if (!avcC) throw new Mp4FormatError(`'${entry.type}' has no avcC box`);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
  return `avc1.${hex(avcC.payload[1]!)}${hex(avcC.payload[2]!)}${hex(avcC.payload[3]!)}`;
}

function pushClear(out: Subsample[], clear: number, prot: number): void {
  // BytesOfClearData is 16-bit: long clear runs become (65535, 0) entries.
  while (clear > 0xffff) {
    out.push({ clear: 0xffff, protected: 0 });
    clear -= 0xffff;
  }
  out.push({ clear, protected: prot });
}

/**
 * Subsamples of one AVCC sample. `minProtected` folds VCL NALs with fewer protected bytes into the
 * clear run (cbcs needs at least one whole 16-byte block to encrypt anything).
 */
export function h264Subsamples(sample: Buffer, lengthSize: number, minProtected = 1): Subsample[] {
  const out: Subsample[] = [];
  let pos = 0;
  let clear = 0;
  while (pos < sample.length) {
    if (pos + lengthSize > sample.length)
      throw new Mp4FormatError(`NAL length field at ${pos} runs past the sample (${sample.length} bytes)`);
    const nalSize = sample.readUIntBE(pos, lengthSize);
    if (nalSize === 0 || pos + lengthSize + nalSize > sample.length)
      throw new Mp4FormatError(`NAL of ${nalSize} bytes at ${pos} does not fit the sample`);
    const nalType = sample[pos + lengthSize]! & 0x1f;
    const isVcl = nalType >= 1 && nalType <= 5;
    if (isVcl && nalSize - 1 >= minProtected) {
      pushClear(out, clear + lengthSize + 1, nalSize - 1);
      clear = 0;
    } else {
      clear += lengthSize + nalSize;
    }
    pos += lengthSize + nalSize;
  }
  if (clear > 0) pushClear(out, clear, 0);
  return out;
}
