// The trace as one self-contained HTML page: what was traced in which browsers and how each ended, the
// cross-browser sequence diff (rows aligned on the reference browser), and per browser its sessions, the
// conversation as a sequence diagram (Mermaid, drawn when vendor/mermaid.min.js sits beside the page)
// and the whole timeline.
import { alignedCell } from '../html.ts';
import { alignSequences, toMermaid } from '../sequence.ts';
import { formatEntry } from '../timeline-text.ts';
import type { TraceReport } from '../../harness/trace/schema.ts';
import { describeWait } from '../../harness/trace/wait.ts';
import { summariseSessions } from './sessions.ts';
import { browserName, diffReference, traceSteps } from './text.ts';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#f4f4f6}
pre{white-space:pre-wrap;font-size:12px;background:#fafafa;padding:.5rem}.muted{color:#666}
.seq td{font:12px ui-monospace,monospace;white-space:nowrap}.missing{background:#fde2e2;color:#900}.extra{background:#fff1a8}
.different{background:#ffd9a8}.race{box-shadow:inset 3px 0 #6a8cff}.ref{background:#eef3ff}
.traced{background:#d8f5dc}.failed{background:#fbd6d6}.not-traceable,.unmet{background:#ececec}.v{font-weight:600;padding:0 .4rem;border-radius:3px}
.bad{color:#900;font-weight:600}`;

function diffTable(reports: TraceReport[]): string {
  const ref = diffReference(reports);
  if (ref < 0) return '<p class="muted">No browser recorded a timeline: nothing to compare.</p>';
  const sequences = reports.map(traceSteps);
  const rows = alignSequences(sequences, ref);
  const head = reports
    .map((r, i) => `<th>${esc(r.project)}${i === ref ? ' <span class="muted">(reference)</span>' : ''}</th>`)
    .join('');
  return `<table class="seq"><tr>${head}</tr>${rows.map((row) => `<tr>${row.cells.map(alignedCell).join('')}</tr>`).join('')}</table>`;
}

function browserSection(r: TraceReport, mermaid: boolean): string {
  const sessions = r.record ? summariseSessions(r.record) : [];
  const sessionRows = sessions
    .map(
      (s) =>
        `<tr><td>${esc(s.label)}</td><td>${esc(s.sessionId)}</td><td>${esc(s.states.join(' → '))}</td><td>${esc(
          Object.entries(s.keyStatuses)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        )}</td><td${s.departures.length ? ' class="bad"' : ''}>${esc(s.departures.join(', ') || 'none')}</td></tr>`,
    )
    .join('');
  const entries = r.record?.page?.entries ?? [];
  const diagram = entries.length
    ? `<details open><summary>sequence diagram</summary>${
        mermaid ? `<pre class="mermaid">${esc(toMermaid(entries))}</pre>` : ''
      }<details><summary>Mermaid source</summary><pre>${esc(toMermaid(entries))}</pre></details></details>`
    : '';
  return `<h2 id="${esc(r.project)}">${esc(browserName(r))}</h2>
<p><span class="v ${r.status}">${esc(r.status)}</span> ${esc(r.reason)}</p>
${r.warnings.length ? `<details><summary>${r.warnings.length} warning(s)</summary><pre>${esc(r.warnings.join('\n'))}</pre></details>` : ''}
${r.documents.length > 1 ? `<p class="muted">documents: ${r.documents.map((d) => `${esc(d.prefix || 'main')} ${esc(d.url)} (${d.entries})`).join('; ')}</p>` : ''}
${sessions.length ? `<table><tr><th>session</th><th>sessionId</th><th>states (spec)</th><th>last key statuses</th><th>steps the spec does not allow</th></tr>${sessionRows}</table>` : ''}
${diagram}
${r.record ? `<details><summary>timeline (${r.record.joined.length} entries)</summary><pre>${esc(r.record.joined.map(formatEntry).join('\n'))}</pre></details>` : ''}`;
}

export function renderTraceHtml(reports: TraceReport[], options: { mermaid: boolean }): string {
  const first = reports[0];
  const summary = reports
    .map(
      (r) =>
        `<tr><td><a href="#${esc(r.project)}">${esc(r.project)}</a></td><td>${esc(r.browser ? `${r.browser.name} ${r.browser.version}` : '')}</td><td><span class="v ${r.status === 'traced' && !r.conditionMet ? 'unmet' : r.status}">${esc(r.status)}${r.status === 'traced' && !r.conditionMet ? ' (condition not met)' : ''}</span></td><td>${r.emeCalls}</td><td>${esc(r.reason)}</td></tr>`,
    )
    .join('');
  const body = `<h1>EME trace</h1>
<p><a href="${esc(first?.url ?? '')}">${esc(first?.url ?? '')}</a><br><span class="muted">waited ${esc(first ? describeWait(first.wait) : '')}${first?.wait.script ? ', after the --script' : ''} · ${esc(first?.startedAt ?? '')}</span></p>
<table><tr><th>browser</th><th>version</th><th>status</th><th>EME calls</th><th>how it ended</th></tr>${summary}</table>
<h2>Cross-browser sequence</h2>
<p class="muted">Each browser's steps aligned row by row on the reference's. <span class="missing">— missing</span>: a step the reference has and this browser never recorded;
<span class="extra">+ extra</span>: only this browser; <span class="different">≠ different</span>: another step in its place; <span class="race">⇅</span>: an order the spec leaves open.</p>
${diffTable(reports)}
${reports.map((r) => browserSection(r, options.mermaid)).join('\n')}
${options.mermaid ? '<script src="vendor/mermaid.min.js"></script><script>mermaid.initialize({startOnLoad:true,sequence:{showSequenceNumbers:true}});</script>' : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EME trace</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}
