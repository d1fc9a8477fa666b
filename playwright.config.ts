// The one place that knows which browsers run: projects come from the browser profiles selected by
// EME_BROWSERS (default: Debian's chromium, firefox-esr and WebKitGTK). See README "Choosing browsers".
import { defineConfig } from '@playwright/test';
import { cpus } from 'node:os';
import { browserSetName, loadProfiles, type BrowserProfile } from './harness/browsers/profiles.ts';
import { reporters } from './report/reporters.ts';
import { readConfig } from './harness/config.ts';

const config = readConfig();
const { port, baseURL, retries } = config;
const profiles = loadProfiles();
const browserSet = browserSetName();
// One folder per invocation: the server reloads its folder on start, and old runs need not be read.
const runsDir = config.runsDir ?? `out/runs/${new Date().toISOString().replace(/[:.]/g, '-')}`;
// EME_CORS_ORIGINS, validated by readConfig (no quote can be in one), as the server's flags.
const corsFlags = config.corsOrigins.map((origin) => ` --cors-origin '${origin}'`).join('');

export default defineConfig<object, { emeProfile: BrowserProfile; browserSet: string }>({
  testDir: './tests/e2e',
  outputDir: 'out/test-results',
  fullyParallel: true,
  forbidOnly: config.ci,
  // A retry catches a flaky scenario; the reporter keeps every attempt's verdict and says so.
  retries,
  workers: config.workers ?? Math.max(2, cpus().length),
  timeout: 60_000,
  // A --reporter on the command line replaces this list; globalSetup then says the compat reports are off.
  reporter: reporters({ merged: false }),
  globalSetup: './harness/global-setup.ts',
  // Traces where they help: the failed test's, or the first retry's when retries are on.
  use: { baseURL, trace: retries ? 'on-first-retry' : 'retain-on-failure' },
  webServer: config.externalServer
    ? undefined
    : {
        command: `node --import tsx server/main.ts --port ${port} --runs-dir ${runsDir}${corsFlags}`,
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
