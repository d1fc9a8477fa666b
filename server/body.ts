// Request bodies with their cost bounded before it grows: a byte limit enforced while the bytes arrive
// (declared or chunked), a nesting-depth limit checked on the raw bytes before JSON.parse builds
// anything, and a 413 the client can read (the rest of an over-limit body is drained, not reset).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.ts';

export interface JsonLimits {
  /** Bytes. */
  size: number;
  /** Arrays and objects inside one another, the outermost counting 1. */
  depth: number;
}

/** Reads the whole body, refusing it with 413 as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, 'body-too-large', `${what} is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new HttpError(413, 'body-too-large', `${what} exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!over) reject(err);
    });
    req.once('aborted', () => {
      if (!over) reject(new HttpError(400, 'request-aborted', `${what} was cut off by the client`));
    });
  });
}

/** The deepest nesting of arrays and objects in JSON text, stopping early past `limit` (strings skipped). */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > limit) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

/** Parses bytes as JSON within the depth limit: 400 with a stable code for each way it can fail. */
export function parseJson(bytes: Buffer, depth: number, what: string): unknown {
  if (jsonDepthExceeds(bytes, depth))
    throw new HttpError(400, 'too-deep', `${what} nests arrays and objects more than ${depth} deep`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'not-utf8', `${what} is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'malformed-json', `${what} is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** An application/json body, read and parsed within `limits`. */
export async function readJson(req: IncomingMessage, limits: JsonLimits, what: string): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new HttpError(415, 'unsupported-media-type', `send ${what} as application/json`);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset && charset.toLowerCase() !== 'utf-8')
    throw new HttpError(415, 'unsupported-charset', `${what} must be UTF-8, not ${charset.slice(0, 40)}`);
  return parseJson(await readBody(req, limits.size, what), limits.depth, what);
}
