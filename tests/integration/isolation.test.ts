// Runs are kept apart: a browser that keeps a finished document alive in its back/forward cache is
// caught by the runner page, and the WebDriver isolation modes that avoid it really do. WebKitGTK is
// the browser here because it caches pages that Chromium and Firefox refuse to (EME pages).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrowserProfile, loadProfiles } from '../../harness/browsers/profiles.ts';
import { startBrowser } from '../../harness/browsers/start.ts';
import type { RunRecord } from '../../model/record.ts';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';

let harness: LoopbackHarness;

before(async () => {
  harness = await startLoopbackHarness('isolation');
});
after(() => harness.close());

/** Runs probe.clearkey twice in one browser session and returns both records. */
async function twoRuns(isolation: 'window' | 'navigate', browserArgs: string[]): Promise<RunRecord[]> {
  const local = loadProfiles('debian').find((p) => p.project === 'webkit')!;
  const profile = BrowserProfile.parse({ ...local, webdriver: { ...local.webdriver, browserArgs, isolation } });
  const browser = await startBrowser(profile);
  try {
    const records: RunRecord[] = [];
    for (let i = 0; i < 2; i++) {
      const runId = await harness.newRun('probe.clearkey', 'isolation');
      const page = await browser.startRun(harness.base, runId);
      records.push(await harness.finished(runId));
      await page.close({ clean: true });
    }
    return records;
  } finally {
    await browser.close();
  }
}

const outcome = (r: RunRecord) => `${r.page?.outcome.status}: ${r.page?.outcome.reason ?? ''}`;

test('one window with the back/forward cache on: the second run refuses to start', async () => {
  const [first, second] = await twoRuns('navigate', ['--automation']);
  assert.notEqual(first!.page?.outcome.status, 'harness-error', outcome(first!));
  assert.equal(second!.page?.outcome.status, 'harness-error');
  assert.match(second!.page?.outcome.reason ?? '', /back\/forward cache/);
});

test('one window with the page cache off (the Debian profile): both runs start', async () => {
  const local = loadProfiles('debian').find((p) => p.project === 'webkit')!;
  assert.ok(local.webdriver!.browserArgs.includes('--enable-page-cache=false'));
  for (const record of await twoRuns('navigate', local.webdriver!.browserArgs)) {
    assert.notEqual(record.page?.outcome.status, 'harness-error', outcome(record));
  }
});

test('a window per run with the cache on: both runs start', async () => {
  for (const record of await twoRuns('window', ['--automation'])) {
    assert.notEqual(record.page?.outcome.status, 'harness-error', outcome(record));
  }
});
