// Reads an encrypted fragmented MP4 the way a CDM-backed demuxer must, checking as it goes that the
// boxes agree with each other (sizes, trun offsets, saiz/saio/senc), and decrypts every sample. The
// tests use it to prove each asset decrypts back to its clear source.
import { Mp4FormatError, child, parseBoxes, path, requireChild, versionAndFlags, type Box } from './box.ts';
import { decryptSample, type Pattern, type Scheme } from './ciphers.ts';
import { parseTfhd, parseTrun } from './fragments.ts';
import type { Subsample } from './subsamples.ts';

export interface ProtectionInfo {
  scheme: Scheme;
  kid: Buffer;
  ivSize: number;
  pattern: Pattern;
  constantIv: Buffer | null;
}

export interface EntryInfo {
  type: string;
  originalFormat: string;
  protection: ProtectionInfo | null;
}

export interface DecryptedFragment {
  descriptionIndex: number;
  kid: string | null;
  samples: Buffer[];
}

function readTenc(tenc: Box, scheme: Scheme): ProtectionInfo {
  const { version } = versionAndFlags(tenc);
  const p = tenc.payload;
  const patternByte = p.readUInt8(5);
  const isProtected = p.readUInt8(6);
  const ivSize = p.readUInt8(7);
  const kid = p.subarray(8, 24);
  if (isProtected !== 1) throw new Mp4FormatError('tenc default_isProtected is not 1');
  let constantIv: Buffer | null = null;
  if (ivSize === 0) {
    const constSize = p.readUInt8(24);
    constantIv = p.subarray(25, 25 + constSize);
    if (constantIv.length !== constSize || (constSize !== 8 && constSize !== 16))
      throw new Mp4FormatError('tenc constant IV is malformed');
  }
  const pattern = version >= 1 ? { crypt: patternByte >> 4, skip: patternByte & 0x0f } : { crypt: 0, skip: 0 };
  return { scheme, kid, ivSize, pattern, constantIv };
}

export function readEntries(moov: Box): EntryInfo[] {
  const stsd = path([moov], ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
  const declared = stsd.payload.readUInt32BE(4);
  const entries = stsd.children ?? [];
  if (declared !== entries.length)
    throw new Mp4FormatError(`stsd declares ${declared} entries and holds ${entries.length}`);
  return entries.map((entry) => {
    const sinf = child(entry, 'sinf');
    if (!sinf) return { type: entry.type, originalFormat: entry.type, protection: null };
    const frma = requireChild(sinf, 'frma').payload.toString('latin1');
    const scheme = requireChild(sinf, 'schm').payload.toString('latin1', 4, 8);
    if (scheme !== 'cenc' && scheme !== 'cbcs') throw new Mp4FormatError(`unknown scheme '${scheme}'`);
    const tenc = requireChild(requireChild(sinf, 'schi'), 'tenc');
    return { type: entry.type, originalFormat: frma, protection: readTenc(tenc, scheme) };
  });
}

/** The key ids a pssh v1 box lists (Common system id). */
export function psshKids(moov: Box): Buffer[][] {
  return (moov.children ?? [])
    .filter((b) => b.type === 'pssh')
    .map((b) => {
      if (versionAndFlags(b).version !== 1) throw new Mp4FormatError('pssh is not version 1 (no key ids)');
      const count = b.payload.readUInt32BE(20);
      return Array.from({ length: count }, (_, i) => b.payload.subarray(24 + 16 * i, 40 + 16 * i));
    });
}

function parseSenc(
  senc: Box,
  count: number,
  ivSize: number,
): { ivs: Buffer[]; subsamples: (Subsample[] | null)[]; sizes: number[] } {
  const { flags } = versionAndFlags(senc);
  const p = senc.payload;
  if (p.readUInt32BE(4) !== count) throw new Mp4FormatError(`senc has ${p.readUInt32BE(4)} samples, trun ${count}`);
  let pos = 8;
  const ivs: Buffer[] = [];
  const subsamples: (Subsample[] | null)[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = pos;
    ivs.push(p.subarray(pos, pos + ivSize));
    pos += ivSize;
    if (flags & 0x2) {
      const n = p.readUInt16BE(pos);
      pos += 2;
      const list: Subsample[] = [];
      for (let j = 0; j < n; j++) {
        list.push({ clear: p.readUInt16BE(pos), protected: p.readUInt32BE(pos + 2) });
        pos += 6;
      }
      subsamples.push(list);
    } else subsamples.push(null);
    sizes.push(pos - start);
  }
  if (pos !== p.length) throw new Mp4FormatError(`senc has ${p.length - pos} bytes left over`);
  return { ivs, subsamples, sizes };
}

/**
 * The key id a fragment's 'seig' sample group names (Common Encryption key rotation), or null when the
 * fragment has none. Only the layout the packager writes is read: one fragment-local description that
 * every sample of the fragment belongs to.
 */
export function seigKeyId(traf: Box, sampleCount: number): Buffer | null {
  const isSeig = (b: Box) => b.payload.toString('latin1', 4, 8) === 'seig';
  const sbgp = traf.children?.find((b) => b.type === 'sbgp' && isSeig(b));
  const sgpd = traf.children?.find((b) => b.type === 'sgpd' && isSeig(b));
  if (!sbgp && !sgpd) return null;
  if (!sbgp || !sgpd) throw new Mp4FormatError("a traf has an 'seig' sgpd or sbgp without the other");
  if (versionAndFlags(sbgp).version !== 0 || versionAndFlags(sgpd).version !== 1)
    throw new Mp4FormatError('seig groups must be sbgp version 0 and sgpd version 1');
  const runs = sbgp.payload.readUInt32BE(8);
  if (runs !== 1 || sbgp.payload.readUInt32BE(12) !== sampleCount || sbgp.payload.readUInt32BE(16) !== 0x10001)
    throw new Mp4FormatError('the sbgp must put every sample of the fragment in its first fragment-local group');
  const length = sgpd.payload.readUInt32BE(8);
  if (sgpd.payload.readUInt32BE(12) !== 1 || length < 20) throw new Mp4FormatError('the sgpd must hold one seig entry');
  const entry = sgpd.payload.subarray(16, 16 + length);
  if (entry[2] !== 1) throw new Mp4FormatError('the seig entry is not protected');
  return entry.subarray(4, 20);
}

/**
 * Decrypts every fragment with the keys given by hex key id. A missing key throws; a wrong key gives
 * garbage, which is what the wrong-key control asset must show.
 */
export function decryptMp4(
  buf: Buffer,
  keysByKid: Map<string, Buffer>,
): { entries: EntryInfo[]; fragments: DecryptedFragment[] } {
  const boxes = parseBoxes(buf);
  const total = boxes.reduce((n, b) => Math.max(n, b.offset + 8 + b.payload.length + (b.children ? 0 : 0)), 0);
  if (total > buf.length) throw new Mp4FormatError('boxes run past the end of the file');
  const moov = boxes.find((b) => b.type === 'moov');
  if (!moov) throw new Mp4FormatError('no moov');
  const entries = readEntries(moov);
  const trex = path(boxes, ['moov', 'mvex', 'trex']);
  const defaultIndex = trex.payload.readUInt32BE(8);
  const trexSize = trex.payload.readUInt32BE(16);
  const fragments: DecryptedFragment[] = [];

  for (let i = 0; i < boxes.length; i++) {
    const moof = boxes[i]!;
    if (moof.type !== 'moof') continue;
    const mdat = boxes[i + 1];
    if (mdat?.type !== 'mdat') throw new Mp4FormatError(`moof at ${moof.offset} has no mdat after it`);
    const traf = requireChild(moof, 'traf');
    const tfhd = parseTfhd(requireChild(traf, 'tfhd'));
    const trun = parseTrun(requireChild(traf, 'trun'));
    const descriptionIndex = tfhd.sampleDescriptionIndex ?? defaultIndex;
    const entry = entries[descriptionIndex - 1];
    if (!entry)
      throw new Mp4FormatError(`fragment at ${moof.offset} uses sample entry ${descriptionIndex} of ${entries.length}`);

    const mdatStart = mdat.offset + 8;
    let offset = moof.offset + trun.dataOffset;
    const raw = trun.sizes.map((s) => {
      const size = s ?? tfhd.defaultSampleSize ?? trexSize;
      if (offset < mdatStart || offset + size > mdatStart + mdat.payload.length)
        throw new Mp4FormatError(`trun points outside the mdat at ${mdat.offset}`);
      const data = buf.subarray(offset, offset + size);
      offset += size;
      return data;
    });

    const protection = entry.protection;
    const senc = child(traf, 'senc');
    const saiz = child(traf, 'saiz');
    const saio = child(traf, 'saio');
    if (!protection) {
      if (senc || saiz || saio) throw new Mp4FormatError('a clear fragment carries encryption boxes');
      fragments.push({ descriptionIndex, kid: null, samples: raw.map((r) => Buffer.from(r)) });
      continue;
    }
    const kid = seigKeyId(traf, raw.length) ?? protection.kid;
    const key = keysByKid.get(kid.toString('hex'));
    if (!key) throw new Mp4FormatError(`no key for key id ${kid.toString('hex')}`);
    let ivs: Buffer[] = raw.map(() => protection.constantIv!);
    let subsamples: (Subsample[] | null)[] = raw.map(() => null);
    if (senc) {
      if (!saiz || !saio) throw new Mp4FormatError('senc without saiz/saio');
      const parsed = parseSenc(senc, raw.length, protection.ivSize);
      // saiz must describe exactly the senc entries, and saio must point at the first of them.
      const saizDefault = saiz.payload.readUInt8(4);
      const saizCount = saiz.payload.readUInt32BE(5);
      if (saizCount !== raw.length) throw new Mp4FormatError(`saiz counts ${saizCount} samples, trun ${raw.length}`);
      const saizSizes = saizDefault ? raw.map(() => saizDefault) : [...saiz.payload.subarray(9, 9 + saizCount)];
      if (saizSizes.join() !== parsed.sizes.join()) throw new Mp4FormatError('saiz sizes disagree with senc');
      if (saio.payload.readUInt32BE(4) !== 1) throw new Mp4FormatError('saio must have one entry');
      const sencDataAt = senc.offset + 16 - moof.offset;
      if (saio.payload.readUInt32BE(8) !== sencDataAt)
        throw new Mp4FormatError(`saio offset ${saio.payload.readUInt32BE(8)} != senc data at ${sencDataAt}`);
      if (protection.ivSize) ivs = parsed.ivs;
      subsamples = parsed.subsamples;
    } else if (protection.ivSize) {
      throw new Mp4FormatError('per-sample IVs are declared but the fragment has no senc');
    }
    const samples = raw.map((r, s) =>
      decryptSample(protection.scheme, key, ivs[s]!, r, subsamples[s] ?? null, protection.pattern),
    );
    fragments.push({ descriptionIndex, kid: kid.toString('hex'), samples });
  }
  return { entries, fragments };
}
