// Config for `playwright merge-reports`: the same reporters as a run, fed by the blob reports of a
// sharded plan (local `eme-compat plan`, or the CI workflow's merge job).
import { defineConfig } from '@playwright/test';
import { reporters } from './report/reporters.ts';

export default defineConfig({
  testDir: './tests/e2e',
  reporter: reporters({ merged: true }),
});
