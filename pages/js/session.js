// @ts-check
// Wraps one MediaKeySession: its listeners are attached the moment it is created (before
// generateRequest can queue a message), every event lands in the timeline, and scenarios wait for
// events by predicate over what was recorded, so an event that came early is never missed.
import { describeBytes, snapshotSession } from './describe.js';
import { StepFailed } from './recorder.js';
import { Witnessed } from './witnessed.js';

/**
 * @import { SessionSnapshot } from '../../model/record.ts'
 * @import { Recorder, RecordedEntry } from './recorder.js'
 */

/**
 * What a session was seen to do: an entry, with the message's bytes for a message event.
 * @typedef {{ entry: RecordedEntry, message?: Uint8Array<ArrayBuffer> }} SessionItem
 */

/**
 * A message event the session sent, with its bytes.
 * @typedef {{ entry: RecordedEntry, message: Uint8Array<ArrayBuffer> }} MessageItem
 */

/**
 * How long to wait, and whether a timeout stops the scenario (it does unless `optional`).
 * @typedef {{ timeoutMs?: number, optional?: boolean }} WaitOptions
 */

export const DEFAULT_WAIT_MS = 5000;

export class SessionHandle {
  /**
   * @param {Recorder} rec
   * @param {MediaKeySession} session
   * @param {string} label
   * @param {MediaKeySessionType} sessionType
   */
  constructor(rec, session, label, sessionType) {
    this.rec = rec;
    this.session = session;
    this.label = label;
    this.sessionType = sessionType;
    /** @type {Witnessed<SessionItem>} */
    this.witnessed = new Witnessed(rec, label);
    this.consumedMessages = 0;

    session.addEventListener('message', (event) => {
      const message = new Uint8Array(event.message);
      const entry = rec.add({
        type: 'event',
        target: label,
        name: 'message',
        data: { messageType: event.messageType, message: describeBytes(message) },
        session: this.snapshot(),
      });
      this.#saw({ entry, message });
    });
    session.addEventListener('keystatuseschange', () => {
      this.#saw({
        entry: rec.add({ type: 'event', target: label, name: 'keystatuseschange', session: this.snapshot() }),
      });
    });
    session.closed.then(
      (reason) =>
        this.#saw({
          entry: rec.add({
            type: 'promise',
            target: label,
            name: 'closed',
            outcome: 'resolved',
            value: reason === undefined ? { undefined: true } : reason,
            session: this.snapshot(),
          }),
        }),
      (/** @type {{ name?: unknown, message?: unknown } | undefined} */ error) =>
        this.#saw({
          entry: rec.add({
            type: 'promise',
            target: label,
            name: 'closed',
            outcome: 'rejected',
            error: { name: String(error?.name), message: String(error?.message) },
          }),
        }),
    );
  }

  /** @returns {SessionSnapshot} */
  snapshot() {
    return snapshotSession(this.session);
  }

  /** @param {SessionItem} item */
  #saw(item) {
    this.witnessed.saw(item);
  }

  /**
   * Waits for the first recorded item (past or future) that matches. On timeout it records a note
   * and, unless `optional`, stops the scenario.
   * @overload
   * @param {string} what
   * @param {(item: SessionItem) => unknown} match
   * @param {WaitOptions & { optional: true }} options
   * @returns {Promise<SessionItem | null>}
   */
  /**
   * @overload
   * @param {string} what
   * @param {(item: SessionItem) => unknown} match
   * @param {WaitOptions & { optional?: false }} [options]
   * @returns {Promise<SessionItem>}
   */
  /**
   * @param {string} what
   * @param {(item: SessionItem) => unknown} match
   * @param {WaitOptions} [options]
   * @returns {Promise<SessionItem | null>}
   */
  async waitFor(what, match, { timeoutMs = DEFAULT_WAIT_MS, optional = false } = {}) {
    const item = await this.witnessed.waitFor(what, match, timeoutMs);
    if (!item && !optional) throw new StepFailed(`${this.label}: no ${what} within ${timeoutMs} ms`);
    return item;
  }

  /**
   * The next message event not yet handed out, in arrival order.
   * @overload
   * @param {WaitOptions & { optional: true }} options
   * @returns {Promise<MessageItem | null>}
   */
  /**
   * @overload
   * @param {WaitOptions & { optional?: false }} [options]
   * @returns {Promise<MessageItem>}
   */
  /**
   * @param {WaitOptions} [options]
   * @returns {Promise<MessageItem | null>}
   */
  async nextMessage(options) {
    const index = this.consumedMessages;
    const messages = () => this.witnessed.seen.filter((i) => i.message);
    const item = await this.waitFor(
      `message #${index + 1}`,
      (i) => i.message && messages().indexOf(i) === index,
      /** @type {WaitOptions & { optional: true }} */ (options),
    );
    if (item) this.consumedMessages++;
    return /** @type {MessageItem | null} */ (item);
  }

  /**
   * @overload
   * @param {string} what
   * @param {(snapshot: SessionSnapshot) => boolean} predicate
   * @param {WaitOptions & { optional: true }} options
   * @returns {Promise<SessionItem | null>}
   */
  /**
   * @overload
   * @param {string} what
   * @param {(snapshot: SessionSnapshot) => boolean} predicate
   * @param {WaitOptions & { optional?: false }} [options]
   * @returns {Promise<SessionItem>}
   */
  /**
   * @param {string} what
   * @param {(snapshot: SessionSnapshot) => boolean} predicate
   * @param {WaitOptions} [options]
   * @returns {Promise<SessionItem | null>}
   */
  waitForKeyStatuses(what, predicate, options) {
    return this.waitFor(
      `keystatuseschange with ${what}`,
      (i) => i.entry.name === 'keystatuseschange' && predicate(/** @type {SessionSnapshot} */ (i.entry.session)),
      /** @type {WaitOptions & { optional: true }} */ (options),
    );
  }

  /**
   * @overload
   * @param {WaitOptions & { optional: true }} options
   * @returns {Promise<SessionItem | null>}
   */
  /**
   * @overload
   * @param {WaitOptions & { optional?: false }} [options]
   * @returns {Promise<SessionItem>}
   */
  /**
   * @param {WaitOptions} [options]
   * @returns {Promise<SessionItem | null>}
   */
  waitForClosed(options) {
    return this.waitFor(
      'closed promise settlement',
      (i) => i.entry.name === 'closed',
      /** @type {WaitOptions & { optional: true }} */ (options),
    );
  }
}

/**
 * @param {SessionSnapshot} snapshot
 * @param {string[]} hexKeyIds
 */
export function allUsable(snapshot, hexKeyIds) {
  return hexKeyIds.every((kid) => snapshot.keyStatuses[kid] === 'usable');
}

/**
 * @param {SessionSnapshot} snapshot
 * @param {string[]} hexKeyIds
 */
export function allReleased(snapshot, hexKeyIds) {
  return hexKeyIds.every((kid) => snapshot.keyStatuses[kid] === 'released');
}
