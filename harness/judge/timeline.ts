// Read-only queries over a run's page timeline, in the words the rules are written in.
import type {
  CallEntry,
  EventEntry,
  EventName,
  EventOf,
  LicenseEntry,
  LicenseExchange,
  NoteEntry,
  PageEntry,
  PromiseEntry,
  ResultEntry,
  RunRecord,
  SessionSnapshot,
} from '../../model/record.ts';
import type { NoteName } from '../../model/notes.ts';

type LicenseRequest = Extract<LicenseEntry, { name: 'request' }>;

/** A call and the entry that settled it (if it ever did). */
export interface Settled {
  call: CallEntry;
  result: ResultEntry | undefined;
}

export class Timeline {
  readonly entries: PageEntry[];
  readonly exchanges: LicenseExchange[];

  constructor(readonly record: RunRecord) {
    this.entries = [...(record.page?.entries ?? [])].sort((a, b) => a.seq - b.seq);
    this.exchanges = record.exchanges;
  }

  /** Calls of `name` on `target`, each with the entry that settled it (if it ever did). */
  calls(target: string | undefined, name: string): Settled[] {
    return this.entries
      .filter(
        (e): e is CallEntry => e.type === 'call' && e.name === name && (target === undefined || e.target === target),
      )
      .map((call) => this.settled(call));
  }

  /** A call with the entry that settled it. */
  settled(call: CallEntry): Settled {
    return { call, result: this.entries.find((r): r is ResultEntry => r.type === 'result' && r.of === call.seq) };
  }

  firstCall(target: string | undefined, name: string): Settled | undefined {
    return this.calls(target, name)[0];
  }

  events<N extends EventName>(target: string, name: N, afterSeq = -1): EventOf<N>[] {
    return this.entries.filter(
      (e): e is EventOf<N> => e.type === 'event' && e.target === target && e.name === name && e.seq > afterSeq,
    );
  }

  /** Events and promise settlements of one session, the things a "nothing after" rule counts. */
  sessionActivity(target: string, afterSeq = -1): (EventEntry | PromiseEntry)[] {
    return this.entries.filter(
      (e): e is EventEntry | PromiseEntry =>
        (e.type === 'event' || e.type === 'promise') && e.target === target && e.seq > afterSeq,
    );
  }

  promise(target: string, name: PromiseEntry['name']): PromiseEntry | undefined {
    return this.entries.find((e): e is PromiseEntry => e.type === 'promise' && e.target === target && e.name === name);
  }

  /** The notes of one name, their data typed by the note registry (readers: harness/judge/notes.ts). */
  notes<N extends NoteName>(name: N): NoteEntry<N>[] {
    return this.entries.filter((e): e is NoteEntry<N> => e.type === 'note' && e.name === name);
  }

  /** The server's view of the exchange a page 'license' request entry started. */
  exchangeFor(licenseRequest: PageEntry): LicenseExchange | undefined {
    return this.exchanges.find((x) => x.pageSeq === licenseRequest.seq);
  }

  licenseRequests(target: string): LicenseRequest[] {
    return this.entries.filter(
      (e): e is LicenseRequest => e.type === 'license' && e.name === 'request' && e.target === target,
    );
  }
}

/**
 * How a call settled, in words: `missing` when there was no call (case tables say 'never ran'),
 * cut to `max` characters when given.
 */
export function describeSettled(
  s: Settled | undefined,
  { missing = 'never called', max }: { missing?: string; max?: number } = {},
): string {
  if (!s) return missing;
  if (!s.result) return 'never settled';
  const r = s.result;
  const text = r.error
    ? `${r.outcome} with ${r.error.name}: ${r.error.message}`
    : `${r.outcome}${r.value === undefined ? '' : ` with ${JSON.stringify(r.value)}`}`;
  return max === undefined ? text : text.slice(0, max);
}

/** The call resolved (a promise) or returned (a plain call). */
export function isFulfilled(s: Settled | undefined): boolean {
  return s?.result?.outcome === 'resolved' || s?.result?.outcome === 'returned';
}

export function describeStatuses(snapshot: SessionSnapshot | undefined): string {
  if (!snapshot) return 'no snapshot';
  const pairs = Object.entries(snapshot.keyStatuses).map(([kid, status]) => `${kid.slice(0, 8)}…=${status}`);
  return `size ${snapshot.size}${pairs.length ? ` {${pairs.join(', ')}}` : ''}`;
}
