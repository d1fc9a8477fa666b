// Read-only queries over a run's page timeline, in the words the rules are written in.
import type { LicenseExchange, PageEntry, RunRecord, SessionSnapshot } from '../../model/record.ts';

export interface Settled {
  call: PageEntry;
  result: PageEntry | undefined;
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
      .filter((e) => e.type === 'call' && e.name === name && (target === undefined || e.target === target))
      .map((call) => ({ call, result: this.entries.find((r) => r.type === 'result' && r.of === call.seq) }));
  }

  firstCall(target: string | undefined, name: string): Settled | undefined {
    return this.calls(target, name)[0];
  }

  events(target: string, name: string, afterSeq = -1): PageEntry[] {
    return this.entries.filter((e) => e.type === 'event' && e.target === target && e.name === name && e.seq > afterSeq);
  }

  /** Events and promise settlements of one session, the things a "nothing after" rule counts. */
  sessionActivity(target: string, afterSeq = -1): PageEntry[] {
    return this.entries.filter((e) => (e.type === 'event' || e.type === 'promise') && e.target === target && e.seq > afterSeq);
  }

  promise(target: string, name: string): PageEntry | undefined {
    return this.entries.find((e) => e.type === 'promise' && e.target === target && e.name === name);
  }

  notes(name: string): PageEntry[] {
    return this.entries.filter((e) => e.type === 'note' && e.name === name);
  }

  /** The server's view of the exchange a page 'license' request entry started. */
  exchangeFor(licenseRequest: PageEntry): LicenseExchange | undefined {
    return this.exchanges.find((x) => x.pageSeq === licenseRequest.seq);
  }

  licenseRequests(target: string): PageEntry[] {
    return this.entries.filter((e) => e.type === 'license' && e.name === 'request' && e.target === target);
  }
}

export function describeSettled(s: Settled | undefined): string {
  if (!s) return 'never called';
  if (!s.result) return 'never settled';
  const r = s.result;
  if (r.error) return `${r.outcome} with ${r.error.name}: ${r.error.message}`;
  return `${r.outcome}${r.value === undefined ? '' : ` with ${JSON.stringify(r.value)}`}`;
}

export function isFulfilled(s: Settled | undefined): boolean {
  return s?.result?.outcome === 'resolved' || s?.result?.outcome === 'returned';
}

export function describeStatuses(snapshot: SessionSnapshot | undefined): string {
  if (!snapshot) return 'no snapshot';
  const pairs = Object.entries(snapshot.keyStatuses).map(([kid, status]) => `${kid.slice(0, 8)}…=${status}`);
  return `size ${snapshot.size}${pairs.length ? ` {${pairs.join(', ')}}` : ''}`;
}
