// Reading a run file back as its record (model/record.ts RunRecord). The server streams it: one pass
// indexes the file (meta, page, evidence kept; each exchange only as its number, page seq and place in
// the file), a second copies the exchanges' JSON text from the file into the answer in record order.
// Memory stays at the page timeline plus a small index, and the event loop is free between chunks.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import {
  joinTimeline,
  type Evidence,
  type LicenseExchange,
  type PageTimeline,
  type RunMeta,
  type RunRecord,
} from '../model/record.ts';
import { RecordTooLargeError, UnknownRunError, type StoredLine } from './store-errors.ts';

/** Where the answer goes; `write` resolves when the sink can take more (backpressure). */
export interface RecordSink {
  write(chunk: string): Promise<void>;
}

/** Whether this process still holds the run open (its page may report) or not. */
export type Liveness = 'running' | 'closed';

interface RunParts {
  meta: RunMeta | null;
  page: PageTimeline | null;
  evidence: Evidence[];
}

function statusOf(page: PageTimeline | null, liveness: Liveness): RunRecord['status'] {
  return page ? 'finished' : liveness === 'running' ? 'running' : 'incomplete';
}

function parseLine(text: string): StoredLine | null {
  try {
    const line = JSON.parse(text) as StoredLine;
    return line && typeof line === 'object' ? line : null;
  } catch {
    return null; // a line cut short by a killed process or a failed write; the rest of the run is kept
  }
}

/** All of a run file's lines, parsed (the in-memory path, for small runs). */
export function readRunLines(text: string): RunParts & { exchanges: LicenseExchange[] } {
  const parts: RunParts & { exchanges: LicenseExchange[] } = { meta: null, page: null, evidence: [], exchanges: [] };
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    const line = parseLine(raw);
    if (line?.kind === 'meta') parts.meta ??= line.meta;
    else if (line?.kind === 'exchange') parts.exchanges.push(line.exchange);
    else if (line?.kind === 'page') parts.page ??= line.page;
    else if (line?.kind === 'evidence') parts.evidence.push(line.evidence);
  }
  return parts;
}

export function buildRecord(parts: RunParts & { exchanges: LicenseExchange[] }, liveness: Liveness): RunRecord {
  const exchanges = [...parts.exchanges].sort((a, b) => a.exchange - b.exchange);
  return {
    meta: parts.meta!,
    finished: parts.page !== null,
    status: statusOf(parts.page, liveness),
    page: parts.page,
    exchanges,
    evidence: parts.evidence,
    joined: joinTimeline(parts.page, exchanges),
  };
}

const CHUNK = 1024 * 1024;
const EXCHANGE_PREFIX = '{"kind":"exchange","exchange":';

interface ExchangeAt {
  n: number;
  pageSeq: number | null;
  offset: number;
  length: number;
}

/** Calls `onLine` with every line of the file and its byte offset; a last line without a newline included. */
async function scanLines(handle: FileHandle, size: number, onLine: (line: Buffer, offset: number) => void) {
  const buf = Buffer.alloc(CHUNK);
  let carry = Buffer.alloc(0);
  let carryAt = 0;
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, size - pos), pos);
    if (bytesRead === 0) break;
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    const base = carry.length ? carryAt : pos;
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, start)) {
      if (nl > start) onLine(data.subarray(start, nl), base + start);
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start));
    carryAt = base + start;
    pos += bytesRead;
  }
  if (carry.length) onLine(carry, carryAt);
}

/** The exchanges' JSON texts in the given order, reading neighbouring lines of the file together. */
async function* exchangeTexts(handle: FileHandle, items: ExchangeAt[]): AsyncGenerator<string> {
  for (let i = 0; i < items.length; ) {
    let j = i + 1;
    let end = items[i]!.offset + items[i]!.length;
    while (j < items.length && items[j]!.offset === end + 1 && end + 1 + items[j]!.length - items[i]!.offset <= CHUNK) {
      end = items[j]!.offset + items[j]!.length;
      j++;
    }
    const start = items[i]!.offset;
    const buf = Buffer.alloc(end - start);
    await handle.read(buf, 0, buf.length, start);
    for (let k = i; k < j; k++) {
      const item = items[k]!;
      const line = buf.subarray(item.offset - start, item.offset - start + item.length).toString('utf8');
      yield line.startsWith(EXCHANGE_PREFIX) && line.endsWith('}')
        ? line.slice(EXCHANGE_PREFIX.length, -1)
        : JSON.stringify((JSON.parse(line) as { exchange: unknown }).exchange);
    }
    i = j;
  }
}

/** Streams the record of the run file `file` into `sink`; throws before writing anything if it cannot. */
export async function streamRecord(
  file: string,
  id: string,
  liveness: Liveness,
  maxBytes: number,
  sink: RecordSink,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    throw new UnknownRunError(id);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new RecordTooLargeError(id, size, maxBytes);
    const parts: RunParts = { meta: null, page: null, evidence: [] };
    const index: ExchangeAt[] = [];
    await scanLines(handle, size, (bytes, offset) => {
      const line = parseLine(bytes.toString('utf8'));
      if (line?.kind === 'exchange')
        index.push({ n: line.exchange.exchange, pageSeq: line.exchange.pageSeq, offset, length: bytes.length });
      else if (line?.kind === 'meta') parts.meta ??= line.meta;
      else if (line?.kind === 'page') parts.page ??= line.page;
      else if (line?.kind === 'evidence') parts.evidence.push(line.evidence);
    });
    if (!parts.meta) throw new UnknownRunError(id);
    index.sort((a, b) => a.n - b.n);

    // The join, as joinTimeline makes it: each exchange after the page entry that sent it, the rest last.
    const entries = [...(parts.page?.entries ?? [])].sort((a, b) => a.seq - b.seq);
    const seqs = new Set(entries.map((e) => e.seq));
    const bySeq = new Map<number, ExchangeAt[]>();
    const unclaimed: ExchangeAt[] = [];
    for (const x of index) {
      if (x.pageSeq !== null && seqs.has(x.pageSeq)) {
        const list = bySeq.get(x.pageSeq) ?? [];
        list.push(x);
        bySeq.set(x.pageSeq, list);
      } else unclaimed.push(x);
    }

    let pending = '';
    const put = async (text: string) => {
      pending += text;
      if (pending.length >= 64 * 1024) {
        const out = pending;
        pending = '';
        await sink.write(out);
      }
    };
    const putExchanges = async (items: ExchangeAt[], first: boolean, suffix: string) => {
      for await (const text of exchangeTexts(handle, items)) {
        await put(`${first ? '' : ','}${suffix ? `${text.slice(0, -1)}${suffix}` : text}`);
        first = false;
      }
      return first;
    };

    await put(
      `{"meta":${JSON.stringify(parts.meta)},"finished":${parts.page !== null},"status":${JSON.stringify(statusOf(parts.page, liveness))},"page":${JSON.stringify(parts.page)},"exchanges":[`,
    );
    await putExchanges(index, true, '');
    await put(`],"evidence":${JSON.stringify(parts.evidence)},"joined":[`);
    let first = true;
    const serverSuffix = ',"source":"server"}';
    for (const entry of entries) {
      await put(`${first ? '' : ','}${JSON.stringify({ ...entry, source: 'page' })}`);
      first = false;
      const claimed = bySeq.get(entry.seq);
      if (claimed) first = await putExchanges(claimed, first, serverSuffix);
    }
    await putExchanges(unclaimed, first, serverSuffix);
    await put(']}');
    if (pending) await sink.write(pending);
  } finally {
    await handle.close();
  }
}
