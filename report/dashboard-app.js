// The dashboard's page script (plain browser JS, embedded into index.html by report/dashboard.ts).
// Grid of scenario × browser/version for a chosen run, per-group counts, filters, a cell's history
// across runs, and the diff between two runs.
(() => {
  const data = JSON.parse(document.getElementById('data').textContent);
  const app = document.getElementById('app');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Open on the latest run that covered the whole catalog in every project; a one-scenario debug run
  // made after it is one click away, labelled partial.
  const full = data.runs.map((r, i) => (r.scope === 'full' ? i : -1)).filter((i) => i >= 0);
  const state = {
    run: full.length ? full[full.length - 1] : data.runs.length - 1,
    compare: -1,
    group: '',
    verdict: '',
    text: '',
  };
  const runLabel = (r) =>
    `${r.startedAt}${r.commit ? ` · ${r.commit.slice(0, 7)}` : ''}${r.branch ? ` (${r.branch})` : ''}${r.scope === 'full' ? '' : r.scope === 'partial' ? ' · partial' : ' · coverage not recorded'}`;

  if (!data.runs.length) {
    app.textContent = 'No runs yet: run `eme-compat run`, then `eme-compat dashboard`.';
    return;
  }

  function options(list, selected, label) {
    return list
      .map((item, i) => `<option value="${i}"${i === selected ? ' selected' : ''}>${esc(label(item))}</option>`)
      .join('');
  }

  function visible(s, run) {
    if (state.group && s.group !== state.group) return false;
    if (state.text && !s.id.includes(state.text) && !s.title.toLowerCase().includes(state.text.toLowerCase()))
      return false;
    if (state.verdict) return run.columns.some((c) => run.cells[s.id]?.[c.key]?.verdict === state.verdict);
    return true;
  }

  function grid(run) {
    const head = `<tr><th>scenario</th>${run.columns.map((c) => `<th>${esc(c.project)}<br><span class="muted">${esc(c.name)} ${esc(c.version)}</span></th>`).join('')}</tr>`;
    let rows = '';
    for (const [group, name] of Object.entries(data.groups)) {
      const scenarios = data.scenarios.filter((s) => s.group === group && run.cells[s.id] && visible(s, run));
      if (!scenarios.length) continue;
      const counts = run.columns
        .map((c) => {
          const verdicts = scenarios.map((s) => run.cells[s.id]?.[c.key]?.verdict).filter(Boolean);
          // A project that runs none of the group's scenarios (firefox-persistent) shows a dash, not "0/0 pass".
          return `<td data-group-count="${esc(group)}|${esc(c.key)}" class="${verdicts.length ? '' : 'muted'}">${verdicts.length ? `${verdicts.filter((v) => v === 'pass').length}/${verdicts.length} pass` : '—'}</td>`;
        })
        .join('');
      rows += `<tr class="group"><td>${esc(group)} · ${esc(name)}</td>${counts}</tr>`;
      for (const s of scenarios) {
        const cells = run.columns
          .map((c) => {
            const cell = run.cells[s.id]?.[c.key];
            if (!cell) return '<td class="muted">—</td>';
            const unexpected = !cell.expected.includes(cell.verdict);
            return `<td><span class="v ${cell.verdict}${unexpected ? ' unexpected' : ''}" data-cell="${esc(s.id)}|${esc(c.key)}" title="${esc(cell.reason)}">${cell.verdict}</span></td>`;
          })
          .join('');
        rows += `<tr><td title="${esc(s.title)}">${esc(s.id)}</td>${cells}</tr>`;
      }
    }
    return `<table id="grid">${head}${rows}</table>`;
  }

  function history(scenario, key) {
    const project = key.split('@')[0];
    const rows = data.runs
      .map((run) => {
        const col = run.columns.find((c) => c.project === project);
        const cell = col && run.cells[scenario]?.[col.key];
        return cell
          ? `<tr><td>${esc(run.startedAt)}</td><td>${esc(col.version)}</td><td><span class="v ${cell.verdict}">${cell.verdict}</span></td><td>${esc(cell.reason)}</td></tr>`
          : '';
      })
      .join('');
    return `<div id="detail"><b>${esc(scenario)}</b> on ${esc(project)}: history across runs<table><tr><th>run</th><th>version</th><th>verdict</th><th>reason</th></tr>${rows}</table></div>`;
  }

  function diff(a, b) {
    // Expectedness first (what the gate acts on), then the verdict itself, then the recorded sequence;
    // a scenario on one side only is counted, never skipped.
    const lines = {
      'newly unexpected': [],
      'newly expected': [],
      'newly failing': [],
      fixed: [],
      'changed verdict': [],
      'changed sequence': [],
      'only in the earlier run': [],
      'only in the later run': [],
    };
    const projects = [...new Set([...a.columns, ...b.columns].map((c) => c.project))];
    const cellOf = (run, id, project) => {
      const col = run.columns.find((c) => c.project === project);
      return col && run.cells[id]?.[col.key];
    };
    for (const s of data.scenarios) {
      for (const project of projects) {
        const x = cellOf(a, s.id, project);
        const y = cellOf(b, s.id, project);
        if (!x && !y) continue;
        if (!y) {
          lines['only in the earlier run'].push(`${s.id} on ${project}: ${x.verdict}`);
          continue;
        }
        if (!x) {
          lines['only in the later run'].push(`${s.id} on ${project}: ${y.verdict}`);
          continue;
        }
        const where = `${s.id} on ${project}: ${x.verdict} → ${y.verdict}`;
        const wasExpected = x.expected.includes(x.verdict);
        const isExpected = y.expected.includes(y.verdict);
        if (wasExpected && !isExpected) lines['newly unexpected'].push(where);
        else if (!wasExpected && isExpected) lines['newly expected'].push(where);
        if (x.verdict === 'pass' && y.verdict !== 'pass') lines['newly failing'].push(where);
        else if (x.verdict !== 'pass' && y.verdict === 'pass') lines.fixed.push(where);
        else if (x.verdict !== y.verdict) lines['changed verdict'].push(where);
        else if (x.sequence !== y.sequence) lines['changed sequence'].push(`${s.id} on ${project}`);
      }
    }
    const parts = Object.entries(lines)
      .map(
        ([k, list]) =>
          `<p><b>${k}</b> (${list.length})</p>${list.length ? `<ul>${list.map((l) => `<li data-diff="${esc(k)}">${esc(l)}</li>`).join('')}</ul>` : ''}`,
      )
      .join('');
    return `<div id="diff"><b>Diff</b> ${esc(a.startedAt)} → ${esc(b.startedAt)}${parts}</div>`;
  }

  function render() {
    const run = data.runs[state.run];
    const verdicts = ['pass', 'fail', 'unsupported', 'error', 'crash', 'timeout'];
    app.innerHTML = `<div class="controls">
      <label>run <select id="run">${options(data.runs, state.run, runLabel)}</select></label>
      <label>compare with <select id="compare"><option value="-1">—</option>${options(data.runs, state.compare, runLabel)}</select></label>
      <label>group <select id="group"><option value="">all</option>${Object.entries(data.groups)
        .map(([g, n]) => `<option value="${g}"${g === state.group ? ' selected' : ''}>${g} · ${esc(n)}</option>`)
        .join('')}</select></label>
      <label>verdict <select id="verdict"><option value="">any</option>${verdicts.map((v) => `<option${v === state.verdict ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
      <label>search <input id="text" value="${esc(state.text)}" placeholder="scenario id or title"></label>
      <a href="runs/${esc(run.id)}/cross-browser.html">cross-browser sequences of this run</a>
    </div>${run.scope === 'full' ? '' : `<div class="partial" id="partial"><b>${run.scope === 'partial' ? 'Partial run' : 'Coverage not recorded'}</b>${run.gaps.length ? `: ${run.gaps.map(esc).join('; ')}` : ' (this run was stored before runs recorded their selection)'}</div>`}${grid(run)}<div id="below">${state.compare >= 0 ? diff(data.runs[state.compare], run) : ''}</div>`;
    for (const id of ['run', 'compare', 'group', 'verdict']) {
      document.getElementById(id).addEventListener('change', (e) => {
        state[id] = id === 'run' || id === 'compare' ? Number(e.target.value) : e.target.value;
        render();
      });
    }
    document.getElementById('text').addEventListener('change', (e) => {
      state.text = e.target.value;
      render();
    });
    for (const el of document.querySelectorAll('[data-cell]')) {
      el.addEventListener('click', () => {
        const [scenario, key] = el.dataset.cell.split('|');
        document.getElementById('below').innerHTML = history(scenario, key);
      });
    }
  }
  render();
})();
