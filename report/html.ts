// Readable HTML: one self-contained page per browser report, and the cross-browser view that puts the
// browsers' recorded sequences for each scenario aligned row by row against a reference browser the reader
// picks: missing, extra and different steps, and orders the spec leaves open marked as such.
import { probeRows } from './probe-playback.ts';
import { SPEC_BASE, type Difference } from '../model/verdict.ts';
import { type AlignedCell, alignSequences, toSteps } from './sequence.ts';
import { formatEntry } from './timeline-text.ts';
import type { CompatReport } from '../model/results.ts';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#f4f4f6}
.v{font-weight:600;padding:0 .4rem;border-radius:3px}.pass{background:#d8f5dc}.fail{background:#fbd6d6}.unsupported,.not-measurable{background:#ececec}
.error,.crash,.timeout{background:#fde2b8}pre{white-space:pre-wrap;font-size:12px;background:#fafafa;padding:.5rem}
.diff{background:#fff1a8}.muted{color:#666}ol{margin:0;padding-left:1.4rem;font:12px ui-monospace,monospace}details{margin:.2rem 0}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** What each kind of difference means, in the words a reader of one result needs. */
const DIFFERENCE_TEXT: Record<Difference, string> = {
  'spec-deviation': 'spec deviation',
  'judgment-call': 'judgment call (advisory departures where the spec leaves room)',
  'content-format': 'content-format interop (a media layout the spec does not define)',
  'missing-feature': 'missing feature',
  'not-measurable': 'not measurable here (says nothing about the browser)',
  'player-limitation': "the player's own limitation (the browser can play this; the player did not)",
};

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
            `<tr><td>${c.ok ? '✓' : c.unmeasured ? '?' : c.level === 'must' ? '✗' : '△'}</td><td>${esc(c.title)}${c.spec ? ` <a href="${SPEC_BASE}${esc(c.spec)}">${esc(c.spec)}</a>` : ''}${c.step ? ` ${esc(c.step)}` : ''}${c.why ? `<br><span class="muted">advisory: ${esc(c.why)}</span>` : ''}${c.unmeasured ? `<br><span class="muted">not measurable here: ${esc(c.unmeasured)}</span>` : ''}</td><td>${esc(c.expected)}</td><td>${esc(c.observed)}</td></tr>`,
        )
        .join('');
      return `<tr id="${esc(s.id)}"><td>${esc(s.id)}${s.player ? `<br><span class="muted">${esc(s.player.npmPackage)}@${esc(s.player.version)}</span>` : ''}</td><td>${esc(s.group)}</td><td><span class="v ${s.verdict}">${s.verdict}</span></td><td>${esc(s.expected.verdicts.join(' | '))}</td>
<td>${s.difference ? `<span class="muted">${esc(DIFFERENCE_TEXT[s.difference])}:</span> ` : ''}${esc(s.reason)}<details><summary>checks and timeline</summary><table><tr><th></th><th>rule</th><th>expected</th><th>observed</th></tr>${checks}</table>
<pre>${s.record ? esc(s.record.joined.map(formatEntry).join('\n')) : '(no run: the test ended before it had one)'}</pre></details></td></tr>`;
    })
    .join('\n');
  return page(
    `EME compatibility: ${b.project}`,
    `<h1>${esc(b.label)} ${esc(b.version)}</h1><p class="muted">${esc(b.userAgent ?? '')}<br>${esc(r.environment.os)} · run ${esc(r.run.startedAt)} · driver ${esc(b.driver)}${Object.keys(b.prefs).length ? ` · prefs ${esc(JSON.stringify(b.prefs))}` : ''}</p>
<p>${counts}</p><table><tr><th>scenario</th><th>group</th><th>verdict</th><th>expected</th><th>reason</th></tr>${rows}</table>${probeSection(r)}`,
  );
}

/** Probe against playback for the player scenarios (report/probe-playback.ts), mismatches first. */
function probeSection(r: CompatReport): string {
  const rows = probeRows(r.scenarios);
  if (!rows.length) return '';
  const claim = (c: { supported: boolean; detail: string } | null) =>
    c
      ? `<span title="${esc(c.detail)}">${c.supported ? 'supported' : 'unsupported'}</span>`
      : '<span class="muted">no probe</span>';
  const body = rows
    .map(
      (x) =>
        `<tr data-probe="${esc(x.scenario)}"><td><a href="#${esc(x.scenario)}">${esc(x.scenario)}</a><br><span class="muted">${esc(x.player)}</span></td><td>${claim(x.harness)}</td><td>${claim(x.playerProbe)}</td><td>${x.played ? 'played' : 'did not play'}</td><td>${x.comparable ? (x.mismatches.length ? `<b>mismatch: ${esc(x.mismatches.join(', '))}</b>` : 'agree') : '<span class="muted">not comparable: the player failed on its own</span>'}</td></tr>`,
    )
    .join('');
  const mismatched = rows.filter((x) => x.mismatches.length).length;
  return `<h2 id="probe-against-playback">Probe against playback</h2><p>${mismatched} of ${rows.length} player runs where a capability probe claimed otherwise than playback showed.</p><table><tr><th>scenario</th><th>harness probe (requestMediaKeySystemAccess)</th><th>player's probe</th><th>playback</th><th></th></tr>${body}</table>`;
}

const CROSS_STYLE = `.seq td{font:12px ui-monospace,monospace;white-space:nowrap}.same{color:#555}.missing{background:#fde2e2;color:#900}
.extra{background:#fff1a8}.different{background:#ffd9a8}.race{box-shadow:inset 3px 0 #6a8cff}.ref{background:#eef3ff}
.pick{margin:.6rem 0}[data-ref][hidden]{display:none}`;

const MARK: Record<AlignedCell['status'], string> = {
  reference: '',
  same: '',
  missing: '— missing: ',
  extra: '+ ',
  different: '≠ ',
};

/** One browser's step in an aligned row: missing, extra, different or a race, marked as such. */
export function alignedCell(c: AlignedCell | null): string {
  if (!c) return '<td></td>';
  const race = c.race ? ` race" title="the spec leaves this order open; recorded: ${esc(c.race.join(' → '))}` : '';
  const instead = c.instead ? ` <span class="muted">(reference: ${esc(c.instead)})</span>` : '';
  return `<td class="${c.status}${race}">${MARK[c.status]}${esc(c.step)}${instead}${c.race ? ' ⇅' : ''}</td>`;
}

/** The default reference of a scenario: the first browser that passed with steps recorded, else the first with steps. */
function autoReference(
  results: (CompatReport['scenarios'][number] | undefined)[],
  sequences: (string[] | null)[],
): number {
  // A timeline with no comparable step (a page that stopped at once) makes a poor reference.
  const passing = results.findIndex((s, i) => s?.verdict === 'pass' && sequences[i]?.length);
  if (passing >= 0) return passing;
  const any = sequences.findIndex((seq) => seq?.length);
  return any >= 0 ? any : sequences.findIndex((seq) => seq !== null);
}

/**
 * Each scenario's recorded steps from every browser, aligned row by row against a reference browser the
 * reader picks (by default, per scenario, the first that passed): missing steps are shown where the
 * reference has them, extra and different ones beside it, and orders the spec leaves open are marked ⇅, not
 * counted as differences.
 */
export function renderCrossBrowser(reports: CompatReport[]): string {
  const ids = [...new Set(reports.flatMap((r) => r.scenarios.map((s) => s.id)))].sort();
  const names = reports.map((r) => r.browser.project);
  const browsers = reports
    .map(
      (r) =>
        `<th>${esc(r.browser.project)}<br><span class="muted">${esc(r.browser.name)} ${esc(r.browser.version)}</span></th>`,
    )
    .join('');
  const sections = ids
    .map((id) => {
      const results = reports.map((r) => r.scenarios.find((s) => s.id === id));
      const sequences = results.map((s) => (s?.record?.page ? toSteps(s.record.page.entries) : null));
      const auto = autoReference(results, sequences);
      const choices = [['auto', auto], ...names.map((n, i) => [n, i] as const)] as const;
      const bodies = choices
        .map(([key, ref]) => {
          if (ref < 0 || !sequences[ref]) {
            return `<tbody data-ref="${esc(key)}"${key === 'auto' ? '' : ' hidden'}><tr><td colspan="${reports.length + 1}" class="muted">${ref < 0 ? 'no browser recorded a timeline' : `${esc(String(key))} recorded no timeline`}</td></tr></tbody>`;
          }
          const rows = alignSequences(sequences, ref);
          const count = (status: AlignedCell['status']) =>
            reports.map((_, b) => rows.filter((row) => row.cells[b]?.status === status).length);
          const [missing, extra, different] = [count('missing'), count('extra'), count('different')];
          const races = reports.map((_, b) => rows.filter((row) => row.cells[b]?.race).length);
          const summary = `<tr><td class="muted">reference: ${esc(names[ref]!)}</td>${results
            .map((s, b) => {
              if (!s) return '<td class="muted">not run</td>';
              if (!sequences[b])
                return `<td><span class="v ${s.verdict}">${s.verdict}</span> <span class="muted">no timeline</span></td>`;
              const counts = [
                missing[b] ? `${missing[b]} missing` : '',
                extra[b] ? `${extra[b]} extra` : '',
                different[b] ? `${different[b]} different` : '',
                races[b] ? `${races[b]} in another order the spec allows` : '',
              ].filter(Boolean);
              return `<td><span class="v ${s.verdict}">${s.verdict}</span> ${b === ref ? '<span class="muted">reference</span>' : counts.length ? `<span class="muted" data-counts="${esc(names[b]!)}">${esc(counts.join(', '))}</span>` : '<span class="muted">same steps</span>'}</td>`;
            })
            .join('')}</tr>`;
          const table = rows.map((row) => `<tr><td></td>${row.cells.map(alignedCell).join('')}</tr>`).join('');
          return `<tbody data-ref="${esc(key)}"${key === 'auto' ? '' : ' hidden'}>${summary}<tr><td colspan="${reports.length + 1}"><details><summary>${rows.length} aligned steps</summary><table class="seq"><tr><th></th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>${table}</table></details></td></tr></tbody>`;
        })
        .join('');
      return `<table class="scenario" id="${esc(id)}"><tr><td>${esc(id)}</td>${browsers}</tr>${bodies}</table>`;
    })
    .join('\n');
  const picker = `<label class="pick">reference browser <select id="ref"><option value="auto">per scenario: the first that passed</option>${names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('')}</select></label>`;
  // The choice lives in the URL (#ref=firefox), so a link shows the same view.
  const script = `<script>(()=>{const sel=document.getElementById('ref');const show=(v)=>{for(const t of document.querySelectorAll('tbody[data-ref]'))t.hidden=t.dataset.ref!==v;sel.value=v;};
const fromHash=()=>new URLSearchParams(location.hash.slice(1)).get('ref')||'auto';show(fromHash());
sel.addEventListener('change',()=>{history.replaceState(null,'','#ref='+encodeURIComponent(sel.value));show(sel.value);});})();</script>`;
  return page(
    'EME compatibility: cross-browser sequences',
    `<style>${CROSS_STYLE}</style><h1>Cross-browser sequences</h1><p class="muted">Each scenario's recorded steps per browser, aligned row by row
against a reference browser. <span class="missing">— missing</span>: a step the reference has and this browser never recorded;
<span class="extra">+ extra</span>: a step only this browser recorded; <span class="different">≠ different</span>: another step in its place
(another error name, other key statuses); <span class="race">⇅</span>: steps the spec lets come in either order (a method's promise and the
events it queues), recorded in another order than the reference's: not a difference.</p>${picker}${sections}${script}`,
  );
}
