// Issue 15 against the real server process (server/main.ts): start-up survives a 1 GiB, a torn and an
// unreadable run file and names each; a torn last line reads as incomplete on the first restart;
// SIGTERM returns within its bound with slow clients connected; the command has --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHUTDOWN_MS } from '../../server/main.ts';
import { RunRecord } from '../../model/record.ts';

async function startServer(runsDir: string): Promise<{ child: ChildProcess; base: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--no-https', '--runs-dir', runsDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out} ${err}`)));
  });
  return { child, base, stderr: () => err };
}

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const meta = (id: string) =>
  `${JSON.stringify({ kind: 'meta', meta: { id, scenario: 'probe.clearkey', params: {}, project: 'p', createdAt: new Date().toISOString() } })}\n`;

test('start-up names a 1 GiB, a torn and an unreadable run file, skips them, and serves the rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-startup-'));
  const big = join(dir, `${ID(1)}.jsonl`);
  await writeFile(big, meta(ID(1)));
  const handle = await open(big, 'r+');
  await handle.truncate(2 ** 30); // sparse: 1 GiB on paper, nothing on disk
  await handle.close();
  await writeFile(join(dir, `${ID(2)}.jsonl`), `${meta(ID(2))}{"kind":"exchange","exch`);
  await mkdir(join(dir, `${ID(3)}.jsonl`));
  const server = await startServer(dir);
  try {
    const log = server.stderr();
    assert.match(log, new RegExp(`${ID(1)}\\.jsonl: 1024\\.0 MiB`), log);
    assert.match(log, new RegExp(`${ID(2)}\\.jsonl: ends in a torn line`));
    assert.match(log, new RegExp(`${ID(3)}\\.jsonl: cannot be read`));
    const tooLarge = await fetch(`${server.base}/api/runs/${ID(1)}/record`);
    assert.equal(tooLarge.status, 422);
    assert.equal(((await tooLarge.json()) as { error: string }).error, 'record-too-large');
    const torn = RunRecord.parse(await (await fetch(`${server.base}/api/runs/${ID(2)}/record`)).json());
    assert.equal(torn.status, 'incomplete', 'a torn run reads as incomplete on the first restart');
    assert.equal((await fetch(`${server.base}/api/runs/${ID(3)}/record`)).status, 404);
    assert.equal((await fetch(`${server.base}/api/health`)).status, 200);
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('a run cut by SIGKILL mid-line is incomplete at the first restart, its exchange kept, and takes no writes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-torn-'));
  const first = await startServer(dir);
  const { id } = (await (
    await fetch(`${first.base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"scenario":"lifecycle.temporary.keyids","project":"torn"}',
    })
  ).json()) as { id: string };
  const kid = Buffer.from('204e0441115bccfee2da254f7de78d81', 'hex').toString('base64url');
  const ok = await fetch(`${first.base}/license/${id}`, {
    method: 'POST',
    body: JSON.stringify({ kids: [kid], type: 'temporary' }),
  });
  assert.equal(ok.status, 200);
  const exited = new Promise((r) => first.child.once('exit', r));
  first.child.kill('SIGKILL');
  await exited;
  await appendFile(join(dir, `${id}.jsonl`), '{"kind":"exchange","exchange":{"exchange":1,"pa');
  const second = await startServer(dir);
  try {
    const record = RunRecord.parse(await (await fetch(`${second.base}/api/runs/${id}/record`)).json());
    assert.equal(record.status, 'incomplete');
    assert.equal(record.exchanges.length, 1);
    const late = await fetch(`${second.base}/license/${id}`, { method: 'POST', body: '{}' });
    assert.equal(late.status, 409);
  } finally {
    second.child.kill('SIGKILL');
  }
});

test('SIGTERM returns within its bound with slow clients connected', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eme-sigterm-'));
  const server = await startServer(dir);
  const port = Number(new URL(server.base).port);
  const { id } = (await (
    await fetch(`${server.base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"scenario":"probe.clearkey","project":"sigterm"}',
    })
  ).json()) as { id: string };
  const sockets = [
    'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', // headers never finished
    `POST /license/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{`, // body never finished
  ].map((bytes) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.write(bytes);
    return s;
  });
  // A long poll, too: it is answered with the record as it is.
  const poll = fetch(`${server.base}/api/runs/${id}/record?wait=60000`).then((r) => r.status);
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  const exited = new Promise<number | null>((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  const code = await exited;
  const took = Date.now() - started;
  for (const s of sockets) s.destroy();
  assert.equal(code, 0);
  assert.ok(took < SHUTDOWN_MS, `exited after ${took} ms`);
  assert.equal(await poll, 200, 'the long poll got its answer');
});

test('the server command has --help', () => {
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const option of ['--port', '--host', '--runs-dir', '--allow-host', '--no-https'])
    assert.match(help.stdout, new RegExp(option));
});
