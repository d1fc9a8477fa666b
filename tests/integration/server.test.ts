// The real Express app on a loopback port: a Clear Key round trip, and bad input on every endpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { LIMITS } from '../../server/app.ts';
import { KeyStore } from '../../model/keystore.ts';
import { Evidence, RunRecord } from '../../model/record.ts';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';

let harness: LoopbackHarness;
let base = '';
const keys = KeyStore.load('media/keys.json');
const kid1 = keys.keyIds()['key-1']!;

before(async () => {
  harness = await startLoopbackHarness('server');
  base = harness.base;
});
after(() => harness.close());

async function newRun(): Promise<string> {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'unit' }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

const licenseRequest = (hexKids: string[], type = 'temporary') =>
  JSON.stringify({ kids: hexKids.map((k) => Buffer.from(k, 'hex').toString('base64url')), type });

async function expectJsonError(res: Response, status: number, code: string): Promise<void> {
  assert.equal(res.status, status, `${res.url}: status`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${res.url}: JSON error body`);
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, code, `${res.url}: ${body.message}`);
  assert.ok(body.message.length > 0);
}

test('a license request round trip is answered and recorded with both views', async () => {
  const id = await newRun();
  const res = await fetch(`${base}/license/${id}?session=s1&messageType=license-request`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-eme-page-seq': '7' },
    body: licenseRequest([kid1]),
  });
  assert.equal(res.status, 200);
  const jwk = (await res.json()) as { keys: { kty: string; kid: string; k: string }[]; type: string };
  assert.equal(jwk.type, 'temporary');
  assert.equal(Buffer.from(jwk.keys[0]!.kid, 'base64url').toString('hex'), kid1);

  const record = (await (await fetch(`${base}/api/runs/${id}/record`)).json()) as {
    exchanges: { pageSeq: number; session: string; request: { json: unknown }; response: { status: number } }[];
  };
  assert.equal(record.exchanges.length, 1);
  assert.equal(record.exchanges[0]!.pageSeq, 7);
  assert.equal(record.exchanges[0]!.session, 's1');
  assert.deepEqual(record.exchanges[0]!.request.json, JSON.parse(licenseRequest([kid1])));
});

test('the runner learns its scenario module and key ids, never key values', async () => {
  const id = await newRun();
  const run = (await (await fetch(`${base}/api/runs/${id}`)).json()) as Record<string, unknown>;
  assert.equal(run['module'], 'lifecycle-temporary');
  assert.equal((run['keyIds'] as Record<string, string>)['key-1'], kid1);
  assert.ok(!JSON.stringify(run).includes(keys.byLabel('key-1')!.key.toString('hex')));
  await expectJsonError(await fetch(`${base}/media/keys.json`), 404, 'not-found');
});

test('bad input to the license endpoint gets a 4xx JSON error and is still recorded', async () => {
  const id = await newRun();
  const post = (body: BodyInit, query = '', headers: Record<string, string> = {}) =>
    fetch(`${base}/license/${id}${query}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream', ...headers },
    });
  await expectJsonError(await post(''), 400, 'empty-body');
  await expectJsonError(await post('{"kids":'), 400, 'malformed-json');
  await expectJsonError(await post(new Uint8Array([0xc3, 0x28])), 400, 'not-utf8');
  await expectJsonError(await post(licenseRequest(['99'.repeat(16)])), 404, 'unknown-kids');
  await expectJsonError(
    await post(JSON.stringify({ kids: ['AAAAAAAAAAAAAAAAAAAAAA=='], type: 'temporary' })),
    400,
    'bad-kid',
  );
  await expectJsonError(await post(licenseRequest([kid1], 'forever')), 400, 'bad-session-type');
  await expectJsonError(await post(licenseRequest([kid1]), '?messageType=license-renewal'), 400, 'bad-message-type');
  await expectJsonError(await post(licenseRequest([kid1]), '?messageType=nonsense'), 400, 'invalid-query');
  await expectJsonError(await post(licenseRequest([kid1]), '?session=../../x'), 400, 'invalid-query');
  await expectJsonError(await post(licenseRequest([kid1]), '', { 'x-eme-page-seq': '-1' }), 400, 'bad-page-seq');
  await expectJsonError(await post(new Uint8Array(LIMITS.licenseBody + 1)), 413, 'body-too-large');
  const record = (await (await fetch(`${base}/api/runs/${id}/record`)).json()) as {
    exchanges: { response: { status: number } }[];
  };
  assert.deepEqual(
    record.exchanges.map((x) => x.response.status),
    [400, 400, 400, 404, 400, 400, 400],
    'messages that reached the Clear Key parser are recorded',
  );

  await expectJsonError(await fetch(`${base}/license/not-a-uuid`, { method: 'POST', body: 'x' }), 400, 'bad-run-id');
  await expectJsonError(
    await fetch(`${base}/license/00000000-0000-4000-8000-000000000000`, { method: 'POST', body: 'x' }),
    404,
    'unknown-run',
  );
});

test('bad input to the run API gets a 4xx JSON error', async () => {
  const postRun = (body: string, type = 'application/json') =>
    fetch(`${base}/api/runs`, { method: 'POST', headers: { 'content-type': type }, body });
  await expectJsonError(await postRun('{"scenario":'), 400, 'malformed-json');
  await expectJsonError(await postRun('"just a string"'), 400, 'invalid-body');
  await expectJsonError(await postRun('scenario=x', 'text/plain'), 415, 'unsupported-media-type');
  await expectJsonError(await postRun(JSON.stringify({ scenario: 'no.such', project: 'p' })), 404, 'unknown-scenario');
  await expectJsonError(
    await postRun(JSON.stringify({ scenario: 'probe.clearkey', project: 'p q' })),
    400,
    'invalid-body',
  );
  await expectJsonError(
    await postRun(JSON.stringify({ scenario: 'probe.clearkey', project: 'p', extra: 1 })),
    400,
    'invalid-body',
  );
  await expectJsonError(
    await postRun(JSON.stringify({ scenario: 'x'.repeat(70_000), project: 'p' })),
    413,
    'body-too-large',
  );

  await expectJsonError(await fetch(`${base}/api/runs/nope`), 400, 'bad-run-id');
  await expectJsonError(await fetch(`${base}/api/runs/00000000-0000-4000-8000-000000000000`), 404, 'unknown-run');
  await expectJsonError(
    await fetch(`${base}/api/runs/00000000-0000-4000-8000-000000000000/record`),
    404,
    'unknown-run',
  );

  const id = await newRun();
  await expectJsonError(await fetch(`${base}/api/runs/${id}/record?wait=abc`), 400, 'invalid-body');
  await expectJsonError(await fetch(`${base}/api/runs/${id}/record?wait=999999999`), 400, 'invalid-body');
  const postTimeline = (body: string, type = 'application/json') =>
    fetch(`${base}/api/runs/${id}/timeline`, { method: 'POST', headers: { 'content-type': type }, body });
  await expectJsonError(await postTimeline('{}'), 400, 'invalid-body');
  await expectJsonError(await postTimeline('{"entries":[{"seq":-1}]}'), 400, 'invalid-body');
  await expectJsonError(await postTimeline('x', 'text/plain'), 415, 'unsupported-media-type');
  const postEvidence = (body: string, run = id) =>
    fetch(`${base}/api/runs/${run}/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  await expectJsonError(await postEvidence('{"kind":"smell"}'), 400, 'invalid-body');
  await expectJsonError(await postEvidence('{"kind":"picture"}'), 400, 'invalid-body');
  await expectJsonError(await postEvidence('{}', '00000000-0000-4000-8000-000000000000'), 404, 'unknown-run');
  const picture = {
    kind: 'picture',
    referenceScenario: null,
    referenceRun: null,
    width: 1,
    height: 1,
    meanAbsDiff: null,
    maxAbsDiff: null,
    stdDev: 0,
    threshold: 12,
  };
  assert.equal((await postEvidence(JSON.stringify(picture))).status, 201);
  const good = JSON.stringify({
    entries: [],
    outcome: { status: 'completed' },
    environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
  });
  assert.equal((await postTimeline(good)).status, 201);
  await expectJsonError(await postTimeline(good), 409, 'run-finished');
});

test("posted evidence is answered with the run's joined record, evidence included", async () => {
  const id = await newRun();
  await fetch(`${base}/license/${id}?session=s1&messageType=license-request`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-eme-page-seq': '3' },
    body: licenseRequest([kid1]),
  });
  const post = (evidence: unknown) =>
    fetch(`${base}/api/runs/${id}/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(evidence),
    });
  const lost = { kind: 'page-lost', reason: 'timeout', detail: 'the page did not report its timeline within 5 ms' };
  const first = await post(lost);
  assert.equal(first.status, 201);
  const afterLost = RunRecord.parse(await first.json());
  assert.equal(afterLost.meta.id, id);
  assert.deepEqual(afterLost.evidence, [lost]);
  assert.equal(afterLost.finished, false);
  assert.equal(afterLost.exchanges.length, 1, 'the record is the joined one, license exchanges included');
  assert.deepEqual(
    afterLost.joined.map((e) => e.source),
    ['server'],
  );

  const picture = {
    kind: 'picture',
    referenceScenario: 'playback.reference.h264',
    referenceRun: null,
    width: 2,
    height: 2,
    meanAbsDiff: 1.5,
    maxAbsDiff: 3,
    stdDev: 20,
    threshold: 12,
  };
  const second = await post(picture);
  assert.equal(second.status, 201);
  const afterPicture = RunRecord.parse(await second.json());
  assert.deepEqual(
    afterPicture.evidence,
    [lost, picture].map((e) => Evidence.parse(e)),
    'evidence accumulates in arrival order',
  );
  assert.deepEqual(
    afterPicture,
    RunRecord.parse(await (await fetch(`${base}/api/runs/${id}/record`)).json()),
    'the answer is the record as GET /record gives it',
  );
});

test('unknown routes and escapes from static folders get a JSON 404, and the server stays up', async () => {
  await expectJsonError(await fetch(`${base}/no/such/page`), 404, 'not-found');
  await expectJsonError(await fetch(`${base}/api/nothing`, { method: 'DELETE' }), 404, 'not-found');
  for (const path of [
    '/media/..%2f..%2fpackage.json',
    '/..%2fpackage.json',
    '/media/%2e%2e/server/app.ts',
    '/.git/config',
  ]) {
    await new Promise<void>((resolve, reject) => {
      // Raw request so the path reaches the server exactly as written.
      const req = httpRequest(`${base}${path}`, (res) => {
        assert.ok(
          res.statusCode && res.statusCode >= 400 && res.statusCode < 500,
          `${path} answered ${res.statusCode}`,
        );
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  }
  const health = await fetch(`${base}/api/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { ok: boolean }).ok, true);
  assert.equal((await fetch(`${base}/runner.html`)).status, 200);
});
