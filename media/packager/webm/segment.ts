// Reads a single-track WebM into its parts, and writes one back the way DASH on-demand WebM is laid out:
// EBML header, then a Segment of known size holding SeekHead, Info, Tracks, Clusters of about one second
// that each start with a keyframe, and Cues with one CuePoint per Cluster. The input's SeekHead, Cues,
// Tags and Void are dropped (their offsets belong to the input), and Cluster-level Position/PrevSize too.
import {
  ID,
  type EbmlElement,
  binaryElement,
  encodeId,
  findChild,
  fixedUintElement,
  masterElement,
  parseElements,
  readSize,
  readUint,
  serialize,
  uintElement,
} from './ebml.ts';

export interface ParsedWebm {
  header: EbmlElement;
  info: EbmlElement;
  tracks: EbmlElement;
  track: EbmlElement;
  clusters: EbmlElement[];
  timecodeScale: number;
}

export function parseWebm(input: Buffer): ParsedWebm {
  const top = parseElements(input);
  const header = top[0];
  if (!header || header.id !== ID.EBML) throw new Error('WebM: input does not start with an EBML header');
  const segment = top.find((e) => e.id === ID.Segment);
  if (!segment?.children) throw new Error('WebM: no Segment element');
  const info = findChild(segment, ID.Info);
  const tracks = findChild(segment, ID.Tracks);
  if (!info || !tracks) throw new Error('WebM: Segment lacks Info or Tracks');
  const entries = tracks.children?.filter((e) => e.id === ID.TrackEntry) ?? [];
  const track = entries[0];
  if (!track || entries.length !== 1) throw new Error(`WebM: expected exactly one track, found ${entries.length}`);
  const scale = findChild(info, ID.TimecodeScale);
  const timecodeScale = scale ? readUint(scale.data) : 1_000_000;
  const clusters = segment.children.filter((e) => e.id === ID.Cluster);
  return { header, info, tracks, track, clusters, timecodeScale };
}

interface TimedBlock {
  /** SimpleBlock, or BlockGroup holding a Block. */
  element: EbmlElement;
  /** Absolute time in TimecodeScale ticks. */
  time: number;
  key: boolean;
}

/** The Block payload of a SimpleBlock or BlockGroup element. */
function blockOf(element: EbmlElement): EbmlElement {
  if (element.id === ID.SimpleBlock) return element;
  const block = findChild(element, ID.Block);
  if (!block) throw new Error('WebM: a BlockGroup has no Block');
  return block;
}

function timedBlocks(clusters: EbmlElement[]): TimedBlock[] {
  return clusters.flatMap((cluster) => {
    const tc = findChild(cluster, ID.Timecode);
    const clusterTime = tc ? readUint(tc.data) : 0;
    return (cluster.children ?? [])
      .filter((c) => c.id === ID.SimpleBlock || c.id === ID.BlockGroup)
      .map((element) => {
        const data = blockOf(element).data;
        const trackLength = readSize(data, 0).length;
        if (data.length < trackLength + 3) throw new Error('WebM: truncated block header');
        const key =
          element.id === ID.SimpleBlock
            ? (data[trackLength + 2]! & 0x80) !== 0
            : !findChild(element, ID.ReferenceBlock);
        return { element, time: clusterTime + data.readInt16BE(trackLength), key };
      });
  });
}

/** The block element with its int16 timecode made relative to `clusterTime`. */
function retimed(b: TimedBlock, clusterTime: number): EbmlElement {
  const relative = b.time - clusterTime;
  if (relative < -32768 || relative > 32767) throw new Error(`WebM: block at ${b.time} is too far from its Cluster`);
  const block = blockOf(b.element);
  const data = Buffer.from(block.data);
  data.writeInt16BE(relative, readSize(data, 0).length);
  const moved: EbmlElement = { id: block.id, data };
  if (b.element.id === ID.SimpleBlock) return moved;
  return masterElement(
    ID.BlockGroup,
    (b.element.children ?? []).map((c) => (c.id === ID.Block ? moved : c)),
  );
}

/** Clusters that start at a keyframe once at least `clusterMs` have passed since the last one began. */
function recluster(blocks: TimedBlock[], timecodeScale: number, clusterMs: number): EbmlElement[] {
  const msPerTick = timecodeScale / 1_000_000;
  const groups: TimedBlock[][] = [];
  for (const b of blocks) {
    const current = groups.at(-1);
    if (!current || (b.key && (b.time - current[0]!.time) * msPerTick >= clusterMs)) groups.push([b]);
    else current.push(b);
  }
  return groups.map((g) => {
    const time = g[0]!.time;
    return masterElement(ID.Cluster, [uintElement(ID.Timecode, time), ...g.map((b) => retimed(b, time))]);
  });
}

/** A SeekHead for the given level-1 elements; positions are 4 bytes wide so its size never depends on them. */
function seekHead(targets: { id: number; position: number }[]): EbmlElement {
  return masterElement(
    ID.SeekHead,
    targets.map((t) =>
      masterElement(ID.Seek, [
        binaryElement(ID.SeekID, encodeId(t.id)),
        fixedUintElement(ID.SeekPosition, t.position, 4),
      ]),
    ),
  );
}

export interface WebmLayout {
  header: EbmlElement;
  info: EbmlElement;
  track: EbmlElement;
  clusters: EbmlElement[];
  timecodeScale: number;
}

export function writeWebm(parts: WebmLayout, clusterMs = 1000): Buffer {
  const trackNumber = findChild(parts.track, ID.TrackNumber);
  if (!trackNumber) throw new Error('WebM: the TrackEntry has no TrackNumber');
  const clusters = recluster(timedBlocks(parts.clusters), parts.timecodeScale, clusterMs);
  const tracks = masterElement(ID.Tracks, [parts.track]);
  const sizeOf = (e: EbmlElement) => serialize([e]).length;
  // Positions are relative to the first byte of the Segment's payload.
  const headSize = sizeOf(seekHead([ID.Info, ID.Tracks, ID.Cues].map((id) => ({ id, position: 0 }))));
  const infoAt = headSize;
  const tracksAt = infoAt + sizeOf(parts.info);
  let at = tracksAt + sizeOf(tracks);
  const cuePoints: EbmlElement[] = [];
  for (const cluster of clusters) {
    const time = readUint(findChild(cluster, ID.Timecode)!.data);
    cuePoints.push(
      masterElement(ID.CuePoint, [
        uintElement(ID.CueTime, time),
        masterElement(ID.CueTrackPositions, [
          uintElement(ID.CueTrack, readUint(trackNumber.data)),
          uintElement(ID.CueClusterPosition, at),
        ]),
      ]),
    );
    at += sizeOf(cluster);
  }
  const head = seekHead([
    { id: ID.Info, position: infoAt },
    { id: ID.Tracks, position: tracksAt },
    { id: ID.Cues, position: at },
  ]);
  const segment = masterElement(ID.Segment, [head, parts.info, tracks, ...clusters, masterElement(ID.Cues, cuePoints)]);
  return Buffer.concat([parts.header.raw ?? serialize([parts.header]), serialize([segment])]);
}

/** A clear single-track WebM laid out as writeWebm does; frames unchanged. */
export function packageClearWebm(input: Buffer): Buffer {
  const parsed = parseWebm(input);
  return writeWebm(parsed);
}
