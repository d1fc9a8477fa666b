// The steps scenarios are written in: each EME call goes through the recorder, sessions come wrapped
// with their listeners, and license messages go to the run's license endpoint.
import { PreconditionFailed, StepFailed } from './recorder.js';
import { SessionHandle } from './session.js';
import { tryUtf8Json, base64UrlToHex } from './bytes.js';

export const CLEAR_KEY = 'org.w3.clearkey';

/** What the page can see of the EME API surface, recorded once per run. */
export function emeApiSurface() {
  const kinds = {};
  kinds['navigator.requestMediaKeySystemAccess'] = typeof navigator.requestMediaKeySystemAccess;
  for (const name of ['MediaKeys', 'MediaKeySession', 'MediaKeySystemAccess', 'MediaKeyStatusMap', 'MediaKeyMessageEvent', 'MediaEncryptedEvent', 'WebKitMediaKeys', 'MediaSource']) {
    kinds[name] = typeof window[name];
  }
  kinds['HTMLMediaElement.prototype.setMediaKeys'] = typeof HTMLMediaElement.prototype.setMediaKeys;
  return kinds;
}

/** A configuration of one init data type and session type, with codecs that suit the container. */
export function mediaConfig({ initDataType, sessionType = 'temporary', encryptionScheme }) {
  const webm = initDataType === 'webm';
  const video = { contentType: webm ? 'video/webm; codecs="vp9"' : 'video/mp4; codecs="avc1.42E01E"' };
  const audio = { contentType: webm ? 'audio/webm; codecs="opus"' : 'audio/mp4; codecs="mp4a.40.2"' };
  if (encryptionScheme !== undefined) {
    video.encryptionScheme = encryptionScheme;
    audio.encryptionScheme = encryptionScheme;
  }
  return { initDataTypes: [initDataType], sessionTypes: [sessionType], videoCapabilities: [video], audioCapabilities: [audio] };
}

/** A configuration in a few words, for reasons people read. */
export function describeConfigs(configs) {
  return configs
    .map((c) => {
      const caps = [...(c.videoCapabilities ?? []), ...(c.audioCapabilities ?? [])].map((cap) => cap.contentType).join(' + ');
      return `initDataTypes ${c.initDataTypes?.join('/') ?? '-'}, sessionTypes ${c.sessionTypes?.join('/') ?? '-'}, ${caps || 'no capabilities'}`;
    })
    .join(' | ');
}

export class Harness {
  /**
   * `win` is the window whose navigator asks for access (a same-origin frame stands for "another
   * page" in the cross-page scenarios); `labelPrefix` keeps its session labels apart.
   */
  constructor(rec, run, { win = window, labelPrefix = '' } = {}) {
    this.rec = rec;
    this.run = run;
    this.win = win;
    this.labelPrefix = labelPrefix;
    this.runId = run.id;
    this.keyIds = run.keyIds ?? {};
    /** Proxy mode: license messages go to this upstream profile instead of the local key store. */
    this.licenseProfile = run.params?.licenseProfile ?? null;
    this.sessions = 0;
  }

  /** The same steps, run from another window's EME (its navigator, its MediaKeys). */
  inWindow(win, labelPrefix) {
    return new Harness(this.rec, this.run, { win, labelPrefix });
  }

  /** Hex key id for a key store label (the page never sees key values). */
  keyId(label) {
    const kid = this.keyIds[label];
    if (!kid) throw new Error(`the run has no key id for ${label}`);
    return kid;
  }

  /**
   * One call of a case table: recorded with its case id, never throws (the catalog judges the
   * outcome). Returns { ok, value, error }.
   */
  case(id, target, name, args, invoke, { snapshot } = {}) {
    return this.rec.attempt(target, name, args, invoke, { data: { case: id }, snapshot });
  }

  /** A judged fact the page computes (a value read, a count, a comparison): a case with no arguments. */
  fact(id, target, what, compute) {
    return this.case(id, target, what, [], compute);
  }

  requireEmeApi() {
    const { navigator } = this.win;
    if (typeof navigator.requestMediaKeySystemAccess !== 'function') {
      throw new PreconditionFailed(`navigator.requestMediaKeySystemAccess is ${typeof navigator.requestMediaKeySystemAccess} (isSecureContext: ${this.win.isSecureContext})`);
    }
  }

  requestAccess(keySystem, configs, { data, timeoutMs } = {}) {
    return this.rec.attempt('navigator', 'requestMediaKeySystemAccess', [keySystem, configs], () => this.win.navigator.requestMediaKeySystemAccess(keySystem, configs), { data, timeoutMs });
  }

  /** Access the scenario cannot go on without: absence is a precondition, not a failure. */
  async requireAccess(keySystem, configs) {
    this.requireEmeApi();
    const result = await this.requestAccess(keySystem, configs, { timeoutMs: 10_000 });
    if (result.timedOut) throw new StepFailed(`requestMediaKeySystemAccess(${keySystem}) did not settle within 10 s`);
    if (!result.ok) {
      const { name, message } = result.entry.error;
      if (name === 'NotSupportedError') {
        throw new PreconditionFailed(`${keySystem} rejects ${describeConfigs(configs)}: ${name}: ${message}`);
      }
      throw new StepFailed(`requestMediaKeySystemAccess(${keySystem}) rejected with ${name}: ${message}`);
    }
    return result.value;
  }

  createMediaKeys(access) {
    return this.rec.call('access', 'createMediaKeys', [], () => access.createMediaKeys());
  }

  async getConfiguration(access, data) {
    return this.rec.call('access', 'getConfiguration', [], () => access.getConfiguration(), { data });
  }

  async createSession(mediaKeys, sessionType) {
    const label = `${this.labelPrefix}s${++this.sessions}`;
    let handle;
    await this.rec.call('mediaKeys', 'createSession', sessionType === undefined ? [] : [sessionType], () => {
      const session = sessionType === undefined ? mediaKeys.createSession() : mediaKeys.createSession(sessionType);
      handle = new SessionHandle(this.rec, session, label, sessionType ?? 'temporary');
      return session;
    }, { data: { label } });
    return handle;
  }

  #sessionCall(s, name, args, invoke) {
    return this.rec.call(s.label, name, args, invoke, { snapshot: () => s.snapshot() });
  }

  generateRequest(s, initDataType, initData) {
    return this.#sessionCall(s, 'generateRequest', [initDataType, initData], () => s.session.generateRequest(initDataType, initData));
  }

  update(s, response) {
    return this.#sessionCall(s, 'update', [response], () => s.session.update(response));
  }

  close(s) {
    return this.#sessionCall(s, 'close', [], () => s.session.close());
  }

  remove(s) {
    return this.#sessionCall(s, 'remove', [], () => s.session.remove());
  }

  load(s, sessionId) {
    return this.#sessionCall(s, 'load', [sessionId], () => s.session.load(sessionId));
  }

  /**
   * Sends a message event's bytes to this run's license endpoint. Never throws: returns
   * { ok, status, body, failure } where failure is 'network' (reset, refused) or 'timeout'.
   */
  async requestLicense(s, messageItem, { timeoutMs = 10_000 } = {}) {
    const { entry, message } = messageItem;
    const messageType = entry.data.messageType;
    const profile = this.licenseProfile ? `&profile=${encodeURIComponent(this.licenseProfile)}` : '';
    const url = `/license/${this.runId}?session=${encodeURIComponent(s.label)}&messageType=${encodeURIComponent(messageType)}${profile}`;
    const sent = this.rec.add({ type: 'license', target: s.label, name: 'request', data: { url, messageType, bytes: message.length, forMessage: entry.seq } });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(url, { method: 'POST', body: message, signal: abort.signal, headers: { 'content-type': 'application/octet-stream', 'x-eme-page-seq': String(sent.seq) } });
      const body = new Uint8Array(await response.arrayBuffer());
      this.rec.add({ type: 'license', target: s.label, name: 'response', of: sent.seq, data: { status: response.status, bytes: body.length, json: tryUtf8Json(body) ?? null } });
      return { ok: response.ok, status: response.status, body, failure: null };
    } catch (error) {
      const failure = abort.signal.aborted ? 'timeout' : 'network';
      this.rec.add({ type: 'license', target: s.label, name: 'response', of: sent.seq, error: { name: String(error?.name), message: String(error?.message) }, data: { failure, timeoutMs } });
      return { ok: false, status: 0, body: null, failure };
    } finally {
      clearTimeout(timer);
    }
  }

  /** requestLicense() for scenarios that cannot go on without the license. */
  async exchangeLicense(s, messageItem) {
    const answer = await this.requestLicense(s, messageItem);
    if (answer.failure) throw new StepFailed(`license request failed (${answer.failure})`);
    if (!answer.ok) throw new StepFailed(`license endpoint answered HTTP ${answer.status}`);
    return answer.body;
  }

  /** update() whose rejection is recorded and returned, not thrown. */
  tryUpdate(s, response) {
    return this.rec.attempt(s.label, 'update', [response], () => s.session.update(response), { snapshot: () => s.snapshot() });
  }

  async manifest() {
    if (!this.manifestPromise) {
      this.manifestPromise = fetch('/media/manifest.json').then((r) => {
        if (!r.ok) throw new Error(`GET /media/manifest.json answered ${r.status}`);
        return r.json();
      });
    }
    return this.manifestPromise;
  }

  setMediaKeys(videoHandle, mediaKeys) {
    return this.rec.call(videoHandle.label, 'setMediaKeys', [mediaKeys], () => videoHandle.video.setMediaKeys(mediaKeys));
  }

  /**
   * The license round trip of one session: generateRequest, the license-request message, the
   * license (optionally held until `gate` resolves), update, and every listed key usable.
   */
  async licenseSession(mediaKeys, initDataType, initData, { kids, gate } = {}) {
    const s = await this.createSession(mediaKeys, 'temporary');
    await this.generateRequest(s, initDataType, initData);
    const request = await s.nextMessage();
    if (gate) {
      this.rec.note(s.label, 'license-held', { until: gate.what });
      await gate.promise;
      this.rec.note(s.label, 'license-released', {});
    }
    await this.update(s, await this.exchangeLicense(s, request));
    const wanted = kids ?? (request.entry.data.message.json?.kids ?? []).map((k) => base64UrlToHex(k));
    await s.waitForKeyStatuses('every requested key usable', (snap) => wanted.every((kid) => snap.keyStatuses[kid] === 'usable'));
    return s;
  }

  /** Gives late events a chance to arrive, so "nothing after X" rules have something to judge. */
  async quiet(ms) {
    this.rec.note('runner', 'quiet-window', { ms });
    await new Promise((r) => setTimeout(r, ms));
  }
}
