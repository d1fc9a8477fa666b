// @ts-check
// The steps scenarios are written in: each EME call goes through the recorder, sessions come wrapped
// with their listeners, and license messages go through the license client. The key system comes
// from the run's key-system profile.
import { PreconditionFailed, StepFailed } from './recorder.js';
import { SessionHandle } from './session.js';
import { base64UrlToHex } from './bytes.js';
import { describeConfigs } from './configs.js';
import { LicenseClient } from './license-client.js';
import { keySystemOf } from './key-system.js';

/**
 * @import { Recorder, Attempt } from './recorder.js'
 * @import { MessageItem } from './session.js'
 * @import { KeySystemProfile } from './key-system.js'
 * @import { LicenseAnswer } from './license-client.js'
 * @import { VideoHandle } from './media.js'
 * @import { Manifest } from '../../model/manifest.ts'
 * @import { RunMeta, SessionSnapshot } from '../../model/record.ts'
 */

/**
 * What the runner page gets for its run (GET /api/runs/:id): the run, its page module and
 * parameters, the key ids by label, the server's other origins and the key-system profile.
 * @typedef {RunMeta & {
 *   module?: string,
 *   keyIds?: Record<string, string>,
 *   origins?: { https?: string, insecure?: string },
 *   keySystem?: KeySystemProfile,
 * }} RunInfo
 */

/**
 * Held back until `promise` settles (`what` says what for, in the timeline).
 * @typedef {{ what: string, promise: Promise<unknown> }} Gate
 */

export class Steps {
  /**
   * `win` is the window whose navigator asks for access (a same-origin frame stands for "another
   * page" in the cross-page scenarios); `labelPrefix` keeps its session labels apart.
   * @param {Recorder} rec
   * @param {RunInfo} run
   * @param {{ win?: Window, labelPrefix?: string }} [where]
   */
  constructor(rec, run, { win = window, labelPrefix = '' } = {}) {
    this.rec = rec;
    this.run = run;
    this.win = win;
    this.labelPrefix = labelPrefix;
    this.runId = run.id;
    this.keyIds = run.keyIds ?? {};
    /** The key system to ask for, and the license profile that answers its messages. */
    this.keySystem = keySystemOf(run);
    this.license = new LicenseClient(rec, { runId: this.runId, licenseProfile: this.keySystem.licenseProfile });
    this.sessions = 0;
    /** @type {Promise<Manifest> | undefined} */
    this.manifestPromise = undefined;
  }

  /**
   * The same steps, run from another window's EME (its navigator, its MediaKeys).
   * @param {Window} win
   * @param {string} labelPrefix
   */
  inWindow(win, labelPrefix) {
    return new Steps(this.rec, this.run, { win, labelPrefix });
  }

  /**
   * Hex key id for a key store label (the page never sees key values).
   * @param {string} label
   * @returns {string}
   */
  keyId(label) {
    const kid = this.keyIds[label];
    if (!kid) throw new Error(`the run has no key id for ${label}`);
    return kid;
  }

  /**
   * One call of a case table: recorded with its case id, never throws (the catalog judges the
   * outcome). Returns { ok, value, error }.
   * @template T
   * @param {string} id
   * @param {string} target
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => T} invoke
   * @param {{ snapshot?: () => SessionSnapshot }} [options]
   * @returns {Promise<Attempt<Awaited<T>>>}
   */
  case(id, target, name, args, invoke, { snapshot } = {}) {
    return this.rec.attempt(target, name, args, invoke, { data: { case: id }, snapshot });
  }

  /**
   * A judged fact the page computes (a value read, a count, a comparison): a case with no arguments.
   * @template T
   * @param {string} id
   * @param {string} target
   * @param {string} what
   * @param {() => T} compute
   */
  fact(id, target, what, compute) {
    return this.case(id, target, what, [], compute);
  }

  requireEmeApi() {
    const { navigator } = this.win;
    if (typeof navigator.requestMediaKeySystemAccess !== 'function') {
      throw new PreconditionFailed(
        `navigator.requestMediaKeySystemAccess is ${typeof navigator.requestMediaKeySystemAccess} (isSecureContext: ${this.win.isSecureContext})`,
      );
    }
  }

  /**
   * @param {string} keySystem
   * @param {MediaKeySystemConfiguration[]} configs
   * @param {{ data?: Record<string, unknown>, timeoutMs?: number }} [options]
   */
  requestAccess(keySystem, configs, { data, timeoutMs } = {}) {
    return this.rec.attempt(
      'navigator',
      'requestMediaKeySystemAccess',
      [keySystem, configs],
      () => this.win.navigator.requestMediaKeySystemAccess(keySystem, configs),
      { data, timeoutMs },
    );
  }

  /**
   * Access the scenario cannot go on without: absence is a precondition, not a failure.
   * @param {string} keySystem
   * @param {MediaKeySystemConfiguration[]} configs
   * @returns {Promise<MediaKeySystemAccess>}
   */
  async requireAccess(keySystem, configs) {
    this.requireEmeApi();
    const result = await this.requestAccess(keySystem, configs, { timeoutMs: 10_000 });
    if (result.timedOut) throw new StepFailed(`requestMediaKeySystemAccess(${keySystem}) did not settle within 10 s`);
    if (!result.ok) {
      const { name, message } = result.entry.error ?? { name: '', message: '' };
      if (name === 'NotSupportedError') {
        throw new PreconditionFailed(`${keySystem} rejects ${describeConfigs(configs)}: ${name}: ${message}`);
      }
      throw new StepFailed(`requestMediaKeySystemAccess(${keySystem}) rejected with ${name}: ${message}`);
    }
    return /** @type {MediaKeySystemAccess} */ (result.value);
  }

  /** @param {MediaKeySystemAccess} access */
  createMediaKeys(access) {
    return this.rec.call('access', 'createMediaKeys', [], () => access.createMediaKeys());
  }

  /**
   * @param {MediaKeySystemAccess} access
   * @param {Record<string, unknown>} [data]
   */
  async getConfiguration(access, data) {
    return this.rec.call('access', 'getConfiguration', [], () => access.getConfiguration(), { data });
  }

  /**
   * @param {MediaKeys} mediaKeys
   * @param {MediaKeySessionType} [sessionType]
   * @returns {Promise<SessionHandle>}
   */
  async createSession(mediaKeys, sessionType) {
    const label = `${this.labelPrefix}s${++this.sessions}`;
    /** @type {SessionHandle | undefined} */
    let handle;
    await this.rec.call(
      'mediaKeys',
      'createSession',
      sessionType === undefined ? [] : [sessionType],
      () => {
        const session = sessionType === undefined ? mediaKeys.createSession() : mediaKeys.createSession(sessionType);
        handle = new SessionHandle(this.rec, session, label, sessionType ?? 'temporary');
        return session;
      },
      { data: { label } },
    );
    return /** @type {SessionHandle} */ (handle);
  }

  /**
   * @template T
   * @param {SessionHandle} s
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => T} invoke
   */
  #sessionCall(s, name, args, invoke) {
    return this.rec.call(s.label, name, args, invoke, { snapshot: () => s.snapshot() });
  }

  /**
   * @param {SessionHandle} s
   * @param {string} initDataType
   * @param {BufferSource} initData
   */
  generateRequest(s, initDataType, initData) {
    return this.#sessionCall(s, 'generateRequest', [initDataType, initData], () =>
      s.session.generateRequest(initDataType, initData),
    );
  }

  /**
   * @param {SessionHandle} s
   * @param {BufferSource} response
   */
  update(s, response) {
    return this.#sessionCall(s, 'update', [response], () => s.session.update(response));
  }

  /** @param {SessionHandle} s */
  close(s) {
    return this.#sessionCall(s, 'close', [], () => s.session.close());
  }

  /** @param {SessionHandle} s */
  remove(s) {
    return this.#sessionCall(s, 'remove', [], () => s.session.remove());
  }

  /**
   * @param {SessionHandle} s
   * @param {string} sessionId
   */
  load(s, sessionId) {
    return this.#sessionCall(s, 'load', [sessionId], () => s.session.load(sessionId));
  }

  /**
   * Sends a message event's bytes to this run's license endpoint. Never throws: returns
   * { ok, status, body, failure } where failure is 'network' (reset, refused) or 'timeout'.
   * @param {SessionHandle} s
   * @param {MessageItem} messageItem
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<LicenseAnswer>}
   */
  requestLicense(s, messageItem, options) {
    return this.license.request(s.label, messageItem, options);
  }

  /**
   * requestLicense() for scenarios that cannot go on without the license.
   * @param {SessionHandle} s
   * @param {MessageItem} messageItem
   */
  exchangeLicense(s, messageItem) {
    return this.license.exchange(s.label, messageItem);
  }

  /**
   * update() whose rejection is recorded and returned, not thrown.
   * @param {SessionHandle} s
   * @param {BufferSource} response
   */
  tryUpdate(s, response) {
    return this.rec.attempt(s.label, 'update', [response], () => s.session.update(response), {
      snapshot: () => s.snapshot(),
    });
  }

  /** @returns {Promise<Manifest>} */
  async manifest() {
    if (!this.manifestPromise) {
      this.manifestPromise = fetch('/media/manifest.json').then((r) => {
        if (!r.ok) throw new Error(`GET /media/manifest.json answered ${r.status}`);
        return r.json();
      });
    }
    return this.manifestPromise;
  }

  /**
   * @param {VideoHandle} videoHandle
   * @param {MediaKeys | null} mediaKeys
   */
  setMediaKeys(videoHandle, mediaKeys) {
    return this.rec.call(videoHandle.label, 'setMediaKeys', [mediaKeys], () =>
      videoHandle.video.setMediaKeys(mediaKeys),
    );
  }

  /**
   * The license round trip of one session: generateRequest, the license-request message, the
   * license (optionally held until `gate` resolves), update, and every listed key usable.
   * @param {MediaKeys} mediaKeys
   * @param {string} initDataType
   * @param {BufferSource} initData
   * @param {{ kids?: string[], gate?: Gate }} [options]
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
    /** @type {string[]} */
    const wanted =
      kids ?? (request.entry.data.message.json?.kids ?? []).map((/** @type {string} */ k) => base64UrlToHex(k));
    await s.waitForKeyStatuses('every requested key usable', (snap) =>
      wanted.every((kid) => snap.keyStatuses[kid] === 'usable'),
    );
    return s;
  }

  /**
   * Gives late events a chance to arrive, so "nothing after X" rules have something to judge.
   * @param {number} ms
   */
  async quiet(ms) {
    this.rec.note('runner', 'quiet-window', { ms });
    await new Promise((r) => setTimeout(r, ms));
  }
}
