// The interface shape the EME WebIDL (model/idl/encrypted-media.webidl) declares, as the page and the
// judge read it: each interface and partial interface, whether it is [SecureContext], what it
// inherits, its constructor's length, and every member with what a browser must show of it (an
// operation's length, an attribute's readonly-ness). harness/idl.ts derives it with webidl2; the
// idl-shape page module receives it as a parameter, so the page hard-codes no member list.
import { z } from 'zod';

const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an IDL identifier');

export const IdlMember = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('attribute'),
    name: Name,
    readonly: z.boolean(),
    /** [SecureContext] on the member or on its interface. */
    secureContext: z.boolean(),
    /** The IDL type as written ('DOMString', 'MediaKeys?'). */
    type: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('operation'),
    name: Name,
    /** The function's `length`: the arguments before the first optional or variadic one. */
    length: z.number().int().nonnegative(),
    secureContext: z.boolean(),
    /** Promise-returning operations turn argument errors into rejections (WebIDL). */
    returnsPromise: z.boolean(),
  }),
  /** A pair iterator declaration: entries, keys, values, forEach and @@iterator on the prototype. */
  z.strictObject({ kind: z.literal('iterable'), key: z.string().min(1), value: z.string().min(1) }),
]);
export type IdlMember = z.infer<typeof IdlMember>;

export const IdlInterface = z.strictObject({
  name: Name,
  /** A partial interface: the members are EME's, the interface object belongs to another spec. */
  partial: z.boolean(),
  inherits: Name.nullable(),
  secureContext: z.boolean(),
  /** null: no constructor (calling or constructing the interface object throws TypeError). */
  constructorLength: z.number().int().nonnegative().nullable(),
  members: z.array(IdlMember),
});
export type IdlInterface = z.infer<typeof IdlInterface>;

export const IdlShape = z.strictObject({
  /** Where the IDL was read (file name), for reports. */
  source: z.string().min(1),
  interfaces: z.array(IdlInterface).min(1),
});
export type IdlShape = z.infer<typeof IdlShape>;

/** The member's name as the page and the judge key it: 'MediaKeys.createSession', 'MediaKeyStatusMap@@iterable'. */
export function memberKey(iface: Pick<IdlInterface, 'name'>, member: IdlMember): string {
  return member.kind === 'iterable' ? `${iface.name}@@iterable` : `${iface.name}.${member.name}`;
}
