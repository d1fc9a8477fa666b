// ISO BMFF boxes as an editable tree. Containers keep their children; every other box keeps its raw
// payload. Sizes are recomputed on write, so edits never leave a stale size behind.

/** Boxes whose payload is (a fixed prefix followed by) child boxes, with the prefix length. */
const CONTAINER_PREFIX: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  stbl: 0,
  mvex: 0,
  moof: 0,
  traf: 0,
  edts: 0,
  dinf: 0,
  sinf: 0,
  schi: 0,
  stsd: 8, // version/flags + entry_count
  avc1: 78,
  encv: 78, // VisualSampleEntry fields
  mp4a: 28,
  enca: 28, // AudioSampleEntry (version 0) fields
};

export class Mp4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Mp4FormatError';
  }
}

export interface Box {
  type: string;
  /** Offset of the box in the file it was read from (-1 for boxes built here). */
  offset: number;
  /** For containers: the bytes before the children. For leaves: the whole payload. */
  payload: Buffer;
  children?: Box[];
}

export function parseBoxes(buf: Buffer, start = 0, end = buf.length, base = 0): Box[] {
  const boxes: Box[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) throw new Mp4FormatError(`truncated box header at offset ${base + pos}`);
    const size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size === 1) throw new Mp4FormatError(`64-bit box size of '${type}' at ${base + pos} is not supported`);
    if (size === 0) throw new Mp4FormatError(`box '${type}' at ${base + pos} runs to the end of file; not supported`);
    if (size < 8 || pos + size > end)
      throw new Mp4FormatError(`box '${type}' at ${base + pos} has size ${size}, past its parent's end`);
    const prefix = CONTAINER_PREFIX[type];
    const box: Box = { type, offset: base + pos, payload: buf.subarray(pos + 8, pos + size) };
    if (prefix !== undefined) {
      if (size - 8 < prefix) throw new Mp4FormatError(`'${type}' at ${base + pos} is shorter than its fixed fields`);
      box.payload = buf.subarray(pos + 8, pos + 8 + prefix);
      box.children = parseBoxes(buf, pos + 8 + prefix, pos + size, base);
    }
    boxes.push(box);
    pos += size;
  }
  return boxes;
}

export function boxSize(box: Box): number {
  return 8 + box.payload.length + (box.children ?? []).reduce((n, c) => n + boxSize(c), 0);
}

export function writeBox(box: Box): Buffer {
  const parts = [box.payload, ...(box.children ?? []).map(writeBox)];
  const header = Buffer.alloc(8);
  header.writeUInt32BE(boxSize(box), 0);
  header.write(box.type, 4, 'latin1');
  return Buffer.concat([header, ...parts]);
}

export function writeBoxes(boxes: Box[]): Buffer {
  return Buffer.concat(boxes.map(writeBox));
}

export function leaf(type: string, ...payload: Buffer[]): Box {
  return { type, offset: -1, payload: Buffer.concat(payload) };
}

export function container(type: string, children: Box[], prefix: Buffer = Buffer.alloc(0)): Box {
  return { type, offset: -1, payload: prefix, children };
}

/** A full box payload: version, 24-bit flags, then the fields. */
export function fullBox(type: string, version: number, flags: number, ...fields: Buffer[]): Box {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return leaf(type, head, ...fields);
}

export function child(box: Box, type: string): Box | undefined {
  return box.children?.find((c) => c.type === type);
}

export function requireChild(box: Box, type: string): Box {
  const found = child(box, type);
  if (!found) throw new Mp4FormatError(`'${box.type}' has no '${type}' box`);
  return found;
}

/** Follows a path of box types from a list of top-level boxes, e.g. ['moov', 'trak', 'mdia']. */
export function path(boxes: Box[], types: string[]): Box {
  const [first, ...rest] = types;
  let box = boxes.find((b) => b.type === first);
  if (!box) throw new Mp4FormatError(`no '${first}' box`);
  for (const t of rest) box = requireChild(box, t);
  return box;
}

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function versionAndFlags(box: Box): { version: number; flags: number } {
  const v = box.payload.readUInt32BE(0);
  return { version: v >>> 24, flags: v & 0xffffff };
}
