import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClearKeyError, answerMessage, parseMessage } from '../../server/clearkey.ts';
import { KeyStore } from '../../model/keystore.ts';

const keys = new KeyStore({
  schemaVersion: 1,
  keys: [
    { label: 'a', kid: '00112233445566778899aabbccddeeff', key: 'ffeeddccbbaa99887766554433221100' },
    { label: 'b', kid: '0123456789abcdef0123456789abcdef', key: '000102030405060708090a0b0c0d0e0f' },
  ],
});
const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ClearKeyError, `expected ClearKeyError, got ${err}`);
    return err.code;
  }
  assert.fail('expected an error');
}

test('a license request is answered with a JWK set of the keys the store holds', () => {
  const message = parseMessage(body({ kids: [b64u('00112233445566778899aabbccddeeff')], type: 'temporary' }));
  assert.equal(message.kind, 'license-request');
  const answer = answerMessage(message, keys);
  assert.deepEqual(answer.body, {
    keys: [{ kty: 'oct', kid: 'ABEiM0RVZneImaq7zN3u_w', k: '_-7dzLuqmYh3ZlVEMyIRAA' }],
    type: 'temporary',
  });
  assert.deepEqual(answer.unknownKids, []);
});

test('unknown key ids are left out and reported; none known is a 404', () => {
  const partial = answerMessage(
    parseMessage(
      body({ kids: [b64u('0123456789abcdef0123456789abcdef'), b64u('99'.repeat(16))], type: 'persistent-license' }),
    ),
    keys,
  );
  assert.equal((partial.body as { keys: unknown[] }).keys.length, 1);
  assert.deepEqual(partial.unknownKids, ['99'.repeat(16)]);
  try {
    answerMessage(parseMessage(body({ kids: [b64u('99'.repeat(16))], type: 'temporary' })), keys);
    assert.fail('expected unknown-kids');
  } catch (err) {
    assert.ok(err instanceof ClearKeyError);
    assert.equal(err.code, 'unknown-kids');
    assert.equal(err.status, 404);
  }
});

test('a release message is acknowledged with the same kids', () => {
  const kids = [b64u('0123456789abcdef0123456789abcdef')];
  const release = parseMessage(body({ kids }), 'license-release');
  assert.deepEqual(answerMessage(release, keys).body, { kids });
  assert.equal(parseMessage(body({ kids })).kind, 'license-release', 'a body without "type" is a release');
});

test('malformed messages are rejected with a stable code', () => {
  assert.equal(
    code(() => parseMessage(Buffer.alloc(0))),
    'empty-body',
  );
  assert.equal(
    code(() => parseMessage(Buffer.from([0xff, 0xfe, 0x00]))),
    'not-utf8',
  );
  assert.equal(
    code(() => parseMessage(body('{"kids":'))),
    'malformed-json',
  );
  assert.equal(
    code(() => parseMessage(body('[1,2]'))),
    'not-an-object',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: [], type: 'temporary' }))),
    'missing-kids',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: ['AAAA'], type: 'persistent' }))),
    'bad-session-type',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: ['AAAAAAAAAAAAAAAAAAAAAA=='], type: 'temporary' }))),
    'bad-kid',
    'padding is not allowed',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: ['AA+/AAAAAAAAAAAAAAAAAA'], type: 'temporary' }))),
    'bad-kid',
    'base64, not base64url',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: [42], type: 'temporary' }))),
    'bad-kid',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: Array(65).fill('AAAA'), type: 'temporary' }))),
    'too-many-kids',
  );
  assert.equal(
    code(() => parseMessage(body({ kids: ['AAAA'] }), 'license-renewal')),
    'bad-message-type',
  );
});

test('the key store refuses a file with duplicate ids or bad hex', () => {
  assert.throws(() => KeyStore.load('/nonexistent/keys.json'), /cannot read key store/);
  const good = { label: 'a', kid: '00'.repeat(16), key: '11'.repeat(16) };
  assert.doesNotThrow(() => new KeyStore({ schemaVersion: 1, keys: [good] }));
  assert.deepEqual(new KeyStore({ schemaVersion: 1, keys: [good] }).keyIds(), { a: '00'.repeat(16) });
});

test('the committed key store is valid and holds four 16-byte keys', () => {
  const store = KeyStore.load(new URL('../../media/keys.json', import.meta.url).pathname);
  assert.equal(store.size, 4);
  assert.ok(store.byLabel('key-1'));
});
