// Proxy mode against a local upstream standing in for a real DRM license server: the message goes up
// byte for byte with the profile's headers, the answer comes back unchanged, and both are recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp } from '../../server/app.ts';
import { KeyStore } from '../../model/keystore.ts';
import { RunStore } from '../../server/run-store.ts';
import { LicenseProfiles } from '../../server/license-proxy.ts';

function listen(server: ReturnType<typeof createServer>): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );
}

test('a license message is forwarded to the upstream, answered unchanged, and recorded', async () => {
  const seen: { body: Buffer; token: string | undefined }[] = [];
  const answer = Buffer.from([0x08, 0x02, 0x12, 0xff, 0x00, 0x7f]); // opaque binary, as a DRM license is
  const upstream = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ body: Buffer.concat(chunks), token: req.headers['x-test-token'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(answer);
    });
  });
  const upstreamBase = await listen(upstream);
  const profiles = LicenseProfiles.parse({
    profiles: {
      widevine: {
        keySystem: 'com.widevine.alpha',
        upstream: `${upstreamBase}/license`,
        headers: { 'x-test-token': 'secret-test-token' },
      },
      down: { keySystem: 'com.widevine.alpha', upstream: 'http://127.0.0.1:9/license', timeoutMs: 1000 },
    },
  });
  const store = await RunStore.open(await mkdtemp(join(tmpdir(), 'eme-proxy-')));
  const harness = createServer(createServerApp({ store, keys: KeyStore.load('media/keys.json'), profiles }).listener);
  const base = await listen(harness);
  try {
    const { id } = (await (
      await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"scenario":"probe.widevine","project":"proxy"}',
      })
    ).json()) as { id: string };
    const challenge = Buffer.from([0x08, 0x04, 0x22, 0x10, 0x01, 0x02, 0x03]);
    const res = await fetch(`${base}/license/${id}?profile=widevine&session=s1&messageType=license-request`, {
      method: 'POST',
      body: challenge,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), answer, 'the upstream answer comes back unchanged');
    assert.deepEqual(seen[0]?.body, challenge, 'the message went up byte for byte');
    assert.equal(seen[0]?.token, 'secret-test-token', "the profile's headers were sent");

    const down = await fetch(`${base}/license/${id}?profile=down`, { method: 'POST', body: challenge });
    assert.equal(down.status, 502);
    assert.equal(((await down.json()) as { error: string }).error, 'upstream-unreachable');
    const unknown = await fetch(`${base}/license/${id}?profile=playready`, { method: 'POST', body: challenge });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: string }).error, 'unknown-profile');

    const record = store.record(id);
    assert.equal(record.exchanges.length, 2);
    const [ok, failed] = record.exchanges;
    assert.equal(ok!.proxy?.upstreamStatus, 200);
    assert.equal(ok!.proxy?.keySystem, 'com.widevine.alpha');
    assert.equal(ok!.request.base64, challenge.toString('base64'));
    assert.deepEqual(ok!.response.body, { base64: answer.toString('base64'), bytes: answer.length });
    assert.match(failed!.proxy?.error ?? '', /unreachable/);
    assert.ok(
      !JSON.stringify(record).includes('secret-test-token'),
      'upstream credentials are not written into records',
    );
  } finally {
    harness.close();
    upstream.close();
  }
});

test('proxy secrets: credentials and tokens never reach records or answers; redirects keep headers at home', async () => {
  const seen: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let otherBase = '';
  const upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url?.startsWith('/same')) res.writeHead(308, { location: '/final' }).end();
      else if (req.url?.startsWith('/away')) res.writeHead(307, { location: `${otherBase}/elsewhere` }).end();
      else if (req.url?.startsWith('/found')) res.writeHead(302, { location: '/final?sig=hidden-signature' }).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('license');
    });
  });
  const other = createServer((req, res) => {
    seen.push({ path: `other${req.url}`, headers: req.headers, body: '' });
    req.resume();
    res.writeHead(200).end('other');
  });
  const upstreamBase = await listen(upstream);
  otherBase = await listen(other);
  const withSecrets = (path: string) =>
    `${upstreamBase.replace('http://', 'http://wvuser:hunter2pass@')}${path}?token=tok-3f9a1c&x=1`;
  const profiles = LicenseProfiles.parse({
    profiles: {
      plain: {
        keySystem: 'com.widevine.alpha',
        upstream: withSecrets('/license'),
        headers: { 'x-test-token': 'hdr-secret' },
      },
      same: {
        keySystem: 'com.widevine.alpha',
        upstream: withSecrets('/same'),
        headers: { 'x-test-token': 'hdr-secret' },
      },
      away: {
        keySystem: 'com.widevine.alpha',
        upstream: withSecrets('/away'),
        headers: { 'x-test-token': 'hdr-secret' },
      },
      found: { keySystem: 'com.widevine.alpha', upstream: withSecrets('/found'), headers: {} },
      down: {
        keySystem: 'com.widevine.alpha',
        upstream: 'http://wvuser:hunter2pass@127.0.0.1:9/l?token=tok-3f9a1c',
        timeoutMs: 1000,
      },
    },
  });
  for (const name of ['constructor', 'toString'])
    assert.throws(
      () => LicenseProfiles.parse({ profiles: { [name]: { keySystem: 'k', upstream: 'http://a/' } } }),
      /Object\.prototype/,
      `a profile file may not name a profile ${name}`,
    );
  const store = await RunStore.open(await mkdtemp(join(tmpdir(), 'eme-proxy-secrets-')));
  const harness = createServer(createServerApp({ store, keys: KeyStore.load('media/keys.json'), profiles }).listener);
  const base = await listen(harness);
  const secrets = ['hunter2pass', 'tok-3f9a1c', 'hdr-secret', 'hidden-signature'];
  try {
    const { id } = (await (
      await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"scenario":"probe.widevine","project":"proxy"}',
      })
    ).json()) as { id: string };
    const post = (profile: string) =>
      fetch(`${base}/license/${id}?profile=${profile}`, { method: 'POST', body: 'challenge' });
    const bodies: string[] = [];
    const answer = async (profile: string) => {
      const res = await post(profile);
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, text };
    };

    // Credentials in the URL go up as Basic authorization; the recorded URL has none of them.
    assert.deepEqual(await answer('plain'), { status: 200, text: 'license' });
    assert.equal(seen[0]!.headers.authorization, `Basic ${Buffer.from('wvuser:hunter2pass').toString('base64')}`);
    assert.equal(seen[0]!.path, '/license?token=tok-3f9a1c&x=1', 'the upstream gets its token');
    // 308 to the same origin: followed with the body and the profile's headers.
    assert.deepEqual(await answer('same'), { status: 200, text: 'license' });
    assert.equal(seen.at(-1)!.path, '/final');
    assert.equal(seen.at(-1)!.body, 'challenge');
    assert.equal(seen.at(-1)!.headers['x-test-token'], 'hdr-secret');
    // 307 to another origin: followed, but without the profile's headers or credentials.
    assert.deepEqual(await answer('away'), { status: 200, text: 'other' });
    assert.equal(seen.at(-1)!.path, 'other/elsewhere');
    assert.equal(seen.at(-1)!.headers['x-test-token'], undefined);
    assert.equal(seen.at(-1)!.headers.authorization, undefined);
    // 302 would turn the POST into a GET: refused, the Location's secrets redacted.
    const found = await answer('found');
    assert.equal(found.status, 502);
    assert.equal(JSON.parse(found.text).error, 'upstream-redirect');
    // Unreachable: the error names no password or token.
    const down = await answer('down');
    assert.equal(down.status, 502);
    assert.equal(JSON.parse(down.text).error, 'upstream-unreachable');
    // Prototype names are not profiles.
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const res = await post(name);
      assert.equal(res.status, 400, name);
      assert.equal(((await res.json()) as { error: string }).error, 'unknown-profile');
    }

    const record = JSON.stringify(store.record(id));
    for (const secret of secrets) {
      assert.ok(!record.includes(secret), `the record holds ${secret}`);
      for (const body of bodies) assert.ok(!body.includes(secret), `an answer holds ${secret}: ${body}`);
    }
    assert.match(record, /"upstream":"http:\/\/redacted@127\.0\.0\.1:\d+\/license\?token=redacted&x=redacted"/);
  } finally {
    harness.close();
    upstream.close();
    other.close();
  }
});
