// Wraps one MediaKeySession: its listeners are attached the moment it is created (before
// generateRequest can queue a message), every event lands in the timeline, and scenarios wait for
// events by predicate over what was recorded, so an event that came early is never missed.
import { describeBytes, snapshotSession } from './describe.js';
import { StepFailed } from './recorder.js';
import { Witnessed } from './witnessed.js';

export const DEFAULT_WAIT_MS = 5000;

export class SessionHandle {
  constructor(rec, session, label, sessionType) {
    this.rec = rec;
    this.session = session;
    this.label = label;
    this.sessionType = sessionType;
    this.witnessed = new Witnessed(rec, label); // items: { entry, message?: Uint8Array }
    this.consumedMessages = 0;

    session.addEventListener('message', (event) => {
      const message = new Uint8Array(event.message);
      const entry = rec.add({
        type: 'event', target: label, name: 'message',
        data: { messageType: event.messageType, message: describeBytes(message) },
        session: this.snapshot(),
      });
      this.#saw({ entry, message });
    });
    session.addEventListener('keystatuseschange', () => {
      this.#saw({ entry: rec.add({ type: 'event', target: label, name: 'keystatuseschange', session: this.snapshot() }) });
    });
    session.closed.then(
      (reason) => this.#saw({ entry: rec.add({ type: 'promise', target: label, name: 'closed', outcome: 'resolved', value: reason === undefined ? { undefined: true } : reason, session: this.snapshot() }) }),
      (error) => this.#saw({ entry: rec.add({ type: 'promise', target: label, name: 'closed', outcome: 'rejected', error: { name: String(error?.name), message: String(error?.message) } }) }),
    );
  }

  snapshot() {
    return snapshotSession(this.session);
  }

  #saw(item) {
    this.witnessed.saw(item);
  }

  /**
   * Waits for the first recorded item (past or future) that matches. On timeout it records a note
   * and, unless `optional`, stops the scenario.
   */
  async waitFor(what, match, { timeoutMs = DEFAULT_WAIT_MS, optional = false } = {}) {
    const item = await this.witnessed.waitFor(what, match, timeoutMs);
    if (!item && !optional) throw new StepFailed(`${this.label}: no ${what} within ${timeoutMs} ms`);
    return item;
  }

  /** The next message event not yet handed out, in arrival order. */
  async nextMessage(options) {
    const index = this.consumedMessages;
    const messages = () => this.witnessed.seen.filter((i) => i.message);
    const item = await this.waitFor(`message #${index + 1}`, (i) => i.message && messages().indexOf(i) === index, options);
    if (item) this.consumedMessages++;
    return item;
  }

  waitForKeyStatuses(what, predicate, options) {
    return this.waitFor(`keystatuseschange with ${what}`, (i) => i.entry.name === 'keystatuseschange' && predicate(i.entry.session), options);
  }

  waitForClosed(options) {
    return this.waitFor('closed promise settlement', (i) => i.entry.name === 'closed', options);
  }
}

export function allUsable(snapshot, hexKeyIds) {
  return hexKeyIds.every((kid) => snapshot.keyStatuses[kid] === 'usable');
}

export function allReleased(snapshot, hexKeyIds) {
  return hexKeyIds.every((kid) => snapshot.keyStatuses[kid] === 'released');
}
