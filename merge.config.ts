// Config for `playwright merge-reports`: the same reporters as a run, fed by the blob reports of a
// sharded plan (local `eme-compat plan`, or the CI workflow's merge job).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests/e2e',
  reporter: [
    ['./report/compat-reporter.ts', { outputDir: process.env['EME_REPORT_DIR'] ?? 'reports' }],
    ['json', { outputFile: 'out/playwright-results.json' }],
    ['allure-playwright', { resultsDir: 'out/allure-results', detail: false, suiteTitle: true }],
  ],
});
