// @ts-check
// Runs the one scenario a run names, then reports the page's timeline to the server, which is where
// tests read it from (so any driver can run this page). Two ways in:
// - runner.html?run=<id> runs at once (WebDriver, or a person debugging a run);
// - runner.html with no run loads, then waits for window.emeRunner.start(<id>). A driver can ready
//   such a page (in a new tab, or a used tab navigated anew) while the previous scenario runs,
//   hiding the page load.
//   It runs at most one scenario: every scenario still gets a document nothing else has used.
import { Recorder, PreconditionFailed, StepFailed } from './recorder.js';
import { emeApiSurface } from './eme-api.js';
import { Steps } from './steps.js';

/**
 * @import { RunInfo } from './steps.js'
 * @import { PageTimeline, RunOutcome } from '../../model/record.ts'
 */

const statusLine = /** @type {HTMLElement} */ (document.getElementById('status'));
const log = /** @type {HTMLElement} */ (document.getElementById('log'));

/** @param {string} text */
function show(text) {
  statusLine.textContent = text;
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function fetchJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => null);
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${body?.message ?? ''}`);
  return body;
}

/**
 * @param {unknown} error
 * @returns {RunOutcome}
 */
function outcomeOf(error) {
  if (error instanceof PreconditionFailed) return { status: 'precondition-failed', reason: error.message };
  if (error instanceof StepFailed) return { status: 'stopped', reason: error.message };
  // WebKit's stack carries no message line: lead with the message so the reason says what broke.
  const message = String(error);
  const stack = typeof (/** @type {any} */ (error)?.stack) === 'string' ? /** @type {any} */ (error).stack : '';
  return {
    status: 'harness-error',
    reason: stack.includes(message) ? stack : [message, stack].filter(Boolean).join('\n'),
  };
}

/**
 * @param {string} runId
 * @param {PageTimeline} timeline
 */
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

// A tab reused for a new document must not keep the previous one alive (a back/forward cache entry
// would keep its sessions and media): each document says on leaving whether it was kept, and the next
// document in the tab refuses to run after one that was.
const LEFT_KEY = 'eme-compat:previous-document';
addEventListener('pagehide', (event) => {
  try {
    sessionStorage.setItem(LEFT_KEY, JSON.stringify({ persisted: event.persisted }));
  } catch {
    // storage refused (e.g. an opaque origin): nothing to check against
  }
});

function previousDocumentKept() {
  try {
    const left = JSON.parse(sessionStorage.getItem(LEFT_KEY) ?? 'null');
    sessionStorage.removeItem(LEFT_KEY);
    return left?.persisted === true;
  } catch {
    return false;
  }
}

/** @param {string} runId */
async function runScenario(runId) {
  const rec = new Recorder();
  rec.listeners.add((e) => {
    log.textContent += `#${e.seq} ${e.t.toFixed(1)}ms ${e.type} ${e.target}.${e.name}\n`;
  });
  /** @type {RunOutcome} */
  let outcome;
  try {
    if (previousDocumentKept()) {
      throw new Error(
        'the previous document in this tab was kept in the back/forward cache, so its sessions may still be alive: isolation between scenarios is not assured',
      );
    }
    /** @type {RunInfo} */
    const run = await fetchJson(`/api/runs/${runId}`);
    show(`running ${run.scenario}`);
    rec.note('runner', 'start', { scenario: run.scenario, module: run.module, params: run.params, keyIds: run.keyIds });
    const scenario = await import(`./scenarios/${run.module}.js`);
    await scenario.run(new Steps(rec, run), run.params);
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

/** @param {unknown} error */
function fail(error) {
  show(`runner failed: ${error}`);
  document.body.dataset.state = 'failed';
}

const runId = new URLSearchParams(location.search).get('run');
if (runId) {
  runScenario(runId).catch(fail);
} else {
  let started = false;
  /** @type {any} */ (window).emeRunner = {
    /** @param {unknown} id */
    start(id) {
      if (started) throw new Error('this runner page has already run a scenario; open a fresh one');
      if (typeof id !== 'string' || !id) throw new TypeError('emeRunner.start() needs a run id from POST /api/runs');
      started = true;
      runScenario(id).catch(fail);
    },
  };
  show('armed: waiting for emeRunner.start(<run id>) (or open runner.html?run=<id> with an id from POST /api/runs)');
  document.body.dataset.state = 'armed';
}
