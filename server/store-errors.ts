// The store's errors and its line format, shared by the store (run-store.ts) and the record reader
// (run-record.ts); http-errors.ts maps each error to its status.
import type { Evidence, LicenseExchange, PageTimeline, RunMeta } from '../model/record.ts';

/** One line of a run file. */
export type StoredLine =
  | { kind: 'meta'; meta: RunMeta }
  | { kind: 'exchange'; exchange: LicenseExchange }
  | { kind: 'page'; page: PageTimeline }
  | { kind: 'evidence'; evidence: Evidence }
  | { kind: 'incomplete'; at: string };

export class UnknownRunError extends Error {
  constructor(readonly runId: string) {
    super(`no run with id ${runId}`);
    this.name = 'UnknownRunError';
  }
}

/** A write to a run that is not live: finished, incomplete, or closed to make room. */
export class RunClosedError extends Error {
  constructor(readonly runId: string) {
    super(
      `run ${runId} is finished or incomplete (its page reported, or the server that ran it stopped); it takes no more writes`,
    );
    this.name = 'RunClosedError';
  }
}

export class RunFullError extends Error {
  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`run ${runId} is full: ${reason}; register a new run`);
    this.name = 'RunFullError';
  }
}

/** The durable write failed: the caller must not answer as if it had been recorded. */
export class StoreWriteError extends Error {
  constructor(
    readonly runId: string,
    override readonly cause: unknown,
  ) {
    super(
      `the record of run ${runId} could not be written (${(cause as NodeJS.ErrnoException)?.code ?? String(cause)})`,
    );
    this.name = 'StoreWriteError';
  }
}

export class RecordTooLargeError extends Error {
  constructor(
    readonly runId: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the record of run ${runId} is ${size} bytes on disk; the server reads back at most ${limit}`);
    this.name = 'RecordTooLargeError';
  }
}

export class StoreStoppingError extends Error {
  constructor() {
    super('the server is shutting down');
    this.name = 'StoreStoppingError';
  }
}
