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
