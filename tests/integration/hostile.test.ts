// The hostile corpus against a real server process: every answer is a 4xx with a JSON error (or a
// 2xx for input that happens to be valid), never a 5xx, an HTML page or a crash; no CORS headers;
// the key store never leaks; the server answers afterwards and its memory stays flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileCorpus, type HostileCase } from './hostile-corpus.ts';

function send(base: string, c: HostileCase): Promise<{ status: number; type: string; body: string; cors: boolean }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    // Raw http so paths and headers reach the server exactly as written.
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        path: c.path,
        headers: { ...c.headers, ...(c.body ? { 'content-length': String(c.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            cors: 'access-control-allow-origin' in res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    if (c.body) req.write(c.body);
    req.end();
  });
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

test('the hostile corpus gets 4xx JSON answers, and the server stays up with flat memory', async () => {
  const runsDir = await mkdtemp(join(tmpdir(), 'eme-hostile-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--runs-dir', runsDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    const created = await fetch(`${base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"scenario":"probe.clearkey","project":"hostile"}',
    });
    const { id } = (await created.json()) as { id: string };
    const corpus = hostileCorpus(id);
    assert.ok(corpus.length >= 300, `corpus has ${corpus.length} cases`);
    const keyValue = JSON.parse(readFileSync('media/keys.json', 'utf8')).keys[0].key as string;

    const runCorpus = async () => {
      const problems: string[] = [];
      for (const [i, c] of corpus.entries()) {
        const r = await send(base, c);
        const ok2xx = r.status >= 200 && r.status < 300;
        if (!(ok2xx || (r.status >= 400 && r.status < 500))) problems.push(`#${i} ${c.name}: HTTP ${r.status}`);
        else if (
          !ok2xx &&
          !(r.type.includes('application/json') && /"error":/.test(r.body) && /"message":/.test(r.body))
        )
          problems.push(`#${i} ${c.name}: ${r.status} not a JSON error (${r.type})`);
        if (/<html|<pre>|at .*\(.*\.ts:\d+/i.test(r.body))
          problems.push(`#${i} ${c.name}: HTML or a stack trace in the body`);
        if (r.cors) problems.push(`#${i} ${c.name}: CORS header sent`);
        if (r.body.includes(keyValue)) problems.push(`#${i} ${c.name}: key material leaked`);
      }
      return problems;
    };
    assert.deepEqual(await runCorpus(), []); // warm-up round, also the correctness check
    const before = rssKiB(child.pid!);
    for (let round = 0; round < 3; round++) assert.deepEqual(await runCorpus(), []);
    const growth = rssKiB(child.pid!) - before;
    assert.ok(growth < 40 * 1024, `RSS grew ${growth} KiB over 3 more rounds of ${corpus.length} requests`);

    const health = await fetch(`${base}/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await readdir(runsDir), [`${id}.jsonl`], 'refused registrations left no run behind');
    // The run the corpus pounded is not poisoned: it reads, and takes its one timeline.
    assert.equal((await fetch(`${base}/api/runs/${id}/record`)).status, 200);
    const timeline = await fetch(`${base}/api/runs/${id}/timeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        entries: [],
        outcome: { status: 'completed' },
        environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
      }),
    });
    assert.equal(timeline.status, 201);
    const record = (await (await fetch(`${base}/api/runs/${id}/record`)).json()) as { status: string };
    assert.equal(record.status, 'finished');
    assert.equal(stderr.includes('internal error'), false, `server logged internal errors:\n${stderr.slice(0, 2000)}`);
  } finally {
    child.kill('SIGTERM');
  }
});
