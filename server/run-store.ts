// Stores runs: what a test registered, what the license endpoint saw, what the page reported.
// Each run is an append-only JSONL file. A record is written before the caller is answered, so it
// survives a killed server; when the write fails the caller is told so (StoreWriteError) and nothing
// is kept that says otherwise. Group commit: lines that arrive while a write is in flight go out
// together in the next single write, in arrival order.
//
// Memory and descriptors are bounded: only live runs (registered, page not yet reported) are held, at
// most `maxLiveRuns`, each with its counters, waiters and a descriptor that closes when the run finishes
// or idles. Finished runs live on disk only and are read back on demand (run-record.ts streams them). A
// run on disk that is not live in this process is closed: finished if its page reported, incomplete if
// not (the process that owned it stopped, or it was evicted). Closed runs take no more license
// exchanges or timelines; evidence is still taken for a while after a run finishes, as the picture
// check comes after the page.
import { closeSync, openSync, readFileSync, statSync, write } from 'node:fs';
import { appendFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Evidence, LicenseExchange, PageTimeline, RunMeta, RunRecord } from '../model/record.ts';
import type { RunFaults } from './faults.ts';
import { buildRecord, readRunLines, streamRecord, type RecordSink } from './run-record.ts';
import {
  RecordTooLargeError,
  RunClosedError,
  RunFullError,
  StoreStoppingError,
  StoreWriteError,
  UnknownRunError,
  type StoredLine,
} from './store-errors.ts';

export { UnknownRunError } from './store-errors.ts';

export type { StoredLine } from './store-errors.ts';

export interface StoreLimits {
  /** Runs held in memory at once; registering one more closes the least recently active (it reads as incomplete). */
  maxLiveRuns: number;
  /** License exchanges one run takes; the next is refused (409 run-full). */
  maxExchangesPerRun: number;
  /** Bytes of exchanges and evidence in one run's file before it is full (the page timeline is always taken). */
  maxRunFileBytes: number;
  /** Bytes of a run file the server reads back as a record. */
  maxRecordBytes: number;
  /** Evidence items one run takes. */
  maxEvidencePerRun: number;
  /** A live run's descriptor closes after this long without a write. */
  idleCloseMs: number;
  /** Finished runs that still take evidence (the most recent ones). */
  recentFinished: number;
}

export const STORE_LIMITS: StoreLimits = {
  maxLiveRuns: 1000,
  maxExchangesPerRun: 20_000,
  maxRunFileBytes: 48 * 1024 * 1024,
  maxRecordBytes: 64 * 1024 * 1024,
  maxEvidencePerRun: 32,
  idleCloseMs: 30_000,
  recentFinished: 1000,
};

interface QueuedLine {
  line: string;
  done: () => void;
  failed: (e: unknown) => void;
}

interface LiveRun {
  meta: RunMeta;
  /** The run's license faults (its scenario's rules and how far they have got). */
  faults: RunFaults | null;
  /** Exchange numbers handed out (written or about to be). */
  nextExchange: number;
  /** Bytes on disk, as far as this process knows. */
  bytes: number;
  evidence: number;
  fd: number | null;
  queue: QueuedLine[];
  flushing: Promise<void> | null;
  /** A write failed part-way: the next line starts on a fresh line, so the torn one cannot swallow it. */
  torn: boolean;
  /** The page's timeline is being written: a second one is refused. */
  finishing: boolean;
  lastActive: number;
  waiters: Set<() => void>;
}

export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A problem with one run file found at start-up; the server starts anyway and names the file. */
export interface StartupProblem {
  file: string;
  problem: string;
}

export class RunStore {
  readonly #live = new Map<string, LiveRun>();
  /** Recently finished runs that still take evidence: id → evidence count. */
  readonly #finished = new Map<string, number>();
  readonly #idleTimer: NodeJS.Timeout;
  #stopping = false;

  private constructor(
    readonly dir: string,
    readonly limits: StoreLimits,
    readonly startupProblems: StartupProblem[],
  ) {
    this.#idleTimer = setInterval(() => this.#closeIdle(), Math.max(50, limits.idleCloseMs / 2));
    this.#idleTimer.unref();
  }

  /**
   * Opens the store on `dir`. Runs a previous process left are not loaded: they are closed and read on
   * demand. Files that are too large to serve, unreadable or end in a torn line are reported, never fatal.
   */
  static async open(dir: string, limits: Partial<StoreLimits> = {}): Promise<RunStore> {
    await mkdir(dir, { recursive: true });
    const all = { ...STORE_LIMITS, ...limits };
    const problems: StartupProblem[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.jsonl') || !RUN_ID.test(name.slice(0, -6))) continue;
      const problem = await checkRunFile(join(dir, name), all.maxRecordBytes);
      if (problem) problems.push({ file: join(dir, name), problem });
    }
    return new RunStore(dir, all, problems);
  }

  #file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  // ---- writing

  #write(run: LiveRun, line: StoredLine): Promise<void> {
    return new Promise((done, failed) => {
      run.queue.push({ line: `${JSON.stringify(line)}\n`, done, failed });
      run.flushing ??= this.#flush(run);
    });
  }

  async #flush(run: LiveRun): Promise<void> {
    while (run.queue.length) {
      const batch = run.queue.splice(0);
      const data = Buffer.from((run.torn ? '\n' : '') + batch.map((b) => b.line).join(''));
      try {
        run.fd ??= openSync(this.#file(run.meta.id), 'a');
        await writeAll(run.fd, data);
        run.torn = false;
        run.bytes += data.length;
        for (const b of batch) b.done();
      } catch (err) {
        run.torn = true;
        this.#closeFd(run);
        for (const b of batch) b.failed(new StoreWriteError(run.meta.id, err));
      }
    }
    run.lastActive = Date.now();
    run.flushing = null;
  }

  #closeFd(run: LiveRun): void {
    if (run.fd === null) return;
    try {
      closeSync(run.fd);
    } catch {
      // already gone; nothing more to release
    }
    run.fd = null;
  }

  #closeIdle(): void {
    const before = Date.now() - this.limits.idleCloseMs;
    for (const run of this.#live.values())
      if (run.fd !== null && !run.flushing && run.lastActive < before) this.#closeFd(run);
  }

  /** Makes `run` the most recently active (the map's order is the eviction order). */
  #touch(id: string, run: LiveRun): void {
    run.lastActive = Date.now();
    this.#live.delete(id);
    this.#live.set(id, run);
  }

  async #retire(id: string, run: LiveRun): Promise<void> {
    this.#live.delete(id);
    await run.flushing;
    this.#closeFd(run);
    for (const wake of run.waiters) wake();
    run.waiters.clear();
  }

  // ---- the run API

  async create(
    input: { scenario: string; params: Record<string, unknown>; project: string },
    faults: RunFaults | null = null,
  ): Promise<RunMeta> {
    if (this.#stopping) throw new StoreStoppingError();
    const meta: RunMeta = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    const run: LiveRun = {
      meta,
      faults,
      nextExchange: 0,
      bytes: 0,
      evidence: 0,
      fd: null,
      queue: [],
      flushing: null,
      torn: false,
      finishing: false,
      lastActive: Date.now(),
      waiters: new Set(),
    };
    while (this.#live.size >= this.limits.maxLiveRuns) {
      const [oldId, oldest] = this.#live.entries().next().value as [string, LiveRun];
      console.warn(
        `[server] ${this.#live.size} live runs: closing the least recently active, ${oldId} (it reads as incomplete)`,
      );
      await this.#retire(oldId, oldest);
    }
    this.#live.set(meta.id, run);
    try {
      await this.#write(run, { kind: 'meta', meta });
    } catch (err) {
      await this.#retire(meta.id, run);
      throw err;
    }
    return meta;
  }

  /** The fault state of a live run, if its scenario injects faults. */
  faults(id: string): RunFaults | null {
    return this.#live.get(id)?.faults ?? null;
  }

  isLive(id: string): boolean {
    return this.#live.has(id);
  }

  /** Where a run is: live in this process, closed (on disk only), or unknown. */
  async lookup(id: string): Promise<'live' | 'closed' | 'unknown'> {
    if (this.#live.has(id)) return 'live';
    if (!RUN_ID.test(id)) return 'unknown';
    try {
      return (await stat(this.#file(id))).isFile() ? 'closed' : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  /** A run's registration: from memory while live, else the first line of its file. */
  async meta(id: string): Promise<RunMeta | undefined> {
    const live = this.#live.get(id);
    if (live) return live.meta;
    if ((await this.lookup(id)) !== 'closed') return undefined;
    const handle = await open(this.#file(id), 'r');
    try {
      const buf = Buffer.alloc(256 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      const first = buf.subarray(0, bytesRead).toString('utf8').split('\n', 1)[0]!;
      const line = JSON.parse(first) as StoredLine;
      return line.kind === 'meta' ? line.meta : undefined;
    } catch {
      return undefined;
    } finally {
      await handle.close();
    }
  }

  #requireLive(id: string): LiveRun {
    const run = this.#live.get(id);
    if (!run) throw new RunClosedError(id);
    return run;
  }

  /** Reserves the next exchange number of a live run (numbers follow arrival order); refuses a full run. */
  reserveExchange(id: string): number {
    const run = this.#requireLive(id);
    if (run.nextExchange >= this.limits.maxExchangesPerRun)
      throw new RunFullError(id, `it has ${this.limits.maxExchangesPerRun} license exchanges, the most a run takes`);
    if (run.bytes >= this.limits.maxRunFileBytes)
      throw new RunFullError(id, `its file has reached ${this.limits.maxRunFileBytes} bytes`);
    this.#touch(id, run);
    return run.nextExchange++;
  }

  /** Writes an exchange; resolves once it is on disk, rejects with StoreWriteError when it is not. */
  async addExchange(id: string, exchange: LicenseExchange): Promise<void> {
    await this.#write(this.#requireLive(id), { kind: 'exchange', exchange });
  }

  /** Stores the page's timeline, which finishes the run; a closed run refuses it. */
  async finish(id: string, page: PageTimeline): Promise<'stored' | 'already-finished'> {
    const run = this.#live.get(id);
    if (!run || run.finishing) return 'already-finished';
    run.finishing = true;
    try {
      await this.#write(run, { kind: 'page', page });
    } catch (err) {
      run.finishing = false;
      throw err;
    }
    if (!this.#live.has(id)) return 'stored';
    await this.#retire(id, run);
    this.#finished.set(id, run.evidence);
    if (this.#finished.size > this.limits.recentFinished) this.#finished.delete(this.#finished.keys().next().value!);
    return 'stored';
  }

  /** Evidence for a live run, or one finished recently in this process; other closed runs refuse it. */
  async addEvidence(id: string, evidence: Evidence): Promise<void> {
    const line = { kind: 'evidence', evidence } satisfies StoredLine;
    const run = this.#live.get(id);
    const count = run ? run.evidence : this.#finished.get(id);
    if (count === undefined) throw new RunClosedError(id);
    if (count >= this.limits.maxEvidencePerRun)
      throw new RunFullError(id, `it has ${this.limits.maxEvidencePerRun} evidence items, the most a run takes`);
    if (run) {
      run.evidence++;
      try {
        await this.#write(run, line);
      } catch (err) {
        run.evidence--;
        throw err;
      }
      return;
    }
    this.#finished.set(id, count + 1);
    try {
      await appendFile(this.#file(id), `\n${JSON.stringify(line)}\n`);
    } catch (err) {
      this.#finished.set(id, count);
      throw new StoreWriteError(id, err);
    }
  }

  /** Resolves when the run is no longer live (finished or closed), or when `timeoutMs` passes. */
  async waitForFinish(id: string, timeoutMs: number): Promise<void> {
    const run = this.#live.get(id);
    if (!run || timeoutMs <= 0 || this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        run!.waiters.delete(done);
        resolve();
      }
      run.waiters.add(done);
    });
  }

  /** Streams the run's record as JSON into `sink`; UnknownRunError or RecordTooLargeError before any byte. */
  async streamRecord(id: string, sink: RecordSink): Promise<void> {
    const status = (await this.lookup(id)) === 'live' ? 'running' : 'closed';
    await streamRecord(this.#file(id), id, status, this.limits.maxRecordBytes, sink);
  }

  /**
   * The whole record in memory, read synchronously: for tests and tools on small runs. The server
   * streams records instead (streamRecord).
   */
  record(id: string): RunRecord {
    const file = this.#file(id);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new UnknownRunError(id);
    }
    if (size > this.limits.maxRecordBytes) throw new RecordTooLargeError(id, size, this.limits.maxRecordBytes);
    const parsed = readRunLines(readFileSync(file, 'utf8'));
    if (!parsed.meta) throw new UnknownRunError(id);
    return buildRecord(parsed, this.#live.has(id) ? 'running' : 'closed');
  }

  /** Runs held in memory and descriptors open, for the soak benchmark and tests. */
  stats(): { live: number; openFiles: number; recentFinished: number } {
    let openFiles = 0;
    for (const run of this.#live.values()) if (run.fd !== null) openFiles++;
    return { live: this.#live.size, openFiles, recentFinished: this.#finished.size };
  }

  /** Shutdown: wakes every long poll (they answer with the record as it is), lets writes finish, closes files. */
  async close(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#idleTimer);
    for (const run of this.#live.values()) {
      for (const wake of run.waiters) wake();
      run.waiters.clear();
    }
    await Promise.all([...this.#live.values()].map((r) => r.flushing));
    for (const run of this.#live.values()) this.#closeFd(run);
  }
}

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (offset: number) =>
      write(fd, data, offset, data.length - offset, null, (err, written) => {
        if (err) reject(err);
        else if (offset + written < data.length) next(offset + written);
        else resolve();
      });
    next(0);
  });
}

/** What is wrong with a run file for start-up's report, or null: too large to serve, unreadable, torn last line. */
async function checkRunFile(file: string, maxRecordBytes: number): Promise<string | null> {
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > maxRecordBytes)
      return `${(size / 2 ** 20).toFixed(1)} MiB, over the ${maxRecordBytes / 2 ** 20} MiB a record is read back at; its record is refused (422)`;
    if (size === 0) return 'empty (no registration line); the run is unknown';
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) return 'ends in a torn line (a server killed mid-write); the line is skipped when read';
    return null;
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); its record is unavailable`;
  } finally {
    await handle?.close();
  }
}
