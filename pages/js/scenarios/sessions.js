// @ts-check
// Session behaviour through the local license endpoint (group C and the stress part of H): the
// keyStatuses map API, statuses kept per session, close() rules, keystatuseschange counts per
// update, and many sessions on one MediaKeys.
import { mediaConfig } from '../configs.js';
import { runCases } from '../cases.js';
import { keyIdsInitData } from '../init-data.js';
import { fromHex, toHex } from '../bytes.js';
import { bytesOf } from '../describe.js';

/** @param {MediaKeyStatusMap} map */
const sortedHex = (map) => [...map.keys()].map((k) => toHex(bytesOf(k))).sort();

/**
 * @import { Steps } from '../steps.js'
 * @import { SessionHandle, MessageItem } from '../session.js'
 */

/**
 * @param {Steps} h
 * @param {{ cases: string[], keys?: string[], sessions?: number }} params
 */
export async function run(h, { cases, keys = ['key-1', 'key-2'], sessions: sessionCount = 16 }) {
  const access = await h.requireAccess(h.keySystem.name, [mediaConfig({ initDataType: 'keyids' })]);
  const mediaKeys = await h.createMediaKeys(access);
  const kids = /** @type {[string, string, ...string[]]} */ (keys.map((label) => h.keyId(label)));
  /**
   * @param {SessionHandle} s
   * @param {string} id
   * @param {string} name
   * @param {() => unknown} invoke
   */
  const on = (s, id, name, invoke) => h.case(id, s.label, name, [], invoke, { snapshot: () => s.snapshot() });

  const CASES = {
    'key-statuses-map': async () => {
      const s = await h.createSession(mediaKeys, 'temporary');
      await h.generateRequest(s, 'keyids', keyIdsInitData(kids));
      const request = await s.nextMessage();
      const map = s.session.keyStatuses;
      await on(s, 'size-at-message', 'keyStatuses.size', () => map.size);
      await h.update(s, await h.exchangeLicense(s, request));
      await s.waitForKeyStatuses('every key usable', (snap) => kids.every((kid) => snap.keyStatuses[kid] === 'usable'));
      const statuses = s.session.keyStatuses;
      const kid = fromHex(kids[0]);
      const near = {
        truncated: kid.slice(0, 15),
        extended: Uint8Array.from([...kid, 0]),
        'last-byte-changed': Uint8Array.from(kid, (b, i) => (i === 15 ? (b + 1) & 0xff : b)),
      };
      await on(s, 'size-after-update', 'keyStatuses.size', () => statuses.size);
      await on(s, 'has-exact', 'keyStatuses.has', () => statuses.has(kid));
      await on(s, 'has-exact-array-buffer', 'keyStatuses.has', () => statuses.has(kid.slice().buffer));
      await on(s, 'has-exact-data-view', 'keyStatuses.has', () => statuses.has(new DataView(kid.slice().buffer)));
      await on(s, 'get-exact', 'keyStatuses.get', () => statuses.get(kid));
      for (const [name, bytes] of Object.entries(near)) {
        await on(s, `has-${name}`, 'keyStatuses.has', () => statuses.has(bytes));
        await on(s, `get-${name}`, 'keyStatuses.get', () => statuses.get(bytes) ?? 'undefined');
      }
      await on(s, 'keys', 'keyStatuses.keys', () => sortedHex(statuses));
      await on(s, 'values', 'keyStatuses.values', () => [...statuses.values()]);
      await on(s, 'entries', 'keyStatuses.entries', () =>
        [...statuses.entries()].map(([k, v]) => [toHex(bytesOf(k)), v]).sort(),
      );
      await on(
        s,
        'iterator-is-entries',
        'keyStatuses[Symbol.iterator]',
        () =>
          [...statuses].length === statuses.size &&
          [...statuses].every((pair) => Array.isArray(pair) && pair.length === 2),
      );
      await on(s, 'for-each', 'keyStatuses.forEach', () => {
        /** @type {Array<[MediaKeyStatus, number, boolean]>} */
        const seen = [];
        statuses.forEach((status, keyId, map) => {
          seen.push([status, keyId.byteLength, map === statuses]);
        });
        return seen;
      });
      await h.close(s);
      await s.waitForKeyStatuses('an empty map after close', (snap) => snap.size === 0, {
        optional: true,
        timeoutMs: 2000,
      });
      await on(s, 'size-after-close', 'keyStatuses.size', () => s.session.keyStatuses.size);
    },

    'statuses-per-session': async () => {
      const [a, b] = [await h.createSession(mediaKeys, 'temporary'), await h.createSession(mediaKeys, 'temporary')];
      await h.generateRequest(a, 'keyids', keyIdsInitData([kids[0]]));
      await h.generateRequest(b, 'keyids', keyIdsInitData([kids[1]]));
      const [ra, rb] = [await a.nextMessage(), await b.nextMessage()];
      await h.update(a, await h.exchangeLicense(a, ra));
      await a.waitForKeyStatuses('its key usable', (snap) => snap.keyStatuses[kids[0]] === 'usable');
      await on(a, 'first-after-own-update', 'keyStatuses.keys', () => sortedHex(a.session.keyStatuses));
      await on(b, 'second-before-own-update', 'keyStatuses.size', () => b.session.keyStatuses.size);
      await h.update(b, await h.exchangeLicense(b, rb));
      await b.waitForKeyStatuses('its key usable', (snap) => snap.keyStatuses[kids[1]] === 'usable');
      await on(b, 'second-after-own-update', 'keyStatuses.keys', () => sortedHex(b.session.keyStatuses));
      await on(a, 'first-after-other-update', 'keyStatuses.keys', () => sortedHex(a.session.keyStatuses));
      await h.close(a);
      await a.waitForClosed();
      await on(b, 'second-after-other-closed', 'keyStatuses.keys', () => sortedHex(b.session.keyStatuses));
      await h.close(b);
    },

    'close-rules': async () => {
      const s = await h.licenseSession(mediaKeys, 'keyids', keyIdsInitData([kids[0]]), { kids: [kids[0]] });
      // A second copy of a valid license, for update() after close: the state check must come first.
      const license = await h.exchangeLicense(s, /** @type {MessageItem} */ (s.witnessed.seen.find((i) => i.message)));
      await on(s, 'close', 'close', () => s.session.close());
      await s.waitForClosed();
      await on(s, 'closed-reason', 'closed', () => s.session.closed);
      await on(s, 'close-again', 'close', () => s.session.close());
      await on(s, 'update-after-close', 'update', () => s.session.update(license));
      await on(s, 'remove-after-close', 'remove', () => s.session.remove());
      await on(s, 'generate-request-after-close', 'generateRequest', () =>
        s.session.generateRequest('keyids', keyIdsInitData([kids[0]])),
      );
      await h.quiet(300);
    },

    'count-keystatuseschange': async () => {
      const s = await h.createSession(mediaKeys, 'temporary');
      await h.generateRequest(s, 'keyids', keyIdsInitData(kids));
      const request = await s.nextMessage();
      const license = await h.exchangeLicense(s, request);
      h.rec.note(s.label, 'count-window', { update: 1 });
      await h.update(s, license);
      await s.waitForKeyStatuses('every key usable', (snap) => kids.every((kid) => snap.keyStatuses[kid] === 'usable'));
      await h.quiet(200);
      h.rec.note(s.label, 'count-window', { update: 2 });
      await h.tryUpdate(s, license);
      await h.quiet(200);
      h.rec.note(s.label, 'count-window', { update: 'close' });
      await h.close(s);
      await s.waitForClosed();
      await h.quiet(200);
    },

    'many-sessions': async () => {
      const labels = Array.from({ length: sessionCount }, (_, i) => /** @type {string} */ (keys[i % keys.length]));
      const started = performance.now();
      const sessions = await Promise.all(
        labels.map((label) =>
          h.licenseSession(mediaKeys, 'keyids', keyIdsInitData([h.keyId(label)]), { kids: [h.keyId(label)] }),
        ),
      );
      h.rec.note('runner', 'sessions-usable', {
        sessions: sessions.length,
        ms: Math.round(performance.now() - started),
      });
      await h.fact(
        'distinct-session-ids',
        'runner',
        'count distinct sessionIds',
        () => new Set(sessions.map((s) => s.session.sessionId)).size,
      );
      await h.fact('each-session-lists-only-its-key', 'runner', 'keyStatuses sizes', () =>
        sessions.every((s) => s.session.keyStatuses.size === 1),
      );
      await Promise.all(sessions.map((s) => h.close(s)));
      await Promise.all(sessions.map((s) => s.waitForClosed()));
      await h.fact('all-closed-empty', 'runner', 'keyStatuses sizes after close', () =>
        sessions.every((s) => s.session.keyStatuses.size === 0),
      );
    },
  };
  await runCases(h, CASES, cases);
}
