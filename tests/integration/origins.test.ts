// The second origin and the context pages: the real server entry (server/main.ts) on free ports,
// serving HTTPS with the certificate it made at start, telling pages its origins, and serving the
// context frame under a Permissions-Policy that turns EME off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:https';
import { X509Certificate } from 'node:crypto';

let child: ChildProcess;
let http = '';
let https = '';

before(async () => {
  const runs = await mkdtemp(join(tmpdir(), 'eme-origins-'));
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--https-port', '0', '--runs-dir', runs],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  http = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
  https = /https:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
});
after(() => {
  child.kill('SIGTERM');
});

/** GET over HTTPS accepting the self-signed certificate; returns status, headers, body and the certificate. */
function httpsGet(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; cert: X509Certificate }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      const cert = new X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!.raw);
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cert }));
    }).on('error', reject);
  });
}

test('the HTTPS origin answers with a fresh certificate for localhost, eme.test and 127.0.0.1', async () => {
  const res = await httpsGet(`${https}/api/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body).ok, true);
  const san = res.cert.subjectAltName ?? '';
  for (const name of ['DNS:localhost', 'DNS:eme.test', 'IP Address:127.0.0.1'])
    assert.ok(san.includes(name), `SAN ${san} lacks ${name}`);
  assert.ok(new Date(res.cert.validTo).getTime() > Date.now(), 'certificate still valid');
});

test('a run tells the page the other origins', async () => {
  const created = await fetch(`${http}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'context.cross-origin-iframe', project: 'unit' }),
  });
  assert.equal(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  const run = (await (await fetch(`${http}/api/runs/${id}`)).json()) as {
    origins: { https: string; insecure: string };
  };
  assert.equal(run.origins.https, https);
  assert.match(run.origins.insecure, /^http:\/\/eme\.test:\d+$/);
});

test('the context frame is served with Permissions-Policy encrypted-media=() only when asked', async () => {
  const plain = await fetch(`${http}/context-frame.html`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('permissions-policy'), null);
  const policed = await fetch(`${http}/context-frame.html?policy=none`);
  assert.equal(policed.status, 200);
  assert.equal(policed.headers.get('permissions-policy'), 'encrypted-media=()');
  const overHttps = await httpsGet(`${https}/context-frame.html?policy=none`);
  assert.equal(overHttps.headers['permissions-policy'], 'encrypted-media=()');
});
