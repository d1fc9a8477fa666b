// What a target (a session, a video element) has been seen to do, in order, and a way to wait for
// something it did or will do: a match among past items resolves at once, so nothing that came early
// is missed. On timeout the wait is noted in the timeline and resolves null.
export class Witnessed {
  constructor(rec, label) {
    this.rec = rec;
    this.label = label;
    this.seen = [];
    this.waiters = new Set();
  }

  saw(item) {
    this.seen.push(item);
    for (const waiter of [...this.waiters]) waiter(item);
    return item;
  }

  waitFor(what, match, timeoutMs, noteData = () => ({})) {
    const found = this.seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
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
