// `eme-compat trace` end to end, in real Chromium and Firefox (run it under the browser lock): the
// harness server in-process, a small player page that knows nothing of the harness
// (pages/trace-fixtures/), the CLI as a user runs it. The timeline must come from the injected tracer
// alone: the page plays an encrypted asset through MSE and runs a lifecycle in a frame.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';
import { inOrder, traceCli } from './trace-cli.ts';
import { freePort } from '../../harness/browsers/processes.ts';
import { readTraceReport } from '../../report/trace/write.ts';
import { summariseSessions } from '../../report/trace/sessions.ts';
import { toSteps } from '../../report/sequence.ts';
import type { TraceReport } from '../../harness/trace/schema.ts';

let harness: LoopbackHarness;
let runId = '';

before(async () => {
  harness = await startLoopbackHarness('trace');
  runId = await harness.newRun('lifecycle.temporary.keyids', 'trace');
});
after(() => harness.close());

const player = (query: string) => `${harness.base}/trace-fixtures/clearkey-player.html?run=${runId}${query}`;

test('a player page and its frame traced in Chromium and Firefox, diffed and written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'eme-trace-'));
  const { code, out: said } = await traceCli([
    player('&frame=1'),
    '--project',
    'chromium',
    'firefox',
    '--until',
    "document.body.dataset.state === 'played' && document.querySelector('iframe').contentDocument.body.dataset.state === 'closed'",
    '--timeout',
    '30',
    '-o',
    out,
  ]);
  assert.equal(code, 0, said);
  for (const f of ['chromium.json', 'chromium.txt', 'firefox.json', 'firefox.txt', 'sequence-diff.txt', 'index.html'])
    assert.ok(existsSync(join(out, f)), `${f} written`);
  for (const project of ['chromium', 'firefox']) {
    const report: TraceReport = readTraceReport(join(out, `${project}.json`));
    assert.equal(report.status, 'traced', report.reason);
    assert.ok(report.conditionMet);
    const entries = report.record!.page!.entries;
    assert.equal(entries.filter((e) => e.type === 'note').length, 0, 'nothing from the runner');
    const steps = toSteps(entries);
    const calls = entries.filter((e) => e.type === 'call').map((e) => `${e.target}.${e.name}`);
    // The player's conversation, as the issue asks for it, with the media element's part.
    assert.equal(
      inOrder(steps, [
        /^E:video\.encrypted$/,
        /^navigator\.requestMediaKeySystemAccess ✓$/,
        /^access\.createMediaKeys ✓$/,
        /^video\.setMediaKeys ✓$/,
        /^mediaKeys\.createSession ✓$/,
        /^s1\.generateRequest ✓$/,
        /^E:s1\.message\(license-request\)$/,
        /^s1\.update ✓$/,
        /^E:s1\.keystatuseschange\(usable\)$/,
        /^E:video\.playing$/,
        /^E:video\.progress\(1\.5 s\)$/,
      ]),
      null,
      project,
    );
    // The frame's lifecycle, under its own labels.
    assert.ok(calls.includes('d2-s1.close'), `${project}: the frame's close() was traced`);
    const sessions = summariseSessions(report.record!);
    assert.deepEqual(sessions.map((s) => `${s.label} ${s.states.at(-1)}, ${s.departures.length} departures`).sort(), [
      'd2-s1 closed, 0 departures',
      's1 licensed, 0 departures',
    ]);
    assert.ok(report.documents.some((d) => d.prefix === 'd2-' && d.url.includes('frame-lifecycle.html')));
    const encrypted = entries.find((e) => e.name === 'encrypted');
    assert.equal(encrypted?.data?.['initDataType'], 'cenc');
    const message = entries.find((e) => e.name === 'message' && e.target === 's1');
    assert.equal((message?.data?.['message'] as { json?: { type?: string } } | undefined)?.json?.type, 'temporary');
  }
});

test('a --script starts the page; --until-event keystatuseschange ends the wait', async () => {
  const out = mkdtempSync(join(tmpdir(), 'eme-trace-'));
  const script = join(out, 'start.js');
  writeFileSync(script, 'window.startPlayer();\n');
  const { code, out: said } = await traceCli([
    player('&wait=1'),
    '-p',
    'chromium',
    '--script',
    script,
    '--until-event',
    'keystatuseschange',
    '-o',
    out,
  ]);
  assert.equal(code, 0, said);
  const report = readTraceReport(join(out, 'chromium.json'));
  assert.match(report.reason, /keystatuseschange held after/);
  assert.ok(report.record!.page!.entries.some((e) => e.name === 'keystatuseschange'));

  // Without the script, the page waits for a start that never comes: no EME call, exit 1.
  const idle = await traceCli([
    player('&wait=1'),
    '-p',
    'chromium',
    '--timeout',
    '2',
    '-o',
    mkdtempSync(join(tmpdir(), 'eme-trace-')),
  ]);
  assert.equal(idle.code, 1, idle.out);
  assert.match(idle.out, /NO EME CALLS/);
});

test('clear errors: a script that throws, an unreachable URL (exit 3); bad usage (exit 2) starts no browser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eme-trace-'));
  const throwing = join(dir, 'throw.js');
  writeFileSync(throwing, "throw new Error('no play button here');\n");
  const threw = await traceCli([player('&wait=1'), '-p', 'chromium', '--script', throwing, '-o', dir]);
  assert.equal(threw.code, 3, threw.out);
  assert.match(threw.out, /the --script threw in the page: .*no play button here/);

  const port = await freePort(); // free a moment ago: nothing listens there
  const closed = await traceCli([`http://127.0.0.1:${port}/player.html`, '-p', 'chromium', '-o', dir]);
  assert.equal(closed.code, 3, closed.out);
  assert.match(
    closed.out,
    new RegExp(`could not load http://127\\.0\\.0\\.1:${port}/player\\.html: net::ERR_CONNECTION_REFUSED`),
  );

  const webkit = await traceCli([player(''), '-p', 'webkit', '-o', dir]);
  assert.equal(webkit.code, 3, webkit.out);
  assert.match(webkit.out, /NOT-TRACEABLE/);

  for (const [args, said] of [
    [['not a url'], /is not a URL/],
    [[player(''), '--until', 'video.currentTime >'], /--until is not a JavaScript expression/],
    [[player(''), '--until-event', 'keystatuschange'], /choose one of/],
    [[player(''), '--script', join(dir, 'missing.js')], /cannot read the --script file/],
    [[player(''), '-p', 'safari'], /no project "safari"/],
    [[player(''), '--timeout', '0'], /expected seconds/],
  ] as const) {
    const r = await traceCli([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.out, said);
  }
});
