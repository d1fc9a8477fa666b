// Turns live browser objects into plain JSON the timeline can carry.
import { toHex, tryUtf8Json, toBase64 } from './bytes.js';

const MAX_DEPTH = 6;

export function errorInfo(error) {
  if (error && typeof error === 'object') {
    return { name: String(error.name ?? 'Error'), message: String(error.message ?? '') };
  }
  return { name: typeof error, message: String(error) };
}

/** Bytes of a BufferSource, from any realm (a frame's ArrayBuffer is not instanceof this one's). */
export function bytesOf(value) {
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/** Bytes as the report shows them: size, hex (first 256 bytes), base64 when small, and JSON if they are. */
export function describeBytes(value) {
  const bytes = bytesOf(value);
  const out = { bytes: bytes.length, hex: toHex(bytes.subarray(0, 256)) };
  if (bytes.length <= 4096) out.base64 = toBase64(bytes);
  const json = tryUtf8Json(bytes);
  if (json !== undefined) out.json = json;
  return out;
}

export function summarise(value, depth = 0) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return { undefined: true };
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return { function: value.name || 'anonymous' };
  if (bytesOf(value)) return { [value.constructor?.name ?? 'bytes']: describeBytes(value) };
  if (typeof MediaKeySystemAccess !== 'undefined' && value instanceof MediaKeySystemAccess) {
    return { MediaKeySystemAccess: { keySystem: value.keySystem } };
  }
  if (typeof MediaKeys !== 'undefined' && value instanceof MediaKeys) return { MediaKeys: {} };
  if (typeof MediaKeySession !== 'undefined' && value instanceof MediaKeySession) return { MediaKeySession: {} };
  if (typeof HTMLMediaElement !== 'undefined' && value instanceof HTMLMediaElement) return { [value.localName]: {} };
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => summarise(v, depth + 1));
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = summarise(v, depth + 1);
    return out;
  }
  return String(value);
}

/** The observable state of a session: what the spec lets a page read. */
export function snapshotSession(session) {
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
