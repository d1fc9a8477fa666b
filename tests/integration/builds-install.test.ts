// Installing versioned builds for real, into a private cache: offline, an install fails with one
// message naming the registry's answer; a download already in the cache is unpacked into a build that
// runs (its version read from the binary), once — a second install reuses it; the CLI lists builds and
// refuses unknown ones with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../harness/config.ts';
import { InstallError, installBuilds } from '../../harness/builds/install.ts';
import { installedBuild } from '../../harness/builds/cache.ts';

/** Runs `body` with these environment variables set, then puts them back. */
async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('offline, an npm build fails with one clear message and leaves nothing half-installed', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'eme-builds-offline-'));
  await withEnv(
    // A registry nothing listens on, no retries: what an unreachable registry looks like to npm.
    { EME_BROWSER_CACHE: cache, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    async () => {
      await assert.rejects(installBuilds([{ family: 'chromium', major: 119 }]), (err: unknown) => {
        assert.ok(err instanceof InstallError);
        assert.match(err.message, /^chromium@119 is not available: .*the npm registry could not be asked/);
        assert.match(err.message, /\(npm: .*(ECONNREFUSED|request to http:\/\/127\.0\.0\.1:9)/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    },
  );
  assert.deepEqual(existsSync(join(cache, 'builds')) ? readdirSync(join(cache, 'builds')) : [], []);
});

test('a cached download is unpacked once into a build that names its version and source', async (t) => {
  // The download `npm test`'s sweep step (or `browsers install chromium@110`) leaves in the user's cache.
  const shared = join(readConfig().browserCache, 'downloads', 'sparticuz-chromium-110.0.1.tgz');
  if (!existsSync(shared)) return t.skip(`no ${shared} yet (install chromium@110 once)`);
  const cache = mkdtempSync(join(tmpdir(), 'eme-builds-cached-'));
  mkdirSync(join(cache, 'downloads'), { recursive: true });
  copyFileSync(shared, join(cache, 'downloads', 'sparticuz-chromium-110.0.1.tgz'));
  const lines: string[] = [];
  await withEnv(
    { EME_BROWSER_CACHE: cache, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    async () => {
      // The version list comes from the registry; offline, the install says so before unpacking anything,
      // so give the lookup a kept list as a previous online lookup would have left.
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        join(cache, 'npm-versions.json'),
        JSON.stringify({ at: Date.now(), versions: ['110.0.0', '110.0.1'] }),
      );
      const [build] = await installBuilds([{ family: 'chromium', major: 110 }], (l) => lines.push(l));
      assert.equal(build!.version, '110.0.5478.0');
      assert.equal(build!.source, 'npm:@sparticuz/chromium@110.0.1');
      assert.equal(build!.executablePath, join(cache, 'builds', 'chromium@110', 'chromium'));
      assert.ok(statSync(build!.executablePath).mode & 0o100, 'the binary is executable');
      assert.ok(existsSync(join(cache, 'builds', 'chromium@110', 'libGLESv2.so')), 'SwiftShader sits beside it');
      assert.ok(lines.some((l) => l.startsWith('chromium@110: using the download')));
      assert.ok(lines.some((l) => /^chromium@110: ready: 110\.0\.5478\.0/.test(l)));
      // Idempotent: the second install reports the build and unpacks nothing.
      const again: string[] = [];
      await installBuilds([{ family: 'chromium', major: 110 }], (l) => again.push(l));
      assert.deepEqual(again, ['chromium@110: installed (110.0.5478.0, npm:@sparticuz/chromium@110.0.1)']);
      assert.equal(installedBuild({ family: 'chromium', major: 110 }, cache)?.origin, 'cache');
    },
  );
});

test('the CLI lists builds with their state and refuses an unknown one with one line (exit 2)', () => {
  const cache = mkdtempSync(join(tmpdir(), 'eme-builds-cli-'));
  const env = { ...process.env, EME_BROWSER_CACHE: cache };
  const listed = spawnSync(process.execPath, ['bin/eme-compat.js', 'browsers', 'chromium@92,119'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /^chromium@92 +missing/m);
  assert.match(listed.stdout, /^chromium@119 +missing/m);
  const bad = spawnSync(process.execPath, ['bin/eme-compat.js', 'browsers', 'install', 'chromium@latest'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /expected <family>@<major>/);
});
