// The dashboard's page script (plain browser JS, embedded into index.html by report/dashboard.ts).
// Scenarios × browser builds: per engine (lane) the tested versions as columns, ordered numerically; each
// cell the verdict, whether it was expected, a "changed in vX" marker where the verdict or the recorded
// sequence differs from the previous version, and the cell's verdicts over runs as a strip. A click opens
// the drill-down beside the grid (rules with spec links, the sequence as a Mermaid diagram, picture
// figures, links). Pass ratios per group and engine; a diff between two runs. All view state is in the URL.
(() => {
  const data = JSON.parse(document.getElementById('data').textContent);
  const app = document.getElementById('app');
  const aside = document.getElementById('detail');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const VERDICTS = ['pass', 'fail', 'unsupported', 'not-measurable', 'error', 'crash', 'timeout'];

  if (!data.runs.length) {
    app.textContent = 'No runs yet: run `eme-compat run`, then `eme-compat dashboard`.';
    return;
  }

  // ---- state in the URL: #run=…&compare=…&group=…&verdict=…&q=…&cell=scenario|build
  const KEYS = ['run', 'compare', 'group', 'verdict', 'q', 'cell'];
  const state = Object.fromEntries(KEYS.map((k) => [k, '']));
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    for (const k of KEYS) state[k] = p.get(k) ?? '';
    if (state.run && !data.runs.some((r) => r.id === state.run)) state.run = '';
  }
  function writeHash() {
    const p = new URLSearchParams();
    for (const k of KEYS) if (state[k]) p.set(k, state[k]);
    const hash = p.toString();
    history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
  }

  // ---- builds, lanes and version order
  const versionParts = (v) =>
    String(v)
      .split(/[.\-+]/)
      .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  function compareVersions(a, b) {
    const [x, y] = [versionParts(a), versionParts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const [p, q] = [x[i] ?? 0, y[i] ?? 0];
      if (p === q) continue;
      if (typeof p === 'number' && typeof q === 'number') return p - q;
      return String(p).localeCompare(String(q));
    }
    return 0;
  }
  const build = (key) => data.builds[key];
  const laneLabel = (lane) => lane.replace(/ \+ /g, ' + ');
  const major = (key) => String(build(key).version).split('.')[0];
  function columnsOf(keys) {
    const lanes = [...new Set(keys.map((k) => build(k).lane))].sort();
    return lanes.map((lane) => ({
      lane,
      keys: keys
        .filter((k) => build(k).lane === lane)
        .sort(
          (a, b) =>
            compareVersions(build(a).version, build(b).version) || build(a).driver.localeCompare(build(b).driver),
        ),
    }));
  }

  // ---- the view: one run, or the latest result of every build over all runs
  function view() {
    if (state.run) {
      const run = data.runs.find((r) => r.id === state.run);
      const cells = {};
      for (const [s, byBuild] of Object.entries(run.cells))
        for (const [k, c] of Object.entries(byBuild)) (cells[s] ??= {})[k] = { cell: c, run };
      return { keys: [...new Set(run.builds)], cells, run };
    }
    const cells = {};
    const keys = new Set();
    for (const run of data.runs) {
      for (const k of run.builds) keys.add(k);
      for (const [s, byBuild] of Object.entries(run.cells))
        for (const [k, c] of Object.entries(byBuild)) (cells[s] ??= {})[k] = { cell: c, run };
    }
    return { keys: [...keys], cells, run: null };
  }

  /** Where a verdict or the recorded sequence changed from the previous tested version of the lane. */
  function changes(columns, cells) {
    const out = {};
    for (const { keys } of columns) {
      for (let i = 1; i < keys.length; i++) {
        for (const [s, byBuild] of Object.entries(cells)) {
          const [a, b] = [byBuild[keys[i - 1]], byBuild[keys[i]]];
          if (!a || !b) continue;
          const [from, to] = [a.cell[0], b.cell[0]];
          const what = from !== to ? `${from} → ${to}` : a.cell[2] !== b.cell[2] ? 'recorded sequence changed' : '';
          if (what)
            (out[s] ??= {})[keys[i]] = {
              text: `changed in ${major(keys[i])}`,
              what: `${what} (from ${build(keys[i - 1]).version} to ${build(keys[i]).version})`,
              from: keys[i - 1],
            };
        }
      }
    }
    return out;
  }

  /**
   * Player scenarios: the latest run in which the cell's verdict or sequence changed while the player's
   * version did (the same browser build before and after), as a marker beside the browser's.
   */
  function playerChange(scenario, key) {
    const list = historyOf(scenario, key);
    for (let i = list.length - 1; i > 0; i--) {
      const [a, b] = [list[i - 1].cell, list[i].cell];
      if (!a[3] || !b[3] || a[3] === b[3]) continue;
      const what = a[0] !== b[0] ? `${a[0]} → ${b[0]}` : a[2] !== b[2] ? 'recorded sequence changed' : '';
      if (what) return { text: `changed with ${b[3]}`, what: `${what} (player ${a[3]} → ${b[3]}, same browser build)` };
    }
    return null;
  }

  function visible(s, v, keys) {
    if (state.group && s.group !== state.group) return false;
    const q = state.q.toLowerCase();
    if (q && !s.id.toLowerCase().includes(q) && !s.title.toLowerCase().includes(q)) return false;
    if (state.verdict) return keys.some((k) => v.cells[s.id]?.[k]?.cell[0] === state.verdict);
    return true;
  }

  /** The cell's verdicts over runs, oldest first. */
  function historyOf(scenario, key) {
    return data.runs.filter((r) => r.cells[scenario]?.[key]).map((r) => ({ run: r, cell: r.cells[scenario][key] }));
  }
  function strip(scenario, key, max) {
    const list = historyOf(scenario, key).slice(-max);
    if (list.length < 2 && max < 50) return '';
    return `<span class="strip" data-strip="${esc(scenario)}|${esc(key)}">${list
      .map(({ run, cell }) => `<i class="${esc(cell[0])}" title="${esc(run.startedAt)}: ${esc(cell[0])}"></i>`)
      .join('')}</span>`;
  }

  const unexpected = (cell) => !cell[1].split('|').includes(cell[0]);

  function grid(v, columns, changed) {
    const keys = columns.flatMap((c) => c.keys);
    const head1 = `<tr><th rowspan="2">scenario</th>${columns.map((c) => `<th class="lane" colspan="${c.keys.length}" data-lane="${esc(c.lane)}">${esc(laneLabel(c.lane))}</th>`).join('')}</tr>`;
    const head2 = `<tr>${keys
      .map((k) => {
        const b = build(k);
        const title = `${b.label} · ${b.name} ${b.version} · driver ${b.driver}${b.source ? ` · ${b.source}` : ''}`;
        return `<th data-column="${esc(k)}" title="${esc(title)}">${esc(b.version)}${b.driver !== 'playwright' ? `<br><span class="muted">${esc(b.driver)}</span>` : ''}</th>`;
      })
      .join('')}</tr>`;
    let rows = '';
    for (const [group, name] of Object.entries(data.groups)) {
      const scenarios = data.scenarios.filter((s) => s.group === group && v.cells[s.id] && visible(s, v, keys));
      if (!scenarios.length) continue;
      const counts = keys
        .map((k) => {
          const verdicts = scenarios.map((s) => v.cells[s.id]?.[k]?.cell[0]).filter(Boolean);
          // A build that runs none of the group's scenarios shows a dash, not "0/0 pass".
          return `<td data-group-count="${esc(group)}|${esc(k)}" class="${verdicts.length ? '' : 'muted'}">${verdicts.length ? `${verdicts.filter((x) => x === 'pass').length}/${verdicts.length} pass` : '—'}</td>`;
        })
        .join('');
      rows += `<tr class="group"><td>${esc(group)} · ${esc(name)}</td>${counts}</tr>`;
      for (const s of scenarios) {
        const cells = keys
          .map((k) => {
            const at = v.cells[s.id]?.[k];
            if (!at) return '<td class="muted">—</td>';
            const c = at.cell;
            const mark = changed[s.id]?.[k];
            const byPlayer = c[3] ? playerChange(s.id, k) : null;
            const selected = state.cell === `${s.id}|${k}` ? ' selected' : '';
            return `<td><span class="v ${esc(c[0])}${unexpected(c) ? ' unexpected' : ''}${selected}" data-cell="${esc(s.id)}|${esc(k)}" title="${esc(c[0])}; expected ${esc(c[1].replace(/\|/g, ' or '))}${c[3] ? ` · ${esc(c[3])}` : ''}">${esc(c[0])}</span>${mark ? `<span class="changed" data-changed="${esc(s.id)}|${esc(k)}" title="${esc(mark.what)}">${esc(mark.text)}</span>` : ''}${byPlayer ? `<span class="changed" data-player-changed="${esc(s.id)}|${esc(k)}" title="${esc(byPlayer.what)}">${esc(byPlayer.text)}</span>` : ''}${strip(s.id, k, 12)}</td>`;
          })
          .join('');
        // Player scenarios name the player build(s) beside the scenario, as the columns name the browsers'.
        const players = [...new Set(keys.map((k) => v.cells[s.id]?.[k]?.cell[3]).filter(Boolean))];
        rows += `<tr><td title="${esc(s.title)}">${esc(s.id)}${players.length ? `<br><span class="muted" data-player="${esc(s.id)}">${players.map(esc).join(', ')}</span>` : ''}</td>${cells}</tr>`;
      }
    }
    return `<div id="gridbox"><table id="grid">${head1}${head2}${rows}</table></div>`;
  }

  /** Pass ratio per group and engine lane, over the cells in view. */
  function ratios(v, columns) {
    const groups = Object.keys(data.groups).filter((g) => data.scenarios.some((s) => s.group === g && v.cells[s.id]));
    const body = groups
      .map((g) => {
        const cols = columns
          .map(({ lane, keys }) => {
            const verdicts = data.scenarios
              .filter((s) => s.group === g)
              .flatMap((s) => keys.map((k) => v.cells[s.id]?.[k]?.cell[0]).filter(Boolean));
            const pass = verdicts.filter((x) => x === 'pass').length;
            return `<td data-ratio="${esc(g)}|${esc(lane)}">${verdicts.length ? `${Math.round((100 * pass) / verdicts.length)}% <span class="muted">(${pass}/${verdicts.length})</span>` : '—'}</td>`;
          })
          .join('');
        return `<tr><td>${esc(g)} · ${esc(data.groups[g])}</td>${cols}</tr>`;
      })
      .join('');
    return `<details id="ratios"><summary>Pass ratio per group and engine</summary><table><tr><th>group</th>${columns.map((c) => `<th>${esc(laneLabel(c.lane))}</th>`).join('')}</tr>${body}</table></details>`;
  }

  const legend = `<div class="legend" id="legend">${VERDICTS.map((x) => `<span class="v ${x}">${x}</span>`).join('')}
    <span><span class="v pass unexpected">pass</span> outlined with ! = not the expected verdict</span>
    <span><span class="changed">changed in N</span> verdict or recorded sequence differs from the previous tested version</span>
    <span><span class="strip"><i class="pass"></i><i class="fail"></i></span> the cell's verdicts over runs, oldest first</span></div>`;

  const runLabel = (r) =>
    `${r.startedAt}${r.commit ? ` · ${r.commit.slice(0, 7)}` : ''}${r.branch ? ` (${r.branch})` : ''}${r.scope === 'full' ? '' : r.scope === 'partial' ? ' · partial' : ' · coverage not recorded'}`;
  const runOptions = (selected) =>
    data.runs
      .map((r) => `<option value="${esc(r.id)}"${r.id === selected ? ' selected' : ''}>${esc(runLabel(r))}</option>`)
      .join('');

  function diff(a, b) {
    // Expectedness first (what the gate acts on), then the verdict itself, then the recorded sequence;
    // a scenario on one side only is counted, never skipped. Builds match by key, else by lane and driver.
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
    const slot = (k) => `${build(k).lane}|${build(k).driver}`;
    const pairs = [];
    const used = new Set();
    for (const k of b.builds) {
      const match = a.builds.includes(k)
        ? k
        : a.builds.filter((x) => slot(x) === slot(k)).length === 1
          ? a.builds.find((x) => slot(x) === slot(k))
          : null;
      if (match) used.add(match);
      pairs.push([match, k]);
    }
    for (const k of a.builds) if (!used.has(k)) pairs.push([k, null]);
    const name = (k) => `${build(k).project} ${build(k).version}`;
    for (const s of data.scenarios) {
      for (const [ka, kb] of pairs) {
        const x = ka && a.cells[s.id]?.[ka];
        const y = kb && b.cells[s.id]?.[kb];
        if (!x && !y) continue;
        if (!y) {
          lines['only in the earlier run'].push(`${s.id} on ${name(ka)}: ${x[0]}`);
          continue;
        }
        if (!x) {
          lines['only in the later run'].push(`${s.id} on ${name(kb)}: ${y[0]}`);
          continue;
        }
        const where = `${s.id} on ${name(kb)}: ${x[0]} → ${y[0]}`;
        if (!unexpected(x) && unexpected(y)) lines['newly unexpected'].push(where);
        else if (unexpected(x) && !unexpected(y)) lines['newly expected'].push(where);
        if (x[0] === 'pass' && y[0] !== 'pass') lines['newly failing'].push(where);
        else if (x[0] !== 'pass' && y[0] === 'pass') lines.fixed.push(where);
        else if (x[0] !== y[0]) lines['changed verdict'].push(where);
        else if (x[2] !== y[2]) lines['changed sequence'].push(`${s.id} on ${name(kb)}`);
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

  // ---- drill-down: runs/<run>/detail-<i>.js maps a (run, build)'s scenarios to content hashes, and
  // cells/<hash>.js holds one cell's details; both are scripts loaded on demand (works from file://).
  const loaded = {};
  const waiting = {};
  const arrived = (id, value) => {
    loaded[id] = value;
    for (const done of waiting[id] ?? []) done(value);
  };
  window.emeDetail = (run, key, index) => arrived(`run\n${run}\n${key}`, index);
  window.emeCell = (hash, detail) => arrived(`cell\n${hash}`, detail);
  function loadScript(id, src) {
    if (loaded[id]) return Promise.resolve(loaded[id]);
    return new Promise((resolve, reject) => {
      (waiting[id] ??= []).push(resolve);
      const s = document.createElement('script');
      s.src = src;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
  }
  /** The details of one cell: its run's index first, then the cell itself. */
  async function loadDetail(run, key, scenario) {
    const index = await loadScript(`run\n${run.id}\n${key}`, run.details[key]);
    const hash = index[scenario];
    if (!hash) throw new Error(`${run.details[key]} has no ${scenario}`);
    return loadScript(`cell\n${hash}`, `cells/${hash}.js`);
  }
  let mermaidReady = null;
  function mermaidLib() {
    mermaidReady ??= new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'vendor/mermaid.min.js';
      s.onload = () => {
        window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
        resolve(window.mermaid);
      };
      s.onerror = () => reject(new Error('vendor/mermaid.min.js did not load'));
      document.head.appendChild(s);
    });
    return mermaidReady;
  }
  let diagrams = 0;

  async function drill(v, changed) {
    document.body.classList.toggle('drilled', !!state.cell);
    if (!state.cell) {
      aside.hidden = true;
      aside.innerHTML = '';
      return;
    }
    // Build keys hold '|' themselves: the scenario id ends at the first one.
    const cut = state.cell.indexOf('|');
    const [scenario, key] = [state.cell.slice(0, cut), state.cell.slice(cut + 1)];
    const at = v.cells[scenario]?.[key];
    const b = build(key);
    const s = data.scenarios.find((x) => x.id === scenario);
    if (!at || !b || !s) {
      aside.hidden = true;
      return;
    }
    const { run, cell } = at;
    const mark = changed[scenario]?.[key];
    const links = [
      run.pages[key]
        ? `<a href="${esc(run.pages[key])}#${esc(scenario)}">per-browser report (with the joined timeline)</a>`
        : '',
      run.cross ? `<a href="${esc(run.cross)}#${esc(scenario)}">cross-browser sequences of this run</a>` : '',
    ].filter(Boolean);
    aside.hidden = false;
    aside.innerHTML = `<span class="close" id="close" title="close">✕</span><h2 id="detail-title">${esc(scenario)}</h2>
<p>${esc(s.title)}</p><p><b>${esc(b.label)}</b> ${esc(b.name)} ${esc(b.version)} · driver ${esc(b.driver)}${b.source ? ` · ${esc(b.source)}` : ''}</p>
${cell[3] ? `<p id="detail-player">player <b>${esc(cell[3])}</b> in this browser build</p>` : ''}
<p><span class="v ${esc(cell[0])}${unexpected(cell) ? ' unexpected' : ''}">${esc(cell[0])}</span> expected ${esc(cell[1].replace(/\|/g, ' or '))} · run ${esc(run.startedAt)}</p>
${mark ? `<p class="changed" id="detail-changed">${esc(mark.text)}: ${esc(mark.what)}</p>` : ''}
<p>history over runs: ${strip(scenario, key, 100)}</p>
<p>${links.join(' · ') || `<span class="muted">the site carries the full reports only of runs that hold some build's latest result; this run's are in results/${esc(run.id)}/ unless retention (EME_RESULTS_RETENTION) pruned them, leaving its summary</span>`}</p>
<div id="detail-body">Loading…</div>`;
    document.getElementById('close').addEventListener('click', () => {
      state.cell = '';
      render();
    });
    let d;
    try {
      d = await loadDetail(run, key, scenario);
    } catch (err) {
      document.getElementById('detail-body').textContent = String(err.message);
      return;
    }
    if (state.cell !== `${scenario}|${key}`) return; // another cell was opened meanwhile
    const checks = d.checks
      .map(
        (c) =>
          `<tr><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : c.level === 'must' ? '✗' : '△'}</td><td>${esc(c.title)}${c.spec ? ` <a href="${esc(data.specBase)}${esc(c.spec)}">${esc(c.spec)}</a>${c.step ? ` ${esc(c.step)}` : ''}` : ''}</td><td>${esc(c.expected)}</td><td>${esc(c.observed)}</td></tr>`,
      )
      .join('');
    const pictures = d.pictures
      .map(
        (p) =>
          `<tr><td>${esc(p.referenceScenario ?? '(this is a reference)')}</td><td>${p.meanAbsDiff ?? '—'}</td><td>${p.maxAbsDiff ?? '—'}</td><td>${p.stdDev}</td><td>${p.threshold}</td></tr>`,
      )
      .join('');
    let previous = '';
    if (mark) {
      const before = v.cells[scenario]?.[mark.from];
      const theirs = before && (await loadDetail(before.run, mark.from, scenario).catch(() => null));
      if (theirs) {
        // As multisets: a step recorded twice before and once now is one step missing.
        const minus = (xs, ys) => {
          const left = [...ys];
          return xs.filter((x) => {
            const i = left.indexOf(x);
            if (i < 0) return true;
            left.splice(i, 1);
            return false;
          });
        };
        const gone = minus(theirs.steps, d.steps);
        const added = minus(d.steps, theirs.steps);
        previous = `<h3>Against ${esc(build(mark.from).version)}</h3><ul id="detail-seqdiff">${gone.map((x) => `<li class="bad">− ${esc(x)}</li>`).join('')}${added.map((x) => `<li class="ok">+ ${esc(x)}</li>`).join('')}${gone.length + added.length ? '' : '<li class="muted">same steps, another order</li>'}</ul>`;
      }
    }
    document.getElementById('detail-body').innerHTML =
      `<p>${esc(d.reason)}</p>${d.expectedReason ? `<p class="muted">expected because: ${esc(d.expectedReason)}</p>` : ''}
${d.attempts.length > 1 ? `<p>attempts: ${d.attempts.map(esc).join(' → ')}</p>` : ''}
<h3>Rules</h3><table id="detail-rules"><tr><th></th><th>rule and spec</th><th>expected</th><th>observed</th></tr>${checks || '<tr><td colspan="4" class="muted">no rules were checked</td></tr>'}</table>
<h3>Recorded sequence</h3>${d.diagram ? '<div id="diagram">drawing…</div>' : '<p class="muted">no timeline was recorded</p>'}
${previous}
${pictures ? `<h3>Picture check</h3><table id="detail-pictures"><tr><th>reference</th><th>mean diff</th><th>max diff</th><th>luma σ</th><th>threshold</th></tr>${pictures}</table><p class="muted">The frames themselves stay with the run's test results (out/test-results).</p>` : ''}
<details><summary>${d.steps.length} steps</summary><ol>${d.steps.map((x) => `<li>${esc(x)}</li>`).join('')}</ol></details>`;
    if (d.diagram) {
      try {
        const mermaid = await mermaidLib();
        const { svg } = await mermaid.render(`seq${++diagrams}`, d.diagram);
        const el = document.getElementById('diagram');
        if (el && state.cell === `${scenario}|${key}`) el.innerHTML = svg;
      } catch (err) {
        const el = document.getElementById('diagram');
        if (el) el.innerHTML = `<pre>${esc(d.diagram)}</pre><p class="bad">${esc(err.message ?? err)}</p>`;
      }
    }
  }

  function render() {
    writeHash();
    const v = view();
    const columns = columnsOf(v.keys);
    const changed = changes(columns, v.cells);
    const nChanges = Object.values(changed).reduce((n, byKey) => n + Object.keys(byKey).length, 0);
    const compare = state.compare && data.runs.find((r) => r.id === state.compare);
    const target = v.run ?? data.runs.at(-1);
    app.innerHTML = `<div class="controls">
      <label>run <select id="run"><option value="">latest result of every build (all runs)</option>${runOptions(state.run)}</select></label>
      <label>compare with <select id="compare"><option value="">—</option>${runOptions(state.compare)}</select></label>
      <label>group <select id="group"><option value="">all</option>${Object.entries(data.groups)
        .map(
          ([g, n]) => `<option value="${esc(g)}"${g === state.group ? ' selected' : ''}>${esc(g)} · ${esc(n)}</option>`,
        )
        .join('')}</select></label>
      <label>verdict <select id="verdict"><option value="">any</option>${VERDICTS.map((x) => `<option${x === state.verdict ? ' selected' : ''}>${x}</option>`).join('')}</select></label>
      <label>search <input id="q" value="${esc(state.q)}" placeholder="scenario id or title"></label>
      ${v.run?.cross ? `<a href="${esc(v.run.cross)}">cross-browser sequences of this run</a>` : ''}
    </div>${legend}
    ${v.run && v.run.scope !== 'full' ? `<div class="partial" id="partial"><b>${v.run.scope === 'partial' ? 'Partial run' : 'Coverage not recorded'}</b>${v.run.gaps.length ? `: ${v.run.gaps.map(esc).join('; ')}` : ' (this run was stored before runs recorded their selection)'}</div>` : ''}
    <p class="muted" id="changes-count">${nChanges} change(s) between neighbouring versions in view.</p>
    ${ratios(v, columns)}${grid(v, columns, changed)}<div id="below">${compare ? diff(compare, target) : ''}</div>`;
    for (const id of ['run', 'compare', 'group', 'verdict']) {
      document.getElementById(id).addEventListener('change', (e) => {
        state[id] = e.target.value;
        render();
      });
    }
    document.getElementById('q').addEventListener('change', (e) => {
      state.q = e.target.value;
      render();
    });
    for (const el of document.querySelectorAll('[data-cell]')) {
      el.addEventListener('click', () => {
        state.cell = el.dataset.cell;
        render();
      });
    }
    drill(v, changed);
  }

  window.addEventListener('hashchange', () => {
    readHash();
    render();
  });
  readHash();
  render();
})();
