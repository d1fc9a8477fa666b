// License endpoint faults, chosen per run by its scenario (never global state, so parallel runs do not
// interfere). A fault applies to the nth license message of a run that matches `on`. The fault rule
// schema is model/faults.ts, shared with the catalog and the judge.
import { createHash } from 'node:crypto';
import type { Fault, FaultRule } from '../model/faults.ts';

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
      return {
        status: fault.status,
        body: json({ error: 'injected-fault', message: `fault injected by the scenario: HTTP ${fault.status}` }),
      };
    case 'empty-body':
      return { status: 200, body: Buffer.alloc(0) };
    case 'truncated-body': {
      const full = json(answer);
      return { status: 200, body: full.subarray(0, Math.floor(full.length / 2)) };
    }
    case 'malformed-body':
      return { status: 200, body: Buffer.from('{"keys":[{"kty":"oct","kid":<not json>') };
    case 'wrong-key':
      return isLicense
        ? { status, body: json({ ...license, keys: license.keys.map((k) => ({ ...k, k: WRONG_KEY })) }) }
        : { status, body: json(answer) };
    case 'unknown-kid':
      return isLicense
        ? { status, body: json({ ...license, keys: [{ kty: 'oct', kid: UNKNOWN_KID, k: WRONG_KEY }] }) }
        : { status, body: json(answer) };
    case 'missing-key':
      return isLicense ? { status, body: json({ ...license, keys: [] }) } : { status, body: json(answer) };
    case 'wrong-type':
      return isLicense
        ? {
            status,
            body: json({ ...license, type: license.type === 'temporary' ? 'persistent-license' : 'temporary' }),
          }
        : { status, body: json(answer) };
    default:
      // delay, reset and hang change when or whether the answer is sent, not what it says.
      return { status, body: json(answer) };
  }
}
