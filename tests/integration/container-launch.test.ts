// Browsers started the way a GitHub Actions container job starts them: as root, with HOME belonging
// to the runner's uid 1001 (/github/home). Each Debian browser is launched through the harness's own
// launch code (startBrowser, as the Playwright fixtures do) and must open the runner page and report.
// Also: a browser that fails to launch keeps its whole message in the harness's error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserProfile, loadProfiles } from '../../harness/browsers/profiles.ts';
import { browserEnvironment } from '../../harness/browsers/processes.ts';
import { startBrowser } from '../../harness/browsers/start.ts';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario } from '../../harness/judge/index.ts';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';

/** The uid GitHub's hosted runners run as; container jobs get HOME=/github/home owned by it. */
const RUNNER_UID = 1001;
const isRoot = process.getuid?.() === 0;

/** Every binary a profile needs, each with the setup.sh engine that installs it. */
function binariesOf(profile: BrowserProfile): string[] {
  if (profile.driver === 'webdriver')
    return [profile.webdriver?.driverBinary, profile.webdriver?.browserBinary].filter((b): b is string => !!b);
  return profile.executablePath ? [profile.executablePath] : [];
}

function assertInstalled(profile: BrowserProfile) {
  for (const binary of binariesOf(profile)) {
    try {
      accessSync(binary, constants.X_OK);
    } catch {
      assert.fail(
        `${profile.label}: ${binary} is missing or not executable; install it with: bash scripts/setup.sh --browsers ${profile.engine}`,
      );
    }
  }
}

describe('browsers start in a GitHub container job (root, HOME owned by uid 1001)', {
  skip: isRoot ? false : 'needs root: the container condition is root with a HOME of another uid',
}, () => {
  let foreignHome = '';
  let savedHome: string | undefined;
  let harness: LoopbackHarness;

  before(async () => {
    foreignHome = mkdtempSync(join(tmpdir(), 'eme-github-home-'));
    chmodSync(foreignHome, 0o755);
    chownSync(foreignHome, RUNNER_UID, RUNNER_UID);
    savedHome = process.env['HOME'];
    process.env['HOME'] = foreignHome;
    harness = await startLoopbackHarness('container');
  });
  after(async () => {
    if (savedHome === undefined) delete process.env['HOME'];
    else process.env['HOME'] = savedHome;
    await harness?.close();
    if (foreignHome) rmSync(foreignHome, { recursive: true, force: true });
  });

  test('the condition is real: Firefox on its own refuses that HOME', () => {
    const firefox = loadProfiles('debian').find((p) => p.engine === 'firefox')!;
    assertInstalled(firefox);
    const screenshot = join(tmpdir(), `eme-refused-${process.pid}.png`);
    const run = spawnSync(firefox.executablePath!, ['--headless', '--screenshot', screenshot, 'about:blank'], {
      env: { ...process.env, HOME: foreignHome },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(screenshot, { force: true });
    assert.notEqual(
      run.status,
      0,
      'Firefox started as root with a HOME of uid 1001; this machine does not reproduce the GitHub condition',
    );
    assert.match(run.stderr, /Running Firefox as root in a regular user's session is not supported/);
  });

  test("the harness gives browsers a HOME of root's own", () => {
    const { env, home } = browserEnvironment();
    assert.notEqual(env['HOME'], foreignHome);
    assert.match(home ?? '', new RegExp(`belongs to uid ${RUNNER_UID}`));
    // With a root-owned HOME nothing changes.
    const unchanged = browserEnvironment({ ...process.env, HOME: env['HOME'] });
    assert.equal(unchanged.home, null);
    assert.equal(unchanged.env['HOME'], env['HOME']);
  });

  for (const profile of loadProfiles('debian')) {
    test(`${profile.project}: ${profile.label} starts and opens a page`, async () => {
      assertInstalled(profile);
      assert.equal(process.env['HOME'], foreignHome);
      const browser = await startBrowser(profile);
      try {
        const runId = await harness.newRun('probe.clearkey', profile.project);
        const page = await browser.startRun(harness.base, runId);
        const record = await harness.finished(runId, 30_000);
        await page.close({ clean: true });
        assert.ok(record.page, 'the runner page never reported');
        assert.match(record.page.environment.userAgent, /\S/);
        assert.notEqual(record.page.outcome.status, 'harness-error', record.page.outcome.reason);
        const { verdict, reason } = judgeScenario(findScenario('probe.clearkey')!, record);
        assert.ok(
          ['pass', 'unsupported'].includes(verdict),
          `probe.clearkey in ${profile.project}: ${verdict} (${reason})`,
        );
      } finally {
        await browser.close();
      }
      // The browser wrote nothing into the runner user's home (no root-owned files left there).
      assert.deepEqual(readdirSync(foreignHome), [], `${profile.project} wrote into the foreign HOME`);
    });
  }
});

describe("a launch failure keeps the browser's whole message", () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eme-broken-browser-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** An executable that writes several lines to stderr and exits 1, as a browser refusing to start does. */
  function brokenBinary(name: string): string {
    const path = join(dir, name);
    writeFileSync(
      path,
      [
        '#!/bin/sh',
        'echo "first line: starting up" >&2',
        'echo "second line: checking the profile" >&2',
        'echo "third line: the real reason, $0 cannot run here" >&2',
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(path, 0o755);
    return path;
  }

  test('Playwright launch (Chromium engine)', async () => {
    const binary = brokenBinary('chromium');
    const profile = BrowserProfile.parse({
      project: 'broken',
      label: 'A broken Chromium',
      engine: 'chromium',
      executablePath: binary,
    });
    await assert.rejects(startBrowser(profile), (err: Error) => {
      assert.match(err.message, /^cannot launch A broken Chromium/);
      assert.match(err.message, /second line: checking the profile/);
      assert.match(err.message, /third line: the real reason, .*cannot run here/);
      assert.doesNotMatch(err.message, /\u001b\[/, 'terminal colour codes are stripped');
      return true;
    });
  });

  test('Playwright launch (Firefox engine)', async () => {
    const binary = brokenBinary('firefox');
    const profile = BrowserProfile.parse({
      project: 'broken',
      label: 'A broken Firefox',
      engine: 'firefox',
      channel: 'moz-firefox',
      executablePath: binary,
    });
    await assert.rejects(startBrowser(profile), (err: Error) => {
      assert.match(err.message, /^cannot launch A broken Firefox/);
      assert.match(err.message, /third line: the real reason/);
      return true;
    });
  });

  test('WebDriver server (WebKitWebDriver stand-in)', async () => {
    const binary = brokenBinary('WebKitWebDriver');
    const profile = BrowserProfile.parse({
      project: 'broken',
      label: 'A broken WebDriver',
      engine: 'webkit',
      driver: 'webdriver',
      webdriver: { driverBinary: binary },
    });
    await assert.rejects(startBrowser(profile), (err: Error) => {
      assert.match(err.message, /^cannot start A broken WebDriver: .* exited with code 1/);
      assert.match(err.message, /second line: checking the profile/);
      assert.match(err.message, /third line: the real reason/);
      return true;
    });
  });
});
