// The pure parts of issue 15's server checks: JSON depth on raw bytes, URL redaction, Host parsing and
// the origin policy's decisions (on stand-in requests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { jsonDepthExceeds, parseJson } from '../../server/body.ts';
import { redactUrl, scrub } from '../../server/license-proxy.ts';
import { OriginPolicy, hostName } from '../../server/origin-policy.ts';
import { HttpError } from '../../server/http-errors.ts';

const bytes = (s: string) => Buffer.from(s);

test('JSON depth is counted on the bytes, brackets inside strings and escapes ignored', () => {
  assert.equal(jsonDepthExceeds(bytes('{"a":[1,{"b":2}]}'), 3), false);
  assert.equal(jsonDepthExceeds(bytes('{"a":[1,{"b":2}]}'), 2), true);
  assert.equal(jsonDepthExceeds(bytes('{"a":"[[[[[[{{{{"}'), 1), false);
  assert.equal(jsonDepthExceeds(bytes('{"a":"\\"[[[[[\\\\"}'), 1), false, 'escaped quote, then an escaped backslash');
  assert.equal(jsonDepthExceeds(bytes(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 64), true);
  assert.throws(
    () => parseJson(bytes(`{"p":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`), 16, 'the run'),
    (e: unknown) => e instanceof HttpError && e.status === 400 && e.code === 'too-deep',
  );
  assert.throws(
    () => parseJson(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 4, 'x'),
    (e: unknown) => e instanceof HttpError && e.code === 'not-utf8',
  );
  assert.deepEqual(parseJson(bytes('{"a":[1]}'), 2, 'x'), { a: [1] });
});

test('upstream URLs are recorded without user, password or query values', () => {
  assert.equal(
    redactUrl('https://user:p%40ss@lic.example:8443/wv?token=abc&token=def&x=1#frag'),
    'https://redacted@lic.example:8443/wv?token=redacted&x=redacted',
  );
  assert.equal(redactUrl('https://lic.example/wv'), 'https://lic.example/wv');
  assert.equal(redactUrl('not a url'), '(unparsable URL)');
  assert.equal(
    scrub('failed for secret-token at secret-token', ['secret-token']),
    'failed for [redacted] at [redacted]',
  );
});

test('host names are taken from Host headers without ports, IPv6 kept in brackets', () => {
  assert.equal(hostName('LocalHost:8787'), 'localhost');
  assert.equal(hostName('[::1]:8787'), '[::1]');
  assert.equal(hostName('eme.test'), 'eme.test');
});

function fakeRequest(method: string, url: string, headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { method, url, headers, socket: { encrypted } } as unknown as IncomingMessage;
}

test('the origin policy: own hosts and origins pass, the rest are refused', () => {
  const policy = new OriginPolicy({
    hostNames: ['eme.test'],
    otherOrigins: () => ['https://127.0.0.1:8788', undefined],
  });
  const decide = (method: string, url: string, headers: Record<string, string>, encrypted = false) =>
    policy.check(fakeRequest(method, url, headers, encrypted))?.code ?? 'ok';
  assert.equal(decide('GET', '/api/health', { host: '127.0.0.1:8787' }), 'ok');
  assert.equal(decide('GET', '/api/health', { host: 'eme.test:8787' }), 'ok');
  assert.equal(decide('GET', '/api/health', { host: 'rebound.example:8787' }), 'forbidden-host');
  assert.equal(decide('GET', '/api/health', {}), 'missing-host');
  const post = (headers: Record<string, string>, encrypted = false, url = '/license/x') =>
    decide('POST', url, { host: '127.0.0.1:8787', ...headers }, encrypted);
  assert.equal(post({}), 'ok', 'a program: no Origin, no Sec-Fetch-Site');
  assert.equal(post({ origin: 'http://127.0.0.1:8787' }), 'ok');
  assert.equal(post({ origin: 'https://127.0.0.1:8788' }), 'ok', "the server's HTTPS origin");
  assert.equal(post({ origin: 'https://127.0.0.1:8787' }), 'forbidden-origin', 'the scheme is part of the origin');
  assert.equal(post({ origin: 'https://127.0.0.1:8787' }, true), 'ok');
  assert.equal(post({ origin: 'http://localhost:8787' }), 'forbidden-origin', 'another origin of the same machine');
  assert.equal(post({ origin: 'null' }), 'forbidden-origin');
  assert.equal(post({ 'sec-fetch-site': 'cross-site' }), 'forbidden-origin');
  assert.equal(post({ 'sec-fetch-site': 'same-origin' }), 'ok');
  assert.equal(post({ origin: 'http://evil.example' }, false, '/media/x'), 'ok', 'only /api and /license are writes');
  assert.equal(post({ origin: 'http://evil.example' }, false, '/api/runs'), 'forbidden-origin');
});
