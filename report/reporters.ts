// The one reporter list of a run and of a merge (playwright.config.ts, merge.config.ts): the verdict
// list, the compatibility reports and exports, Playwright's JSON and HTML reports, and Allure results.
import type { ReporterDescription } from '@playwright/test';
import { readConfig } from '../harness/config.ts';

export const COMPAT_REPORTER = './report/compat-reporter.ts';
export const PLAYWRIGHT_HTML_DIR = 'out/playwright-report';
/** One run's Allure results (EME_ALLURE_RESULTS; the CLI empties the folder before a run or merge). */
export const allureResultsDir = (): string => readConfig().allureResultsDir;

export function reporters(options: { merged: boolean }): ReporterDescription[] {
  return [
    ['./report/verdict-list-reporter.ts'],
    [COMPAT_REPORTER, { outputDir: readConfig().reportDir, merged: options.merged }],
    ['json', { outputFile: 'out/playwright-results.json' }],
    ['html', { outputFolder: PLAYWRIGHT_HTML_DIR, open: 'never' }],
    ['./report/allure-reporter.ts', { resultsDir: allureResultsDir(), detail: false, suiteTitle: true }],
  ];
}
