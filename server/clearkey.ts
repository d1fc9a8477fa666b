// W3C Clear Key license logic (https://w3c.github.io/encrypted-media/#clear-key), free of HTTP:
// parse the message a CDM sent, answer it from the key store. Errors carry a stable code for the
// endpoint's 4xx JSON answer.
import type { KeyStore } from '../model/keystore.ts';

export type ClearKeySessionType = 'temporary' | 'persistent-license';

export class ClearKeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ClearKeyError';
  }
}

const BASE64URL_NO_PAD = /^[A-Za-z0-9_-]+$/;

export function base64UrlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Decodes one key id as the spec writes it: base64url, no padding, 1 to 512 bytes. */
export function decodeKeyId(value: unknown, where: string): Buffer {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ClearKeyError('bad-kid', `${where} must be a non-empty base64url string`);
  }
  if (!BASE64URL_NO_PAD.test(value) || value.length % 4 === 1) {
    throw new ClearKeyError(
      'bad-kid',
      `${where} is not base64url without padding: ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length > 512)
    throw new ClearKeyError('bad-kid', `${where} is ${bytes.length} bytes; at most 512 are allowed`);
  return bytes;
}

function parseJsonObject(body: Uint8Array, what: string): Record<string, unknown> {
  if (body.length === 0) throw new ClearKeyError('empty-body', `${what} is empty`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ClearKeyError('not-utf8', `${what} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ClearKeyError('malformed-json', `${what} is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ClearKeyError('not-an-object', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function parseKids(obj: Record<string, unknown>, what: string): Buffer[] {
  const kids = obj['kids'];
  if (!Array.isArray(kids) || kids.length === 0) {
    throw new ClearKeyError('missing-kids', `${what} must have a non-empty "kids" array`);
  }
  if (kids.length > 64) throw new ClearKeyError('too-many-kids', `${what} lists ${kids.length} key ids; at most 64`);
  return kids.map((k, i) => decodeKeyId(k, `kids[${i}]`));
}

export interface LicenseRequest {
  kind: 'license-request';
  kids: Buffer[];
  type: ClearKeySessionType;
}

export interface LicenseRelease {
  kind: 'license-release';
  kids: Buffer[];
}

export type ClearKeyMessage = LicenseRequest | LicenseRelease;

/**
 * Parses a Clear Key message body. `messageType` is the MediaKeyMessageEvent's type when the page
 * passed it along; without it, a body with "type" is a license request and one without is a release.
 */
export function parseMessage(body: Uint8Array, messageType?: string): ClearKeyMessage {
  const obj = parseJsonObject(body, 'the Clear Key message');
  const kind = messageType ?? ('type' in obj ? 'license-request' : 'license-release');
  if (kind === 'license-request') {
    const type = obj['type'];
    if (type !== 'temporary' && type !== 'persistent-license') {
      throw new ClearKeyError(
        'bad-session-type',
        `"type" must be "temporary" or "persistent-license", got ${JSON.stringify(type)}`,
      );
    }
    return { kind, kids: parseKids(obj, 'a license request'), type };
  }
  if (kind === 'license-release') {
    return { kind, kids: parseKids(obj, 'a license release message') };
  }
  throw new ClearKeyError(
    'bad-message-type',
    `message type ${JSON.stringify(kind)} is not one Clear Key sends (license-request, license-release)`,
  );
}

export interface JsonWebKey {
  kty: 'oct';
  kid: string;
  k: string;
}

export interface LicenseAnswer {
  body: { keys: JsonWebKey[]; type: ClearKeySessionType } | { kids: string[] };
  /** Key ids the request named that the store does not hold (hex). */
  unknownKids: string[];
}

/** Answers a parsed message: a JWK set for a request, the acknowledgement for a release. */
export function answerMessage(message: ClearKeyMessage, keys: KeyStore): LicenseAnswer {
  if (message.kind === 'license-release') {
    return { body: { kids: message.kids.map(base64UrlEncode) }, unknownKids: [] };
  }
  const found: JsonWebKey[] = [];
  const unknownKids: string[] = [];
  for (const kid of message.kids) {
    const key = keys.get(kid);
    if (key) found.push({ kty: 'oct', kid: base64UrlEncode(key.kid), k: base64UrlEncode(key.key) });
    else unknownKids.push(kid.toString('hex'));
  }
  if (found.length === 0) {
    throw new ClearKeyError('unknown-kids', 'none of the requested key ids is in the key store', 404, { unknownKids });
  }
  return { body: { keys: found, type: message.type }, unknownKids };
}
