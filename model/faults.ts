// License endpoint faults as data: what a scenario may ask the server to do to a license answer, and
// on which message. The server (server/faults.ts) injects them; the catalog names them; the judge
// (harness/judge/faults.ts) reads its fault kinds from here, so there is one list of kinds.
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
/** A fault as written in the catalog or a run's parameters (defaults not yet applied). */
export type FaultInput = z.input<typeof Fault>;
export type FaultKind = Fault['kind'];

export const FaultRule = z.strictObject({
  fault: Fault,
  /** Which messages count: a message type, or any. */
  on: z.enum(['license-request', 'license-release', 'any']).default('any'),
  /** 1-based: the nth matching message of the run gets the fault ... */
  nth: z.number().int().min(1).max(100).default(1),
  /** ... and so do the next count-1. */
  count: z.number().int().min(1).max(10).default(1),
});
export type FaultRule = z.infer<typeof FaultRule>;
export type FaultRuleInput = z.input<typeof FaultRule>;

export const FaultRules = z.array(FaultRule).max(20);

/**
 * The fault a license exchange records (LicenseExchange.fault: the rule's fault with its `on`, `nth`
 * and `count`), read back as a Fault; null when none was injected or the record is not one.
 */
export function recordedFault(recorded: Record<string, unknown> | null | undefined): Fault | null {
  if (!recorded) return null;
  const { on: _on, nth: _nth, count: _count, ...fault } = recorded;
  const parsed = Fault.safeParse(fault);
  return parsed.success ? parsed.data : null;
}
