// Allure 3 configuration (read by `allure generate --config allurerc.mjs`; report/allure.ts passes it).
// The history file lives OUTSIDE the report folder, which report/allure.ts empties before each build:
// Allure 3 reads it for the trend charts and each test's history, then appends this run to it.
// EME_ALLURE_* are set by report/allure.ts; the defaults serve a hand-run `npx allure generate`, which
// does not empty its output folder (into an earlier report it nests the new one under awesome/):
// build with `npm run allure` instead.
const env = process.env;

export default {
  name: 'EME compatibility',
  resultsDir: 'out/allure-results',
  output: 'out/allure-report',
  historyPath: env.EME_ALLURE_HISTORY || `${env.EME_RESULTS_DIR || 'results'}/allure-history.jsonl`,
  // Runs kept in the history file (Allure trims the oldest when it appends).
  historyLimit: Number(env.EME_ALLURE_HISTORY_LIMIT || 30),
  // report/allure.ts turns this off when it rebuilds a run the history already holds.
  appendHistory: env.EME_ALLURE_APPEND_HISTORY !== '0',
  plugins: {
    // One plugin, so Allure moves its files to the top of the output folder (index.html there).
    awesome: { options: { reportName: 'EME compatibility', singleFile: false } },
    // Allure adds its agent plugin when none is configured; it writes nothing here, so keep it off.
    agent: { enabled: false },
  },
};
