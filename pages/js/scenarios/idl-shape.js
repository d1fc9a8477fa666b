// @ts-check
// The interface shape of EME as its WebIDL declares it (group J). The member list is not written here:
// the run's parameters carry the shape harness/idl.ts derives from model/idl/encrypted-media.webidl,
// and this page records what the browser shows of each interface and member, as facts tagged
// 'interface:<I>', 'member:<I>.<m>', 'too-few:<I>.<m>' and 'exposed:<path>'; the judge
// (harness/judge/idl.ts) compares them with the shape.
// context 'secure': this page (a secure context) reads every interface object, prototype property and
// operation arity. context 'insecure': a frame from the insecure origin (pages/idl-frame.html) reports
// which names it can see; [SecureContext] ones must be absent there.
import { StepFailed } from '../recorder.js';

/**
 * @import { Steps } from '../steps.js'
 * @import { IdlShape, IdlInterface } from '../../../model/idl/shape.ts'
 */

const FRAME_REPORT_MS = 10_000;

/** The global a name lives on, read without throwing when it is absent. @param {string} name */
const globalNamed = (name) => /** @type {any} */ (globalThis)[name];

/** @param {() => unknown} fn @returns {string} what fn threw ('none' when it did not) */
function thrown(fn) {
  try {
    fn();
    return 'none';
  } catch (error) {
    return String(/** @type {any} */ (error)?.name ?? typeof error);
  }
}

/**
 * What the page sees of an interface object.
 * @param {IdlInterface} iface
 */
function interfaceFacts(iface) {
  const object = globalNamed(iface.name);
  if (typeof object !== 'function') return { type: typeof object };
  if (iface.partial) return { type: typeof object };
  const own = Object.getOwnPropertyDescriptor(globalThis, iface.name);
  const proto = object.prototype;
  const parent = proto ? Object.getPrototypeOf(proto) : undefined;
  const parentName = parent === Object.prototype ? 'Object' : (parent?.constructor?.name ?? String(parent));
  return {
    type: typeof object,
    name: object.name,
    length: object.length,
    property: own ? { writable: own.writable, enumerable: own.enumerable, configurable: own.configurable } : 'not own',
    inherits: parentName,
    toStringTag: proto?.[Symbol.toStringTag],
    call: thrown(() => object()),
    construct: iface.constructorLength === null ? thrown(() => new object()) : 'has a constructor',
  };
}

/**
 * What the page sees of one member on the interface's prototype.
 * @param {IdlInterface} iface
 * @param {IdlShape['interfaces'][number]['members'][number]} member
 */
function memberFacts(iface, member) {
  const proto = globalNamed(iface.name)?.prototype;
  if (!proto) return { where: 'no prototype' };
  if (member.kind === 'iterable') {
    const fns = Object.fromEntries(
      ['entries', 'keys', 'values', 'forEach'].map((m) => [
        m,
        typeof proto[m] === 'function' ? { length: proto[m].length } : typeof proto[m],
      ]),
    );
    return { ...fns, iteratorIsEntries: proto[Symbol.iterator] === proto.entries && !!proto.entries };
  }
  const d = Object.getOwnPropertyDescriptor(proto, member.name);
  if (!d) return { where: member.name in proto ? 'inherited' : 'missing' };
  if (d.get || d.set)
    return {
      kind: 'accessor',
      get: typeof d.get,
      set: typeof d.set,
      getterName: d.get?.name,
      enumerable: d.enumerable,
      configurable: d.configurable,
    };
  return {
    kind: 'data',
    type: typeof d.value,
    length: d.value?.length,
    name: d.value?.name,
    writable: d.writable,
    enumerable: d.enumerable,
    configurable: d.configurable,
  };
}

/**
 * The names whose exposure [SecureContext] decides: each interface object, and each member of a
 * partial interface (its interface object belongs to another spec and is always there).
 * @param {IdlShape} shape
 */
export function exposurePaths(shape) {
  return shape.interfaces.flatMap((iface) =>
    iface.partial
      ? iface.members.flatMap((m) => (m.kind === 'iterable' ? [] : [`${iface.name}.${m.name}`]))
      : [iface.name],
  );
}

/**
 * Whether a path ('MediaKeys', 'Navigator.requestMediaKeySystemAccess') is visible in `win`.
 * @param {any} win
 * @param {string} path
 */
function exposed(win, path) {
  const [name, member] = path.split('.');
  const object = win[/** @type {string} */ (name)];
  if (member === undefined) return typeof object !== 'undefined';
  return typeof object === 'function' && !!object.prototype && member in object.prototype;
}

/**
 * Opens the insecure-origin frame and resolves with what it reports.
 * @param {Steps} h
 * @param {string} src
 * @returns {Promise<{ secure: boolean, exposed: Record<string, boolean> }>}
 */
function frameReport(h, src) {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1px;height:1px;border:0';
  h.rec.note('insecure-frame', 'frame-open', { src, sandbox: null, allow: null });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage);
      frame.remove();
      reject(new StepFailed(`the insecure frame (${src}) did not report within ${FRAME_REPORT_MS} ms`));
    }, FRAME_REPORT_MS);
    /** @param {MessageEvent} event */
    function onMessage(event) {
      if (event.source !== frame.contentWindow || event.data?.source !== 'eme-compat-idl-frame') return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      frame.remove();
      resolve(event.data);
    }
    window.addEventListener('message', onMessage);
    frame.src = src;
    document.body.append(frame);
  });
}

/**
 * Instances to call operations on, by interface name (the shape says which operations there are).
 * @param {Steps} h
 */
async function instances(h) {
  const access = await h.requireAccess(h.keySystem.name, [
    { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
  ]);
  const mediaKeys = await h.createMediaKeys(access);
  const session = mediaKeys.createSession('temporary');
  /** @type {Record<string, any>} */
  const byName = {
    Navigator: navigator,
    MediaKeySystemAccess: access,
    MediaKeys: mediaKeys,
    MediaKeySession: session,
    MediaKeyStatusMap: session.keyStatuses,
    HTMLMediaElement: document.createElement('video'),
  };
  return byName;
}

/**
 * @param {Steps} h
 * @param {{ shape: IdlShape, context: 'secure' | 'insecure' }} params
 */
export async function run(h, { shape, context }) {
  h.requireEmeApi();
  const paths = exposurePaths(shape);
  if (context === 'insecure') {
    const origin = h.run.origins?.insecure;
    if (!origin) throw new Error('the server reports no insecure origin');
    const report = await frameReport(h, `${origin}/idl-frame.html?paths=${encodeURIComponent(paths.join(','))}`);
    await h.fact('frame:secure-context', 'insecure-frame', 'isSecureContext', () => report.secure);
    for (const path of paths) await h.fact(`exposed:${path}`, 'insecure-frame', path, () => report.exposed[path]);
    return;
  }

  for (const path of paths) await h.fact(`exposed:${path}`, 'window', path, () => exposed(globalThis, path));
  const objects = await instances(h);
  for (const iface of shape.interfaces) {
    await h.fact(`interface:${iface.name}`, iface.name, 'interface object', () => interfaceFacts(iface));
    for (const member of iface.members) {
      const key = member.kind === 'iterable' ? `${iface.name}@@iterable` : `${iface.name}.${member.name}`;
      await h.fact(`member:${key}`, iface.name, 'prototype property', () => memberFacts(iface, member));
      if (member.kind !== 'operation' || member.length === 0) continue;
      const target = objects[iface.name];
      if (!target) throw new Error(`the page has no ${iface.name} instance to call ${member.name}() on`);
      // WebIDL checks the argument count before converting any argument, so the values do not matter.
      const args = Array.from({ length: member.length - 1 }, () => 'x');
      await h.case(`too-few:${key}`, iface.name, member.name, args, () => target[member.name](...args));
    }
    if (iface.constructorLength) {
      const Interface = globalNamed(iface.name);
      const args = Array.from({ length: iface.constructorLength - 1 }, () => 'x');
      await h.case(`too-few:${iface.name}.constructor`, iface.name, 'constructor', args, () => new Interface(...args));
    }
  }
}
