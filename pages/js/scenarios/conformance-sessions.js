// @ts-check
// Session and MediaKeys behaviour the older scenarios recorded but never judged (issue #14 part 3):
// close() on a session that never got keys, remove() on a live temporary session, the same license
// applied twice, close() right after generateRequest(), several sessions of one MediaKeys each
// generating a request, setServerCertificate() with every argument type, the attribute syntax of a
// MediaKeySession, and cenc init data over 64 KiB. Each call is a case; the catalog
// (harness/catalog-conformance.ts) says what the spec expects, the judge (harness/judge/conformance.ts)
// adds the timeline rules.
import { runCases } from '../cases.js';
import { cencInitData, keyIdsInitData } from '../init-data.js';
import { fromHex, utf8 } from '../bytes.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { SessionHandle } from '../session.js'
 */

const VIDEO = 'video/mp4; codecs="avc1.42E01E"';
/** How long "nothing more happens" windows last. */
const QUIET_MS = 400;

/**
 * A version 0 'pssh' box of a system nobody knows, carrying `dataSize` bytes: joined to a valid Common
 * box it makes cenc init data as long as asked while staying well-formed.
 * @param {number} dataSize
 */
function foreignPssh(dataSize) {
  const box = new Uint8Array(32 + dataSize);
  const view = new DataView(box.buffer);
  view.setUint32(0, box.length);
  box.set(utf8('pssh'), 4);
  box.set(fromHex('0123456789abcdef0123456789abcdef'), 12);
  view.setUint32(28, dataSize);
  box.fill(0x5a, 32);
  return box;
}

/** @param {Uint8Array[]} parts */
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The BufferSource kinds of WebIDL (ArrayBuffer, each typed array, DataView), each 4 bytes long. */
const CERTIFICATE_KINDS = {
  'cert-array-buffer': () => new ArrayBuffer(4),
  'cert-int8-array': () => new Int8Array(4),
  'cert-uint8-array': () => new Uint8Array(4),
  'cert-uint8-clamped-array': () => new Uint8ClampedArray(4),
  'cert-int16-array': () => new Int16Array(2),
  'cert-uint16-array': () => new Uint16Array(2),
  'cert-int32-array': () => new Int32Array(1),
  'cert-uint32-array': () => new Uint32Array(1),
  'cert-float32-array': () => new Float32Array(1),
  'cert-float64-array': () => new Float64Array(1),
  'cert-bigint64-array': () => new BigInt64Array(1),
  'cert-biguint64-array': () => new BigUint64Array(1),
  'cert-data-view': () => new DataView(new ArrayBuffer(4)),
  'cert-view-into-larger-buffer': () => new Uint8Array(new ArrayBuffer(16), 4, 4),
  'cert-empty-array-buffer': () => new ArrayBuffer(0),
  'cert-empty-uint8-array': () => new Uint8Array(0),
  'cert-string': () => '\u0001\u0002\u0003\u0004',
  'cert-number': () => 4,
  'cert-null': () => null,
  'cert-plain-object': () => ({ byteLength: 4 }),
  'cert-array-of-numbers': () => [1, 2, 3, 4],
};

/**
 * @param {Steps} h
 * @param {{ cases: string[] }} params
 */
export async function run(h, { cases }) {
  const access = await h.requireAccess(h.keySystem.name, [
    { initDataTypes: ['keyids', 'cenc'], sessionTypes: ['temporary'], videoCapabilities: [{ contentType: VIDEO }] },
  ]);
  const mediaKeys = await h.createMediaKeys(access);
  const kid = h.keyId('key-1');
  const keyIds = keyIdsInitData([kid]);

  /**
   * @param {SessionHandle} s
   * @param {string} id
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => unknown} invoke
   */
  const on = (s, id, name, args, invoke) => h.case(id, s.label, name, args, invoke, { snapshot: () => s.snapshot() });
  /** @param {SessionHandle} s */
  const closeAndWait = async (s) => {
    await h.close(s);
    await s.waitForClosed({ optional: true, timeoutMs: 3000 });
  };

  /** @type {Record<string, () => Promise<unknown>>} */
  const CASES = {
    'close-without-keys': async () => {
      const s = await h.createSession(mediaKeys, 'temporary');
      await h.generateRequest(s, 'keyids', keyIds);
      await s.nextMessage();
      await on(s, 'close', 'close', [], () => s.session.close());
      await s.waitForClosed({ optional: true, timeoutMs: 3000 });
      await on(s, 'closed-reason', 'closed', [], () => s.session.closed);
      await h.quiet(QUIET_MS);
      await on(s, 'size-after-close', 'keyStatuses.size', [], () => s.session.keyStatuses.size);
    },

    'remove-temporary': async () => {
      const s = await h.licenseSession(mediaKeys, 'keyids', keyIds, { kids: [kid] });
      await on(s, 'remove', 'remove', [], () => s.session.remove());
      await h.quiet(QUIET_MS);
      await on(s, 'closed-after-remove', 'closed settled', [], () =>
        Promise.race([s.session.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 0))]),
      );
      await on(s, 'close-after-remove', 'close', [], () => s.session.close());
      await s.waitForClosed({ optional: true, timeoutMs: 3000 });
      await on(s, 'closed-reason', 'closed', [], () => s.session.closed);
      await h.quiet(QUIET_MS);
    },

    'identical-license-twice': async () => {
      // One license, applied twice: the very same bytes.
      const s = await h.createSession(mediaKeys, 'temporary');
      await h.generateRequest(s, 'keyids', keyIds);
      const license = await h.exchangeLicense(s, await s.nextMessage());
      await h.update(s, license);
      await s.waitForKeyStatuses('key-1 usable', (snap) => snap.keyStatuses[kid] === 'usable');
      await h.quiet(QUIET_MS);
      await on(s, 'update-again', 'update', [license], () => s.session.update(license));
      await h.quiet(QUIET_MS);
      await on(s, 'keys-after-second-update', 'keyStatuses.values', [], () => [...s.session.keyStatuses.values()]);
      await closeAndWait(s);
    },

    'generate-then-close': async () => {
      // close() in the same task as generateRequest(): the session is not callable until the request
      // has been generated (generateRequest() sets callable in its queued task).
      const s = await h.createSession(mediaKeys, 'temporary');
      const generated = on(s, 'generate-unawaited', 'generateRequest', ['keyids', keyIds], () =>
        s.session.generateRequest('keyids', keyIds),
      );
      await on(s, 'close-same-task', 'close', [], () => s.session.close());
      await generated;
      await h.quiet(QUIET_MS);
      await closeAndWait(s);

      // close() as soon as generateRequest() resolves: the message it queued may still fire, nothing after closed.
      const t = await h.createSession(mediaKeys, 'temporary');
      await on(t, 'generate-awaited', 'generateRequest', ['keyids', keyIds], () =>
        t.session.generateRequest('keyids', keyIds),
      );
      await on(t, 'close-after-generate', 'close', [], () => t.session.close());
      await t.waitForClosed({ optional: true, timeoutMs: 3000 });
      await on(t, 'closed-reason', 'closed', [], () => t.session.closed);
      await h.quiet(QUIET_MS);
    },

    'several-sessions': async () => {
      const labels = ['key-1', 'key-2', 'key-3', 'key-4'];
      // Every session is created before any of them generates a request.
      /** @type {SessionHandle[]} */
      const sessions = [];
      for (let i = 0; i < labels.length; i++) sessions.push(await h.createSession(mediaKeys, 'temporary'));
      for (const [i, s] of sessions.entries()) {
        const initData = keyIdsInitData([h.keyId(/** @type {string} */ (labels[i]))]);
        await on(s, `several-generate-${i + 1}`, 'generateRequest', ['keyids', initData], () =>
          s.session.generateRequest('keyids', initData),
        );
      }
      const messages = await Promise.all(sessions.map((s) => s.nextMessage({ optional: true, timeoutMs: 5000 })));
      await h.fact(
        'several-license-requests',
        'runner',
        'sessions that sent a license-request',
        () => messages.filter((m) => m?.entry.data.messageType === 'license-request').length,
      );
      await h.fact(
        'several-distinct-ids',
        'runner',
        'distinct non-empty sessionIds',
        () => new Set(sessions.map((s) => s.session.sessionId).filter(Boolean)).size,
      );
      for (const s of sessions) await closeAndWait(s);
    },

    'server-certificate-types': async () => {
      for (const [id, make] of Object.entries(CERTIFICATE_KINDS)) {
        const certificate = make();
        await h.case(id, 'mediaKeys', 'setServerCertificate', [certificate], () =>
          mediaKeys.setServerCertificate(/** @type {any} */ (certificate)),
        );
      }
      await h.case('cert-no-argument', 'mediaKeys', 'setServerCertificate', [], () =>
        /** @type {any} */ (mediaKeys).setServerCertificate(),
      );
    },

    'attribute-syntax': async () => {
      const s = await h.createSession(mediaKeys, 'temporary');
      const session = /** @type {any} */ (s.session);
      /**
       * @param {string} id
       * @param {string} what
       * @param {() => unknown} compute
       */
      const fact = (id, what, compute) => on(s, id, what, [], compute);
      await fact('attr-session-id-before', 'sessionId', () => session.sessionId);
      await fact('attr-expiration-nan', 'Number.isNaN(expiration)', () => Number.isNaN(session.expiration));
      await fact('attr-closed-is-promise', 'closed instanceof Promise', () => session.closed instanceof Promise);
      await fact('attr-closed-same-object', 'closed === closed', () => {
        const first = session.closed;
        return first === session.closed;
      });
      await fact(
        'attr-key-statuses-is-map',
        'keyStatuses instanceof MediaKeyStatusMap',
        () => session.keyStatuses instanceof MediaKeyStatusMap,
      );
      await fact('attr-key-statuses-same-object', 'keyStatuses === keyStatuses', () => {
        const first = session.keyStatuses;
        return first === session.keyStatuses;
      });
      await fact('attr-key-statuses-size', 'keyStatuses.size', () => session.keyStatuses.size);
      await fact('attr-handlers-null', '[onmessage, onkeystatuseschange]', () => [
        session.onmessage,
        session.onkeystatuseschange,
      ]);
      const handler = () => {};
      await fact('attr-handler-assignable', 'onmessage = f; onmessage === f', () => {
        session.onmessage = handler;
        const same = session.onmessage === handler;
        session.onmessage = null;
        return same;
      });
      // Module code is strict: assigning a readonly attribute (a getter without a setter) throws TypeError.
      // On a session of its own, so an assignment that wrongly succeeds spoils nothing else.
      const scratch = /** @type {any} */ (mediaKeys.createSession('temporary'));
      for (const name of ['sessionId', 'expiration', 'closed', 'keyStatuses']) {
        await h.case(`attr-${name}-readonly`, 'scratch-session', `${name} = …`, [], () => {
          scratch[name] = name === 'expiration' ? 1 : 'x';
        });
      }
      await fact('attr-status-map-methods', 'typeof entries/keys/values/forEach/has/get', () =>
        ['entries', 'keys', 'values', 'forEach', 'has', 'get'].map((m) => typeof session.keyStatuses[m]),
      );
      await fact(
        'attr-status-map-iterator-is-entries',
        'keyStatuses[Symbol.iterator] === keyStatuses.entries',
        () => session.keyStatuses[Symbol.iterator] === session.keyStatuses.entries,
      );
      await fact('attr-status-map-read-only', "'set'/'delete'/'clear' in keyStatuses", () =>
        ['set', 'delete', 'clear'].filter((m) => m in session.keyStatuses),
      );
      await h.generateRequest(s, 'keyids', keyIds);
      await fact('attr-session-id-after', 'typeof sessionId, non-empty', () => [
        typeof session.sessionId,
        session.sessionId.length > 0,
      ]);
      await fact(
        'attr-media-keys-create-session',
        'createSession() instanceof MediaKeySession',
        () => mediaKeys.createSession() instanceof MediaKeySession,
      );
      await closeAndWait(s);
    },

    'cenc-over-64k': async () => {
      const valid = cencInitData([kid]);
      const fresh = () => h.createSession(mediaKeys, 'temporary');
      const control = await fresh();
      await on(control, 'cenc-control', 'generateRequest', ['cenc', valid], () =>
        control.session.generateRequest('cenc', valid),
      );
      const big = concat(valid, foreignPssh(70_000 - valid.length - 32));
      const s = await fresh();
      await on(s, 'cenc-over-64k', 'generateRequest', ['cenc', big], () => s.session.generateRequest('cenc', big));
      const exact = concat(valid, foreignPssh(65_536 - valid.length - 32));
      const t = await fresh();
      await on(t, 'cenc-at-64k', 'generateRequest', ['cenc', exact], () => t.session.generateRequest('cenc', exact));
    },
  };
  await runCases(h, CASES, cases);
}
