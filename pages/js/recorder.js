// @ts-check
// The page's witness: every EME call, result, event and promise becomes one timeline entry with a
// sequence number and a monotonic timestamp (ms since the runner started).
import { summarise, errorInfo } from './describe.js';

/** @import { ErrorInfo, PageEntry, SessionSnapshot } from '../../model/record.ts' */

/**
 * An entry as the recorder keeps it. Its `data` is whatever the step that added it put there, so the
 * page reads it back as it wrote it (the schema checks it when the server receives the timeline).
 * @typedef {PageEntry & { data?: any }} RecordedEntry
 */

/**
 * An entry as a step hands it to the recorder, which numbers and times it. Its fields are the model's;
 * which names and data go with which type is checked by the server (PageEntry) when the timeline arrives.
 * @typedef {object} NewEntry
 * @property {PageEntry['type']} type
 * @property {string} target
 * @property {string} name
 * @property {unknown[]} [args]
 * @property {number} [of]
 * @property {PageEntry['outcome']} [outcome]
 * @property {unknown} [value]
 * @property {ErrorInfo} [error]
 * @property {number} [duration]
 * @property {SessionSnapshot} [session]
 * @property {Record<string, unknown>} [data]
 */

/**
 * How a recorded call settled: fulfilled with its value; or threw, rejected or (with `timeoutMs`)
 * did not settle in time. `entry` is the result entry (the call entry when it timed out).
 * @template T
 * @typedef {{ ok: true, value: T, entry: RecordedEntry, error?: undefined, timedOut?: undefined }
 *   | { ok: false, error?: unknown, entry: RecordedEntry, value?: undefined, timedOut?: true }} Attempt
 */

/**
 * @typedef {object} AttemptOptions
 * @property {() => SessionSnapshot} [snapshot] The session state to attach to the result.
 * @property {Record<string, unknown>} [data] Data for the call entry (a case id, a probe).
 * @property {number} [timeoutMs] Give up waiting after this long.
 */

/** A browser step did something other than what the scenario needs; the rules judge it. */
export class StepFailed extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** The feature under test is absent in this browser (WPT's PRECONDITION_FAILED). */
export class PreconditionFailed extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'PreconditionFailed';
  }
}

export class Recorder {
  constructor() {
    /** @type {RecordedEntry[]} */
    this.entries = [];
    this.t0 = performance.now();
    /** @type {Set<(entry: RecordedEntry) => void>} */
    this.listeners = new Set();
  }

  /**
   * @param {NewEntry} entry
   * @returns {RecordedEntry}
   */
  add(entry) {
    const full = /** @type {RecordedEntry} */ ({
      seq: this.entries.length,
      t: Math.round((performance.now() - this.t0) * 1000) / 1000,
      ...entry,
    });
    this.entries.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /**
   * @param {string} target
   * @param {string} name
   * @param {Record<string, unknown>} [data]
   */
  note(target, name, data) {
    return this.add({ type: 'note', target, name, ...(data === undefined ? {} : { data }) });
  }

  /**
   * Records a call and how it settled, and returns { ok, value, error, entry }. Never throws for
   * the browser's errors: callers decide whether a rejection stops the scenario.
   * `snapshot` returns the session state to attach to the result. With `timeoutMs`, a call that has
   * not settled by then is given up on ({ ok: false, timedOut: true }); its result is still
   * recorded if it settles later.
   * @template T
   * @param {string} target
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => T} invoke
   * @param {AttemptOptions} [options]
   * @returns {Promise<Attempt<Awaited<T>>>}
   */
  async attempt(target, name, args, invoke, { snapshot, data, timeoutMs } = {}) {
    const call = this.add({
      type: 'call',
      target,
      name,
      args: args.map((a) => summarise(a)),
      ...(data ? { data } : {}),
    });
    const started = performance.now();
    let sync = true;
    try {
      /** @type {any} */
      let value = invoke();
      /** @type {'returned' | 'resolved'} */
      let outcome = 'returned';
      if (value && typeof value.then === 'function') {
        sync = false;
        if (timeoutMs !== undefined) {
          const settled = value.then(
            () => false,
            () => false,
          );
          const timedOut = await Promise.race([settled, new Promise((r) => setTimeout(() => r(true), timeoutMs))]);
          if (timedOut) {
            this.add({ type: 'note', target, name: 'call-timeout', data: { of: call.seq, call: name, timeoutMs } });
            value.then(
              (/** @type {unknown} */ v) =>
                this.#result(
                  call,
                  target,
                  name,
                  { outcome: 'resolved', ...(v === undefined ? {} : { value: summarise(v) }) },
                  started,
                  snapshot,
                ),
              (/** @type {unknown} */ e) =>
                this.#result(call, target, name, { outcome: 'rejected', error: errorInfo(e) }, started, snapshot),
            );
            return { ok: false, timedOut: true, entry: call };
          }
        }
        value = await value;
        outcome = 'resolved';
      }
      const entry = this.#result(
        call,
        target,
        name,
        { outcome, ...(value === undefined ? {} : { value: summarise(value) }) },
        started,
        snapshot,
      );
      return { ok: true, value, entry };
    } catch (error) {
      const entry = this.#result(
        call,
        target,
        name,
        { outcome: sync ? 'threw' : 'rejected', error: errorInfo(error) },
        started,
        snapshot,
      );
      return { ok: false, error, entry };
    }
  }

  /**
   * Like attempt(), but a throw or rejection stops the scenario with StepFailed.
   * @template T
   * @param {string} target
   * @param {string} name
   * @param {unknown[]} args
   * @param {() => T} invoke
   * @param {AttemptOptions} [options]
   * @returns {Promise<Awaited<T>>}
   */
  async call(target, name, args, invoke, options) {
    const result = await this.attempt(target, name, args, invoke, options);
    if (!result.ok) {
      const { name: errName, message } = /** @type {import('../../model/record.ts').ErrorInfo} */ (result.entry.error);
      throw new StepFailed(`${target}.${name}() ${result.entry.outcome} with ${errName}: ${message}`);
    }
    return result.value;
  }

  /**
   * @param {RecordedEntry} call
   * @param {string} target
   * @param {string} name
   * @param {Pick<PageEntry, 'outcome' | 'value' | 'error'>} settled
   * @param {number} started
   * @param {(() => SessionSnapshot) | undefined} snapshot
   */
  #result(call, target, name, settled, started, snapshot) {
    const duration = Math.round((performance.now() - started) * 1000) / 1000;
    let session;
    try {
      session = snapshot?.();
    } catch {
      session = undefined;
    }
    return this.add({
      type: 'result',
      target,
      name,
      of: call.seq,
      ...settled,
      duration,
      ...(session ? { session } : {}),
    });
  }
}
