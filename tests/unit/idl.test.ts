// The EME WebIDL kept as data (model/idl/encrypted-media.webidl): it parses and validates with webidl2,
// declares every interface, partial interface, dictionary and enum the spec defines, and the shape
// derived from it (harness/idl.ts) says what the browser must show: operation lengths, readonly
// attributes, [SecureContext] per member, constructors. Text the shape cannot express is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'webidl2';
import { IDL_FILE, idlShapeOf, readIdlShape } from '../../harness/idl.ts';
import { memberKey, type IdlInterface } from '../../model/idl/shape.ts';

/** What the spec (w3c/encrypted-media, 2026-07) defines, by kind: the list this file must cover. */
const SPEC_DEFINES = {
  interface: [
    'Navigator (partial)',
    'MediaKeySystemAccess',
    'MediaKeys',
    'MediaKeySession',
    'MediaKeyStatusMap',
    'MediaKeyMessageEvent',
    'HTMLMediaElement (partial)',
    'MediaEncryptedEvent',
  ],
  dictionary: [
    'MediaKeySystemConfiguration',
    'MediaKeySystemMediaCapability',
    'MediaKeysPolicy',
    'MediaKeyMessageEventInit',
    'MediaEncryptedEventInit',
  ],
  enum: [
    'MediaKeysRequirement',
    'MediaKeySessionType',
    'MediaKeySessionClosedReason',
    'MediaKeyStatus',
    'MediaKeyMessageType',
  ],
};

const shape = readIdlShape();
const iface = (name: string): IdlInterface => {
  const found = shape.interfaces.find((i) => i.name === name);
  assert.ok(found, `the shape has ${name}`);
  return found;
};

test('the .webidl file parses, and declares exactly what the spec defines', () => {
  const ast = parse(readFileSync(IDL_FILE, 'utf8'));
  const declared: Record<string, string[]> = { interface: [], dictionary: [], enum: [] };
  for (const d of ast) {
    if (!('name' in d) || !(d.type in declared)) assert.fail(`unexpected ${d.type} in the IDL`);
    declared[d.type]!.push(d.type === 'interface' && d.partial ? `${d.name} (partial)` : d.name);
  }
  assert.deepEqual(declared, SPEC_DEFINES);
});

test('the shape covers every interface and member, with the lengths, readonly flags and exposure the IDL declares', () => {
  assert.equal(shape.interfaces.length, 8);
  const keys = shape.interfaces.flatMap((i) => i.members.map((m) => memberKey(i, m)));
  assert.equal(keys.length, 30);
  assert.equal(new Set(keys).size, keys.length, 'member keys are unique');
  const op = (i: string, m: string) => {
    const found = iface(i).members.find((x) => x.kind === 'operation' && x.name === m);
    assert.ok(found?.kind === 'operation', `${i}.${m} is an operation`);
    return found;
  };
  assert.deepEqual(op('MediaKeySession', 'generateRequest'), {
    kind: 'operation',
    name: 'generateRequest',
    length: 2,
    secureContext: true,
    returnsPromise: true,
  });
  // Optional arguments do not count towards length.
  assert.equal(op('MediaKeys', 'createSession').length, 0);
  assert.equal(op('MediaKeys', 'getStatusForPolicy').length, 0);
  assert.equal(op('MediaKeys', 'setServerCertificate').length, 1);
  assert.equal(op('MediaKeyStatusMap', 'get').returnsPromise, false);
  assert.deepEqual(
    iface('MediaKeySession').members.flatMap((m) => (m.kind === 'attribute' ? [[m.name, m.readonly]] : [])),
    [
      ['sessionId', true],
      ['expiration', true],
      ['closed', true],
      ['keyStatuses', true],
      ['onkeystatuseschange', false],
      ['onmessage', false],
    ],
  );
  assert.deepEqual(iface('MediaKeyStatusMap').members[0], {
    kind: 'iterable',
    key: 'BufferSource',
    value: 'MediaKeyStatus',
  });
  // [SecureContext] on the interface reaches every member; on a partial interface it is per member.
  assert.ok(
    iface('MediaKeys').secureContext &&
      iface('MediaKeys').members.every((m) => m.kind === 'iterable' || m.secureContext),
  );
  const media = iface('HTMLMediaElement');
  assert.equal(media.partial, true);
  assert.deepEqual(
    media.members.flatMap((m) => (m.kind === 'iterable' ? [] : [[m.name, m.secureContext]])),
    [
      ['mediaKeys', true],
      ['onencrypted', false],
      ['onwaitingforkey', false],
      ['setMediaKeys', true],
    ],
  );
  assert.equal(iface('MediaEncryptedEvent').secureContext, false);
  assert.equal(iface('MediaEncryptedEvent').constructorLength, 1);
  assert.equal(iface('MediaKeyMessageEvent').constructorLength, 2);
  assert.equal(iface('MediaKeySession').inherits, 'EventTarget');
  assert.equal(iface('MediaKeys').constructorLength, null);
});

test('text that does not parse, does not validate, or declares what the shape cannot express is refused, naming it', () => {
  assert.throws(() => idlShapeOf('interface Broken {', 'broken.webidl'), /broken\.webidl/);
  assert.throws(
    () => idlShapeOf('[Exposed=Window] interface A { attribute DOMString x; attribute DOMString x; };', 'dup.webidl'),
    /dup\.webidl: A\.x is declared twice/,
  );
  assert.throws(
    () => idlShapeOf('interface NoExposed { attribute DOMString x; };', 'exposed.webidl'),
    /exposed\.webidl: .*\[Exposed\]/s,
  );
  assert.throws(
    () => idlShapeOf('[Exposed=Window] interface M { maplike<DOMString, DOMString>; };', 'maplike.webidl'),
    /M: member kind maplike is not supported/,
  );
  assert.throws(
    () => idlShapeOf('[Exposed=Window] interface V { iterable<DOMString>; };', 'value.webidl'),
    /V: only pair iterators are supported/,
  );
});
