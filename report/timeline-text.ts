// The joined timeline as people read it: one line per page entry, server exchanges indented under
// the request that caused them.
import type { JoinedEntry } from '../model/record.ts';
import type { ScenarioResult } from '../model/results.ts';

function short(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatEntry(e: JoinedEntry): string {
  if (e.source === 'server') {
    return `        [server] exchange #${e.exchange} ${e.messageType ?? '?'} ${e.request.size} B → HTTP ${e.response.status} ${short(e.response.body, 120)} (${e.durationMs} ms)`;
  }
  const head = `#${String(e.seq).padStart(3)} ${e.t.toFixed(1).padStart(8)} ms  ${e.type.padEnd(7)} ${e.target}.${e.name}`;
  const parts: string[] = [];
  if (e.type === 'call' && e.args?.length) parts.push(`(${e.args.map((a) => short(a, 80)).join(', ')})`);
  if (e.outcome) parts.push(e.outcome);
  if (e.error) parts.push(`${e.error.name}: ${e.error.message}`);
  if (e.value !== undefined && e.type !== 'call') parts.push(short(e.value, 100));
  if (e.duration !== undefined) parts.push(`[${e.duration} ms]`);
  if (e.data && e.type !== 'result') parts.push(short(e.data, 160));
  if (e.session) {
    const statuses = Object.entries(e.session.keyStatuses)
      .map(([k, v]) => `${k.slice(0, 8)}=${v}`)
      .join(' ');
    parts.push(`{id ${e.session.sessionId || '""'} exp ${e.session.expiration} keys(${e.session.size}) ${statuses}}`);
  }
  return `${head} ${parts.join(' ')}`.trimEnd();
}

export function formatTimeline(result: ScenarioResult): string {
  const lines = [
    `${result.id}: ${result.verdict.toUpperCase()} — ${result.reason}`,
    `expected: ${result.expected.verdicts.join(' | ')}${result.expected.reason ? ` (${result.expected.reason})` : ''}`,
    '',
    'checks:',
    ...result.checks.map(
      (c) =>
        `  ${c.ok ? 'ok  ' : c.level === 'must' ? 'FAIL' : 'note'} ${c.title} — expected ${c.expected}; observed ${c.observed}${c.spec ? ` (${c.spec})` : ''}`,
    ),
    '',
    'timeline:',
    ...(result.record ? result.record.joined.map(formatEntry) : ['(no run: the test ended before it had one)']),
  ];
  return `${lines.join('\n')}\n`;
}
