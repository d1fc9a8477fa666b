// A trace as people read it in a terminal or a bug report: what was traced and how it ended, each
// session's course through the spec's states, then the timeline (report/timeline-text.ts, one line per
// entry); and the cross-browser sequence diff as aligned columns.
import { alignSequences, toSteps, type AlignedCell } from '../sequence.ts';
import { formatEntry } from '../timeline-text.ts';
import type { PageEntry } from '../../model/record.ts';
import type { TraceReport } from '../../harness/trace/schema.ts';
import { describeWait } from '../../harness/trace/wait.ts';
import { formatSessions, summariseSessions } from './sessions.ts';

export function browserName(r: TraceReport): string {
  return r.browser ? `${r.project} (${r.browser.name} ${r.browser.version})` : r.project;
}

export function formatTrace(r: TraceReport): string {
  const lines = [
    `EME trace of ${r.url}`,
    `browser: ${browserName(r)}`,
    `status: ${r.status}${r.status === 'traced' && !r.conditionMet ? ' (condition not met)' : ''} — ${r.reason}`,
    `waited ${describeWait(r.wait)}${r.wait.script ? ', after running the --script' : ''}; ${(r.durationMs / 1000).toFixed(1)} s in all`,
    `EME calls: ${r.emeCalls}`,
  ];
  if (r.record?.page) {
    const env = r.record.page.environment;
    lines.push(`page: ${env.origin} (isSecureContext ${env.isSecureContext}); ${env.userAgent}`);
  }
  if (r.documents.length > 1) {
    lines.push('documents:');
    for (const d of r.documents)
      lines.push(`  ${d.prefix || '(main)'} ${d.top ? 'top' : 'frame'} ${d.url} — ${d.entries} entries`);
  }
  if (r.warnings.length) lines.push('warnings:', ...r.warnings.map((w) => `  ${w}`));
  if (r.record) {
    lines.push('', 'sessions:', ...formatSessions(summariseSessions(r.record)));
    lines.push('', 'timeline:', ...(r.record.joined.length ? r.record.joined.map(formatEntry) : ['  (empty)']));
  }
  return `${lines.join('\n')}\n`;
}

const MARK: Record<AlignedCell['status'], string> = {
  reference: ' ',
  same: ' ',
  missing: '-',
  extra: '+',
  different: '≠',
};

/** The document an entry came from: its label prefix ('d2'), '' for the main document (harness/trace/merge.ts). */
function documentOf(e: PageEntry, calls: Map<number, PageEntry>): string {
  const prefixed = /^(d\d+)-/.exec(e.target);
  if (prefixed) return prefixed[1]!;
  const call = e.type === 'result' && e.of !== undefined ? calls.get(e.of) : e;
  const doc = call?.type === 'call' ? call.data?.['document'] : undefined;
  return typeof doc === 'string' ? doc : '';
}

/**
 * The comparable steps of a trace, document by document (the main document's, then each frame's): how
 * one document's steps fall between another's is timing, not behaviour, so the diff leaves it out.
 */
export function traceSteps(r: TraceReport): string[] | null {
  const entries = r.record?.page?.entries;
  if (!entries) return null;
  const calls = new Map(entries.filter((e) => e.type === 'call').map((e) => [e.seq, e]));
  const docs = new Map<string, PageEntry[]>();
  for (const e of entries) {
    const doc = documentOf(e, calls);
    docs.set(doc, [...(docs.get(doc) ?? []), e]);
  }
  const order = [...docs.keys()].sort((a, b) =>
    a === '' ? -1 : b === '' ? 1 : Number(a.slice(1)) - Number(b.slice(1)),
  );
  return order.flatMap((doc) => toSteps(docs.get(doc)!));
}

/** The reference of a diff: the first browser with a timeline that has an EME call. */
export function diffReference(reports: TraceReport[]): number {
  const withCalls = reports.findIndex((r) => r.emeCalls > 0 && r.record?.page);
  return withCalls >= 0 ? withCalls : reports.findIndex((r) => r.record?.page);
}

/** The browsers' sequences aligned row by row on the reference's: - missing, + extra, ≠ different, ⇅ a race the spec allows. */
export function formatTraceDiff(reports: TraceReport[]): string {
  const ref = diffReference(reports);
  if (ref < 0) return 'no browser recorded a timeline: nothing to compare\n';
  const sequences = reports.map(traceSteps);
  const rows = alignSequences(sequences, ref);
  const width = Math.min(60, Math.max(12, ...rows.flatMap((row) => row.cells.map((c) => (c ? c.step.length + 4 : 0)))));
  const pad = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width));
  const head = reports.map((r, i) =>
    pad(`${r.project}${i === ref ? ' (reference)' : r.record ? '' : ' (no timeline)'}`),
  );
  const counts = reports.map((_, b) =>
    (['missing', 'extra', 'different'] as const)
      .map((status) => [status, rows.filter((row) => row.cells[b]?.status === status).length] as const)
      .filter(([, n]) => n)
      .map(([status, n]) => `${n} ${status}`)
      .join(', '),
  );
  const lines = [
    `Cross-browser EME sequence of ${reports[0]?.url ?? ''}`,
    ...reports.map(
      (r, b) =>
        `  ${r.project}: ${b === ref ? 'reference' : !sequences[b] ? `no timeline (${r.reason})` : counts[b] || 'same steps'}`,
    ),
    '',
    head.join(' │ '),
    ...rows.map((row) =>
      row.cells
        .map((c) => pad(c ? `${MARK[c.status]} ${c.step}${c.race ? ' ⇅' : ''}` : ''))
        .join(' │ ')
        .trimEnd(),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
