// @ts-check
// Byte helpers shared by init-data builders, the recorder and the license client.

/**
 * @param {Iterable<number> | ArrayLike<number>} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * @param {string} hex
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function fromHex(hex) {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`not a hex string: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * @param {Iterable<number>} bytes
 * @returns {string}
 */
export function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * @param {unknown} value base64url, with or without padding
 * @returns {string}
 */
export function base64UrlToHex(value) {
  const b64 = String(value).replace(/-/g, '+').replace(/_/g, '/');
  return toHex(Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)));
}

/**
 * @param {Iterable<number>} bytes
 * @returns {string}
 */
export function toBase64Url(bytes) {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/**
 * The bytes as JSON, when they are UTF-8 JSON; undefined otherwise.
 * @param {AllowSharedBufferSource} bytes
 * @returns {unknown}
 */
export function tryUtf8Json(bytes) {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
