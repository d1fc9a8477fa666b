// @ts-check
// Persistent-license sessions across pages (group D): a session stored by one page is retrieved or
// destroyed by the next. Each "page" is a fresh same-origin document in a frame, with its own
// MediaKeys; the frame is removed before the next one opens, so nothing carries over but storage.
import { mediaConfig } from '../configs.js';
import { runCases } from '../cases.js';
import { keyIdsInitData } from '../init-data.js';
import { base64UrlToHex } from '../bytes.js';
import { allUsable } from '../session.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { SessionHandle } from '../session.js'
 */

/**
 * A page of its own: its steps, its MediaKeys, and a way to close it.
 * @typedef {{ ph: Steps, mediaKeys: MediaKeys, close: () => void }} Page
 */

const CONFIG = [mediaConfig({ initDataType: 'keyids', sessionType: 'persistent-license' })];

/**
 * @param {Steps} h
 * @param {number} n
 * @returns {Promise<Page>}
 */
async function openPage(h, n) {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1px;height:1px;border:0';
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.src = `/blank.html?page=${n}`;
  document.body.append(frame);
  await loaded;
  h.rec.note('runner', 'page-opened', { page: n });
  const ph = h.inWindow(/** @type {Window} */ (frame.contentWindow), `page${n}-`);
  const mediaKeys = await ph.createMediaKeys(await ph.requireAccess(ph.keySystem.name, CONFIG));
  return {
    ph,
    mediaKeys,
    close: () => {
      frame.remove();
      h.rec.note('runner', 'page-closed', { page: n });
    },
  };
}

/**
 * @param {Steps} h
 * @param {{ cases: string[], key?: string }} params
 */
export async function run(h, { cases, key = 'key-1' }) {
  const kid = h.keyId(key);
  // The first page's access is also the support check: without persistent-license, unsupported.
  h.requireEmeApi();
  await h.requireAccess(h.keySystem.name, CONFIG);
  let pages = 0;

  /**
   * Page n stores a license in a new persistent session; returns the page and session.
   * @param {string} id
   */
  async function store(id) {
    const page = await openPage(h, ++pages);
    const s = await page.ph.createSession(page.mediaKeys, 'persistent-license');
    await page.ph.generateRequest(s, 'keyids', keyIdsInitData([kid]));
    const request = await s.nextMessage();
    const license = await page.ph.exchangeLicense(s, request);
    await h.case(`${id}-update`, s.label, 'update', [license], () => s.session.update(license));
    await h.fact(
      `${id}-keys-usable`,
      s.label,
      'key usable',
      async () =>
        !!(await s.waitForKeyStatuses('the key usable', (snap) => allUsable(snap, [kid]), { optional: true })),
    );
    return { page, s, sessionId: s.session.sessionId };
  }

  /**
   * Page n loads the stored session; returns the page and session (and whether it loaded).
   * @param {string} id
   * @param {string} sessionId
   */
  async function retrieve(id, sessionId) {
    const page = await openPage(h, ++pages);
    const s = await page.ph.createSession(page.mediaKeys, 'persistent-license');
    const loaded = await h.case(`${id}-load`, s.label, 'load', [sessionId], () => s.session.load(sessionId), {
      snapshot: () => s.snapshot(),
    });
    const found = loaded.ok && loaded.value === true;
    if (found && id === 'after-destroy') {
      // A destruction not yet acknowledged leaves the record of it stored: loading it sends the
      // release message again.
      const release = await s.nextMessage({ optional: true, timeoutMs: 3000 });
      await h.fact(`${id}-release-message`, s.label, 'messageType after load()', () =>
        release ? release.entry.data.messageType : 'none',
      );
    }
    return { page, s, loaded: found };
  }

  /**
   * remove(), the release message, its acknowledgement, and the closed reason.
   * @param {string} id
   * @param {{ page: Page, s: SessionHandle }} stored
   */
  async function destroy(id, { page, s }) {
    await h.case(`${id}-remove`, s.label, 'remove', [], () => s.session.remove(), { snapshot: () => s.snapshot() });
    const release = await s.nextMessage({ optional: true, timeoutMs: 3000 });
    await h.fact(
      `${id}-release-message`,
      s.label,
      'messageType after remove()',
      () => release?.entry.data.messageType ?? 'none',
    );
    await h.fact(`${id}-release-kids`, s.label, 'kids in the release message', () =>
      (release?.entry.data.message.json?.kids ?? []).map(base64UrlToHex),
    );
    if (release) {
      await page.ph.update(s, await page.ph.exchangeLicense(s, release));
      await s.waitForClosed({ optional: true, timeoutMs: 3000 });
      await h.fact(`${id}-closed-reason`, s.label, 'closed', () => s.session.closed);
    }
  }

  const CASES = {
    retrieve: async () => {
      const first = await store('store');
      await h.case('store-close', first.s.label, 'close', [], () => first.s.session.close());
      await first.s.waitForClosed();
      first.page.close();
      const second = await retrieve('retrieve', first.sessionId);
      if (second.loaded) {
        await h.fact(
          'retrieve-keys-usable',
          second.s.label,
          'key usable after load',
          async () =>
            !!(await second.s.waitForKeyStatuses('the key usable', (snap) => allUsable(snap, [kid]), {
              optional: true,
            })),
        );
        await destroy('cleanup', second); // leave no stored license behind
      }
      second.page.close();
    },

    destroy: async () => {
      const first = await store('store');
      await destroy('destroy', first);
      first.page.close();
      const second = await retrieve('after-destroy', first.sessionId);
      second.page.close();
    },

    'retrieve-then-destroy': async () => {
      const first = await store('store');
      await h.case('store-close', first.s.label, 'close', [], () => first.s.session.close());
      await first.s.waitForClosed();
      first.page.close();
      const second = await retrieve('retrieve', first.sessionId);
      if (second.loaded) await destroy('destroy', second);
      second.page.close();
      const third = await retrieve('after-destroy', first.sessionId);
      third.page.close();
    },
  };
  await runCases(h, CASES, cases);
}
