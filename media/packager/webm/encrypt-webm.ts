// Encrypts single-track WebM files per the WebM encryption spec (https://www.webmproject.org/docs/webm-encryption/)
// so they play through W3C Clear Key with Media Source Extensions; segment.ts lays the result out with Cues.
import { createCipheriv, createHmac } from 'node:crypto';
import {
  ID,
  binaryElement,
  findChild,
  masterElement,
  readSize,
  readUint,
  uintElement,
  type EbmlElement,
} from './ebml.ts';
import { type ParsedWebm, parseWebm, writeWebm } from './segment.ts';

export interface WebmEncryption {
  kid: Buffer; // 16-byte key id
  key: Buffer; // 16-byte AES key
  /** 'whole': signal byte 0x01, whole frame encrypted. 'partitioned': signal 0x03 with one partition at
   *  offset `clearBytes` (first `clearBytes` bytes clear, rest encrypted). */
  mode: 'whole' | 'partitioned';
  clearBytes?: number; // for 'partitioned', default 1
  /** Frames whose timestamp (ms, cluster timecode + block timecode, scaled by the Info's TimecodeScale) is below this stay clear (signal byte 0x00). */
  clearLeadMs?: number;
  /** Seed for deterministic IVs: IV for frame i = first 8 bytes of HMAC-SHA256(key=ivSeed, message=`${i}`). */
  ivSeed: Buffer;
}

const SIGNAL_ENCRYPTED = 0x01;
const SIGNAL_PARTITIONED = 0x02;

/** A block payload split into its unchanged header (track vint, int16 timecode, flags) and the frame. */
function splitBlock(data: Buffer): { header: Buffer; frame: Buffer; timecode: number } {
  const track = readSize(data, 0);
  const headerLength = track.length + 3;
  if (data.length < headerLength) throw new Error('WebM: truncated block header');
  const flags = data[headerLength - 1]!;
  if (flags & 0x06) throw new Error('WebM: laced blocks are not supported');
  return {
    header: data.subarray(0, headerLength),
    frame: data.subarray(headerLength),
    timecode: data.readInt16BE(track.length),
  };
}

/** Calls `visit` for every SimpleBlock and BlockGroup/Block frame in order; its return value replaces the frame. */
function mapFrames(parsed: ParsedWebm, visit: (frame: Buffer, timeMs: number) => Buffer): EbmlElement[] {
  const msPerTick = parsed.timecodeScale / 1_000_000;
  const mapBlock = (block: EbmlElement, clusterTime: number): EbmlElement => {
    const { header, frame, timecode } = splitBlock(block.data);
    return { id: block.id, data: Buffer.concat([header, visit(frame, (clusterTime + timecode) * msPerTick)]) };
  };
  return parsed.clusters.map((cluster) => {
    const tc = findChild(cluster, ID.Timecode);
    const clusterTime = tc ? readUint(tc.data) : 0;
    const children = (cluster.children ?? []).map((child) => {
      if (child.id === ID.SimpleBlock) return mapBlock(child, clusterTime);
      if (child.id === ID.BlockGroup) {
        return masterElement(
          ID.BlockGroup,
          (child.children ?? []).map((c) => (c.id === ID.Block ? mapBlock(c, clusterTime) : c)),
        );
      }
      return child;
    });
    return masterElement(ID.Cluster, children);
  });
}

function ctr(key: Buffer, iv8: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.concat([iv8, Buffer.alloc(8)]));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function contentEncodings(kid: Buffer): EbmlElement {
  return masterElement(ID.ContentEncodings, [
    masterElement(ID.ContentEncoding, [
      uintElement(ID.ContentEncodingOrder, 0),
      uintElement(ID.ContentEncodingScope, 1),
      uintElement(ID.ContentEncodingType, 1),
      masterElement(ID.ContentEncryption, [
        uintElement(ID.ContentEncAlgo, 5),
        binaryElement(ID.ContentEncKeyID, kid),
        masterElement(ID.ContentEncAESSettings, [uintElement(ID.AESSettingsCipherMode, 1)]),
      ]),
    ]),
  ]);
}

export function encryptWebm(input: Buffer, enc: WebmEncryption): Buffer {
  if (enc.kid.length !== 16 || enc.key.length !== 16) throw new Error('WebM: kid and key must be 16 bytes each');
  const clearBytes = enc.clearBytes ?? 1;
  if (!Number.isInteger(clearBytes) || clearBytes < 0) throw new Error(`WebM: invalid clearBytes ${clearBytes}`);
  const parsed = parseWebm(input);
  if (findChild(parsed.track, ID.ContentEncodings)) throw new Error('WebM: track already has ContentEncodings');

  let index = 0;
  const clusters = mapFrames(parsed, (frame, timeMs) => {
    const i = index++;
    if (timeMs < (enc.clearLeadMs ?? 0)) return Buffer.concat([Buffer.of(0x00), frame]);
    const iv = createHmac('sha256', enc.ivSeed).update(`${i}`).digest().subarray(0, 8);
    if (enc.mode === 'whole') return Buffer.concat([Buffer.of(SIGNAL_ENCRYPTED), iv, ctr(enc.key, iv, frame)]);
    const offset = Math.min(clearBytes, frame.length);
    const partition = Buffer.alloc(5);
    partition[0] = 1;
    partition.writeUInt32BE(offset, 1);
    return Buffer.concat([
      Buffer.of(SIGNAL_ENCRYPTED | SIGNAL_PARTITIONED),
      iv,
      partition,
      frame.subarray(0, offset),
      ctr(enc.key, iv, frame.subarray(offset)),
    ]);
  });

  const track = masterElement(ID.TrackEntry, [...(parsed.track.children ?? []), contentEncodings(enc.kid)]);
  return writeWebm({ ...parsed, track, clusters });
}

/** Decrypts one frame (signal byte onwards), validating its layout. */
function decryptFrame(data: Buffer, key: Buffer): Buffer {
  const signal = data[0];
  if (signal === undefined) throw new Error('WebM: empty encrypted frame (no signal byte)');
  if (signal === 0x00) return data.subarray(1);
  if (signal !== 0x01 && signal !== 0x03) throw new Error(`WebM: invalid signal byte 0x${signal.toString(16)}`);
  if (data.length < 9) throw new Error('WebM: truncated IV');
  const iv = data.subarray(1, 9);
  if (signal === SIGNAL_ENCRYPTED) return ctr(key, iv, data.subarray(9));

  const count = data[9];
  if (count === undefined) throw new Error('WebM: missing partition count');
  const bodyStart = 10 + 4 * count;
  if (data.length < bodyStart) throw new Error('WebM: truncated partition offsets');
  const body = data.subarray(bodyStart);
  // Partition boundaries; partitions alternate clear, encrypted, clear, ... and the encrypted ones form one CTR stream.
  const bounds = [0];
  for (let p = 0; p < count; p++) {
    const offset = data.readUInt32BE(10 + 4 * p);
    if (offset < bounds[bounds.length - 1]! || offset > body.length) {
      throw new Error(`WebM: partition offset ${offset} out of order or past the frame (${body.length} bytes)`);
    }
    bounds.push(offset);
  }
  bounds.push(body.length);
  const ranges = bounds.slice(1).map((end, k) => ({ start: bounds[k]!, end, encrypted: k % 2 === 1 }));
  const plain = ctr(
    key,
    iv,
    Buffer.concat(ranges.filter((r) => r.encrypted).map((r) => body.subarray(r.start, r.end))),
  );
  const out = Buffer.from(body);
  let at = 0;
  for (const r of ranges.filter((r) => r.encrypted)) {
    plain.copy(out, r.start, at, at + r.end - r.start);
    at += r.end - r.start;
  }
  return out;
}

/** Inverse, for tests: returns every frame of the single track, decrypted with `key` (clear frames as is). Also validates structure: signal byte values, partition offsets within the frame. */
export function decryptWebmFrames(input: Buffer, key: Buffer): Buffer[] {
  const parsed = parseWebm(input);
  if (!trackKeyId(parsed.track)) throw new Error('WebM: track is not encrypted');
  const frames: Buffer[] = [];
  mapFrames(parsed, (frame) => {
    frames.push(decryptFrame(frame, key));
    return frame;
  });
  return frames;
}

/** The frames of a clear (unencrypted) single-track WebM in order. For an encrypted track, the frames as stored (signal byte onwards). */
export function webmFrames(input: Buffer): Buffer[] {
  const parsed = parseWebm(input);
  const frames: Buffer[] = [];
  mapFrames(parsed, (frame) => {
    frames.push(frame);
    return frame;
  });
  return frames;
}

function trackKeyId(track: EbmlElement): Buffer | null {
  const encryption = findChild(track, ID.ContentEncodings)
    ?.children?.filter((e) => e.id === ID.ContentEncoding)
    .map((e) => findChild(e, ID.ContentEncryption))
    .find((e) => e !== undefined);
  return (encryption && findChild(encryption, ID.ContentEncKeyID)?.data) ?? null;
}

/** ContentEncKeyID of the (single) track, or null when the track is not encrypted. */
export function webmKeyId(input: Buffer): Buffer | null {
  return trackKeyId(parseWebm(input).track);
}
