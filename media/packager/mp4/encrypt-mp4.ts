// Common encryption for a single-track fragmented MP4 (H.264 or AAC), in the layouts measured to play
// in Chromium and Firefox (see shared research media-facts): pssh v1 after mvhd; encv/enca entries
// with sinf{frma, schm, schi{tenc}}; per traf saiz, saio, senc, with trun.data_offset moved by the
// moof's growth; a sidx indexing the fragments (segment-index.ts). Key rotation comes in two layouts:
// Common Encryption's own (one protected entry whose tenc holds the first key; each fragment's traf
// carries an 'seig' sgpd naming its key and an sbgp mapping its samples to it), or one protected entry
// per key picked by tfhd.sample_description_index. A clear lead uses the original entry, picked the
// same way.
import { createHmac } from 'node:crypto';
import {
  Mp4FormatError,
  boxSize,
  child,
  container,
  fullBox,
  leaf,
  path,
  requireChild,
  u16,
  u32,
  u8,
  writeBoxes,
  type Box,
} from './box.ts';
import { encryptSample, type Pattern, type Scheme } from './ciphers.ts';
import { TFHD, parseFmp4, sampleEntry, type Fragment } from './fragments.ts';
import { writeIndexed } from './segment-index.ts';
import { h264Subsamples, nalLengthSize, type Subsample } from './subsamples.ts';

export const COMMON_SYSTEM_ID = Buffer.from('1077efecc0b24d02ace33c1e52e2fb4b', 'hex');

export interface ContentKey {
  kid: Buffer;
  key: Buffer;
}

export interface Mp4Encryption {
  scheme: Scheme;
  /** The content keys, in the order fragmentKeys refers to them. */
  keys: ContentKey[];
  /**
   * With several keys: 'seig-sample-groups' (one protected entry with keys[0] in its tenc; per-fragment
   * 'seig' sample groups name the key) or 'sample-entries' (entry i+1 is protected by keys[i]).
   */
  rotation?: RotationLayout;
  /** For each fragment: the index into `keys` that encrypts it, or null to leave it clear. Default: all 0. */
  fragmentKeys?: (number | null)[];
  /** Key ids listed in the init segment's pssh (default: every key id in `keys`). */
  psshKids?: Buffer[];
  /** Seed for the deterministic IVs (per-sample for cenc, constant for cbcs). */
  ivSeed: Buffer;
  /** cenc per-sample IV size. */
  ivSize?: 8 | 16;
}

export type RotationLayout = 'seig-sample-groups' | 'sample-entries';

/** sbgp group_description_index of the first fragment-local sgpd entry (ISO/IEC 14496-12 8.9.4). */
const FRAGMENT_LOCAL_FIRST = 0x10001;

export interface EncryptedMp4 {
  bytes: Buffer;
  /** The pssh box(es) of the init segment: what the 'encrypted' event carries as cenc initData. */
  psshBoxes: Buffer;
  codec: 'avc1' | 'mp4a';
}

function hmac(seed: Buffer, message: string): Buffer {
  return createHmac('sha256', seed).update(message).digest();
}

export function psshBox(kids: Buffer[]): Box {
  for (const kid of kids) if (kid.length !== 16) throw new Mp4FormatError('pssh key ids are 16 bytes');
  return fullBox('pssh', 1, 0, COMMON_SYSTEM_ID, u32(kids.length), ...kids, u32(0));
}

function patternFor(scheme: Scheme, codec: string): Pattern {
  if (scheme === 'cenc') return { crypt: 0, skip: 0 };
  return codec === 'avc1' ? { crypt: 1, skip: 9 } : { crypt: 0, skip: 0 };
}

function tencBox(scheme: Scheme, kid: Buffer, ivSize: number, pattern: Pattern, constantIv: Buffer): Box {
  if (scheme === 'cenc') return fullBox('tenc', 0, 0, u8(0), u8(0), u8(1), u8(ivSize), kid);
  return fullBox('tenc', 1, 0, u8(0), u8((pattern.crypt << 4) | pattern.skip), u8(1), u8(0), kid, u8(16), constantIv);
}

function encryptedEntry(clear: Box, scheme: Scheme, tenc: Box): Box {
  const type = clear.type === 'avc1' ? 'encv' : 'enca';
  const sinf = container('sinf', [
    leaf('frma', Buffer.from(clear.type, 'latin1')),
    fullBox('schm', 0, 0, Buffer.from(scheme, 'latin1'), u32(0x00010000)),
    container('schi', [tenc]),
  ]);
  return { type, offset: -1, payload: clear.payload, children: [...(clear.children ?? []), sinf] };
}

function withDescriptionIndex(tfhd: Box, index: number): Box {
  const p = tfhd.payload;
  const flags = p.readUInt32BE(0) & 0xffffff;
  if (flags & TFHD.sampleDescriptionIndex) {
    const copy = Buffer.from(p);
    copy.writeUInt32BE(index, 8);
    return { ...tfhd, payload: copy };
  }
  // The index comes right after track_ID (no base_data_offset, which the reader refuses).
  const head = Buffer.from(p.subarray(0, 8));
  head.writeUInt32BE((p.readUInt32BE(0) & 0xff000000) | flags | TFHD.sampleDescriptionIndex, 0);
  return { ...tfhd, payload: Buffer.concat([head, u32(index), p.subarray(8)]) };
}

function auxInfoBoxes(perSample: Buffer[], sencFlags: number): { saiz: Box; senc: Box } {
  const sizes = perSample.map((b) => b.length);
  const uniform = sizes.every((s) => s === sizes[0]);
  const saiz = uniform
    ? fullBox('saiz', 0, 0, u8(sizes[0] ?? 0), u32(sizes.length))
    : fullBox('saiz', 0, 0, u8(0), u32(sizes.length), Buffer.from(sizes));
  const senc = fullBox('senc', 0, sencFlags, u32(perSample.length), ...perSample);
  return { saiz, senc };
}

function subsampleTable(subsamples: Subsample[]): Buffer {
  return Buffer.concat([
    u16(subsamples.length),
    ...subsamples.map((s) => Buffer.concat([u16(s.clear), u32(s.protected)])),
  ]);
}

interface FragmentPlan {
  fragment: Fragment;
  keyIndex: number | null;
}

export function encryptMp4(input: Buffer, enc: Mp4Encryption): EncryptedMp4 {
  const file = parseFmp4(input);
  const clearEntry = sampleEntry(file.moov);
  if (clearEntry.type !== 'avc1' && clearEntry.type !== 'mp4a') {
    throw new Mp4FormatError(`unsupported codec '${clearEntry.type}': only avc1 (H.264) and mp4a (AAC) are supported`);
  }
  if (!enc.keys.length) throw new Mp4FormatError('at least one key is needed');
  for (const k of enc.keys)
    if (k.kid.length !== 16 || k.key.length !== 16) throw new Mp4FormatError('key ids and keys are 16 bytes');
  const codec = clearEntry.type;
  const ivSize = enc.scheme === 'cenc' ? (enc.ivSize ?? 8) : 0;
  const pattern = patternFor(enc.scheme, codec);
  const constantIv = hmac(enc.ivSeed, 'constant-iv').subarray(0, 16);
  const lengthSize = codec === 'avc1' ? nalLengthSize(clearEntry) : 0;

  const fragmentKeys = enc.fragmentKeys ?? file.fragments.map(() => 0);
  if (fragmentKeys.length !== file.fragments.length) {
    throw new Mp4FormatError(
      `fragmentKeys lists ${fragmentKeys.length} fragments; the input has ${file.fragments.length}`,
    );
  }
  for (const k of fragmentKeys)
    if (k !== null && !enc.keys[k]) throw new Mp4FormatError(`fragmentKeys names key #${k}, which is not given`);

  if (enc.keys.length > 1 && !enc.rotation)
    throw new Mp4FormatError('several keys need a rotation layout: seig-sample-groups or sample-entries');
  const groups = enc.rotation === 'seig-sample-groups';
  // Sample entries: one encrypted entry (seig groups) or one per key, then the clear original if any
  // fragment stays clear.
  const entries = (groups ? enc.keys.slice(0, 1) : enc.keys).map((k) =>
    encryptedEntry(clearEntry, enc.scheme, tencBox(enc.scheme, k.kid, ivSize, pattern, constantIv)),
  );
  const hasClear = fragmentKeys.includes(null);
  if (hasClear) entries.push(clearEntry);
  const clearIndex = entries.length; // 1-based index of the clear entry, when present

  const stsd = path([file.moov], ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
  const stsdPrefix = Buffer.from(stsd.payload);
  stsdPrefix.writeUInt32BE(entries.length, 4);
  stsd.payload = stsdPrefix;
  stsd.children = entries;

  const pssh = psshBox(enc.psshKids ?? enc.keys.map((k) => k.kid));
  const moovChildren = file.moov.children!.filter((b) => b.type !== 'pssh');
  const mvhdAt = moovChildren.findIndex((b) => b.type === 'mvhd');
  moovChildren.splice(mvhdAt + 1, 0, pssh);
  file.moov.children = moovChildren;

  const plans: FragmentPlan[] = file.fragments.map((fragment, i) => ({ fragment, keyIndex: fragmentKeys[i] ?? null }));
  const fragments = plans.map((plan, fi) =>
    encryptFragment(plan, fi, {
      enc,
      codec,
      ivSize,
      pattern,
      constantIv,
      lengthSize,
      clearIndex,
      defaultIndex: file.trexDefaultDescription,
      groups,
    }),
  );
  return { bytes: writeIndexed(file, file.boxes, fragments), psshBoxes: writeBoxes([pssh]), codec };
}

interface FragmentContext {
  enc: Mp4Encryption;
  codec: 'avc1' | 'mp4a';
  ivSize: number;
  pattern: Pattern;
  constantIv: Buffer;
  lengthSize: number;
  clearIndex: number;
  defaultIndex: number;
  /** Keys are named by 'seig' sample groups, not by sample entries. */
  groups: boolean;
}

/** The fragment-local 'seig' description of `kid` and the sbgp putting all `count` samples in it. */
function seigBoxes(ctx: FragmentContext, kid: Buffer, count: number): Box[] {
  const patternByte = ctx.enc.scheme === 'cbcs' ? (ctx.pattern.crypt << 4) | ctx.pattern.skip : 0;
  const constant = ctx.ivSize === 0 ? [u8(ctx.constantIv.length), ctx.constantIv] : [];
  const entry = Buffer.concat([u8(0), u8(patternByte), u8(1), u8(ctx.ivSize), kid, ...constant]);
  const seig = Buffer.from('seig', 'latin1');
  return [
    fullBox('sbgp', 0, 0, seig, u32(1), u32(count), u32(FRAGMENT_LOCAL_FIRST)),
    fullBox('sgpd', 1, 0, seig, u32(entry.length), u32(1), entry),
  ];
}

function encryptFragment(plan: FragmentPlan, fragmentIndex: number, ctx: FragmentContext): { moof: Box; mdat: Box } {
  const { fragment, keyIndex } = plan;
  const oldMoofSize = boxSize(fragment.moof);
  const traf = requireChild(fragment.moof, 'traf');
  const description = keyIndex === null ? ctx.clearIndex : ctx.groups ? 1 : keyIndex + 1;
  let tfhd = requireChild(traf, 'tfhd');
  if (description !== (fragment.tfhd.sampleDescriptionIndex ?? ctx.defaultIndex))
    tfhd = withDescriptionIndex(tfhd, description);

  const mdatPayload = Buffer.from(fragment.mdat.payload);
  const mdatDataStart = fragment.mdat.offset + 8;
  let aux: { saiz: Box; saio: Box; senc: Box } | null = null;
  if (keyIndex !== null) {
    const key = ctx.enc.keys[keyIndex]!.key;
    const perSample: Buffer[] = [];
    fragment.samples.forEach((sample, si) => {
      const subsamples =
        ctx.codec === 'avc1' ? h264Subsamples(sample.data, ctx.lengthSize, ctx.enc.scheme === 'cbcs' ? 16 : 1) : null;
      const iv =
        ctx.enc.scheme === 'cenc'
          ? hmac(ctx.enc.ivSeed, `${fragmentIndex}/${si}`).subarray(0, ctx.ivSize)
          : ctx.constantIv;
      encryptSample(ctx.enc.scheme, key, iv, sample.data, subsamples, ctx.pattern).copy(
        mdatPayload,
        sample.offset - mdatDataStart,
      );
      const ivPart = ctx.enc.scheme === 'cenc' ? iv : Buffer.alloc(0);
      perSample.push(subsamples ? Buffer.concat([ivPart, subsampleTable(subsamples)]) : ivPart);
    });
    // cbcs audio has neither per-sample IVs nor subsamples: no auxiliary information at all.
    if (perSample.some((b) => b.length > 0)) {
      const { saiz, senc } = auxInfoBoxes(perSample, ctx.codec === 'avc1' ? 0x2 : 0);
      aux = { saiz, saio: fullBox('saio', 0, 0, u32(1), u32(0)), senc };
    }
  }

  const trafChildren = traf.children!.map((b) => (b.type === 'tfhd' ? tfhd : b));
  if (keyIndex !== null && ctx.groups)
    trafChildren.push(...seigBoxes(ctx, ctx.enc.keys[keyIndex]!.kid, fragment.samples.length));
  if (aux) trafChildren.push(aux.saiz, aux.saio, aux.senc);
  const newTraf: Box = { ...traf, children: trafChildren };
  const moof: Box = { ...fragment.moof, children: fragment.moof.children!.map((b) => (b === traf ? newTraf : b)) };
  const growth = boxSize(moof) - oldMoofSize;

  const trun = requireChild(newTraf, 'trun');
  const trunPayload = Buffer.from(trun.payload);
  trunPayload.writeInt32BE(trunPayload.readInt32BE(fragment.dataOffset) + growth, fragment.dataOffset);
  newTraf.children = newTraf.children!.map((b) => (b === trun ? { ...trun, payload: trunPayload } : b));

  if (aux) {
    // saio points at the first byte of senc's per-sample data, relative to the moof (default-base-is-moof).
    let at = 8;
    for (const b of moof.children!) {
      if (b === newTraf) break;
      at += boxSize(b);
    }
    at += 8;
    for (const b of newTraf.children!) {
      if (b.type === 'senc') break;
      at += boxSize(b);
    }
    const saio = child(newTraf, 'saio')!;
    saio.payload.writeUInt32BE(at + 16, 8);
  }
  return { moof, mdat: { ...fragment.mdat, payload: mdatPayload } };
}
