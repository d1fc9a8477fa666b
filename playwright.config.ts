// The one place that knows which browsers run: projects come from the browser profiles selected by
// EME_BROWSERS (default: Debian's chromium, firefox-esr and WebKitGTK). See README "Choosing browsers".
import { defineConfig } from '@playwright/test';
import { cpus } from 'node:os';
import { browserSetName, loadProfiles, type BrowserProfile } from './harness/browsers/profiles.ts';
import { reporters } from './report/reporters.ts';

const port = Number(process.env['EME_PORT'] ?? 8787);
const baseURL = process.env['EME_BASE_URL'] ?? `http://127.0.0.1:${port}`;
const profiles = loadProfiles();
const browserSet = browserSetName();
const retries = Number(process.env['EME_RETRIES'] ?? (process.env['CI'] ? 1 : 0));
// One folder per invocation: the server reloads its folder on start, and old runs need not be read.
const runsDir = process.env['EME_RUNS_DIR'] ?? `out/runs/${new Date().toISOString().replace(/[:.]/g, '-')}`;

export default defineConfig<object, { emeProfile: BrowserProfile; browserSet: string }>({
  testDir: './tests/e2e',
  outputDir: 'out/test-results',
  fullyParallel: true,
  forbidOnly: !!process.env['CI'],
  // A retry catches a flaky scenario; the reporter keeps every attempt's verdict and says so.
  retries,
  workers: Number(process.env['EME_WORKERS'] ?? Math.max(2, cpus().length)),
  timeout: 60_000,
  // A --reporter on the command line replaces this list; globalSetup then says the compat reports are off.
  reporter: reporters({ merged: false }),
  globalSetup: './harness/global-setup.ts',
  // Traces where they help: the failed test's, or the first retry's when retries are on.
  use: { baseURL, trace: retries ? 'on-first-retry' : 'retain-on-failure' },
  webServer: process.env['EME_BASE_URL']
    ? undefined
    : {
        command: `node --import tsx server/main.ts --port ${port} --runs-dir ${runsDir}`,
        url: `${baseURL}/api/health`,
        reuseExistingServer: false,
        timeout: 30_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
  projects: profiles.map((profile) => ({
    name: profile.project,
    ...(profile.scenarios ? { grep: new RegExp(profile.scenarios) } : {}),
    use: { emeProfile: profile, browserSet },
  })),
});
