// @ts-check
// What a document can see of the EME API surface: the runner records it with every run, and the
// tracer with every traced document, so reports compare like with like.

/** @returns {Record<string, string>} each name's `typeof` in this window */
export function emeApiSurface() {
  /** @type {Record<string, string>} */
  const kinds = {};
  kinds['navigator.requestMediaKeySystemAccess'] = typeof navigator.requestMediaKeySystemAccess;
  for (const name of [
    'MediaKeys',
    'MediaKeySession',
    'MediaKeySystemAccess',
    'MediaKeyStatusMap',
    'MediaKeyMessageEvent',
    'MediaEncryptedEvent',
    'WebKitMediaKeys',
    'MediaSource',
  ]) {
    kinds[name] = typeof (/** @type {any} */ (window)[name]);
  }
  kinds['HTMLMediaElement.prototype.setMediaKeys'] = typeof HTMLMediaElement.prototype.setMediaKeys;
  return kinds;
}
