// Minimal EBML (Matroska/WebM) reader and writer: just enough to rewrite a WebM file.

export interface EbmlElement {
  id: number;
  /** Payload bytes. For a parsed master element this is its raw payload; serialization uses `children`. */
  data: Buffer;
  /** Parsed children, present only for the master elements listed in MASTER_IDS (or built by `masterElement`). */
  children?: EbmlElement[];
  /** The element exactly as it was read (ID, size and payload), when it came from `parseElements`. */
  raw?: Buffer;
}

export const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  Video: 0xe0,
  Audio: 0xe1,
  ContentEncodings: 0x6d80,
  ContentEncoding: 0x6240,
  ContentEncodingOrder: 0x5031,
  ContentEncodingScope: 0x5032,
  ContentEncodingType: 0x5033,
  ContentEncryption: 0x5035,
  ContentEncAlgo: 0x47e1,
  ContentEncKeyID: 0x47e2,
  ContentEncAESSettings: 0x47e7,
  AESSettingsCipherMode: 0x47e8,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  ReferenceBlock: 0xfb,
  Tags: 0x1254c367,
  Void: 0xec,
} as const;

const MASTER_IDS = new Set<number>([
  ID.EBML,
  ID.Segment,
  ID.SeekHead,
  ID.Info,
  ID.Tracks,
  ID.TrackEntry,
  ID.Cluster,
  ID.BlockGroup,
  ID.ContentEncodings,
  ID.ContentEncoding,
  ID.ContentEncryption,
  ID.ContentEncAESSettings,
  ID.Cues,
  ID.Tags,
  ID.Video,
  ID.Audio,
]);

// Elements that can only appear at the top of a Segment (or above); they end an unknown-size Cluster.
const LEVEL1_IDS = new Set<number>([
  ID.EBML,
  ID.Segment,
  ID.SeekHead,
  ID.Info,
  ID.Tracks,
  ID.Cluster,
  ID.Cues,
  ID.Tags,
  0x1941a469 /* Attachments */,
  0x1043a770 /* Chapters */,
]);

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

/** Length in bytes of the vint starting with `first` (1–8), or 0 for the invalid first byte 0x00. */
function vintLength(first: number): number {
  for (let len = 1; len <= 8; len++) if (first & (0x100 >> len)) return len;
  return 0;
}

/** Reads an element ID at `pos`; the marker bit is kept, as IDs are conventionally written. */
export function readId(buf: Buffer, pos: number): { value: number; length: number } {
  const first = buf[pos];
  if (first === undefined) throw new Error(`EBML: truncated element ID at offset ${pos}`);
  const length = vintLength(first);
  if (length === 0 || length > 4) throw new Error(`EBML: invalid element ID (longer than 4 bytes) at offset ${pos}`);
  if (pos + length > buf.length) throw new Error(`EBML: truncated element ID at offset ${pos}`);
  return { value: buf.readUIntBE(pos, length), length };
}

/** Reads an element size at `pos`; `value` is null for the reserved all-ones "unknown size". */
export function readSize(buf: Buffer, pos: number): { value: number | null; length: number } {
  const first = buf[pos];
  if (first === undefined) throw new Error(`EBML: truncated element size at offset ${pos}`);
  const length = vintLength(first);
  if (length === 0) throw new Error(`EBML: invalid element size (first byte 0x00) at offset ${pos}`);
  if (pos + length > buf.length) throw new Error(`EBML: truncated element size at offset ${pos}`);
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = buf[pos + i]!;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { value: allOnes ? null : value, length };
}

/** Parses the elements in buf[start, end). */
export function parseElements(buf: Buffer, start = 0, end = buf.length): EbmlElement[] {
  return parseRange(buf, start, end, false).elements;
}

/**
 * Parses elements until `end`. In an unknown-size Cluster (`stopAtLevel1`) parsing also stops at the
 * first Segment-level element, which is where such a cluster implicitly ends.
 */
function parseRange(
  buf: Buffer,
  start: number,
  end: number,
  stopAtLevel1: boolean,
): { elements: EbmlElement[]; end: number } {
  const elements: EbmlElement[] = [];
  let pos = start;
  while (pos < end) {
    const id = readId(buf, pos);
    if (stopAtLevel1 && LEVEL1_IDS.has(id.value)) break;
    const size = readSize(buf, pos + id.length);
    const dataStart = pos + id.length + size.length;
    if (dataStart > end) throw new Error(`EBML: truncated element ${hex(id.value)} at offset ${pos}`);
    let dataEnd: number;
    let children: EbmlElement[] | undefined;
    if (size.value === null) {
      if (!MASTER_IDS.has(id.value))
        throw new Error(`EBML: unknown size on non-master element ${hex(id.value)} at offset ${pos}`);
      const parsed = parseRange(buf, dataStart, end, id.value === ID.Cluster);
      children = parsed.elements;
      dataEnd = parsed.end;
    } else {
      dataEnd = dataStart + size.value;
      if (dataEnd > end) {
        throw new Error(
          `EBML: element ${hex(id.value)} at offset ${pos} has size ${size.value}, past the end of its parent (${end - dataStart} bytes left)`,
        );
      }
      if (MASTER_IDS.has(id.value)) children = parseRange(buf, dataStart, dataEnd, false).elements;
    }
    const element: EbmlElement = {
      id: id.value,
      data: buf.subarray(dataStart, dataEnd),
      raw: buf.subarray(pos, dataEnd),
    };
    if (children) element.children = children;
    elements.push(element);
    pos = dataEnd;
  }
  return { elements, end: pos };
}

export function encodeId(id: number): Buffer {
  const length = id >= 0x1000000 ? 4 : id >= 0x10000 ? 3 : id >= 0x100 ? 2 : 1;
  const out = Buffer.alloc(length);
  out.writeUIntBE(id, 0, length);
  return out;
}

/** Encodes a size as the shortest vint that is not the reserved all-ones value. */
export function encodeSize(size: number): Buffer {
  let length = 1;
  while (size >= 2 ** (7 * length) - 1) length++;
  if (length > 8) throw new Error(`EBML: size ${size} too large`);
  const out = Buffer.alloc(length);
  let rest = size;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0]! |= 0x100 >> length;
  return out;
}

/** Serializes elements, recomputing every size (masters from their children). */
export function serialize(elements: EbmlElement[]): Buffer {
  return Buffer.concat(elements.map(serializeElement));
}

function serializeElement(el: EbmlElement): Buffer {
  const payload = el.children ? serialize(el.children) : el.data;
  return Buffer.concat([encodeId(el.id), encodeSize(payload.length), payload]);
}

export function uintElement(id: number, value: number): EbmlElement {
  let length = 1;
  while (value >= 2 ** (8 * length)) length++;
  const data = Buffer.alloc(length);
  data.writeUIntBE(value, 0, length);
  return { id, data };
}

/** An unsigned integer written in exactly `width` bytes, so its size does not depend on its value. */
export function fixedUintElement(id: number, value: number, width: number): EbmlElement {
  if (value >= 2 ** (8 * width)) throw new Error(`EBML: ${value} does not fit in ${width} bytes`);
  const data = Buffer.alloc(width);
  data.writeUIntBE(value, Math.max(0, width - 6), Math.min(width, 6));
  return { id, data };
}

export function binaryElement(id: number, data: Buffer): EbmlElement {
  return { id, data };
}

export function masterElement(id: number, children: EbmlElement[]): EbmlElement {
  return { id, data: Buffer.alloc(0), children };
}

/** Reads an unsigned integer payload (0–8 bytes, big-endian). */
export function readUint(data: Buffer): number {
  let value = 0;
  for (const b of data) value = value * 256 + b;
  return value;
}

export function findChild(parent: EbmlElement, id: number): EbmlElement | undefined {
  return parent.children?.find((c) => c.id === id);
}
