// Issue 15 against the real server in-process (small limits and timeouts, so each bound is reached in
// milliseconds): bounded bodies and parser errors answered as JSON, bounded memory and descriptors,
// records read back streamed and equal to the in-memory record, the record equal to the wire when the
// disk fails, and the origin checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp } from '../../server/app.ts';
import { createHarnessServer } from '../../server/http-server.ts';
import { RunStore, type StoreLimits } from '../../server/run-store.ts';
import { KeyStore } from '../../model/keystore.ts';
import { RunRecord } from '../../model/record.ts';

const keys = KeyStore.load('media/keys.json');
const kid = keys.byLabel('key-1')!.kid.toString('base64url');
const licenseBody = JSON.stringify({ kids: [kid], type: 'temporary' });
const timeline = (entries: unknown[] = []) =>
  JSON.stringify({
    entries,
    outcome: { status: 'completed' },
    environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
  });

interface Harness {
  base: string;
  port: number;
  dir: string;
  store: RunStore;
  close(): Promise<void>;
}

async function start(limits: Partial<StoreLimits> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'eme-limits-'));
  const store = await RunStore.open(dir, limits);
  const server = createHarnessServer(createServerApp({ store, keys, hostNames: ['eme.test'] }).listener, {
    headersMs: 800,
    requestMs: 1_500,
    keepAliveMs: 5_000,
    checkEveryMs: 100,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    dir,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}

let h: Harness;
before(async () => {
  h = await start({ maxLiveRuns: 4, maxExchangesPerRun: 3, idleCloseMs: 100 });
});
after(() => h.close());

async function newRun(base = h.base): Promise<string> {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'limits' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

const license = (id: string, headers: Record<string, string> = {}, base = h.base) =>
  fetch(`${base}/license/${id}?session=s1&messageType=license-request`, { method: 'POST', body: licenseBody, headers });

async function errorOf(res: Response): Promise<{ status: number; error: string }> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return { status: res.status, error: ((await res.json()) as { error: string }).error };
}

/** Sends raw bytes on a fresh connection and returns everything the server writes before closing. */
function raw(
  port: number,
  bytes: string | Buffer,
  keepWriting?: (write: (b: Buffer) => boolean) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('error', (e) => (out ? resolve(out) : reject(e)));
    socket.on('close', () => resolve(out));
    socket.write(bytes);
    keepWriting?.((b) => socket.write(b));
  });
}

function statusAndJson(response: string): { status: number; body: { error: string; message: string } } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
  const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: string; message: string };
  return { status, body };
}

test('parser-level errors, CONNECT and unknown methods are answered with JSON', async () => {
  const cases: [string, number, string][] = [
    [`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers-too-large'],
    ['NONSENSE\r\n\r\n', 405, 'unknown-method'],
    ['POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n', 400, 'bad-request'],
    ['FOO /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 405, 'unknown-method'],
    ['CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n', 405, 'method-not-allowed'],
    [
      'POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}',
      417,
      'expectation-failed',
    ],
    ['GET /api/health HTTP/1.1\r\n\r\n', 400, 'missing-host'],
  ];
  for (const [bytes, status, error] of cases) {
    const answer = statusAndJson(await raw(h.port, bytes));
    assert.equal(answer.status, status, `${bytes.slice(0, 30)}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error, error, `${bytes.slice(0, 30)}: ${JSON.stringify(answer.body)}`);
  }
});

test('slow headers and slow bodies are cut off with a 408 JSON answer', async () => {
  const slowHeaders = statusAndJson(await raw(h.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
  assert.equal(slowHeaders.status, 408);
  const id = await newRun();
  const started = Date.now();
  const slowBody = statusAndJson(
    await raw(h.port, `POST /license/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"kids":`),
  );
  assert.equal(slowBody.status, 408);
  assert.equal(slowBody.body.error, 'request-timeout');
  assert.ok(Date.now() - started < 5_000, 'cut off near the 1.5 s cap');
});

test('chunked bodies over the limit get a 413 JSON answer, not a dropped connection', async () => {
  const id = await newRun();
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${h.base}/license/${id}`, { method: 'POST' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024, 0x61)); // 160 KiB, chunked
    req.end();
  });
  assert.equal(answer.status, 413);
  assert.equal(JSON.parse(answer.body).error, 'body-too-large');
  assert.equal(h.store.record(id).exchanges.length, 0, 'a refused message is not an exchange');
});

test('a run takes a bounded number of exchanges; late writes to a finished run are refused', async () => {
  const id = await newRun();
  for (let i = 0; i < 3; i++) assert.equal((await license(id)).status, 200);
  assert.deepEqual(await errorOf(await license(id)), { status: 409, error: 'run-full' });
  const posted = await fetch(`${h.base}/api/runs/${id}/timeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: timeline(),
  });
  assert.equal(posted.status, 201, 'a full run still takes its timeline');
  assert.deepEqual(await errorOf(await license(id)), { status: 409, error: 'run-closed' });
  const again = await fetch(`${h.base}/api/runs/${id}/timeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: timeline(),
  });
  assert.deepEqual(await errorOf(again), { status: 409, error: 'run-finished' });
  const record = RunRecord.parse(await (await fetch(`${h.base}/api/runs/${id}/record`)).json());
  assert.equal(record.status, 'finished');
  assert.equal(record.exchanges.length, 3);
});

test('live runs are capped (the least recently active closes as incomplete) and idle descriptors close', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await newRun());
  assert.equal(h.store.stats().live, 4);
  const evicted = RunRecord.parse(await (await fetch(`${h.base}/api/runs/${ids[0]}/record`)).json());
  assert.equal(evicted.status, 'incomplete');
  assert.deepEqual(await errorOf(await license(ids[0]!)), { status: 409, error: 'run-closed' });
  assert.equal((await license(ids[5]!)).status, 200);
  assert.ok(h.store.stats().openFiles >= 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(h.store.stats().openFiles, 0, 'idle runs hold no descriptor');
  assert.equal((await license(ids[5]!)).status, 200, 'a write after idling reopens the file');
});

test('when the durable write fails, the client gets 503 and the record holds no such exchange', async () => {
  const id = await newRun();
  assert.equal((await license(id)).status, 200);
  await new Promise((r) => setTimeout(r, 300)); // the descriptor closes; the next write reopens the path
  const file = join(h.dir, `${id}.jsonl`);
  const saved = await readFile(file);
  await rm(file);
  await symlink('/dev/full', file); // every write fails with ENOSPC
  assert.deepEqual(await errorOf(await license(id)), { status: 503, error: 'record-write-failed' });
  const evidence = await fetch(`${h.base}/api/runs/${id}/evidence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'page-lost', reason: 'timeout', detail: 'x' }),
  });
  assert.deepEqual(await errorOf(evidence), { status: 503, error: 'record-write-failed' });
  await rm(file);
  await writeFile(file, saved);
  assert.equal((await license(id)).status, 200, 'the run goes on once the disk is back');
  const record = h.store.record(id);
  assert.deepEqual(
    record.exchanges.map((x) => [x.exchange, x.response.status]),
    [
      [0, 200],
      [2, 200],
    ],
    'the failed exchange (number 1) is not recorded, and nothing claims it was answered',
  );
  assert.deepEqual(record.evidence, []);
});

test('a streamed record equals the record built in memory, joins and evidence included', async () => {
  const id = await newRun();
  await license(id, { 'x-eme-page-seq': '1' });
  await license(id, { 'x-eme-page-seq': '9' }); // a seq the page never had: unclaimed
  await license(id, { 'x-eme-page-seq': '3' });
  const entries = [
    { seq: 3, t: 2, type: 'license', target: 's1', name: 'request' },
    { seq: 1, t: 1, type: 'license', target: 's1', name: 'request' },
  ];
  const posted = await fetch(`${h.base}/api/runs/${id}/timeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: timeline(entries),
  });
  assert.equal(posted.status, 201);
  const withEvidence = await fetch(`${h.base}/api/runs/${id}/evidence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'page-lost', reason: 'crash', detail: 'after the page' }),
  });
  assert.equal(withEvidence.status, 201, 'evidence is still taken just after a run finishes');
  const streamed = RunRecord.parse(await withEvidence.json());
  assert.deepEqual(streamed, RunRecord.parse(h.store.record(id)));
  assert.deepEqual(
    streamed.joined.map((e) => (e.source === 'page' ? `page ${e.seq}` : `server ${e.exchange}`)),
    ['page 1', 'server 0', 'page 3', 'server 2', 'server 1'],
  );
});

test('Host and Origin: own names and origins pass, others are refused with 403', async () => {
  const id = await newRun();
  const get = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/api/health`, { headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal(await get(`localhost:${h.port}`), 200);
  assert.equal(await get(`eme.test:${h.port}`), 200);
  assert.equal(await get(`attacker.example:${h.port}`), 403);
  assert.equal((await license(id, { origin: h.base })).status, 200, 'same-origin page');
  assert.deepEqual(await errorOf(await license(id, { origin: 'http://attacker.example' })), {
    status: 403,
    error: 'forbidden-origin',
  });
  assert.deepEqual(await errorOf(await license(id, { origin: 'null' })), { status: 403, error: 'forbidden-origin' });
  assert.deepEqual(await errorOf(await license(id, { origin: `http://127.0.0.1:${h.port + 1}` })), {
    status: 403,
    error: 'forbidden-origin',
  });
  assert.equal(h.store.record(id).exchanges.length, 1, 'refused writes are not recorded');
});

test('a record over the read-back limit is refused with 422, not a crash', async () => {
  const small = await start({ maxRecordBytes: 2_000 });
  try {
    const id = await newRun(small.base);
    for (let i = 0; i < 5; i++) await license(id, {}, small.base);
    const res = await fetch(`${small.base}/api/runs/${id}/record`);
    assert.deepEqual(await errorOf(res), { status: 422, error: 'record-too-large' });
    assert.equal((await fetch(`${small.base}/api/health`)).status, 200);
  } finally {
    await small.close();
  }
});
