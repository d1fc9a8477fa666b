// Readable HTML: one self-contained page per browser report, and the cross-browser view that puts the
// browsers' recorded sequences for each scenario side by side, highlighting steps one browser has that
// the reference browser (the first with a timeline) does not: missing, extra, reordered, other errors.
import { SPEC_BASE } from '../model/verdict.ts';
import { alignAgainst, toSteps } from './sequence.ts';
import { formatEntry } from './timeline-text.ts';
import type { CompatReport } from '../model/results.ts';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#f4f4f6}
.v{font-weight:600;padding:0 .4rem;border-radius:3px}.pass{background:#d8f5dc}.fail{background:#fbd6d6}.unsupported{background:#ececec}
.error,.crash,.timeout{background:#fde2b8}pre{white-space:pre-wrap;font-size:12px;background:#fafafa;padding:.5rem}
.diff{background:#fff1a8}.muted{color:#666}ol{margin:0;padding-left:1.4rem;font:12px ui-monospace,monospace}details{margin:.2rem 0}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

export function renderBrowserReport(r: CompatReport): string {
  const b = r.browser;
  const counts = Object.entries(r.summary)
    .map(([k, v]) => `${esc(k)} ${v}`)
    .join(' · ');
  const rows = r.scenarios
    .map((s) => {
      const checks = s.checks
        .map(
          (c) =>
            `<tr><td>${c.ok ? '✓' : c.level === 'must' ? '✗' : '△'}</td><td>${esc(c.title)}${c.spec ? ` <a href="${SPEC_BASE}${esc(c.spec)}">${esc(c.spec)}</a>` : ''}</td><td>${esc(c.expected)}</td><td>${esc(c.observed)}</td></tr>`,
        )
        .join('');
      return `<tr id="${esc(s.id)}"><td>${esc(s.id)}</td><td>${esc(s.group)}</td><td><span class="v ${s.verdict}">${s.verdict}</span></td><td>${esc(s.expected.verdicts.join(' | '))}</td>
<td>${esc(s.reason)}<details><summary>checks and timeline</summary><table><tr><th></th><th>rule</th><th>expected</th><th>observed</th></tr>${checks}</table>
<pre>${s.record ? esc(s.record.joined.map(formatEntry).join('\n')) : '(no run: the test ended before it had one)'}</pre></details></td></tr>`;
    })
    .join('\n');
  return page(
    `EME compatibility: ${b.project}`,
    `<h1>${esc(b.label)} ${esc(b.version)}</h1><p class="muted">${esc(b.userAgent ?? '')}<br>${esc(r.environment.os)} · run ${esc(r.run.startedAt)} · driver ${esc(b.driver)}${Object.keys(b.prefs).length ? ` · prefs ${esc(JSON.stringify(b.prefs))}` : ''}</p>
<p>${counts}</p><table><tr><th>scenario</th><th>group</th><th>verdict</th><th>expected</th><th>reason</th></tr>${rows}</table>`,
  );
}

export function renderCrossBrowser(reports: CompatReport[]): string {
  const ids = [...new Set(reports.flatMap((r) => r.scenarios.map((s) => s.id)))].sort();
  const head = `<tr><th>scenario</th>${reports.map((r) => `<th>${esc(r.browser.project)}<br><span class="muted">${esc(r.browser.name)} ${esc(r.browser.version)}</span></th>`).join('')}</tr>`;
  const rows = ids
    .map((id) => {
      const results = reports.map((r) => r.scenarios.find((s) => s.id === id));
      const sequences = results.map((s) => (s?.record?.page ? toSteps(s.record.page.entries) : null));
      const refIndex = sequences.findIndex((seq) => seq && seq.length > 2);
      const reference = refIndex >= 0 ? sequences[refIndex]! : [];
      const cells = results
        .map((s, i) => {
          if (!s) return '<td class="muted">not run</td>';
          const seq = sequences[i];
          const aligned = seq
            ? i === refIndex
              ? seq.map((step) => ({ step, shared: true }))
              : alignAgainst(reference, seq)
            : [];
          const differs = aligned.filter((a) => !a.shared).length;
          const list = aligned.map((a) => `<li${a.shared ? '' : ' class="diff"'}>${esc(a.step)}</li>`).join('');
          return `<td><span class="v ${s.verdict}">${s.verdict}</span>${i !== refIndex && differs ? ` <span class="muted">${differs} step(s) differ</span>` : ''}
<details><summary>${aligned.length} steps</summary><ol>${list}</ol></details></td>`;
        })
        .join('');
      return `<tr><td>${esc(id)}</td>${cells}</tr>`;
    })
    .join('\n');
  return page(
    'EME compatibility: cross-browser sequences',
    `<h1>Cross-browser sequences</h1><p class="muted">Each scenario's recorded steps per browser. Highlighted steps are not in the
reference sequence (the first browser with a timeline) in that order: missing, extra or reordered events, other error names, other key statuses.</p>
<table>${head}${rows}</table>`,
  );
}
