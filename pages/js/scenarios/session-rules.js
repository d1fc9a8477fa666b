// @ts-check
// MediaKeys and MediaKeySession argument and state rules (groups A and B): createSession types,
// calls before generateRequest, generateRequest and update arguments, disallowed init data and
// licenses, load() on the wrong session type, getStatusForPolicy, setServerCertificate.
// Every case that needs a session gets a fresh one: a failed call may leave a session unusable.
import { mediaConfig } from '../configs.js';
import { runCases } from '../cases.js';
import { PreconditionFailed } from '../recorder.js';
import { cencInitData, keyIdsInitData } from '../init-data.js';
import { fromHex, toBase64Url, utf8 } from '../bytes.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { SessionHandle } from '../session.js'
 */

/**
 * @param {Steps} h
 * @param {{ cases: string[], needs?: string[] }} params
 */
export async function run(h, { cases, needs = [] }) {
  const access = await h.requireAccess(h.keySystem.name, [mediaConfig({ initDataType: 'keyids' })]);
  const mediaKeys = await h.createMediaKeys(access);
  if (needs.includes('getStatusForPolicy') && typeof mediaKeys.getStatusForPolicy !== 'function') {
    throw new PreconditionFailed(`MediaKeys.getStatusForPolicy is ${typeof mediaKeys.getStatusForPolicy}`);
  }
  const kid = h.keyId('key-1');
  const keyIds = keyIdsInitData([kid]);

  const fresh = () => h.createSession(mediaKeys, 'temporary');
  const pending = async () => {
    const s = await fresh();
    await h.generateRequest(s, 'keyids', keyIds);
    await s.nextMessage();
    return s;
  };
  /**
   * @param {SessionHandle} s
   * @param {string} id
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => unknown} invoke
   */
  const on = (s, id, name, args, invoke) => h.case(id, s.label, name, args, invoke, { snapshot: () => s.snapshot() });
  // The argument cases pass what the IDL does not allow, on purpose: their arguments are `any`.
  /**
   * @param {string} id
   * @param {...any} args
   */
  const generate =
    (id, ...args) =>
    async () => {
      const s = await fresh();
      await on(s, id, 'generateRequest', args, () => /** @type {any} */ (s.session).generateRequest(...args));
    };
  /**
   * @param {string} id
   * @param {string} minHdcpVersion
   */
  const statusForPolicy = (id, minHdcpVersion) => () =>
    h.case(id, 'mediaKeys', 'getStatusForPolicy', [{ minHdcpVersion }], () =>
      mediaKeys.getStatusForPolicy({ minHdcpVersion }),
    );
  /**
   * @param {string} id
   * @param {any} response
   */
  const update = (id, response) => async () => {
    const s = await pending();
    await on(s, id, 'update', [response], () => s.session.update(response));
  };
  /**
   * @param {object[]} keys
   * @param {string} [type]
   */
  const jwkSet = (keys, type = 'temporary') => utf8(JSON.stringify({ keys, type }));
  /** @param {string} kidText */
  const jwk = (kidText) => ({ kty: 'oct', kid: kidText, k: toBase64Url(fromHex('00112233445566778899aabbccddeeff')) });
  /**
   * @param {string} id
   * @param {...any} args
   */
  const create =
    (id, ...args) =>
    () =>
      h.case(id, 'mediaKeys', 'createSession', args, () => /** @type {any} */ (mediaKeys).createSession(...args));

  const pssh = cencInitData([kid]);
  const badSize = pssh.slice();
  new DataView(badSize.buffer).setUint32(0, 0xffff);
  const notPssh = pssh.slice();
  notPssh.set(utf8('psss'), 4);

  const CASES = {
    // createSession
    'create-no-argument': create('create-no-argument'),
    'create-temporary': create('create-temporary', 'temporary'),
    'create-undefined': create('create-undefined', undefined),
    'create-extra-argument': create('create-extra-argument', 'temporary', 'extra'),
    'create-persistent-license-not-configured': create(
      'create-persistent-license-not-configured',
      'persistent-license',
    ),
    'create-invalid-type': create('create-invalid-type', 'no-such-type'),
    'create-persistent-usage-record': create('create-persistent-usage-record', 'persistent-usage-record'),

    // Not callable before generateRequest
    'before-generate-request': async () => {
      const s = await fresh();
      const license = jwkSet([jwk(toBase64Url(fromHex(kid)))]);
      await on(s, 'update-before-generate-request', 'update', [license], () => s.session.update(license));
      await on(s, 'close-before-generate-request', 'close', [], () => s.session.close());
      await on(s, 'remove-before-generate-request', 'remove', [], () => s.session.remove());
      await on(s, 'session-id-before-generate-request', 'sessionId', [], () => s.session.sessionId);
      await on(s, 'generate-request-after-those-errors', 'generateRequest', ['keyids', keyIds], () =>
        s.session.generateRequest('keyids', keyIds),
      );
    },

    // generateRequest arguments
    'generate-request-no-arguments': generate('generate-request-no-arguments'),
    'generate-request-no-init-data': generate('generate-request-no-init-data', 'keyids'),
    'generate-request-empty-type': generate('generate-request-empty-type', '', keyIds),
    'generate-request-null': generate('generate-request-null', 'keyids', null),
    'generate-request-undefined': generate('generate-request-undefined', 'keyids', undefined),
    'generate-request-number': generate('generate-request-number', 'keyids', 1),
    'generate-request-empty-init-data': generate('generate-request-empty-init-data', 'keyids', new Uint8Array(0)),
    'generate-request-unknown-type': generate('generate-request-unknown-type', 'no-such-type', keyIds),
    'generate-request-twice': async () => {
      const s = await fresh();
      await h.generateRequest(s, 'keyids', keyIds);
      await on(s, 'generate-request-twice', 'generateRequest', ['keyids', keyIds], () =>
        s.session.generateRequest('keyids', keyIds),
      );
    },

    // Disallowed init data
    'init-data-keyids-over-64k': generate(
      'init-data-keyids-over-64k',
      'keyids',
      utf8(JSON.stringify({ kids: [toBase64Url(fromHex(kid))], padding: 'x'.repeat(70_000) })),
    ),
    'init-data-webm-over-64k': generate('init-data-webm-over-64k', 'webm', new Uint8Array(70_000)),
    'init-data-cenc-bad-box-size': generate('init-data-cenc-bad-box-size', 'cenc', badSize),
    'init-data-cenc-not-pssh': generate('init-data-cenc-not-pssh', 'cenc', notPssh),
    'init-data-keyids-not-json': generate('init-data-keyids-not-json', 'keyids', utf8('kids: not json')),
    'init-data-keyids-empty-kid': generate(
      'init-data-keyids-empty-kid',
      'keyids',
      utf8(JSON.stringify({ kids: [''] })),
    ),
    'init-data-keyids-600-byte-kid': generate(
      'init-data-keyids-600-byte-kid',
      'keyids',
      utf8(JSON.stringify({ kids: [toBase64Url(new Uint8Array(600).fill(7))] })),
    ),
    'init-data-keyids-no-kids': generate('init-data-keyids-no-kids', 'keyids', utf8(JSON.stringify({ kids: [] }))),

    // update arguments and disallowed licenses
    'update-no-argument': async () => {
      const s = await pending();
      // @ts-expect-error update() with no argument is the case
      await on(s, 'update-no-argument', 'update', [], () => s.session.update());
    },
    'update-empty-string': update('update-empty-string', ''),
    'update-null': update('update-null', null),
    'update-undefined': update('update-undefined', undefined),
    'update-number': update('update-number', 1),
    'update-empty': update('update-empty', new Uint8Array(0)),
    'update-random-bytes': update(
      'update-random-bytes',
      new Uint8Array([0x6b, 0x2f, 0x9e, 0x01, 0xc4, 0x77, 0x3a, 0xd0]),
    ),
    'update-jwk-set-over-64k': update(
      'update-jwk-set-over-64k',
      utf8(JSON.stringify({ keys: [jwk(toBase64Url(fromHex(kid)))], type: 'temporary', padding: 'x'.repeat(70_000) })),
    ),
    'update-non-ascii-kid': update(
      'update-non-ascii-kid',
      utf8(JSON.stringify({ keys: [jwk('\u00e9\u00e9\u00e9\u00e9')], type: 'temporary' })),
    ),
    'update-jwk-set-no-keys-member': update(
      'update-jwk-set-no-keys-member',
      utf8(JSON.stringify({ type: 'temporary' })),
    ),

    // load() on a temporary session
    'load-on-temporary': async () => {
      const s = await fresh();
      await on(s, 'load-on-temporary', 'load', ['1234'], () => s.session.load('1234'));
    },
    'load-empty-id-on-temporary': async () => {
      const s = await fresh();
      await on(s, 'load-empty-id-on-temporary', 'load', [''], () => s.session.load(''));
    },

    // MediaKeys methods
    'status-for-policy-no-members': () =>
      h.case('status-for-policy-no-members', 'mediaKeys', 'getStatusForPolicy', [{}], () =>
        mediaKeys.getStatusForPolicy({}),
      ),
    'status-for-policy-hdcp-1.0': statusForPolicy('status-for-policy-hdcp-1.0', '1.0'),
    'status-for-policy-hdcp-empty': statusForPolicy('status-for-policy-hdcp-empty', ''),
    ...Object.fromEntries(
      ['1.1', '1.2', '1.3', '1.4', '2.0', '2.1', '2.2', '2.3'].map((v) => [
        `status-for-policy-hdcp-${v}`,
        statusForPolicy(`status-for-policy-hdcp-${v}`, v),
      ]),
    ),
    'server-certificate': () =>
      h.case('server-certificate', 'mediaKeys', 'setServerCertificate', [new Uint8Array([1, 2, 3, 4])], () =>
        mediaKeys.setServerCertificate(new Uint8Array([1, 2, 3, 4])),
      ),
    'server-certificate-empty': () =>
      h.case('server-certificate-empty', 'mediaKeys', 'setServerCertificate', [new Uint8Array(0)], () =>
        mediaKeys.setServerCertificate(new Uint8Array(0)),
      ),
  };
  await runCases(h, CASES, cases);
}
