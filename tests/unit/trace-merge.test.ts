// The Node side of a trace, with recorded tracer messages and no browser: merging documents into one
// timeline, the trace report and its outcome, which browsers are traced, the exit code, the wait checks,
// and the cross-browser diff (document by document).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTrace } from '../../harness/trace/merge.ts';
import { toReport, traceInBrowser } from '../../harness/trace/run.ts';
import type { DriverTrace } from '../../harness/trace/watch.ts';
import type { TraceMessage, TraceReport, WaitSpec } from '../../harness/trace/schema.ts';
import { selectTraceBrowsers, TRACE_EXIT, traceExitCode } from '../../harness/trace/select.ts';
import { checkWait } from '../../harness/trace/wait.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';
import { formatTrace, formatTraceDiff, traceSteps } from '../../report/trace/text.ts';
import { summariseSessions } from '../../report/trace/sessions.ts';
import { renderTraceHtml } from '../../report/trace/html.ts';

const EME = { 'navigator.requestMediaKeySystemAccess': 'function', MediaKeys: 'function' };

function hello(
  doc: string,
  url: string,
  top: boolean,
  timeOrigin: number,
  emeApi: Record<string, string> = EME,
): TraceMessage {
  return {
    kind: 'document',
    doc,
    url,
    top,
    origin: new URL(url).origin === 'null' ? 'null' : new URL(url).origin,
    isSecureContext: true,
    userAgent: 'test',
    emeApi,
    timeOrigin,
  };
}

/** A document's lifecycle as the tracer sends it: seq per document, absolute times from `start`. */
function lifecycle(doc: string, start: number, step = 10): TraceMessage[] {
  const session = (keyStatuses: Record<string, string>) => ({
    sessionId: `${doc}-id`,
    expiration: 'NaN',
    keyStatuses,
    size: Object.keys(keyStatuses).length,
  });
  const entries: Record<string, unknown>[] = [
    { type: 'call', target: 'navigator', name: 'requestMediaKeySystemAccess', args: ['org.w3.clearkey', []] },
    { type: 'result', target: 'navigator', name: 'requestMediaKeySystemAccess', of: 0, outcome: 'resolved' },
    { type: 'call', target: 'mediaKeys', name: 'createSession', args: [], data: { label: 's1' } },
    { type: 'result', target: 'mediaKeys', name: 'createSession', of: 2, outcome: 'returned' },
    { type: 'call', target: 's1', name: 'generateRequest', args: ['keyids', {}] },
    { type: 'result', target: 's1', name: 'generateRequest', of: 4, outcome: 'resolved', session: session({}) },
    {
      type: 'event',
      target: 's1',
      name: 'message',
      data: { messageType: 'license-request', message: { bytes: 2, hex: '7b7d' } },
      session: session({}),
    },
    { type: 'call', target: 's1', name: 'update', args: [{}] },
    { type: 'result', target: 's1', name: 'update', of: 7, outcome: 'resolved', session: session({ aa: 'usable' }) },
    { type: 'event', target: 's1', name: 'keystatuseschange', session: session({ aa: 'usable' }) },
  ];
  return entries.map((entry, seq) => ({ kind: 'entry', doc, at: start + seq * step, entry: { ...entry, seq } }));
}

test('documents merge by time, keep their own order, renumber, and point results at their calls', () => {
  const messages = [
    hello('blank', 'about:blank', true, 900),
    hello('main', 'http://127.0.0.1:1/player.html', true, 1000),
    hello('frame', 'http://127.0.0.1:1/frame.html', false, 1003),
    ...lifecycle('main', 1100),
    ...lifecycle('frame', 1105),
  ];
  const merged = mergeTrace(messages);
  assert.equal(merged.entries.length, 20);
  assert.deepEqual(
    merged.entries.map((e) => e.seq),
    [...Array(20).keys()],
  );
  // Interleaved: main's entry at 1100, the frame's at 1105, main's at 1110...
  assert.deepEqual(
    merged.entries.slice(0, 4).map((e) => `${e.target}.${e.name}`),
    [
      'navigator.requestMediaKeySystemAccess',
      'navigator.requestMediaKeySystemAccess',
      'navigator.requestMediaKeySystemAccess',
      'navigator.requestMediaKeySystemAccess',
    ],
  );
  assert.deepEqual(merged.entries[0]!.data, undefined);
  assert.deepEqual(merged.entries[1]!.data, { document: 'd2' });
  // Times are ms since the main document started; every result points at its own document's call.
  assert.equal(merged.entries[0]!.t, 100);
  for (const r of merged.entries.filter((e) => e.type === 'result')) {
    const call = merged.entries[r.of!]!;
    assert.equal(call.type, 'call');
    assert.equal(call.name, r.name);
    assert.equal(call.target, r.target);
  }
  // The frame's session is prefixed, in its createSession call too, so the judge keeps the two apart.
  assert.deepEqual(
    merged.entries.filter((e) => e.type === 'call' && e.name === 'createSession').map((e) => e.data?.['label']),
    ['s1', 'd2-s1'],
  );
  assert.deepEqual(
    merged.documents.map((d) => [d.prefix, d.url, d.entries]),
    [
      ['', 'http://127.0.0.1:1/player.html', 10],
      ['d2-', 'http://127.0.0.1:1/frame.html', 10],
    ],
    'the initial about:blank is left out',
  );
  assert.equal(merged.environment?.origin, 'http://127.0.0.1:1');
});

test('an entry the schema refuses is dropped with its result, and says so', () => {
  const bad = lifecycle('main', 0).map((m) =>
    m.kind === 'entry' && m.entry.seq === 2 ? { ...m, entry: { ...m.entry, args: 'not a list' } } : m,
  );
  const merged = mergeTrace([hello('main', 'http://x.test/', true, 0), ...bad]);
  assert.equal(merged.entries.length, 8);
  assert.ok(!merged.entries.some((e) => e.name === 'createSession'));
  assert.match(merged.warnings.join('\n'), /dropped call mediaKeys\.createSession/);
});

const wait: WaitSpec = { until: null, untilEvent: 'keystatuseschange', timeoutMs: 5000, settleMs: 0, script: null };
const base = {
  schemaVersion: 1 as const,
  kind: 'eme-trace' as const,
  url: 'http://127.0.0.1:1/player.html',
  project: 'chromium',
  startedAt: '2026-12-02T00:00:00.000Z',
  wait,
};
const identity = {
  project: 'chromium',
  label: 'Chromium',
  engine: 'chromium',
  name: 'chromium',
  version: '156',
  channel: null,
  driver: 'playwright' as const,
  executablePath: null,
  args: [],
  prefs: {},
};
function driverTrace(over: Partial<DriverTrace>): DriverTrace {
  return {
    identity,
    messages: [hello('main', base.url, true, 0), ...lifecycle('main', 10)],
    loaded: true,
    conditionMet: true,
    failure: null,
    ended: 'keystatuseschange held after 1.0 s',
    pageErrors: [],
    rejectedMessages: 0,
    ...over,
  };
}

test('a trace report: the timeline is a run record the judge reads, with an outcome saying how the wait ended', () => {
  const ok = toReport(base, driverTrace({}), 1200);
  assert.equal(ok.status, 'traced');
  assert.equal(ok.emeCalls, 4);
  assert.equal(ok.record?.page?.outcome.status, 'completed');
  assert.equal(ok.record?.meta.scenario, 'trace');
  assert.deepEqual(summariseSessions(ok.record!), [
    {
      label: 's1',
      sessionId: 'main-id',
      states: ['created', 'request-generated', 'licensed'],
      departures: [],
      keyStatuses: { aa: 'usable' },
    },
  ]);
  assert.match(formatTrace(ok), /s1 \(id main-id\): created → request-generated → licensed; keys aa…=usable/);

  const unmet = toReport(base, driverTrace({ conditionMet: false, ended: 'no keystatuseschange within 5 s' }), 5000);
  assert.equal(unmet.record?.page?.outcome.status, 'stopped');
  const failed = toReport(base, driverTrace({ failure: 'the --script threw in the page: boom', loaded: false }), 10);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.reason, 'the --script threw in the page: boom');
  const absent = toReport(
    base,
    driverTrace({
      messages: [hello('main', base.url, true, 0, { 'navigator.requestMediaKeySystemAccess': 'undefined' })],
      conditionMet: false,
    }),
    5000,
  );
  assert.equal(absent.record?.page?.outcome.status, 'precondition-failed');
  assert.match(absent.reason, /requestMediaKeySystemAccess is undefined/);
  const unreachable = toReport(
    base,
    driverTrace({
      messages: [],
      failure: 'could not load x: net::ERR_CONNECTION_REFUSED',
      loaded: false,
      conditionMet: false,
    }),
    10,
  );
  assert.equal(unreachable.record, null);

  assert.equal(traceExitCode([ok]), TRACE_EXIT.ok);
  assert.equal(traceExitCode([ok, unmet]), TRACE_EXIT.incomplete);
  assert.equal(traceExitCode([ok, absent]), TRACE_EXIT.incomplete, 'no EME call seen');
  assert.equal(traceExitCode([ok, failed]), TRACE_EXIT.failed);
  assert.equal(traceExitCode([unmet, failed]), TRACE_EXIT.incomplete, 'both: 1, as the gate does');
});

test('a WebDriver-classic browser is reported not traceable, without being started', async () => {
  const webkit = loadProfiles('debian').find((p) => p.project === 'webkit')!;
  const report = await traceInBrowser(webkit, { url: base.url, wait, ignoreHttpsErrors: false }, () => {
    throw new Error('the driver must not be started');
  });
  assert.equal(report.status, 'not-traceable');
  assert.match(report.reason, /WebDriver classic cannot run a script before the page's own scripts/);
  assert.equal(traceExitCode([report]), TRACE_EXIT.failed);
});

test('browser selection: by default the traceable projects that are no scenario variant; --project as the CLI matches it', () => {
  const profiles = loadProfiles('debian');
  const auto = selectTraceBrowsers(profiles, undefined);
  assert.deepEqual(
    auto.chosen.map((p) => p.project),
    ['chromium', 'firefox'],
  );
  assert.deepEqual(
    auto.skipped.map((s) => s.project),
    ['webkit', 'firefox-persistent'],
  );
  assert.deepEqual(
    selectTraceBrowsers(profiles, ['webkit', 'FIRE*']).chosen.map((p) => p.project),
    ['firefox', 'webkit', 'firefox-persistent'],
  );
  assert.throws(() => selectTraceBrowsers(profiles, ['safari']), /no project "safari"; the browser set has chromium/);
});

test('wait checks: one condition, an expression that parses, a known event, a script that parses', () => {
  const w = (over: Partial<WaitSpec>): WaitSpec => ({ ...wait, untilEvent: null, ...over });
  assert.equal(checkWait(w({})), null);
  assert.equal(checkWait(w({ until: 'window.player && player.isReady()' })), null);
  assert.equal(checkWait(w({ untilEvent: 'keystatuseschange' })), null);
  assert.equal(
    checkWait(w({ script: "document.querySelector('video').play();\nawait new Promise((r) => setTimeout(r, 10));" })),
    null,
  );
  assert.match(checkWait(w({ until: 'a', untilEvent: 'message' }))!, /not both/);
  assert.match(checkWait(w({ until: 'video.currentTime >' }))!, /--until is not a JavaScript expression/);
  assert.match(checkWait(w({ untilEvent: 'keystatuschange' }))!, /choose one of message, keystatuseschange/);
  assert.match(checkWait(w({ script: 'document.querySelector(' }))!, /--script file does not parse/);
});

test('the cross-browser diff compares document by document, and marks what one browser lacks', () => {
  const twoDocs = (frameStart: number) =>
    toReport(
      base,
      driverTrace({
        messages: [
          hello('main', base.url, true, 0),
          hello('frame', 'http://127.0.0.1:1/f.html', false, 0),
          ...lifecycle('main', 10),
          ...lifecycle('frame', frameStart),
        ],
      }),
      1,
    );
  // The frame's steps fall between the main page's in one browser and after them in the other: timing only.
  const a = { ...twoDocs(12), project: 'chromium' };
  const b = { ...twoDocs(500), project: 'firefox' };
  assert.deepEqual(traceSteps(a), traceSteps(b));
  assert.match(formatTraceDiff([a, b]), /firefox: same steps/);
  // A browser whose page never got its license lacks the update and the keys.
  const short: TraceReport = {
    ...toReport(
      base,
      driverTrace({ messages: [hello('main', base.url, true, 0), ...lifecycle('main', 10).slice(0, 7)] }),
      1,
    ),
    project: 'firefox',
  };
  const diff = formatTraceDiff([toReport(base, driverTrace({}), 1), short]);
  assert.match(diff, /firefox: 2 missing/);
  assert.match(diff, /- s1\.update ✓/);
  assert.match(diff, /- E:s1\.keystatuseschange\(usable\)/);
});

test('the HTML page: summary, the aligned diff with its marks, sessions and diagrams, text escaped', () => {
  const full = toReport(base, driverTrace({}), 1);
  const short: TraceReport = {
    ...toReport(
      base,
      driverTrace({ messages: [hello('main', base.url, true, 0), ...lifecycle('main', 10).slice(0, 7)] }),
      1,
    ),
    project: 'firefox',
    reason: 'ended <script>',
  };
  const html = renderTraceHtml([full, short], { mermaid: true });
  assert.match(html, /<td class="missing">— missing: s1\.update ✓<\/td>/);
  assert.match(html, /<pre class="mermaid">sequenceDiagram/);
  assert.match(html, /created → request-generated → licensed/);
  assert.ok(!html.includes('ended <script>') && html.includes('ended &#60;script&#62;'), 'reasons are escaped');
  assert.ok(!renderTraceHtml([full], { mermaid: false }).includes('vendor/mermaid.min.js'));
});
