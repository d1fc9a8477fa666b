// @ts-check
// The EME tracer, injected into every document of a traced page (every frame, every navigation) before
// the page's own scripts run. install.js wraps the EME entry points (trace-anything follows the objects
// they return: access → MediaKeys → sessions) and turns them, and the media elements' events, into
// timeline entries. Each entry leaves at once through the driver's binding (window[SINK]), numbered
// per document and stamped with absolute high-resolution time, so the driver can merge the documents of
// a page into one timeline (harness/trace/merge.ts). Bundled by harness/trace/bundle.ts (esbuild, IIFE:
// nothing of it is visible to the page but the binding it calls and one flag).
import { traceEme } from './install.js';
import { emeApiSurface } from '../eme-api.js';

/** @import { NewEntry } from '../recorder.js' */

const SINK = '__emeCompatTrace__';
const INSTALLED = Symbol.for('eme-compat.tracer');

/**
 * What a document sends the driver.
 * @typedef {{ kind: 'document', doc: string, url: string, top: boolean, origin: string, isSecureContext: boolean,
 *   userAgent: string, emeApi: Record<string, string>, timeOrigin: number }
 *   | { kind: 'entry', doc: string, at: number, entry: NewEntry & { seq: number } }
 *   | { kind: 'warning', doc: string, message: string }} TraceMessage
 */

function isTop() {
  try {
    return window.top === window;
  } catch {
    return false;
  }
}

function install() {
  const doc = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  /** @type {TraceMessage[]} */
  const queue = [];
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let retry = 0;
  const flush = () => {
    const sink = /** @type {any} */ (window)[SINK];
    if (typeof sink !== 'function') {
      // The driver's binding may arrive a moment after this script; keep the messages until it does.
      if (!retry) {
        retry = setTimeout(() => {
          retry = 0;
          flush();
        }, 20);
      }
      return;
    }
    while (queue.length) {
      const message = queue.shift();
      try {
        Promise.resolve(sink(message)).catch(() => undefined);
      } catch {
        // the page is going away
      }
    }
  };
  /** @param {TraceMessage} message */
  const send = (message) => {
    queue.push(message);
    flush();
  };
  const now = () => performance.timeOrigin + performance.now();

  const emeApi = emeApiSurface();
  let described = '';
  // Said again when the document's URL changed: a frame's first navigation from its initial about:blank
  // keeps the same window, so the tracer installed there goes on tracing the document that replaced it.
  const announce = () => {
    if (described === location.href) return;
    described = location.href;
    send({
      kind: 'document',
      doc,
      url: location.href,
      top: isTop(),
      origin: location.origin,
      isSecureContext: window.isSecureContext,
      userAgent: navigator.userAgent,
      emeApi,
      timeOrigin: performance.timeOrigin,
    });
  };
  announce();

  let seq = 0;
  traceEme({
    emit(entry) {
      announce();
      const n = seq++;
      send({ kind: 'entry', doc, at: now(), entry: { ...entry, seq: n } });
      return n;
    },
    warn(message) {
      send({ kind: 'warning', doc, message });
    },
  });
}

if (!(/** @type {any} */ (window)[INSTALLED])) {
  Object.defineProperty(window, INSTALLED, { value: true });
  install();
}
