// The environment is read in one place: defaults, the values that turn things off, and bad values
// named with the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../harness/config.ts';

test('defaults when nothing is set', () => {
  const c = readConfig({});
  assert.deepEqual(
    {
      browsers: c.browsers,
      port: c.port,
      baseURL: c.baseURL,
      externalServer: c.externalServer,
      retries: c.retries,
      reportDir: c.reportDir,
      resultsDir: c.resultsDir,
      allure: c.allureResultsDir,
    },
    {
      browsers: 'debian',
      port: 8787,
      baseURL: 'http://127.0.0.1:8787',
      externalServer: false,
      retries: 0,
      reportDir: 'reports',
      resultsDir: 'results',
      allure: 'out/allure-results',
    },
  );
});

test('CI retries once, EME_RESULTS_DIR=off keeps no history, a base URL means an external server', () => {
  assert.equal(readConfig({ CI: 'true' }).retries, 1);
  assert.equal(readConfig({ CI: 'true', EME_RETRIES: '0' }).retries, 0);
  assert.equal(readConfig({ CI: 'false' }).ci, false);
  assert.equal(readConfig({ EME_RESULTS_DIR: 'off' }).resultsDir, null);
  const remote = readConfig({ EME_BASE_URL: 'http://10.0.0.2:9000', EME_PORT: '9000' });
  assert.equal(remote.baseURL, 'http://10.0.0.2:9000');
  assert.equal(remote.externalServer, true);
  assert.equal(readConfig({ EME_PORT: '' }).port, 8787, 'an empty variable counts as unset');
});

test('a bad value is refused with the variable and value named', () => {
  assert.throws(
    () => readConfig({ EME_PORT: '80a' }),
    /bad environment: EME_PORT="80a": EME_PORT must be a whole number/,
  );
  assert.throws(() => readConfig({ EME_BASE_URL: 'not a url' }), /EME_BASE_URL="not a url"/);
  assert.throws(
    () => readConfig({ EME_WORKERS: '-1', EME_PORT: 'x' }),
    /EME_WORKERS="-1".*EME_PORT="x"|EME_PORT="x".*EME_WORKERS="-1"/,
  );
});
