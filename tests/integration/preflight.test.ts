// A missing browser is found before any test, in one line that names it and the command that installs
// it, whether the run starts from `eme-compat run` or from `playwright test`; a --reporter given to
// Playwright directly says that it drops the compatibility reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describeMissing, findMissingBrowsers } from '../../harness/browsers/preflight.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';

const profileFile = join(mkdtempSync(join(tmpdir(), 'eme-preflight-')), 'gone.json');
writeFileSync(
  profileFile,
  JSON.stringify([
    { project: 'chromium', label: 'Debian Chromium', engine: 'chromium', executablePath: '/usr/bin/chromium' },
    {
      project: 'gone',
      label: 'A browser that is not installed',
      engine: 'firefox',
      executablePath: '/opt/no-such-firefox/firefox',
    },
    {
      project: 'wd',
      label: 'WebDriver without its driver',
      engine: 'webkit',
      driver: 'webdriver',
      webdriver: { driverBinary: '/opt/no-such-driver', browserBinary: '/usr/bin/chromium' },
    },
  ]),
);

test('each missing binary is named once with its install command; installed ones are not', () => {
  const missing = findMissingBrowsers(loadProfiles(profileFile));
  assert.deepEqual(
    missing.map((m) => [m.project, m.missing]),
    [
      ['gone', '/opt/no-such-firefox/firefox'],
      ['wd', '/opt/no-such-driver'],
    ],
  );
  assert.equal(
    describeMissing(missing),
    'browsers missing: gone (/opt/no-such-firefox/firefox), wd (/opt/no-such-driver) — install with: bash scripts/setup.sh',
  );
});

test('eme-compat run stops before Playwright with exit 2 and one line', () => {
  const r = spawnSync(process.execPath, ['bin/eme-compat.js', 'run', '--browsers', profileFile, '--project', 'gone'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(
    r.stderr.trim(),
    'eme-compat: browsers missing: gone (/opt/no-such-firefox/firefox) — install with: bash scripts/setup.sh',
  );
  assert.doesNotMatch(r.stdout, /Running \d+ test/);
});

test('playwright test fails in global setup, names the browser, and warns about a replacing --reporter', () => {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, 'test', '--project', 'gone', '--reporter', 'dot'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      EME_BROWSERS: profileFile,
      EME_PORT: '8797',
      EME_RESULTS_DIR: 'off',
      EME_REPORT_DIR: join(tmpdir(), 'eme-preflight-reports'),
    },
  });
  const out = r.stdout + r.stderr;
  assert.notEqual(r.status, 0);
  assert.match(
    out,
    /browsers missing: gone \(\/opt\/no-such-firefox\/firefox\) — install with: bash scripts\/setup\.sh/,
  );
  assert.doesNotMatch(out, /no-such-driver/, 'only the chosen project is checked');
  assert.match(out, /--reporter replaced the configured reporters, so this run writes no compatibility reports/);
  assert.ok(Date.now() - started < 30_000, 'no launch timeouts');
});
