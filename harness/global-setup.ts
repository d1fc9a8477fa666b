// Playwright globalSetup: checks made once, before any test. The chosen browsers must be installed
// (one line naming what is missing, instead of a launch timeout per test), and a --reporter given on
// the command line, which replaces the configured list, must not drop the compatibility reports unseen.
import type { FullConfig } from '@playwright/test';
import type { BrowserProfile } from './browsers/profiles.ts';
import { describeMissing, findMissingBrowsers } from './browsers/preflight.ts';
import { projectMatcher, selectionFromArgv } from './selection.ts';

export default function globalSetup(config: FullConfig): void {
  if (!config.reporter.some(([name]) => name.endsWith('compat-reporter.ts'))) {
    console.warn(
      'eme-compat: --reporter replaced the configured reporters, so this run writes no compatibility reports, exports or history. ' +
        'Keep them with e.g. --reporter=list,./report/compat-reporter.ts, or use `eme-compat run --reporter <name>`.',
    );
  }
  const chosen = selectionFromArgv(process.argv, null).projects;
  const wanted = chosen ? projectMatcher(chosen) : () => true;
  const profiles = config.projects
    .filter((p) => wanted(p.name))
    .map((p) => (p.use as { emeProfile?: BrowserProfile }).emeProfile)
    .filter((p): p is BrowserProfile => !!p);
  const missing = findMissingBrowsers(profiles);
  if (missing.length) throw new Error(describeMissing(missing));
}
