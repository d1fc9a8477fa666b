import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, UnknownRunError } from '../../server/run-store.ts';
import { RunClosedError } from '../../server/store-errors.ts';
import type { LicenseExchange, PageTimeline } from '../../model/record.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'eme-runs-'));

function exchange(n: number, pageSeq: number | null): LicenseExchange {
  return {
    exchange: n,
    pageSeq,
    session: 's1',
    messageType: 'license-request',
    receivedAt: new Date().toISOString(),
    request: { contentType: 'application/octet-stream', size: 2, base64: 'e30=' },
    response: { status: 200, body: {}, delivery: 'answered' },
    proxy: null,
    fault: null,
    durationMs: 0.1,
  };
}

const timeline = (entries: PageTimeline['entries']): PageTimeline => ({
  entries,
  outcome: { status: 'completed' },
  environment: { userAgent: 'ua', isSecureContext: true, origin: 'http://127.0.0.1', emeApi: {} },
});

test('records are on disk before the promise resolves, and a new process reloads them', async () => {
  const dir = await tempDir();
  const store = await RunStore.open(dir);
  const run = await store.create({ scenario: 'x', params: {}, project: 'p' });
  await store.addExchange(run.id, exchange(store.reserveExchange(run.id), 1));
  const lines = (await readFile(join(dir, `${run.id}.jsonl`), 'utf8')).trim().split('\n');
  assert.equal(lines.length, 2);
  await store.finish(run.id, timeline([{ seq: 1, t: 0, type: 'license', target: 's1', name: 'request' }]));

  const reopened = await RunStore.open(dir);
  const record = reopened.record(run.id);
  assert.equal(record.finished, true);
  assert.equal(record.exchanges.length, 1);
  assert.deepEqual(
    record.joined.map((e) => e.source),
    ['page', 'server'],
  );
  assert.throws(() => reopened.reserveExchange(run.id), RunClosedError, 'a finished run takes no more exchanges');
});

test('many overlapping writes to many runs lose nothing and keep each run in order', async () => {
  const dir = await tempDir();
  const store = await RunStore.open(dir);
  const runs = await Promise.all(
    Array.from({ length: 8 }, (_, i) => store.create({ scenario: `s${i}`, params: {}, project: 'p' })),
  );
  await Promise.all(
    runs.flatMap((run) =>
      Array.from({ length: 50 }, () => store.addExchange(run.id, exchange(store.reserveExchange(run.id), null))),
    ),
  );
  const reopened = await RunStore.open(dir);
  for (const run of runs) {
    const numbers = reopened.record(run.id).exchanges.map((x) => x.exchange);
    assert.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => i),
    );
  }
});

test('a line cut short by a killed server is skipped, the rest kept', async () => {
  const dir = await tempDir();
  const store = await RunStore.open(dir);
  const run = await store.create({ scenario: 'x', params: {}, project: 'p' });
  await store.addExchange(run.id, exchange(0, null));
  await appendFile(join(dir, `${run.id}.jsonl`), '{"kind":"exchange","exchange":{"exch');
  const record = (await RunStore.open(dir)).record(run.id);
  assert.equal(record.exchanges.length, 1);
  assert.equal(record.finished, false);
});

test('a timeline is accepted once; waiting resolves when it arrives or when time is up', async () => {
  const store = await RunStore.open(await tempDir());
  const run = await store.create({ scenario: 'x', params: {}, project: 'p' });
  const started = Date.now();
  await store.waitForFinish(run.id, 50);
  const early = store.record(run.id);
  assert.equal(early.finished, false);
  assert.ok(Date.now() - started >= 45);
  const waiting = store.waitForFinish(run.id, 5000).then(() => store.record(run.id));
  assert.equal(await store.finish(run.id, timeline([])), 'stored');
  assert.equal((await waiting).finished, true);
  assert.equal(await store.finish(run.id, timeline([])), 'already-finished');
  assert.throws(() => store.record('00000000-0000-4000-8000-000000000000'), UnknownRunError);
});
