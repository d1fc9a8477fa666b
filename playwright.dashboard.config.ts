// The dashboard's own test: runs after the matrix (npm test's step "dashboard"), against the static
// site `eme-compat dashboard` built from the results history, in the first Playwright-driven Chromium
// of the selected browser set.
import { defineConfig } from '@playwright/test';
import { loadProfiles } from './harness/browsers/profiles.ts';

const chromium = loadProfiles().find((p) => p.engine === 'chromium' && p.driver === 'playwright');

export default defineConfig({
  testDir: './tests/dashboard',
  outputDir: 'out/dashboard-test-results',
  reporter: [['list'], ['json', { outputFile: 'out/dashboard-results.json' }]],
  projects: [
    {
      name: 'dashboard',
      use: {
        browserName: 'chromium',
        ...(chromium?.channel ? { channel: chromium.channel } : {}),
        ...(chromium?.executablePath ? { launchOptions: { executablePath: chromium.executablePath } } : {}),
        viewport: { width: 1400, height: 1000 },
      },
    },
  ],
});
