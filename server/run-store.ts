// Stores runs: what a test registered, what the license endpoint saw, what the page reported.
// Each run is an append-only JSONL file on a descriptor kept open while the run is live. A record is
// written before the caller is answered, so it survives a killed server. Group commit: lines that
// arrive while a write is in flight go out together in the next single write, in arrival order, so
// a busy run costs one write per batch rather than one per record.
import { closeSync, openSync, write } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  joinTimeline,
  type Evidence,
  type LicenseExchange,
  type PageTimeline,
  type RunMeta,
  type RunRecord,
} from '../model/record.ts';

type StoredLine =
  | { kind: 'meta'; meta: RunMeta }
  | { kind: 'exchange'; exchange: LicenseExchange }
  | { kind: 'page'; page: PageTimeline }
  | { kind: 'evidence'; evidence: Evidence }
  | { kind: 'incomplete'; at: string };

interface RunState {
  meta: RunMeta;
  exchanges: LicenseExchange[];
  page: PageTimeline | null;
  evidence: Evidence[];
  incomplete: boolean;
  nextExchange: number;
  /** Open descriptor of the run's file (opened on first write, closed when the page reports). */
  fd: number | null;
  queue: { line: string; done: () => void; failed: (e: unknown) => void }[];
  flushing: Promise<void> | null;
  waiters: Set<() => void>;
}

export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class RunStore {
  readonly #runs = new Map<string, RunState>();

  private constructor(readonly dir: string) {}

  /** Opens the store, reloading runs a previous server process left in `dir`. */
  static async open(dir: string): Promise<RunStore> {
    await mkdir(dir, { recursive: true });
    const store = new RunStore(dir);
    for (const name of await readdir(dir)) {
      const id = name.replace(/\.jsonl$/, '');
      if (name.endsWith('.jsonl') && RUN_ID.test(id)) await store.#reload(id);
    }
    return store;
  }

  async #reload(id: string): Promise<void> {
    const text = await readFile(this.#file(id), 'utf8');
    let state: RunState | undefined;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let parsed: StoredLine;
      try {
        parsed = JSON.parse(line) as StoredLine;
      } catch {
        continue; // a line cut short by a killed process; the rest of the run is still worth keeping
      }
      if (parsed.kind === 'meta') state = this.#newState(parsed.meta);
      else if (state && parsed.kind === 'exchange') {
        state.exchanges.push(parsed.exchange);
        state.nextExchange = Math.max(state.nextExchange, parsed.exchange.exchange + 1);
      } else if (state && parsed.kind === 'page') state.page = parsed.page;
      else if (state && parsed.kind === 'evidence') state.evidence.push(parsed.evidence);
      else if (state && parsed.kind === 'incomplete') state.incomplete = true;
    }
    if (!state) return;
    this.#runs.set(id, state);
    // A run the previous process left without a page timeline can never finish now: say so on disk.
    if (!state.page && !state.incomplete) {
      state.incomplete = true;
      await this.#write(state, { kind: 'incomplete', at: new Date().toISOString() });
      await this.#close(state);
    }
  }

  #newState(meta: RunMeta): RunState {
    return {
      meta,
      exchanges: [],
      page: null,
      evidence: [],
      incomplete: false,
      nextExchange: 0,
      fd: null,
      queue: [],
      flushing: null,
      waiters: new Set(),
    };
  }

  #file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  #write(state: RunState, line: StoredLine): Promise<void> {
    return new Promise((done, failed) => {
      state.queue.push({ line: `${JSON.stringify(line)}\n`, done, failed });
      state.flushing ??= this.#flush(state);
    });
  }

  async #flush(state: RunState): Promise<void> {
    while (state.queue.length) {
      const batch = state.queue.splice(0);
      const data = batch.map((b) => b.line).join('');
      try {
        state.fd ??= openSync(this.#file(state.meta.id), 'a');
        const fd = state.fd;
        await new Promise<void>((resolve, reject) => write(fd, data, (err) => (err ? reject(err) : resolve())));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.failed(err);
      }
    }
    state.flushing = null;
  }

  async #close(state: RunState): Promise<void> {
    await state.flushing;
    if (state.fd !== null) closeSync(state.fd);
    state.fd = null;
  }

  async create(input: { scenario: string; params: Record<string, unknown>; project: string }): Promise<RunMeta> {
    const meta: RunMeta = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    const state = this.#newState(meta);
    this.#runs.set(meta.id, state);
    await this.#write(state, { kind: 'meta', meta });
    return meta;
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  meta(id: string): RunMeta | undefined {
    return this.#runs.get(id)?.meta;
  }

  /** Reserves the next exchange number of a run, so numbers follow arrival order. */
  nextExchangeNumber(id: string): number {
    const state = this.#require(id);
    return state.nextExchange++;
  }

  async addExchange(id: string, exchange: LicenseExchange): Promise<void> {
    const state = this.#require(id);
    // Numbers are reserved in arrival order, so an exchange almost always belongs at the end.
    let at = state.exchanges.length;
    while (at > 0 && state.exchanges[at - 1]!.exchange > exchange.exchange) at--;
    state.exchanges.splice(at, 0, exchange);
    await this.#write(state, { kind: 'exchange', exchange });
  }

  /** Stores the page's timeline; a run takes one, since it marks the run finished. */
  async finish(id: string, page: PageTimeline): Promise<'stored' | 'already-finished'> {
    const state = this.#require(id);
    if (state.page || state.incomplete) return 'already-finished';
    state.page = page;
    await this.#write(state, { kind: 'page', page });
    await this.#close(state);
    for (const wake of state.waiters) wake();
    state.waiters.clear();
    return 'stored';
  }

  async addEvidence(id: string, evidence: Evidence): Promise<void> {
    const state = this.#require(id);
    state.evidence.push(evidence);
    await this.#write(state, { kind: 'evidence', evidence });
  }

  record(id: string): RunRecord {
    const state = this.#require(id);
    return {
      meta: state.meta,
      finished: state.page !== null,
      status: state.page ? 'finished' : state.incomplete ? 'incomplete' : 'running',
      page: state.page,
      exchanges: [...state.exchanges],
      evidence: [...state.evidence],
      joined: joinTimeline(state.page, state.exchanges),
    };
  }

  /** Resolves with the record once the page has finished, or as it is when `timeoutMs` passes. */
  async waitForFinish(id: string, timeoutMs: number): Promise<RunRecord> {
    const state = this.#require(id);
    if (!state.page) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          state.waiters.delete(done);
          resolve();
        }
        state.waiters.add(done);
      });
    }
    return this.record(id);
  }

  #require(id: string): RunState {
    const state = this.#runs.get(id);
    if (!state) throw new UnknownRunError(id);
    return state;
  }
}

export class UnknownRunError extends Error {
  constructor(readonly runId: string) {
    super(`no run with id ${runId}`);
    this.name = 'UnknownRunError';
  }
}
