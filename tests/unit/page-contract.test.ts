// The case-id contract, checked without browsers. Each case-table scenario of the catalog runs its page
// module (pages/js/scenarios/*.js, imported as the browser loads it) under Node, with the real steps
// and recorder, against a fake browser that grants every access and answers every call the way a
// Clear Key browser that supports everything would; the context frame (pages/context-frame.html) runs
// its own script the same way. Saying yes to everything takes every branch that records a case, so
// each case id the catalog judges must be among the calls the pages recorded: a judged case that no
// page produces could only ever be judged 'never ran'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { SCENARIOS } from '../../harness/catalog.ts';
import { readManifest, type TrackInfo } from '../../model/manifest.ts';
import { KeyStore } from '../../model/keystore.ts';
import { answerMessage, parseMessage } from '../../server/clearkey.ts';
import { Recorder } from '../../pages/js/recorder.js';
import { Steps, type RunInfo } from '../../pages/js/steps.js';

const SCENARIO_DIR = new URL('../../pages/js/scenarios/', import.meta.url);
const KEYS = KeyStore.load('media/keys.json');
const MANIFEST_FILE = new URL('../../media/manifest.json', import.meta.url);
const TRACKS = new Map<string, TrackInfo>(
  Object.values(readManifest(MANIFEST_FILE).assets).flatMap((a) => a.tracks.map((t) => [t.url, t] as const)),
);
const ORIGIN = 'https://127.0.0.1:8787';
const CONTEXT_FRAME_SCRIPT =
  /<script>([\s\S]*?)<\/script>/.exec(
    readFileSync(new URL('../../pages/context-frame.html', import.meta.url), 'utf8'),
  )?.[1] ?? '';

// ---- a fake browser: EME, a <video> with MSE, frames and fetch, just enough to say yes ----

/** Events are queued as tasks, as browsers do, so listeners added right after a call still see them. */
const later = (fn: () => void) => void setTimeout(fn, 0);
const event = (type: string, props: Record<string, unknown> = {}) => Object.assign(new Event(type), props);
const bytes = (source: unknown): Buffer => {
  if (ArrayBuffer.isView(source)) return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if (Object.prototype.toString.call(source) === '[object ArrayBuffer]') return Buffer.from(source as ArrayBuffer);
  throw new TypeError('not a BufferSource');
};
const arrayBuffer = (buffer: Uint8Array): ArrayBuffer => Uint8Array.from(buffer).buffer;
const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

/** The key ids init data names, per the init data registry (a broken one is a TypeError). */
function initDataKids(initDataType: string, initData: unknown): string[] {
  const data = bytes(initData);
  if (data.length === 0) throw new TypeError('empty init data');
  if (initDataType === 'keyids')
    return (JSON.parse(data.toString('utf8')) as { kids: string[] }).kids.map((k) =>
      Buffer.from(k, 'base64url').toString('hex'),
    );
  if (initDataType === 'webm') return [data.toString('hex')];
  if (initDataType === 'cenc') {
    const count = data.readUInt32BE(28);
    return Array.from({ length: count }, (_, i) => data.subarray(32 + 16 * i, 48 + 16 * i).toString('hex'));
  }
  throw new TypeError(`init data type ${initDataType}`);
}

class FakeKeyStatusMap {
  readonly #statuses = new Map<string, string>();
  set(hex: string, status: string) {
    this.#statuses.set(hex, status);
  }
  clear() {
    this.#statuses.clear();
  }
  get size() {
    return this.#statuses.size;
  }
  has(keyId: unknown) {
    return this.#statuses.has(bytes(keyId).toString('hex'));
  }
  get(keyId: unknown) {
    return this.#statuses.get(bytes(keyId).toString('hex'));
  }
  *entries(): IterableIterator<[ArrayBuffer, string]> {
    for (const [hex, status] of this.#statuses) yield [arrayBuffer(Buffer.from(hex, 'hex')), status];
  }
  *keys() {
    for (const [keyId] of this.entries()) yield keyId;
  }
  values() {
    return this.#statuses.values();
  }
  forEach(callback: (status: string, keyId: ArrayBuffer, map: FakeKeyStatusMap) => void) {
    for (const [keyId, status] of this.entries()) callback(status, keyId, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

class FakeSession extends EventTarget {
  sessionId = '';
  expiration = NaN;
  readonly keyStatuses = new FakeKeyStatusMap();
  readonly closed: Promise<string>;
  #resolveClosed!: (reason: string) => void;
  #state: 'new' | 'pending' | 'open' | 'released' | 'closed' = 'new';
  #kids: string[] = [];
  readonly #browser: FakeBrowser;
  readonly #sessionType: string;

  constructor(browser: FakeBrowser, sessionType: string) {
    super();
    this.#browser = browser;
    this.#sessionType = sessionType;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  async generateRequest(initDataType: string, initData: unknown) {
    if (this.#state !== 'new') throw new DOMException('generateRequest() was called before', 'InvalidStateError');
    this.#kids = initDataKids(initDataType, initData);
    this.#state = 'pending';
    this.sessionId = this.#browser.newSessionId();
    this.#message('license-request', { kids: this.#kids.map(b64url), type: this.#sessionType });
  }

  async update(response: unknown) {
    if (this.#state === 'new' || this.#state === 'closed')
      throw new DOMException(`update() in state ${this.#state}`, 'InvalidStateError');
    const json = JSON.parse(bytes(response).toString('utf8')) as { keys?: Array<{ kid: string }> };
    if (this.#state === 'released') return this.#finish('release-acknowledged');
    for (const key of json.keys ?? [])
      this.keyStatuses.set(Buffer.from(key.kid, 'base64url').toString('hex'), 'usable');
    this.#state = 'open';
    if (this.#sessionType === 'persistent-license') this.#browser.stored.set(this.sessionId, this.#kids);
    later(() => this.dispatchEvent(event('keystatuseschange')));
  }

  async load(sessionId: string) {
    if (this.#sessionType !== 'persistent-license') throw new TypeError('load() on a temporary session');
    const kids = this.#browser.stored.get(sessionId);
    if (!kids) return false;
    [this.sessionId, this.#kids, this.#state] = [sessionId, kids, 'open'];
    for (const kid of kids) this.keyStatuses.set(kid, 'usable');
    later(() => this.dispatchEvent(event('keystatuseschange')));
    return true;
  }

  async remove() {
    if (this.#state !== 'open') throw new DOMException(`remove() in state ${this.#state}`, 'InvalidStateError');
    this.#browser.stored.delete(this.sessionId);
    for (const kid of this.#kids) this.keyStatuses.set(kid, 'released');
    this.#state = 'released';
    later(() => this.dispatchEvent(event('keystatuseschange')));
    this.#message('license-release', { kids: this.#kids.map(b64url) });
  }

  async close() {
    if (this.#state !== 'closed') this.#finish('closed-by-application');
  }

  #finish(reason: string) {
    this.#state = 'closed';
    this.keyStatuses.clear();
    later(() => {
      this.dispatchEvent(event('keystatuseschange'));
      this.#resolveClosed(reason);
    });
  }

  #message(messageType: string, json: unknown) {
    const message = arrayBuffer(Buffer.from(JSON.stringify(json)));
    later(() => this.dispatchEvent(event('message', { messageType, message })));
  }
}

class FakeMediaKeys {
  readonly #browser: FakeBrowser;
  readonly #sessionTypes: string[];
  constructor(browser: FakeBrowser, sessionTypes: string[]) {
    this.#browser = browser;
    this.#sessionTypes = sessionTypes;
  }
  createSession(sessionType = 'temporary') {
    if (!this.#sessionTypes.includes(sessionType))
      throw new DOMException(`${sessionType} was not configured`, 'NotSupportedError');
    return new FakeSession(this.#browser, sessionType);
  }
  async setServerCertificate() {
    return false;
  }
  async getStatusForPolicy() {
    return 'usable';
  }
}

/** navigator.requestMediaKeySystemAccess that grants any key system the first configuration, as asked. */
function fakeNavigator(browser: FakeBrowser) {
  return {
    async requestMediaKeySystemAccess(keySystem: string, configs: MediaKeySystemConfiguration[]) {
      const config = {
        audioCapabilities: [],
        distinctiveIdentifier: 'not-allowed',
        persistentState: 'optional',
        sessionTypes: ['temporary'],
        ...configs[0],
      };
      return {
        keySystem,
        getConfiguration: () => structuredClone(config),
        createMediaKeys: async () => new FakeMediaKeys(browser, config.sessionTypes),
      };
    },
  };
}

class FakeElement extends EventTarget {
  readonly style = { cssText: '' };
  readonly attributes = new Map<string, string>();
  constructor(readonly localName: string) {
    super();
  }
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  /** Called when the element is put in the document. */
  connected() {}
  remove() {}
}

class FakeVideo extends FakeElement {
  muted = false;
  playsInline = false;
  width = 0;
  height = 0;
  currentTime = 0;
  readyState = 0;
  paused = true;
  networkState = 0;
  error = null;
  mediaKeys: FakeMediaKeys | null = null;
  #src = '';
  constructor(readonly browser: FakeBrowser) {
    super('video');
  }
  get src() {
    return this.#src;
  }
  set src(url: string) {
    this.#src = url;
    this.browser.objectUrls.get(url)?.open(this);
  }
  async setMediaKeys(mediaKeys: unknown) {
    if (mediaKeys !== null && !(mediaKeys instanceof FakeMediaKeys)) throw new TypeError('not a MediaKeys');
    this.mediaKeys = mediaKeys;
  }
  /** Plays to 1.5 s at once: every progress milestone is crossed. */
  async play() {
    this.paused = false;
    later(() => {
      this.dispatchEvent(event('playing'));
      this.currentTime = 1.5;
      this.dispatchEvent(event('timeupdate'));
    });
  }
  pause() {
    this.paused = true;
  }
}

class FakeSourceBuffer extends EventTarget {
  constructor(readonly source: FakeMediaSource) {
    super();
  }
  /** The fake media's bytes are its URL: an encrypted track fires 'encrypted' with its init data. */
  appendBuffer(data: ArrayBuffer) {
    const track = TRACKS.get(Buffer.from(data).toString('utf8'));
    later(() => {
      const video = this.source.video;
      if (video) {
        video.readyState = Math.max(video.readyState, 1);
        for (const [initDataType, b64] of Object.entries(track?.encrypted ? track.initData : {})) {
          video.dispatchEvent(event('encrypted', { initDataType, initData: arrayBuffer(Buffer.from(b64, 'base64')) }));
        }
      }
      this.dispatchEvent(event('updateend'));
    });
  }
}

class FakeMediaSource extends EventTarget {
  static isTypeSupported() {
    return true;
  }
  readyState = 'closed';
  video: FakeVideo | null = null;
  open(video: FakeVideo) {
    this.video = video;
    later(() => {
      this.readyState = 'open';
      this.dispatchEvent(event('sourceopen'));
    });
  }
  addSourceBuffer() {
    return new FakeSourceBuffer(this);
  }
  endOfStream() {
    this.readyState = 'ended';
  }
}

class FakeWindow extends EventTarget {
  readonly isSecureContext = true;
  readonly navigator: ReturnType<typeof fakeNavigator>;
  constructor(browser: FakeBrowser) {
    super();
    this.navigator = fakeNavigator(browser);
  }
}

class FakeIframe extends FakeElement {
  src = '';
  contentWindow: FakeWindow | null = null;
  constructor(readonly browser: FakeBrowser) {
    super('iframe');
  }
  override connected() {
    this.contentWindow = new FakeWindow(this.browser);
    const url = new URL(this.src, ORIGIN);
    if (url.pathname === '/context-frame.html') this.browser.runContextFrame(this, url);
    later(() => this.dispatchEvent(event('load')));
  }
}

class FakeBrowser {
  /** Persistent sessions by session id: what outlives a page. */
  readonly stored = new Map<string, string[]>();
  readonly objectUrls = new Map<string, FakeMediaSource>();
  readonly window = new FakeWindow(this);
  #sessions = 0;

  newSessionId() {
    return `fake-session-${++this.#sessions}`;
  }

  readonly document = {
    body: {
      append: (element: FakeElement) => element.connected(),
      prepend: (element: FakeElement) => element.connected(),
    },
    createElement: (tag: string): FakeElement =>
      tag === 'video' ? new FakeVideo(this) : tag === 'iframe' ? new FakeIframe(this) : new FakeElement(tag),
  };

  /** The server's answers: the media manifest, the fake media, and Clear Key licenses from the key store. */
  readonly fetch = async (input: string, init?: { body?: unknown }): Promise<Response> => {
    const url = new URL(input, ORIGIN);
    if (url.pathname === '/media/manifest.json') return new Response(readFileSync(MANIFEST_FILE));
    if (TRACKS.has(url.pathname)) return new Response(Buffer.from(url.pathname));
    if (url.pathname.startsWith('/license/')) {
      const message = parseMessage(bytes(init?.body), url.searchParams.get('messageType') ?? undefined);
      return new Response(JSON.stringify(answerMessage(message, KEYS).body));
    }
    return new Response('not found', { status: 404 });
  };

  /** context-frame.html's own script, in a realm of its own, reporting to this window by postMessage. */
  runContextFrame(frame: FakeIframe, url: URL) {
    const frameWindow = frame.contentWindow!;
    const sandbox: Record<string, unknown> = {
      location: { search: url.search },
      navigator: frameWindow.navigator,
      isSecureContext: true,
      MediaKeys: FakeMediaKeys,
      parent: {
        postMessage: (data: unknown) =>
          later(() => this.window.dispatchEvent(event('message', { data, source: frameWindow, origin: url.origin }))),
      },
      fetch: this.fetch,
      TextEncoder,
      btoa,
      URLSearchParams,
      setTimeout,
      clearTimeout,
    };
    sandbox['window'] = sandbox;
    runInNewContext(CONTEXT_FRAME_SCRIPT, sandbox);
  }
}

/**
 * Runs `fn` with the fake browser's globals in place (window, document, navigator, MediaSource,
 * fetch, blob URLs), then puts Node's back and clears the timers the page left pending.
 */
async function inFakeBrowser<T>(browser: FakeBrowser, fn: () => Promise<T>): Promise<T> {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const realSetTimeout = globalThis.setTimeout;
  let objectUrls = 0;
  const globals: Record<string, unknown> = {
    window: browser.window,
    document: browser.document,
    navigator: browser.window.navigator,
    MediaSource: FakeMediaSource,
    fetch: browser.fetch,
    setTimeout: (...args: Parameters<typeof setTimeout>) => {
      const timer = realSetTimeout(...args);
      timers.add(timer);
      return timer;
    },
  };
  const saved = Object.keys(globals).map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  const createObjectURL = URL.createObjectURL;
  for (const [name, value] of Object.entries(globals))
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  URL.createObjectURL = (source: unknown) => {
    const url = `blob:${ORIGIN}/${++objectUrls}`;
    browser.objectUrls.set(url, source as FakeMediaSource);
    return url;
  };
  try {
    return await fn();
  } finally {
    URL.createObjectURL = createObjectURL;
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
    for (const timer of timers) clearTimeout(timer);
  }
}

interface PageRun {
  /** Case ids of the calls the page recorded, as the judge finds them (a 'call' entry's data.case). */
  produced: Set<string>;
  /** What stopped the page, if it did not complete. */
  error: unknown;
}

async function runPage(scenario: (typeof SCENARIOS)[number]): Promise<PageRun> {
  const browser = new FakeBrowser();
  const rec = new Recorder();
  const run: RunInfo = {
    id: `contract-${scenario.id}`,
    scenario: scenario.id,
    params: scenario.page.params,
    project: 'node',
    createdAt: new Date(0).toISOString(),
    module: scenario.page.module,
    keyIds: KEYS.keyIds(),
    origins: { https: 'https://127.0.0.1:8788', insecure: 'http://eme.test:8787' },
    keySystem: { name: 'org.w3.clearkey', licenseProfile: null },
  };
  const error = await inFakeBrowser(browser, async () => {
    const page = (await import(new URL(`${scenario.page.module}.js`, SCENARIO_DIR).href)) as {
      run: (steps: Steps, params: unknown) => Promise<void>;
    };
    try {
      await page.run(new Steps(rec, run), run.params);
      return undefined;
    } catch (e) {
      return e;
    }
  });
  const produced = new Set(
    rec.entries.flatMap((e) => (e.type === 'call' && typeof e.data?.['case'] === 'string' ? [e.data['case']] : [])),
  );
  return { produced, error };
}

// ---- the contract ----

const caseScenarios = SCENARIOS.filter((s) => s.cases);

test('every page module loads under Node and exports run(steps, params); every catalog scenario names one', async () => {
  const modules = readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3));
  assert.ok(modules.length >= 10, `${modules.length} page modules`);
  for (const name of modules) {
    const page = (await import(new URL(`${name}.js`, SCENARIO_DIR).href)) as { run?: unknown };
    assert.equal(typeof page.run, 'function', `pages/js/scenarios/${name}.js exports run`);
  }
  for (const s of SCENARIOS)
    assert.ok(modules.includes(s.page.module), `${s.id}: no pages/js/scenarios/${s.page.module}.js`);
});

test('the catalog judges case ids in at least 25 case-table scenarios, each asking its page for cases to run', () => {
  assert.ok(caseScenarios.length >= 25, `${caseScenarios.length} case-table scenarios`);
  for (const s of caseScenarios) {
    const run = s.page.params['cases'];
    assert.ok(Array.isArray(run) && run.length > 0, `${s.id}: no page cases to run`);
  }
});

for (const s of caseScenarios) {
  test(`${s.id}: pages/js/scenarios/${s.page.module}.js records every case id the catalog judges`, async () => {
    const { produced, error } = await runPage(s);
    const missing = Object.keys(s.cases ?? {}).filter((id) => !produced.has(id));
    assert.deepEqual(
      missing,
      [],
      `${s.id}: the catalog judges case ids no page produces: ${missing.join(', ')}${error ? `\n(the page stopped: ${String(error)})` : ''}`,
    );
    // A page that stops early under a browser saying yes to everything has a bug (or this fake a gap).
    assert.equal(error, undefined, `${s.id}: the page stopped: ${String(error)}`);
  });
}
