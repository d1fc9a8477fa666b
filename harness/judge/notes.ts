// One reader for each note the rules read. A note's data is typed by the note registry
// (model/notes.ts) and was checked against it when the page uploaded its timeline, so nothing here
// casts: a reader finds the note and says what it means to the rules.
import type { EventOf, NoteEntry, PageEntry } from '../../model/record.ts';
import type { Timeline } from './timeline.ts';

/** The runner's first note: the scenario, module and parameters the page ran, and the run's key ids. */
export function startNote(t: Timeline): NoteEntry<'start'> | undefined {
  return t.notes('start')[0];
}

/** The run's keys, from its start note. */
export interface RunKeys {
  /** Key store label → hex key id. */
  byLabel: Record<string, string>;
  /** The hex key ids of the keys the run asked for (its `keys` parameter), in order; `unknown:<label>` for a label without one. */
  requested: string[];
}

export function runKeys(t: Timeline): RunKeys {
  const start = startNote(t)?.data;
  const byLabel = start?.keyIds ?? {};
  const labels = start?.params['keys'];
  const requested = Array.isArray(labels)
    ? labels.map((label) => byLabel[String(label)] ?? `unknown:${String(label)}`)
    : [];
  return { byLabel, requested };
}

/** The note the recorder wrote when it gave up waiting for `call` to settle. */
export function callTimeout(t: Timeline, call: PageEntry): NoteEntry<'call-timeout'> | undefined {
  return t.notes('call-timeout').find((n) => n.data.of === call.seq);
}

/** Where playback paused for the picture check: ready (the frame is there), or the seek did not complete. */
export function pictureNote(t: Timeline): { ready: NoteEntry<'picture-ready'> | undefined; notReady: boolean } {
  return { ready: t.notes('picture-ready')[0], notReady: t.notes('picture-not-ready').length > 0 };
}

/** When the first license held back (waiting-for-key playback) was let go. */
export function licenseReleased(t: Timeline): NoteEntry<'license-released'> | undefined {
  return t.notes('license-released')[0];
}

/** Key rotation: the waitingforkey event after which the page asked for key 2, if one came. */
export function rotationWaiting(t: Timeline): EventOf<'waitingforkey'> | undefined {
  const waitedAt = t.notes('rotation-request')[0]?.data.afterWaiting;
  return typeof waitedAt === 'number'
    ? t.entries.find(
        (e): e is EventOf<'waitingforkey'> => e.seq === waitedAt && e.type === 'event' && e.name === 'waitingforkey',
      )
    : undefined;
}

/** License faults: the page's retry of the license request. */
export function retryNote(t: Timeline): NoteEntry<'retry'> | undefined {
  return t.notes('retry')[0];
}

/** keystatuseschange counting: the windows the page opened (before update 1, update 2, and close). */
export function countWindows(t: Timeline): NoteEntry<'count-window'>[] {
  return t.notes('count-window');
}

/** The player module: the player that played (as it names its version), its errors, and what the probes claimed. */
export interface PlayerNotes {
  loaded: NoteEntry<'player-loaded'> | undefined;
  errors: NoteEntry<'player-error'>[];
  claims: NoteEntry<'probe-claims'> | undefined;
}

export function playerNotes(t: Timeline): PlayerNotes {
  return { loaded: t.notes('player-loaded')[0], errors: t.notes('player-error'), claims: t.notes('probe-claims')[0] };
}
