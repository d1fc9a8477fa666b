// Merges what the tracer sent from each document of a traced page (the main page, its frames, pages it
// navigated to) into one timeline of the runner pages' schema: entries interleaved by their absolute
// time (each document's own order kept), numbered anew, results pointing at their calls' new numbers,
// and the labels of sessions and media elements of every document but the main one prefixed ('d2-s1'),
// the way the runner prefixes a frame's sessions. Entries the schema refuses are dropped with a warning.
import { PageEntry, type PageEnvironment } from '../../model/record.ts';
import type { DocumentMessage, EntryMessage, TraceMessage, TracedDocument } from './schema.ts';

/** Targets every document shares (the runner's names); any other target is a session or element label. */
const SHARED_TARGETS = new Set(['navigator', 'mediaCapabilities', 'access', 'mediaKeys']);
const MAX_ENTRIES = 20_000;

export interface MergedTrace {
  entries: PageEntry[];
  /** The main document's environment (null when no document reported). */
  environment: PageEnvironment | null;
  documents: TracedDocument[];
  warnings: string[];
}

interface Doc {
  id: string;
  hello: DocumentMessage | null;
  entries: EntryMessage[];
  prefix: string;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function mergeTrace(messages: TraceMessage[]): MergedTrace {
  const docs = new Map<string, Doc>();
  const warnings: string[] = [];
  const docOf = (id: string) => {
    let d = docs.get(id);
    if (!d) docs.set(id, (d = { id, hello: null, entries: [], prefix: '' }));
    return d;
  };
  for (const m of messages) {
    if (m.kind === 'document') docOf(m.doc).hello = m;
    else if (m.kind === 'warning') warnings.push(m.message);
    else docOf(m.doc).entries.push(m);
  }
  for (const d of docs.values()) d.entries.sort((a, b) => a.entry.seq - b.entry.seq);

  // The main document: the first top-level one that traced anything (a page may first redirect).
  const all = [...docs.values()];
  // Without EME calls: the last top-level document that is not a browser's initial about:blank.
  const main =
    all.find((d) => d.hello?.top && d.entries.length) ??
    all.findLast((d) => d.hello?.top && d.hello.url !== 'about:blank') ??
    all[0] ??
    null;
  const byFirstEntry = all
    .filter((d) => d !== main && d.entries.length)
    .sort((a, b) => a.entries[0]!.at - b.entries[0]!.at);
  for (const [i, d] of byFirstEntry.entries()) d.prefix = `d${i + 2}-`;
  for (const d of all) if (d !== main && !d.entries.length) d.prefix = '-';

  // Check each entry against the schema before numbering, so a refused call takes its result with it.
  const valid = new Map<Doc, EntryMessage[]>();
  for (const d of all) {
    const kept: EntryMessage[] = [];
    const dropped = new Set<number>();
    for (const m of d.entries) {
      const candidate = relabel(m.entry, d.prefix);
      const of = candidate['of'];
      if (typeof of === 'number' && dropped.has(of)) continue;
      const parsed = PageEntry.safeParse({ ...candidate, t: 0 });
      if (!parsed.success) {
        dropped.add(m.entry.seq);
        warnings.push(
          `dropped ${String(m.entry['type'])} ${String(m.entry['target'])}.${String(m.entry['name'])}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        );
        continue;
      }
      kept.push({ ...m, entry: candidate as EntryMessage['entry'] });
    }
    valid.set(d, kept);
  }

  // Interleave by time; a document's own order always stands.
  const cursors = all.map((d) => ({ d, list: valid.get(d)!, i: 0 }));
  const t0 = main?.hello?.timeOrigin ?? Math.min(...all.flatMap((d) => d.entries.map((m) => m.at)));
  const newSeq = new Map<Doc, Map<number, number>>(all.map((d) => [d, new Map()]));
  const entries: PageEntry[] = [];
  for (;;) {
    let next: (typeof cursors)[number] | undefined;
    for (const c of cursors) {
      if (c.i >= c.list.length) continue;
      if (!next || c.list[c.i]!.at < next.list[next.i]!.at) next = c;
    }
    if (!next) break;
    const m = next.list[next.i++]!;
    if (entries.length >= MAX_ENTRIES) {
      warnings.push(`the timeline was cut at ${MAX_ENTRIES} entries`);
      break;
    }
    const seq = entries.length;
    newSeq.get(next.d)!.set(m.entry.seq, seq);
    const raw: Record<string, unknown> = { ...m.entry, seq, t: Math.max(0, round(m.at - t0)) };
    if (typeof raw['of'] === 'number') raw['of'] = newSeq.get(next.d)!.get(raw['of']);
    entries.push(PageEntry.parse(raw));
  }

  const documents: TracedDocument[] = all
    .filter((d) => d.hello && (d.entries.length || d.hello.url !== 'about:blank'))
    .map((d) => ({
      prefix: d.prefix,
      url: d.hello!.url,
      origin: d.hello!.origin,
      top: d.hello!.top,
      isSecureContext: d.hello!.isSecureContext,
      entries: valid.get(d)!.length,
    }));
  const env = main?.hello;
  return {
    entries,
    environment: env
      ? { userAgent: env.userAgent, isSecureContext: env.isSecureContext, origin: env.origin, emeApi: env.emeApi }
      : null,
    documents,
    warnings,
  };
}

/** A document's entry with its session and element labels prefixed (the main document's keep theirs). */
function relabel(entry: EntryMessage['entry'], prefix: string): Record<string, unknown> {
  if (!prefix) return { ...entry };
  const out: Record<string, unknown> = { ...entry };
  const target = String(entry['target']);
  if (!SHARED_TARGETS.has(target)) out['target'] = `${prefix}${target}`;
  const data = entry['data'] as Record<string, unknown> | undefined;
  if (entry['type'] === 'call') {
    out['data'] = {
      ...data,
      ...(typeof data?.['label'] === 'string' ? { label: `${prefix}${data['label']}` } : {}),
      document: prefix.replace(/-$/, ''),
    };
  }
  return out;
}

/** The EME calls in a timeline: what `trace` counts to tell a page that used EME from one that did not. */
export function countEmeCalls(entries: PageEntry[]): number {
  return entries.filter((e) => e.type === 'call').length;
}
