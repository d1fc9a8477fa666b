// Runs the one scenario a run names (runner.html?run=<id>), then reports the page's timeline to the
// server, which is where tests read it from (so any driver can run this page).
import { Recorder, PreconditionFailed, StepFailed } from './recorder.js';
import { Harness, emeApiSurface } from './harness.js';

const statusLine = document.getElementById('status');
const log = document.getElementById('log');

function show(text) {
  statusLine.textContent = text;
}

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${body?.message ?? ''}`);
  return body;
}

function outcomeOf(error) {
  if (error instanceof PreconditionFailed) return { status: 'precondition-failed', reason: error.message };
  if (error instanceof StepFailed) return { status: 'stopped', reason: error.message };
  return { status: 'harness-error', reason: String(error?.stack ?? error) };
}

async function report(runId, timeline) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await fetchJson(`/api/runs/${runId}/timeline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(timeline),
      });
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  throw lastError;
}

async function main() {
  const runId = new URLSearchParams(location.search).get('run');
  if (!runId) {
    show('no run: open runner.html?run=<id> with an id from POST /api/runs');
    document.body.dataset.state = 'no-run';
    return;
  }
  const rec = new Recorder();
  rec.listeners.add((e) => { log.textContent += `#${e.seq} ${e.t.toFixed(1)}ms ${e.type} ${e.target}.${e.name}\n`; });
  let outcome;
  try {
    const run = await fetchJson(`/api/runs/${runId}`);
    show(`running ${run.scenario}`);
    rec.note('runner', 'start', { scenario: run.scenario, module: run.module, params: run.params, keyIds: run.keyIds });
    const scenario = await import(`./scenarios/${run.module}.js`);
    await scenario.run(new Harness(rec, run), run.params);
    outcome = { status: 'completed' };
  } catch (error) {
    outcome = outcomeOf(error);
  }
  rec.note('runner', 'end', outcome);
  const environment = {
    userAgent: navigator.userAgent,
    isSecureContext: window.isSecureContext,
    origin: location.origin,
    emeApi: emeApiSurface(),
  };
  await report(runId, { entries: rec.entries, outcome, environment });
  show(`done: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`);
  document.body.dataset.state = 'done';
}

main().catch((error) => {
  show(`runner failed: ${error}`);
  document.body.dataset.state = 'failed';
});
