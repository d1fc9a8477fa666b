// @ts-check
// The license client: POSTs a message event's bytes to this run's license endpoint (/license/:run,
// through the run's license profile when it has one) and records the request and its answer.
import { StepFailed } from './recorder.js';
import { tryUtf8Json } from './bytes.js';

/**
 * @import { Recorder } from './recorder.js'
 * @import { MessageItem } from './session.js'
 */

/**
 * How a license request ended: an HTTP answer (ok for 2xx), or a failure, 'network' (reset,
 * refused) or 'timeout', with status 0 and no body.
 * @typedef {{ ok: true, status: number, body: Uint8Array<ArrayBuffer>, failure: null }
 *   | { ok: false, status: number, body: Uint8Array<ArrayBuffer>, failure: null }
 *   | { ok: false, status: 0, body: null, failure: 'network' | 'timeout' }} LicenseAnswer
 */

export class LicenseClient {
  /**
   * @param {Recorder} rec
   * @param {{ runId: string, licenseProfile: string | null }} endpoint
   */
  constructor(rec, { runId, licenseProfile }) {
    this.rec = rec;
    this.runId = runId;
    /** Proxy mode: license messages go to this upstream profile instead of the local key store. */
    this.licenseProfile = licenseProfile;
  }

  /**
   * Sends the message of session `label` to the license endpoint. Never throws.
   * @param {string} label
   * @param {MessageItem} messageItem
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<LicenseAnswer>}
   */
  async request(label, messageItem, { timeoutMs = 10_000 } = {}) {
    const { entry, message } = messageItem;
    const messageType = entry.data.messageType;
    const profile = this.licenseProfile ? `&profile=${encodeURIComponent(this.licenseProfile)}` : '';
    const url = `/license/${this.runId}?session=${encodeURIComponent(label)}&messageType=${encodeURIComponent(messageType)}${profile}`;
    const sent = this.rec.add({
      type: 'license',
      target: label,
      name: 'request',
      data: { url, messageType, bytes: message.length, forMessage: entry.seq },
    });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: message,
        signal: abort.signal,
        headers: { 'content-type': 'application/octet-stream', 'x-eme-page-seq': String(sent.seq) },
      });
      const body = new Uint8Array(await response.arrayBuffer());
      this.rec.add({
        type: 'license',
        target: label,
        name: 'response',
        of: sent.seq,
        data: { status: response.status, bytes: body.length, json: tryUtf8Json(body) ?? null },
      });
      return /** @type {LicenseAnswer} */ ({ ok: response.ok, status: response.status, body, failure: null });
    } catch (error) {
      const failure = abort.signal.aborted ? 'timeout' : 'network';
      const { name, message: text } = /** @type {{ name?: unknown, message?: unknown } | undefined} */ (error) ?? {};
      this.rec.add({
        type: 'license',
        target: label,
        name: 'response',
        of: sent.seq,
        error: { name: String(name), message: String(text) },
        data: { failure, timeoutMs },
      });
      return { ok: false, status: 0, body: null, failure };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * request() for scenarios that cannot go on without the license: a failure stops the scenario.
   * @param {string} label
   * @param {MessageItem} messageItem
   * @returns {Promise<Uint8Array<ArrayBuffer>>}
   */
  async exchange(label, messageItem) {
    const answer = await this.request(label, messageItem);
    if (answer.failure) throw new StepFailed(`license request failed (${answer.failure})`);
    if (!answer.ok) throw new StepFailed(`license endpoint answered HTTP ${answer.status}`);
    return answer.body;
  }
}
