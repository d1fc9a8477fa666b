// License endpoint faults, chosen per run by its scenario (never global state, so parallel runs do not
// interfere). A fault applies to the nth license message of a run that matches `on`.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const Fault = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('delay'), ms: z.number().int().min(1).max(30_000) }),
  z.strictObject({ kind: z.literal('status'), status: z.number().int().min(400).max(599) }),
  /** The connection is destroyed without an answer. */
  z.strictObject({ kind: z.literal('reset') }),
  /** No answer until the client gives up (bounded: the socket is closed after `ms`). */
  z.strictObject({ kind: z.literal('hang'), ms: z.number().int().min(100).max(120_000).default(30_000) }),
  z.strictObject({ kind: z.literal('empty-body') }),
  z.strictObject({ kind: z.literal('truncated-body') }),
  z.strictObject({ kind: z.literal('malformed-body') }),
  /** The right key ids with a wrong key value. */
  z.strictObject({ kind: z.literal('wrong-key') }),
  /** A key for a key id nobody asked for, instead of the requested ones. */
  z.strictObject({ kind: z.literal('unknown-kid') }),
  /** A JWK set with no keys. */
  z.strictObject({ kind: z.literal('missing-key') }),
  /** A license whose "type" is not the session's. */
  z.strictObject({ kind: z.literal('wrong-type') }),
]);
export type Fault = z.infer<typeof Fault>;

export const FaultRule = z.strictObject({
  fault: Fault,
  /** Which messages count: a message type, or any. */
  on: z.enum(['license-request', 'license-release', 'any']).default('any'),
  /** 1-based: the nth matching message of the run gets the fault ... */
  nth: z.number().int().min(1).max(100).default(1),
  /** ... and so do the next count-1. */
  count: z.number().int().min(1).max(10).default(1),
});

/**
 * Per-run fault state. A fault sticks to the page request it hit: browsers silently re-send a POST
 * whose reused connection was reset, and those re-sends (same x-eme-page-seq) get the same fault.
 */
export class RunFaults {
  readonly #counts: number[] = [];
  readonly #byPageRequest = new Map<number, FaultRule>();

  constructor(readonly rules: FaultRule[]) {}

  for(messageType: string | null, pageSeq: number | null): FaultRule | null {
    if (pageSeq !== null) {
      const sticky = this.#byPageRequest.get(pageSeq);
      if (sticky) return sticky;
    }
    const rule = faultFor(this.rules, messageType, this.#counts);
    if (rule && pageSeq !== null) this.#byPageRequest.set(pageSeq, rule);
    return rule;
  }
}
export type FaultRule = z.infer<typeof FaultRule>;

export const FaultRules = z.array(FaultRule).max(20);

/** The rule, if any, for a run's message; `countsByRule` counts the matching messages seen per rule. */
export function faultFor(rules: FaultRule[], messageType: string | null, countsByRule: number[]): FaultRule | null {
  let chosen: FaultRule | null = null;
  rules.forEach((rule, i) => {
    if (rule.on !== 'any' && rule.on !== messageType) return;
    countsByRule[i] = (countsByRule[i] ?? 0) + 1;
    const n = countsByRule[i]!;
    if (!chosen && n >= rule.nth && n < rule.nth + rule.count) chosen = rule;
  });
  return chosen;
}

const WRONG_KEY = createHash('sha256').update('eme-compat wrong key').digest().subarray(0, 16).toString('base64url');
const UNKNOWN_KID = Buffer.alloc(16, 0xee).toString('base64url');

interface JwkSet {
  keys: { kty: string; kid: string; k: string }[];
  type?: string;
}

/** What the client receives: a status and a body (bytes), from the answer the server would give. */
export function faultyAnswer(fault: Fault, status: number, answer: unknown): { status: number; body: Buffer } {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const isLicense = status === 200 && typeof answer === 'object' && answer !== null && 'keys' in answer;
  const license = answer as JwkSet;
  switch (fault.kind) {
    case 'status':
      return { status: fault.status, body: json({ error: 'injected-fault', message: `fault injected by the scenario: HTTP ${fault.status}` }) };
    case 'empty-body':
      return { status: 200, body: Buffer.alloc(0) };
    case 'truncated-body': {
      const full = json(answer);
      return { status: 200, body: full.subarray(0, Math.floor(full.length / 2)) };
    }
    case 'malformed-body':
      return { status: 200, body: Buffer.from('{"keys":[{"kty":"oct","kid":<not json>') };
    case 'wrong-key':
      return isLicense ? { status, body: json({ ...license, keys: license.keys.map((k) => ({ ...k, k: WRONG_KEY })) }) } : { status, body: json(answer) };
    case 'unknown-kid':
      return isLicense ? { status, body: json({ ...license, keys: [{ kty: 'oct', kid: UNKNOWN_KID, k: WRONG_KEY }] }) } : { status, body: json(answer) };
    case 'missing-key':
      return isLicense ? { status, body: json({ ...license, keys: [] }) } : { status, body: json(answer) };
    case 'wrong-type':
      return isLicense ? { status, body: json({ ...license, type: license.type === 'temporary' ? 'persistent-license' : 'temporary' }) } : { status, body: json(answer) };
    default:
      // delay, reset and hang change when or whether the answer is sent, not what it says.
      return { status, body: json(answer) };
  }
}
