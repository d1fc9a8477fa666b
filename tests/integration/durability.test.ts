// Kill the server in the middle of a run (SIGKILL, no chance to flush): the next server on the same
// folder still has every acknowledged record, and marks the run incomplete instead of dropping it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeTemporaryLifecycle } from '../../harness/judge/lifecycle.ts';
import { RunRecord } from '../../model/record.ts';

async function startServer(runsDir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--runs-dir', runsDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, base };
}

test('records survive SIGKILL and the unfinished run comes back as incomplete', async () => {
  const runsDir = await mkdtemp(join(tmpdir(), 'eme-durable-'));
  const first = await startServer(runsDir);
  const run = (await (
    await fetch(`${first.base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'durability' }),
    })
  ).json()) as { id: string };
  const kid = Buffer.from('204e0441115bccfee2da254f7de78d81', 'hex').toString('base64url');
  const license = await fetch(`${first.base}/license/${run.id}?session=s1&messageType=license-request`, {
    method: 'POST',
    body: JSON.stringify({ kids: [kid], type: 'temporary' }),
  });
  assert.equal(license.status, 200);
  const exited = new Promise((r) => first.child.once('exit', r));
  first.child.kill('SIGKILL');
  await exited;

  const second = await startServer(runsDir);
  try {
    const record = RunRecord.parse(await (await fetch(`${second.base}/api/runs/${run.id}/record`)).json());
    assert.equal(record.status, 'incomplete');
    assert.equal(record.exchanges.length, 1, 'the acknowledged license exchange is still there');
    const verdict = judgeTemporaryLifecycle(record);
    assert.equal(verdict.verdict, 'error');
    assert.match(verdict.reason, /server stopped before the page reported/);
    const late = await fetch(`${second.base}/api/runs/${run.id}/timeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        entries: [],
        outcome: { status: 'completed' },
        environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
      }),
    });
    assert.equal(late.status, 409, 'an incomplete run cannot be finished by a late page');
  } finally {
    second.child.kill('SIGTERM');
  }
});
