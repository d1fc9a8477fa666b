// The page's witness: every EME call, result, event and promise becomes one timeline entry with a
// sequence number and a monotonic timestamp (ms since the runner started).
import { summarise, errorInfo } from './describe.js';

/** A browser step did something other than what the scenario needs; the rules judge it. */
export class StepFailed extends Error {
  constructor(message) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** The feature under test is absent in this browser (WPT's PRECONDITION_FAILED). */
export class PreconditionFailed extends Error {
  constructor(message) {
    super(message);
    this.name = 'PreconditionFailed';
  }
}

export class Recorder {
  constructor() {
    this.entries = [];
    this.t0 = performance.now();
    this.listeners = new Set();
  }

  add(entry) {
    const full = { seq: this.entries.length, t: Math.round((performance.now() - this.t0) * 1000) / 1000, ...entry };
    this.entries.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  note(target, name, data) {
    return this.add({ type: 'note', target, name, ...(data === undefined ? {} : { data }) });
  }

  /**
   * Records a call and how it settled, and returns { ok, value, error, entry }. Never throws for
   * the browser's errors: callers decide whether a rejection stops the scenario.
   * `snapshot` returns the session state to attach to the result. With `timeoutMs`, a call that has
   * not settled by then is given up on ({ ok: false, timedOut: true }); its result is still
   * recorded if it settles later.
   */
  async attempt(target, name, args, invoke, { snapshot, data, timeoutMs } = {}) {
    const call = this.add({ type: 'call', target, name, args: args.map((a) => summarise(a)), ...(data ? { data } : {}) });
    const started = performance.now();
    let sync = true;
    try {
      let value = invoke();
      let outcome = 'returned';
      if (value && typeof value.then === 'function') {
        sync = false;
        if (timeoutMs !== undefined) {
          const settled = value.then(() => false, () => false);
          const timedOut = await Promise.race([settled, new Promise((r) => setTimeout(() => r(true), timeoutMs))]);
          if (timedOut) {
            this.add({ type: 'note', target, name: 'call-timeout', data: { of: call.seq, call: name, timeoutMs } });
            value.then(
              (v) => this.#result(call, target, name, { outcome: 'resolved', ...(v === undefined ? {} : { value: summarise(v) }) }, started, snapshot),
              (e) => this.#result(call, target, name, { outcome: 'rejected', error: errorInfo(e) }, started, snapshot),
            );
            return { ok: false, timedOut: true, entry: call };
          }
        }
        value = await value;
        outcome = 'resolved';
      }
      const entry = this.#result(call, target, name, { outcome, ...(value === undefined ? {} : { value: summarise(value) }) }, started, snapshot);
      return { ok: true, value, entry };
    } catch (error) {
      const entry = this.#result(call, target, name, { outcome: sync ? 'threw' : 'rejected', error: errorInfo(error) }, started, snapshot);
      return { ok: false, error, entry };
    }
  }

  /** Like attempt(), but a throw or rejection stops the scenario with StepFailed. */
  async call(target, name, args, invoke, options) {
    const result = await this.attempt(target, name, args, invoke, options);
    if (!result.ok) {
      const { name: errName, message } = result.entry.error;
      throw new StepFailed(`${target}.${name}() ${result.entry.outcome} with ${errName}: ${message}`);
    }
    return result.value;
  }

  #result(call, target, name, settled, started, snapshot) {
    const duration = Math.round((performance.now() - started) * 1000) / 1000;
    let session;
    try {
      session = snapshot?.();
    } catch {
      session = undefined;
    }
    return this.add({ type: 'result', target, name, of: call.seq, ...settled, duration, ...(session ? { session } : {}) });
  }
}
