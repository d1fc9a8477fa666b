// The one reporter list of a run and of a merge (playwright.config.ts, merge.config.ts): the verdict
// list, the compatibility reports and exports, Playwright's JSON and HTML reports, and Allure results.
import type { ReporterDescription } from '@playwright/test';

export const COMPAT_REPORTER = './report/compat-reporter.ts';
export const PLAYWRIGHT_HTML_DIR = 'out/playwright-report';
/** One run's Allure results (the CLI empties the folder before a run or merge). */
export const ALLURE_RESULTS_DIR = process.env['EME_ALLURE_RESULTS'] ?? 'out/allure-results';

export function reporters(options: { merged: boolean }): ReporterDescription[] {
  return [
    ['./report/verdict-list-reporter.ts'],
    [COMPAT_REPORTER, { outputDir: process.env['EME_REPORT_DIR'] ?? 'reports', merged: options.merged }],
    ['json', { outputFile: 'out/playwright-results.json' }],
    ['html', { outputFolder: PLAYWRIGHT_HTML_DIR, open: 'never' }],
    ['./report/allure-reporter.ts', { resultsDir: ALLURE_RESULTS_DIR, detail: false, suiteTitle: true }],
  ];
}
