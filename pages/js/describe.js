// @ts-check
// Turns live browser objects into plain JSON the timeline can carry.
import { toHex, tryUtf8Json, toBase64 } from './bytes.js';

/** @import { ErrorInfo, SessionSnapshot } from '../../model/record.ts' */

/**
 * Bytes as the timeline shows them.
 * @typedef {{ bytes: number, hex: string, base64?: string, json?: unknown }} DescribedBytes
 */

const MAX_DEPTH = 6;

/**
 * The name and message of anything thrown.
 * @param {unknown} error
 * @returns {ErrorInfo}
 */
export function errorInfo(error) {
  if (error && typeof error === 'object') {
    const { name, message } = /** @type {{ name?: unknown, message?: unknown }} */ (error);
    return { name: String(name ?? 'Error'), message: String(message ?? '') };
  }
  return { name: typeof error, message: String(error) };
}

/**
 * Bytes of a BufferSource, from any realm (a frame's ArrayBuffer is not instanceof this one's).
 * @overload
 * @param {AllowSharedBufferSource} value
 * @returns {Uint8Array}
 */
/**
 * @overload
 * @param {unknown} value
 * @returns {Uint8Array | null}
 */
/**
 * @param {unknown} value
 * @returns {Uint8Array | null}
 */
export function bytesOf(value) {
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]')
    return new Uint8Array(/** @type {ArrayBuffer} */ (value));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/**
 * Bytes as the report shows them: size, hex (first 256 bytes), base64 when small, and JSON if they are.
 * @param {BufferSource} value
 * @returns {DescribedBytes}
 */
export function describeBytes(value) {
  const bytes = bytesOf(value);
  /** @type {DescribedBytes} */
  const out = { bytes: bytes.length, hex: toHex(bytes.subarray(0, 256)) };
  if (bytes.length <= 4096) out.base64 = toBase64(bytes);
  const json = tryUtf8Json(bytes);
  if (json !== undefined) out.json = json;
  return out;
}

/**
 * Any value as plain JSON: bytes described, live EME and media objects named, NaN and Infinity as
 * strings, undefined as { undefined: true }, nesting cut at MAX_DEPTH.
 * @param {unknown} value
 * @param {number} [depth]
 * @returns {unknown}
 */
export function summarise(value, depth = 0) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return { undefined: true };
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return { function: value.name || 'anonymous' };
  if (bytesOf(value))
    return {
      [/** @type {object} */ (value).constructor?.name ?? 'bytes']: describeBytes(/** @type {BufferSource} */ (value)),
    };
  if (typeof MediaKeySystemAccess !== 'undefined' && value instanceof MediaKeySystemAccess) {
    return { MediaKeySystemAccess: { keySystem: value.keySystem } };
  }
  if (typeof MediaKeys !== 'undefined' && value instanceof MediaKeys) return { MediaKeys: {} };
  if (typeof MediaKeySession !== 'undefined' && value instanceof MediaKeySession) return { MediaKeySession: {} };
  if (typeof HTMLMediaElement !== 'undefined' && value instanceof HTMLMediaElement) return { [value.localName]: {} };
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => summarise(v, depth + 1));
  if (typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = summarise(v, depth + 1);
    return out;
  }
  return String(value);
}

/**
 * The observable state of a session: what the spec lets a page read.
 * @param {MediaKeySession} session
 * @returns {SessionSnapshot}
 */
export function snapshotSession(session) {
  /** @type {Record<string, string>} */
  const keyStatuses = {};
  for (const [keyId, status] of session.keyStatuses) keyStatuses[toHex(bytesOf(keyId))] = status;
  const expiration = session.expiration;
  return {
    sessionId: String(session.sessionId),
    expiration: Number.isNaN(expiration) ? 'NaN' : typeof expiration === 'number' ? expiration : null,
    keyStatuses,
    size: session.keyStatuses.size,
  };
}
