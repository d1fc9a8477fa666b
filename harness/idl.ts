// Reads the EME WebIDL (model/idl/encrypted-media.webidl) with webidl2 and derives the interface shape
// the idl.* scenarios check (model/idl/shape.ts). A file that does not parse or validate, or that
// declares something the shape cannot express, is an error naming it.
import { readFileSync } from 'node:fs';
import { parse, validate, type IDLInterfaceMemberType, type IDLTypeDescription, type InterfaceType } from 'webidl2';
import { IdlShape, memberKey, type IdlInterface, type IdlMember } from '../model/idl/shape.ts';

export const IDL_FILE = new URL('../model/idl/encrypted-media.webidl', import.meta.url);

const hasAttribute = (node: { extAttrs: Array<{ name: string }> }, name: string) =>
  node.extAttrs.some((a) => a.name === name);

function memberOf(iface: InterfaceType, m: IDLInterfaceMemberType, secure: boolean): IdlMember | null {
  const secureContext = secure || hasAttribute(m, 'SecureContext');
  switch (m.type) {
    case 'attribute':
      return { kind: 'attribute', name: m.name, readonly: m.readonly, secureContext, type: typeText(m.idlType) };
    case 'operation': {
      if (!m.name) throw new Error(`${iface.name}: an unnamed (special) operation is not supported`);
      const firstOptional = m.arguments.findIndex((a) => a.optional || a.variadic);
      return {
        kind: 'operation',
        name: m.name,
        length: firstOptional === -1 ? m.arguments.length : firstOptional,
        secureContext,
        returnsPromise: m.idlType?.generic === 'Promise',
      };
    }
    case 'iterable': {
      if (m.async) throw new Error(`${iface.name}: async iterables are not supported`);
      const [key, value] = m.idlType;
      if (!key || !value) throw new Error(`${iface.name}: only pair iterators are supported`);
      return { kind: 'iterable', key: typeText(key), value: typeText(value) };
    }
    case 'constructor':
      return null;
    default:
      throw new Error(`${iface.name}: member kind ${m.type} is not supported`);
  }
}

/** An IDL type as written, e.g. 'Promise<MediaKeySessionClosedReason>' or 'MediaKeys?'. */
function typeText(t: IDLTypeDescription): string {
  const inner = Array.isArray(t.idlType)
    ? t.union
      ? `(${t.idlType.map(typeText).join(' or ')})`
      : `${t.generic}<${t.idlType.map(typeText).join(', ')}>`
    : String(t.idlType);
  return `${inner}${t.nullable ? '?' : ''}`;
}

/** The shape of every interface and partial interface the IDL text declares. */
export function idlShapeOf(text: string, source: string): IdlShape {
  const ast = parse(text, { sourceName: source });
  const problems = validate(ast);
  if (problems.length) throw new Error(`${source}: ${problems.map((p) => p.message).join('; ')}`);
  const interfaces: IdlInterface[] = ast
    .filter((d): d is InterfaceType => d.type === 'interface')
    .map((iface) => {
      const secure = hasAttribute(iface, 'SecureContext');
      const ctor = iface.members.find((m) => m.type === 'constructor');
      const firstOptional = ctor ? ctor.arguments.findIndex((a) => a.optional || a.variadic) : -1;
      return {
        name: iface.name,
        partial: iface.partial,
        inherits: iface.inheritance,
        secureContext: secure,
        constructorLength: ctor ? (firstOptional === -1 ? ctor.arguments.length : firstOptional) : null,
        members: iface.members.flatMap((m) => memberOf(iface, m, secure) ?? []),
      };
    });
  // Partial interfaces may extend one name in several blocks; a member declared twice is a mistake.
  const seen = new Set<string>();
  for (const i of interfaces)
    for (const m of i.members) {
      const key = memberKey(i, m);
      if (seen.has(key)) throw new Error(`${source}: ${key} is declared twice`);
      seen.add(key);
    }
  return IdlShape.parse({ source, interfaces });
}

/** The EME IDL's shape, read from the project's .webidl file. */
export function readIdlShape(file: URL = IDL_FILE): IdlShape {
  return idlShapeOf(readFileSync(file, 'utf8'), file.pathname.split('/').slice(-3).join('/'));
}
