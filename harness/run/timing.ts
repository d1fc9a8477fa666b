// Where a run's time went, for scripts/bench-matrix.ts (through the fixture's timing annotation).
import type { RunRecord } from '../../model/record.ts';

/**
 * Milliseconds, summed over the runs they describe (reference runs included): getting a runner page
 * started, the page's own time, waiting for its report beyond that, and photographing the held frame.
 */
export interface RunTiming {
  startMs: number;
  inPageMs: number;
  reportMs: number;
  pictureMs: number;
}

export function noTime(): RunTiming {
  return { startMs: 0, inPageMs: 0, reportMs: 0, pictureMs: 0 };
}

/** Adds `more` into `total` (in place) and returns `total`. */
export function addTiming(total: RunTiming, more: RunTiming): RunTiming {
  total.startMs += more.startMs;
  total.inPageMs += more.inPageMs;
  total.reportMs += more.reportMs;
  total.pictureMs += more.pictureMs;
  return total;
}

/** The page's own time for a run: from the runner's start to its last entry. */
export function inPageMs(record: RunRecord): number {
  return Math.round(Math.max(0, ...(record.page?.entries.map((e) => e.t) ?? [0])));
}
