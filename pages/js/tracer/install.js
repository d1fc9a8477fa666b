// @ts-check
// Wraps a window's EME entry points with trace-anything and hands every call, result, event and promise
// to a sink, as timeline entries (adapter.js). Two users: the injected tracer (tracer.js: any page, the
// sink is the driver's binding) and the runner's player module (the sink is the page's own recorder, so
// a player's conversation lands in the run record like a scenario's own calls). Must run before the
// code it traces takes references to EME functions (hls.js binds requestMediaKeySystemAccess when loaded).
import { TraceAnything } from 'trace-anything';
import { TraceAdapter, MEDIA_EVENTS } from './adapter.js';

/**
 * @param {import('./adapter.js').Sink} sink
 * @param {import('./adapter.js').AdapterOptions} [options]
 * @returns {TraceAdapter}
 */
export function traceEme(sink, options = {}) {
  const adapter = new TraceAdapter(sink, options);
  /** @param {import('./adapter.js').TraceLog} log */
  const logger = (log) => {
    try {
      adapter.onLog(log);
    } catch (error) {
      sink.warn(`tracer: ${String(error)}`);
    }
  };
  // Async results are awaited by the adapter (a call entry when the call returns, a result entry when
  // it settles); event listener methods and the noisy state getters are left alone; events are traced
  // through the on<event> properties, which trace-anything listens on from the moment it wraps a session.
  const traced = {
    logger,
    logAsyncResultsImmediately: true,
    idProperty: null,
    skipProperties: ['addEventListener', 'removeEventListener', 'dispatchEvent', 'keySystem'],
  };
  // Where EME is absent (an insecure origin, a build without it) there is nothing to wrap.
  if (typeof navigator.requestMediaKeySystemAccess === 'function') {
    TraceAnything.traceMember(navigator, 'requestMediaKeySystemAccess', traced);
  }
  if (typeof navigator.mediaCapabilities?.decodingInfo === 'function') {
    TraceAnything.traceMember(navigator.mediaCapabilities, 'decodingInfo', {
      ...traced,
      exploreResultFields: ['keySystemAccess'],
    });
  }
  if (typeof MediaKeySystemAccess === 'function') TraceAnything.traceClass(MediaKeySystemAccess, traced);
  if (typeof MediaKeys === 'function') TraceAnything.traceClass(MediaKeys, traced);
  if (typeof MediaKeySession === 'function') {
    TraceAnything.traceClass(MediaKeySession, {
      ...traced,
      skipProperties: [...traced.skipProperties, 'sessionId', 'expiration', 'keyStatuses'],
    });
  }
  if (typeof HTMLMediaElement.prototype.setMediaKeys === 'function') {
    TraceAnything.tracePrototype(HTMLMediaElement, 'setMediaKeys', traced);
  }
  if (options.mediaEvents !== false) {
    // Media events do not bubble, but capture listeners on the window see them for every element in the
    // document, whenever it was added (trace-anything's element tracing watches direct children of <html> only).
    for (const name of MEDIA_EVENTS) {
      window.addEventListener(
        name,
        (event) => {
          try {
            adapter.onMediaEvent(event);
          } catch (error) {
            sink.warn(`tracer: ${String(error)}`);
          }
        },
        { capture: true },
      );
    }
  }
  return adapter;
}
