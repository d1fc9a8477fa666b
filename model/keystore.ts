// The Clear Key key store: test keys the license endpoint may hand out, read from media/keys.json.
import { z } from 'zod';
import { readJsonFile } from './json-file.ts';

const hex16 = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits (16 bytes)');

export const KeyStoreFile = z.object({
  schemaVersion: z.literal(1),
  note: z.string().optional(),
  keys: z
    .array(z.object({ label: z.string().min(1), kid: hex16, key: hex16 }))
    .min(1)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'key ids must be unique'),
});
export type KeyStoreFile = z.infer<typeof KeyStoreFile>;

export interface TestKey {
  label: string;
  kid: Buffer;
  key: Buffer;
}

export class KeyStore {
  readonly #byHexKid = new Map<string, TestKey>();

  constructor(file: KeyStoreFile) {
    for (const k of file.keys) {
      this.#byHexKid.set(k.kid, { label: k.label, kid: Buffer.from(k.kid, 'hex'), key: Buffer.from(k.key, 'hex') });
    }
  }

  static load(path: string): KeyStore {
    return new KeyStore(readJsonFile(path, KeyStoreFile, 'key store'));
  }

  get(kid: Buffer): TestKey | undefined {
    return this.#byHexKid.get(kid.toString('hex'));
  }

  byLabel(label: string): TestKey | undefined {
    for (const k of this.#byHexKid.values()) if (k.label === label) return k;
    return undefined;
  }

  /** Label → hex key id, for pages that build init data. Key values never leave through here. */
  keyIds(): Record<string, string> {
    return Object.fromEntries([...this.#byHexKid.entries()].map(([hex, k]) => [k.label, hex]));
  }

  get size(): number {
    return this.#byHexKid.size;
  }
}
