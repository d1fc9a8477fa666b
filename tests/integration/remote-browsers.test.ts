// Remote browsers by configuration: a Playwright browser server and a W3C WebDriver endpoint, both
// started here on loopback, driven through profiles exactly as a grid or device lab would be.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type BrowserServer } from '@playwright/test';
import { BrowserProfile, loadProfiles } from '../../harness/browsers/profiles.ts';
import { startBrowser } from '../../harness/browsers/start.ts';
import {
  freePort,
  startXvfb,
  stopProcess,
  waitForPort,
  type VirtualDisplay,
} from '../../harness/browsers/processes.ts';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';

let harness: LoopbackHarness;

before(async () => {
  harness = await startLoopbackHarness('remote');
});
after(() => harness.close());

async function runProbe(profile: BrowserProfile): Promise<{ verdict: string; version: string }> {
  const browser = await startBrowser(profile);
  try {
    const runId = await harness.newRun('probe.clearkey', profile.project);
    const page = await browser.startRun(harness.base, runId);
    const record = await harness.finished(runId);
    await page.close();
    return {
      verdict: judgeScenario(findScenario('probe.clearkey')!, record).verdict,
      version: browser.identity.version,
    };
  } finally {
    await browser.close();
  }
}

test('a Playwright browser server (connect by wsEndpoint) runs a scenario', async () => {
  const local = loadProfiles('debian').find((p) => p.project === 'chromium')!;
  const remote: BrowserServer = await chromium.launchServer({
    executablePath: local.executablePath!,
    args: local.args,
    host: '127.0.0.1',
  });
  try {
    const profile = BrowserProfile.parse({
      project: 'remote-chromium',
      label: 'Chromium via browser server',
      engine: 'chromium',
      connect: { wsEndpoint: remote.wsEndpoint() },
    });
    const { verdict, version } = await runProbe(profile);
    assert.equal(verdict, 'pass');
    assert.match(version, /^\d+\./);
  } finally {
    await remote.close();
  }
});

test('a WebDriver endpoint (webdriver.url) runs a scenario', async () => {
  let display: VirtualDisplay | undefined;
  let driver: ChildProcess | undefined;
  try {
    const env = { ...process.env };
    if (!env['DISPLAY']) {
      display = await startXvfb();
      env['DISPLAY'] = display.display;
    }
    const port = await freePort();
    driver = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`], { env, stdio: 'ignore' });
    await waitForPort(port, driver, 10_000, 'WebKitWebDriver');
    const local = loadProfiles('debian').find((p) => p.project === 'webkit')!;
    const profile = BrowserProfile.parse({
      project: 'remote-webkit',
      label: 'WebKitGTK via a WebDriver endpoint',
      engine: 'webkit',
      driver: 'webdriver',
      webdriver: {
        url: `http://127.0.0.1:${port}/`,
        browserBinary: local.webdriver!.browserBinary,
        browserArgs: local.webdriver!.browserArgs,
      },
    });
    const { verdict, version } = await runProbe(profile);
    assert.equal(verdict, 'unsupported', 'WebKitGTK has no EME: the true result, through a remote endpoint too');
    assert.match(version, /^\d+\./);
  } finally {
    if (driver) await stopProcess(driver);
    if (display) await display.stop();
  }
});
