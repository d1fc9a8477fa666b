// The two common-encryption sample ciphers (ISO/IEC 23001-7), both length-preserving.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Subsample } from './subsamples.ts';

export type Scheme = 'cenc' | 'cbcs';

export interface Pattern {
  crypt: number;
  skip: number;
}

function ranges(sampleLength: number, subsamples: Subsample[] | null): [number, number][] {
  if (!subsamples) return [[0, sampleLength]];
  const out: [number, number][] = [];
  let pos = 0;
  for (const s of subsamples) {
    pos += s.clear;
    if (s.protected) out.push([pos, pos + s.protected]);
    pos += s.protected;
  }
  if (pos !== sampleLength) throw new Error(`subsamples cover ${pos} bytes of a ${sampleLength}-byte sample`);
  return out;
}

function counterBlock(iv: Buffer): Buffer {
  return iv.length === 16 ? iv : Buffer.concat([iv, Buffer.alloc(16 - iv.length)]);
}

/** cenc: AES-CTR; one keystream runs over all protected ranges of a sample, from the sample's IV. */
function ctr(decrypt: boolean, key: Buffer, iv: Buffer, sample: Buffer, subsamples: Subsample[] | null): Buffer {
  const out = Buffer.from(sample);
  const cipher = (decrypt ? createDecipheriv : createCipheriv)('aes-128-ctr', key, counterBlock(iv));
  for (const [a, b] of ranges(sample.length, subsamples)) cipher.update(sample.subarray(a, b)).copy(out, a);
  return out;
}

/**
 * cbcs: AES-CBC over the pattern's crypt blocks of each protected range; the chain restarts from the
 * constant IV at every range, skipped blocks and a trailing partial block stay clear.
 */
function cbc(
  decrypt: boolean,
  key: Buffer,
  iv: Buffer,
  sample: Buffer,
  subsamples: Subsample[] | null,
  pattern: Pattern,
): Buffer {
  const out = Buffer.from(sample);
  const period = pattern.crypt + pattern.skip;
  for (const [a, b] of ranges(sample.length, subsamples)) {
    const cipher = (decrypt ? createDecipheriv : createCipheriv)('aes-128-cbc', key, iv).setAutoPadding(false);
    const blocks = Math.floor((b - a) / 16);
    for (let i = 0; i < blocks; i++) {
      // Pattern 0:0 means every block is encrypted.
      if (period > 0 && i % period >= pattern.crypt) continue;
      const at = a + i * 16;
      cipher.update(sample.subarray(at, at + 16)).copy(out, at);
    }
  }
  return out;
}

export function encryptSample(
  scheme: Scheme,
  key: Buffer,
  iv: Buffer,
  sample: Buffer,
  subsamples: Subsample[] | null,
  pattern: Pattern,
): Buffer {
  return scheme === 'cenc' ? ctr(false, key, iv, sample, subsamples) : cbc(false, key, iv, sample, subsamples, pattern);
}

export function decryptSample(
  scheme: Scheme,
  key: Buffer,
  iv: Buffer,
  sample: Buffer,
  subsamples: Subsample[] | null,
  pattern: Pattern,
): Buffer {
  return scheme === 'cenc' ? ctr(true, key, iv, sample, subsamples) : cbc(true, key, iv, sample, subsamples, pattern);
}
