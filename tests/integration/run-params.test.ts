// The page ⇄ server contract at its two doors, on the real app: a run's parameters are checked against
// its page module's schema when it is registered (a 400 naming the field), and a timeline is checked
// against the page entry union when the page uploads it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';

let harness: LoopbackHarness;

before(async () => {
  harness = await startLoopbackHarness('run-params');
});
after(() => harness.close());

const register = (scenario: string, params: Record<string, unknown>) =>
  fetch(`${harness.base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario, project: 'unit', params }),
  });

async function badParams(
  res: Response,
): Promise<{ field: string; message: string; problems: { field: string; message: string }[] }> {
  assert.equal(res.status, 400);
  const body = (await res.json()) as {
    error: string;
    field: string;
    message: string;
    problems: { field: string; message: string }[];
  };
  assert.equal(body.error, 'invalid-params', body.message);
  return body;
}

test("a run's parameters are checked against its page module, and a bad one is named", async () => {
  const wrongType = await badParams(await register('lifecycle.temporary.keyids', { keys: 'key-1' }));
  assert.equal(wrongType.field, 'params.keys');
  assert.match(wrongType.message, /^params\.keys: .*\(page module lifecycle-temporary\)$/);

  const unknown = await badParams(await register('probe.clearkey', { keySytem: 'org.w3.clearkey' }));
  assert.equal(unknown.field, 'params.keySytem');
  assert.match(unknown.message, /not a parameter of page module probe/);

  const several = await badParams(await register('playback.cenc', { mode: 'fast', target: -1 }));
  assert.deepEqual(several.problems.map((p) => p.field).sort(), ['params.mode', 'params.target']);

  // Parameters every module takes, and a module's own, pass.
  assert.equal(
    (await register('probe.clearkey', { licenseProfile: 'widevine', keySystem: 'com.widevine.alpha', faults: [] }))
      .status,
    201,
  );
  assert.equal(
    (
      await register('lifecycle.temporary.cenc', {
        keySystem: 'com.widevine.alpha',
        keyIds: ['00112233445566778899aabbccddeeff'],
      })
    ).status,
    201,
  );
  assert.equal((await register('session.many-sessions', { sessions: 4 })).status, 201);
});

test('a timeline with an entry outside the contract is refused on upload, naming the entry', async () => {
  const id = await harness.newRun('probe.clearkey', 'unit');
  const timeline = (entries: unknown[]) =>
    JSON.stringify({
      entries,
      outcome: { status: 'completed' },
      environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
    });
  const upload = (body: string) =>
    fetch(`${harness.base}/api/runs/${id}/timeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const res = await upload(
    timeline([
      {
        seq: 0,
        t: 0,
        type: 'note',
        target: 'runner',
        name: 'start',
        data: { scenario: 'probe.clearkey', module: 'probe', params: {} },
      },
    ]),
  );
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: string; issues: { path: string }[] };
  assert.equal(body.error, 'invalid-body');
  assert.ok(
    body.issues.some((i) => i.path === 'entries.0.data.keyIds'),
    JSON.stringify(body.issues),
  );
  assert.equal(harness.store.record(id).finished, false, 'nothing was stored');
  const ok = await upload(
    timeline([
      {
        seq: 0,
        t: 0,
        type: 'note',
        target: 'runner',
        name: 'start',
        data: { scenario: 'probe.clearkey', module: 'probe', params: {}, keyIds: { 'key-1': 'aa'.repeat(16) } },
      },
    ]),
  );
  assert.equal(ok.status, 201);
});
