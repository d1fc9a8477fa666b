// @ts-check
// The tracer's adapter: turns what trace-anything reports (a method called, an event handled, a promise
// property settled) and what the media elements fire into timeline entries of the runner pages' schema
// (model/record.ts): the same targets ('navigator', 'access', 'mediaKeys', session labels 's1'…, element
// labels 'video'…), a call entry then its result, bytes described as the recorder describes them. It
// touches no global of its own, so the unit tests drive it under Node with plain objects.
import { describeBytes, errorInfo, snapshotSession, summarise } from '../describe.js';
import { MILESTONES, videoState } from '../media.js';

/**
 * An entry as the adapter hands it over; the tracer numbers and times it (model/record.ts PageEntry).
 * @typedef {import('../recorder.js').NewEntry} NewEntry
 */

/**
 * What trace-anything hands its logger (its TraceAnything.Log), in the fields the adapter reads.
 * @typedef {object} TraceLog
 * @property {string} type 'Method' | 'Event' | 'Getter' | 'Setter' | 'Constructor' | 'Warning'
 * @property {string} [className]
 * @property {string} [methodName]
 * @property {string} [eventName]
 * @property {any} [instance]
 * @property {unknown[]} [args]
 * @property {any} [result]
 * @property {unknown} [threw]
 * @property {any} [event]
 * @property {string} [message]
 */

/**
 * `emit` records an entry and returns its sequence number; `warn` keeps what could not be traced.
 * @typedef {{ emit: (entry: NewEntry) => number, warn: (message: string) => void }} Sink
 */

/**
 * `mediaEvents: false` leaves media element events to a page that records them itself (the runner's
 * player module); EME calls on the element (setMediaKeys) are traced either way.
 * @typedef {{ mediaEvents?: boolean }} AdapterOptions
 */

/** The EME methods traced per class, with the target their calls are recorded on. */
const METHODS = /** @type {Record<string, { target: string | null, names: string[] }>} */ ({
  Navigator: { target: 'navigator', names: ['requestMediaKeySystemAccess'] },
  MediaCapabilities: { target: 'mediaCapabilities', names: ['decodingInfo'] },
  MediaKeySystemAccess: { target: 'access', names: ['getConfiguration', 'createMediaKeys'] },
  MediaKeys: { target: 'mediaKeys', names: ['createSession', 'setServerCertificate', 'getStatusForPolicy'] },
  // Sessions and media elements are recorded under their own labels.
  MediaKeySession: { target: null, names: ['generateRequest', 'load', 'update', 'close', 'remove'] },
  HTMLMediaElement: { target: null, names: ['setMediaKeys'] },
});

/** Media element events recorded with the element's state (a subset of the runner's: the ones a diff can use). */
export const MEDIA_EVENTS = ['encrypted', 'waitingforkey', 'error', 'loadedmetadata', 'playing', 'ended', 'timeupdate'];

/** @param {unknown} value */
const isThenable = (value) =>
  !!value &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (/** @type {any} */ (value).then) === 'function';

/** A media element, from any realm (a frame's elements are not instanceof this window's classes). */
function isMediaElement(/** @type {any} */ node) {
  return !!node && (node.localName === 'video' || node.localName === 'audio') && typeof node.canPlayType === 'function';
}

export class TraceAdapter {
  /**
   * @param {Sink} sink
   * @param {AdapterOptions} [options]
   */
  constructor(sink, { mediaEvents = true } = {}) {
    this.sink = sink;
    this.mediaEvents = mediaEvents;
    /** @type {WeakMap<object, string>} */
    this.labels = new WeakMap();
    /** @type {Map<string, number>} */
    this.counters = new Map();
    /** Progress milestones already crossed, per element. */
    /** @type {WeakMap<object, Set<number>>} */
    this.crossed = new WeakMap();
    /** Events already recorded (a capture listener and an element's own listener can both see one). */
    /** @type {WeakSet<object>} */
    this.seenEvents = new WeakSet();
  }

  /**
   * The label of a session ('s1', 's2'…) or media element ('video', 'video2', 'audio'…), given on first sight.
   * @param {object} object
   * @param {string} kind
   * @param {boolean} numberFirst 's1' rather than 'video'
   */
  labelOf(object, kind, numberFirst) {
    let label = this.labels.get(object);
    if (!label) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      label = numberFirst || n > 1 ? `${kind}${n}` : kind;
      this.labels.set(object, label);
    }
    return label;
  }

  /** @param {any} element */
  elementLabel(element) {
    return this.labelOf(element, element.localName, false);
  }

  /** @param {any} session */
  sessionLabel(session) {
    return this.labelOf(session, 's', true);
  }

  /**
   * trace-anything's logger: one log per traced call (when it returns; async results are awaited here),
   * per handled event and per settled promise property.
   * @param {TraceLog} log
   */
  onLog(log) {
    if (log.type === 'Method') this.#method(log);
    else if (log.type === 'Event') this.#event(log);
    else if (log.type === 'Warning') this.sink.warn(String(log.message));
  }

  /** @param {TraceLog} log */
  #method(log) {
    const spec = METHODS[log.className ?? ''];
    const name = log.methodName ?? '';
    if (!spec?.names.includes(name)) return;
    const args = log.args ?? [];
    // decodingInfo() is a key system query only when it carries a keySystemConfiguration.
    if (name === 'decodingInfo' && !(/** @type {any} */ (args[0])?.keySystemConfiguration)) return;
    /** @type {string} */
    let target;
    /** @type {(() => ReturnType<typeof snapshotSession>) | undefined} */
    let snapshot;
    if (log.className === 'MediaKeySession') {
      const session = log.instance;
      target = this.sessionLabel(session);
      snapshot = () => snapshotSession(session);
    } else if (log.className === 'HTMLMediaElement') {
      target = this.elementLabel(log.instance);
      this.watchElement(log.instance);
    } else {
      target = /** @type {string} */ (spec.target);
    }
    /** @type {Record<string, unknown> | undefined} */
    let data;
    if (name === 'createSession' && !('threw' in log) && log.result && typeof log.result === 'object') {
      data = { label: this.sessionLabel(log.result) };
    }
    const call = this.sink.emit({
      type: 'call',
      target,
      name,
      args: args.map((a) => summarise(a)),
      ...(data ? { data } : {}),
    });
    const settle = (/** @type {Pick<NewEntry, 'outcome' | 'value' | 'error'>} */ settled) => {
      let session;
      try {
        session = snapshot?.();
      } catch {
        session = undefined;
      }
      this.sink.emit({ type: 'result', target, name, of: call, ...settled, ...(session ? { session } : {}) });
    };
    if ('threw' in log) {
      settle({ outcome: 'threw', error: errorInfo(log.threw) });
    } else if (isThenable(log.result)) {
      /** @type {PromiseLike<unknown>} */ (log.result).then(
        (value) => settle({ outcome: 'resolved', ...(value === undefined ? {} : { value: summarise(value) }) }),
        (error) => settle({ outcome: 'rejected', error: errorInfo(error) }),
      );
    } else {
      settle({ outcome: 'returned', ...(log.result === undefined ? {} : { value: summarise(log.result) }) });
    }
  }

  /** @param {TraceLog} log */
  #event(log) {
    if (log.className !== 'MediaKeySession') return;
    const session = log.instance;
    const target = this.sessionLabel(session);
    const snap = () => {
      try {
        return snapshotSession(session);
      } catch {
        return undefined;
      }
    };
    const withSession = () => {
      const s = snap();
      return s ? { session: s } : {};
    };
    switch (log.eventName) {
      case 'message': {
        const event = log.event ?? {};
        this.sink.emit({
          type: 'event',
          target,
          name: 'message',
          data: { messageType: String(event.messageType), message: describeBytes(event.message) },
          ...withSession(),
        });
        break;
      }
      case 'keystatuseschange':
        this.sink.emit({ type: 'event', target, name: 'keystatuseschange', ...withSession() });
        break;
      case 'closed Promise resolved': {
        const reason = log.event?.result;
        this.sink.emit({
          type: 'promise',
          target,
          name: 'closed',
          outcome: 'resolved',
          value: reason === undefined ? { undefined: true } : summarise(reason),
          ...withSession(),
        });
        break;
      }
      case 'closed Promise rejected':
        this.sink.emit({
          type: 'promise',
          target,
          name: 'closed',
          outcome: 'rejected',
          error: errorInfo(log.event?.threw),
        });
        break;
      default:
        break;
    }
  }

  /**
   * Listens on an element directly (one not in a document never reaches the window's capture listeners).
   * @param {any} element
   */
  watchElement(element) {
    if (!this.mediaEvents) return;
    if (!element || typeof element.addEventListener !== 'function' || this.crossed.has(element)) return;
    this.crossed.set(element, new Set());
    for (const name of MEDIA_EVENTS) element.addEventListener(name, (/** @type {Event} */ e) => this.onMediaEvent(e));
  }

  /**
   * A media element's event, seen by a capture listener on the window or by the element's own listener.
   * @param {any} event
   */
  onMediaEvent(event) {
    const element = event?.target;
    if (!this.mediaEvents || !isMediaElement(element) || this.seenEvents.has(event)) return;
    this.seenEvents.add(event);
    if (!this.crossed.has(element)) this.crossed.set(element, new Set());
    const target = this.elementLabel(element);
    const state = videoState(element);
    switch (event.type) {
      case 'encrypted':
        this.sink.emit({
          type: 'event',
          target,
          name: 'encrypted',
          data: {
            initDataType: String(event.initDataType),
            initData: event.initData ? describeBytes(event.initData) : null,
            state,
          },
        });
        break;
      case 'error':
        this.sink.emit({
          type: 'event',
          target,
          name: 'error',
          data: { code: element.error?.code ?? null, message: element.error?.message ?? '', state },
        });
        break;
      case 'timeupdate': {
        const crossed = /** @type {Set<number>} */ (this.crossed.get(element));
        for (const m of MILESTONES) {
          if (element.currentTime >= m && !crossed.has(m)) {
            crossed.add(m);
            this.sink.emit({ type: 'event', target, name: 'progress', data: { milestone: m, state } });
          }
        }
        break;
      }
      default:
        if (MEDIA_EVENTS.includes(event.type))
          this.sink.emit({ type: 'event', target, name: event.type, data: { state } });
    }
  }
}
