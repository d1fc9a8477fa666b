// @ts-check
// What a target (a session, a video element) has been seen to do, in order, and a way to wait for
// something it did or will do: a match among past items resolves at once, so nothing that came early
// is missed. On timeout the wait is noted in the timeline and resolves null.
/** @import { Recorder } from './recorder.js' */

/**
 * What a witness holds: the recorded entry, and whatever a waiter may need that it does not carry.
 * @typedef {{ entry: import('./recorder.js').RecordedEntry }} WitnessedItem
 */

/** @template {WitnessedItem} [Item=WitnessedItem] */
export class Witnessed {
  /**
   * @param {Pick<Recorder, 'note'>} rec
   * @param {string} label
   */
  constructor(rec, label) {
    this.rec = rec;
    this.label = label;
    /** @type {Item[]} */
    this.seen = [];
    /** @type {Set<(item: Item) => void>} */
    this.waiters = new Set();
  }

  /**
   * @param {Item} item
   * @returns {Item}
   */
  saw(item) {
    this.seen.push(item);
    for (const waiter of [...this.waiters]) waiter(item);
    return item;
  }

  /**
   * @param {string} what
   * @param {(item: Item) => unknown} match
   * @param {number} timeoutMs
   * @param {() => Record<string, unknown>} [noteData] more to say in the timeout note
   * @returns {Promise<Item | null>}
   */
  waitFor(what, match, timeoutMs, noteData = () => ({})) {
    const found = this.seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      /** @param {Item} item */
      const waiter = (item) => {
        if (!match(item)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        this.rec.note(this.label, 'wait-timeout', { waitingFor: what, timeoutMs, ...noteData() });
        resolve(null);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
