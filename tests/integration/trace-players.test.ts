// `eme-compat trace` on a page that plays with a real player (pages/players/play.html: Shaka Player,
// dash.js, hls.js from npm), in real Chromium and Firefox (run it under the browser lock). The page
// knows nothing of the harness; the player's whole EME conversation must come out of the tracer, and
// the cross-browser diff of it must be written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';
import { inOrder, traceCli } from './trace-cli.ts';
import { readTraceReport } from '../../report/trace/write.ts';
import { toSteps } from '../../report/sequence.ts';

let harness: LoopbackHarness;
let runId = '';

before(async () => {
  harness = await startLoopbackHarness('trace-players');
  runId = await harness.newRun('lifecycle.temporary.keyids', 'trace');
});
after(() => harness.close());

/** Traces `url` until the page says it played, in Chromium and Firefox unless `browsers` says otherwise. */
async function trace(url: string, out: string, browsers: string[] = ['-p', 'chromium', 'firefox']) {
  const { code, out: said } = await traceCli([
    url,
    ...browsers,
    '--until',
    "document.body.dataset.state === 'played'",
    '--timeout',
    '30',
    '-o',
    out,
  ]);
  return { code, said };
}

// dash.js plays the WebM asset: its MPDs for the MP4s carry a common-system pssh that dash.js 5.2.1
// mishandles (the player group reports that); this test is about tracing, so it takes what plays.
const PAGES = [
  { player: 'shaka', asset: 'h264-cenc' },
  { player: 'dashjs', asset: 'vp9-opus-webm' },
  { player: 'hlsjs', asset: 'h264-cenc' },
];

for (const { player, asset } of PAGES) {
  test(`${player}: the conversation traced in Chromium and Firefox, and its diff written`, async () => {
    const out = mkdtempSync(join(tmpdir(), `eme-trace-${player}-`));
    const url = `${harness.base}/players/play.html?player=${player}&asset=${asset}&run=${runId}`;
    const { code, said } = await trace(url, out);
    assert.equal(code, 0, said);
    assert.ok(existsSync(join(out, 'sequence-diff.txt')), 'the cross-browser diff is written');
    assert.match(readFileSync(join(out, 'sequence-diff.txt'), 'utf8'), /chromium \(reference\)[\s\S]*firefox/);
    for (const project of ['chromium', 'firefox']) {
      const report = readTraceReport(join(out, `${project}.json`));
      assert.equal(report.status, 'traced', report.reason);
      assert.ok(report.conditionMet, `${project}: ${report.reason}`);
      const steps = toSteps(report.record!.page!.entries);
      assert.equal(
        inOrder(steps, [
          // Access: Shaka asks through MediaCapabilities.decodingInfo(), the others directly.
          /^(navigator\.requestMediaKeySystemAccess|mediaCapabilities\.decodingInfo) ✓$/,
          /^mediaKeys\.createSession ✓$/,
          /^s1\.generateRequest ✓$/,
          /^E:s1\.message\(license-request\)$/,
          // update()'s result and keystatuseschange come in either order (Firefox: the event first).
          /^E:s1\.keystatuseschange\(usable\)$/,
          /^E:video\.progress\(1\.5 s\)$/,
        ]),
        null,
        `${player} in ${project}`,
      );
      assert.ok(steps.includes('s1.update ✓'), `${player} in ${project}: s1.update resolved`);
    }
  });
}

test('the puppeteer driver traces too (the Firefox builds Playwright cannot drive), frames included', async () => {
  // Debian's Firefox ESR through puppeteer-core over BiDi, as `firefox-esr@140` is driven in a sweep.
  const out = mkdtempSync(join(tmpdir(), 'eme-trace-puppeteer-'));
  const profiles = join(out, 'profiles.json');
  writeFileSync(
    profiles,
    JSON.stringify([
      {
        project: 'firefox-puppeteer',
        label: 'Firefox ESR through puppeteer',
        engine: 'firefox',
        driver: 'puppeteer',
        executablePath: '/usr/bin/firefox-esr',
        prefs: { 'media.autoplay.default': 0 },
      },
    ]),
  );
  const url = `${harness.base}/trace-fixtures/clearkey-player.html?run=${runId}&frame=1`;
  const { code, said } = await trace(url, out, ['--browsers', profiles]);
  assert.equal(code, 0, said);
  const report = readTraceReport(join(out, 'firefox-puppeteer.json'));
  assert.equal(report.status, 'traced', report.reason);
  assert.equal(report.browser?.driver, 'puppeteer');
  const steps = toSteps(report.record!.page!.entries);
  assert.equal(
    inOrder(steps, [
      /^navigator\.requestMediaKeySystemAccess ✓$/,
      /^mediaKeys\.createSession ✓$/,
      /^s1\.generateRequest ✓$/,
      /^E:s1\.message\(license-request\)$/,
      /^E:s1\.keystatuseschange\(usable\)$/,
    ]),
    null,
  );
  assert.ok(
    steps.some((x) => x.startsWith('d2-s1.close')),
    "the frame's lifecycle was traced",
  );
});
