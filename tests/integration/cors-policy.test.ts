// CORS for player pages on other origins (--cors-origin, EME_CORS_ORIGINS), over real HTTP: the server
// in-process twice, closed (the default) and with an allow-list, and the real entry refusing bad origins.
// The browser's side (a page on another origin playing, and failing without the flag) is cors-browsers.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { readConfig, webOrigin } from '../../harness/config.ts';
import { createServerApp } from '../../server/app.ts';
import { createHarnessServer } from '../../server/http-server.ts';
import { RunStore } from '../../server/run-store.ts';
import { KeyStore } from '../../model/keystore.ts';
import type { LicenseExchange, RunRecord } from '../../model/record.ts';

const PLAYER = 'https://player.example:8443';
const OTHER = 'https://elsewhere.example';

interface Harness {
  base: string;
  close(): Promise<void>;
}

async function startHarness(corsOrigins: string[]): Promise<Harness> {
  const store = await RunStore.open(await mkdtemp(join(tmpdir(), 'eme-cors-')));
  const server: Server = createHarnessServer(
    createServerApp({ store, keys: KeyStore.load('media/keys.json'), corsOrigins }).listener,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}

async function newRun(base: string): Promise<string> {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'cors' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** A Clear Key license request for the key store's first key, as a CDM writes it. */
function licenseRequest(): string {
  const [hex] = Object.values(KeyStore.load('media/keys.json').keyIds());
  return JSON.stringify({ kids: [Buffer.from(hex!, 'hex').toString('base64url')], type: 'temporary' });
}

const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });

const postLicense = (base: string, run: string, origin: string | undefined, seq: number) =>
  fetch(`${base}/license/${run}?session=s1&messageType=license-request`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'x-eme-page-seq': String(seq),
      ...(origin ? { origin } : {}),
    },
    body: licenseRequest(),
  });

const corsHeaders = (res: Response) =>
  [...res.headers.keys()].filter((h) => h.startsWith('access-control-') || h === 'vary');

describe('webOrigin and EME_CORS_ORIGINS', () => {
  test('origins are normalised as browsers send them', () => {
    assert.equal(webOrigin('https://Player.Example:443'), 'https://player.example');
    assert.equal(webOrigin(' http://localhost:3000/ '), 'http://localhost:3000');
    assert.equal(webOrigin('http://[::1]:9000'), 'http://[::1]:9000');
    assert.equal(webOrigin('https://bücher.example'), 'https://xn--bcher-kva.example');
  });

  test('anything that is not an origin is refused with the reason', () => {
    for (const [value, said] of [
      ['*', /"\*" is not allowed: name each origin/],
      ['null', /cannot be allowed/],
      ['player.example', /is not an origin \(write scheme:\/\/host\[:port\]/],
      ['https://player.example/app', /no path, query or fragment/],
      ['https://player.example?x=1', /no path, query or fragment/],
      ['ftp://player.example', /http: or https:, not ftp:/],
      ['https://user:pw@player.example', /no user name or password/],
      ["http://a'b.example", /DNS name or an IP address/],
      ['', /is not an origin/],
    ] as const)
      assert.throws(() => webOrigin(value), said, value);
  });

  test('EME_CORS_ORIGINS is a comma-separated list, each checked; unset means none', () => {
    assert.deepEqual(readConfig({}).corsOrigins, []);
    assert.deepEqual(
      readConfig({
        EME_CORS_ORIGINS: 'https://player.example:8443, http://LOCALHOST:3000,,https://player.example:8443',
      }).corsOrigins,
      ['https://player.example:8443', 'http://localhost:3000'],
    );
    assert.throws(
      () => readConfig({ EME_CORS_ORIGINS: 'https://player.example,*' }),
      /bad environment: EME_CORS_ORIGINS="https:\/\/player\.example,\*": "\*" is not allowed/,
    );
  });

  test('the server entry refuses a bad --cors-origin or EME_CORS_ORIGINS before it listens', () => {
    const flag = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--cors-origin', 'player.example'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.notEqual(flag.status, 0);
    assert.match(
      flag.stderr,
      /option '--cors-origin <origin>' argument 'player\.example' is invalid\. .*not an origin/,
    );
    assert.doesNotMatch(flag.stdout, /listening/);
    const env = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, EME_CORS_ORIGINS: 'https://player.example/app' },
    });
    assert.notEqual(env.status, 0);
    assert.match(env.stderr, /EME_CORS_ORIGINS="https:\/\/player\.example\/app": .*no path, query or fragment/);
    assert.doesNotMatch(env.stdout, /listening/);
  });
});

describe('without --cors-origin (the default) nothing is shared', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([]);
  });
  after(() => h.close());

  test('no CORS header (not even Vary) on media, licenses or their preflights; foreign writes refused', async () => {
    const run = await newRun(h.base);
    const media = await fetch(`${h.base}/media/manifest.json`, { headers: { origin: PLAYER } });
    assert.equal(media.status, 200);
    assert.deepEqual(corsHeaders(media), []);
    const pre = await preflight(`${h.base}/license/${run}`, PLAYER);
    assert.equal(pre.status, 403);
    assert.deepEqual(corsHeaders(pre), []);
    const post = await postLicense(h.base, run, PLAYER, 1);
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as { error: string }).error, 'forbidden-origin');
    assert.deepEqual(corsHeaders(post), []);
    const record = (await (await fetch(`${h.base}/api/runs/${run}/record`)).json()) as RunRecord;
    assert.equal(record.exchanges.length, 0, 'the refused request was not recorded');
  });
});

describe('with --cors-origin', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([PLAYER]);
  });
  after(() => h.close());

  test('a license preflight from the allowed origin: 204, that origin (never *), POST and the client headers', async () => {
    const run = await newRun(h.base);
    const res = await preflight(`${h.base}/license/${run}?session=s1`, PLAYER);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), PLAYER);
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST');
    assert.deepEqual(
      res.headers
        .get('access-control-allow-headers')
        ?.split(',')
        .map((s) => s.trim()),
      ['content-type', 'x-eme-page-seq'],
    );
    assert.equal(res.headers.get('vary'), 'Origin');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.equal(await res.text(), '');
  });

  test('media: GET, a byte range and a preflight carry the headers for the allowed origin only', async () => {
    const get = await fetch(`${h.base}/media/manifest.json`, { headers: { origin: PLAYER } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), PLAYER);
    assert.equal(get.headers.get('vary'), 'Origin');
    const ranged = await fetch(`${h.base}/media/clear/video-h264.mp4`, {
      headers: { origin: PLAYER, range: 'bytes=0-99' },
    });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 100);
    assert.equal(ranged.headers.get('access-control-allow-origin'), PLAYER);
    assert.match(ranged.headers.get('access-control-expose-headers') ?? '', /content-range/);
    const pre = await fetch(`${h.base}/media/clear/video-h264.mp4`, {
      method: 'OPTIONS',
      headers: { origin: PLAYER, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, HEAD');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'range');

    // Another origin: no Access-Control-* (the browser blocks it), but Vary, so no cache mixes the two.
    const foreign = await fetch(`${h.base}/media/manifest.json`, { headers: { origin: OTHER } });
    assert.equal(foreign.status, 200);
    assert.deepEqual(corsHeaders(foreign), ['vary']);
    const foreignPre = await preflight(`${h.base}/media/clear/video-h264.mp4`, OTHER, 'GET');
    assert.notEqual(foreignPre.status, 204);
    assert.deepEqual(corsHeaders(foreignPre), ['vary']);
  });

  test('licenses: the allowed origin may POST and read the answer, errors included; another origin is refused', async () => {
    const run = await newRun(h.base);
    const ok = await postLicense(h.base, run, PLAYER, 1);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), PLAYER);
    assert.equal(((await ok.json()) as { keys: unknown[] }).keys.length, 1);
    const unknown = await postLicense(h.base, '00000000-0000-4000-8000-000000000000', PLAYER, 2);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('access-control-allow-origin'), PLAYER, 'the page can read why');

    const refused = await postLicense(h.base, run, OTHER, 3);
    assert.equal(refused.status, 403);
    assert.deepEqual(corsHeaders(refused), []);
    assert.match(((await refused.json()) as { message: string }).message, /--cors-origin allows license requests/);
    const pre = await preflight(`${h.base}/license/${run}`, OTHER);
    assert.equal(pre.status, 403);
    assert.deepEqual(corsHeaders(pre), []);
    const record = (await (await fetch(`${h.base}/api/runs/${run}/record`)).json()) as RunRecord;
    assert.deepEqual(
      record.exchanges.map((x) => x.pageSeq),
      [1],
      'only the allowed origin was recorded',
    );
  });

  test('the API stays same-origin: no CORS headers, cross-origin writes and their preflights refused', async () => {
    const run = await newRun(h.base);
    const health = await fetch(`${h.base}/api/health`, { headers: { origin: PLAYER } });
    assert.equal(health.status, 200);
    assert.deepEqual(corsHeaders(health), []);
    const readRecord = await fetch(`${h.base}/api/runs/${run}/record`, { headers: { origin: PLAYER } });
    assert.deepEqual(corsHeaders(readRecord), [], 'a page there cannot read records');
    const create = await fetch(`${h.base}/api/runs`, {
      method: 'POST',
      headers: { origin: PLAYER, 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'cors' }),
    });
    assert.equal(create.status, 403);
    assert.deepEqual(corsHeaders(create), []);
    const timeline = await preflight(`${h.base}/api/runs/${run}/timeline`, PLAYER);
    assert.equal(timeline.status, 403);
    assert.deepEqual(corsHeaders(timeline), []);
    const page = await fetch(`${h.base}/runner.html`, { headers: { origin: PLAYER } });
    assert.equal(page.status, 200);
    assert.deepEqual(corsHeaders(page), [], 'pages are not shared');
  });

  test('an exchange is recorded the same whether it came cross-origin, same-origin or from a program', async () => {
    const senders = [PLAYER, h.base, undefined];
    const runs = await Promise.all(senders.map(() => newRun(h.base)));
    const answers: string[] = [];
    for (const [i, origin] of senders.entries()) {
      const res = await postLicense(h.base, runs[i]!, origin, 7);
      assert.equal(res.status, 200);
      answers.push(await res.text());
    }
    assert.equal(new Set(answers).size, 1, 'the same answer bytes');
    const exchanges: Partial<LicenseExchange>[] = [];
    for (const run of runs) {
      const record = (await (await fetch(`${h.base}/api/runs/${run}/record`)).json()) as RunRecord;
      assert.equal(record.exchanges.length, 1);
      const { receivedAt, durationMs, ...rest } = record.exchanges[0]!;
      assert.ok(Date.parse(receivedAt) > 0 && durationMs >= 0);
      exchanges.push(rest);
    }
    assert.equal(exchanges[0]!.pageSeq, 7);
    assert.equal(exchanges[0]!.response?.status, 200);
    assert.deepEqual(exchanges[0], exchanges[1], 'cross-origin = same-origin');
    assert.deepEqual(exchanges[0], exchanges[2], 'cross-origin = program');
  });
});
