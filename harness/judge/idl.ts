// Rules for the interface-shape scenarios (group J): what the page saw of each interface and member
// (pages/js/scenarios/idl-shape.js) against the shape the spec's WebIDL declares (harness/idl.ts).
// One check per interface object, per member and per operation's arity, each naming the spec section
// that declares it; from an insecure-origin frame, one check per name [SecureContext] decides.
import type { RunRecord } from '../../model/record.ts';
import { memberKey, type IdlInterface, type IdlMember, type IdlShape } from '../../model/idl/shape.ts';
import { caseCall } from './cases.ts';
import { Timeline, describeSettled, type Settled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

const WEBIDL = 'https://webidl.spec.whatwg.org/';

/** The section of the EME spec that declares an interface or partial interface. */
const SECTIONS: Record<string, string> = {
  Navigator: '#navigator-extension-requestmediakeysystemaccess',
  MediaKeySystemAccess: '#mediakeysystemaccess-interface',
  MediaKeys: '#mediakeys-interface',
  MediaKeySession: '#mediakeysession-interface',
  MediaKeyStatusMap: '#mediakeystatusmap-interface',
  MediaKeyMessageEvent: '#mediakeymessageevent',
  HTMLMediaElement: '#htmlmediaelement-extensions',
  MediaEncryptedEvent: '#mediaencryptedevent-interface',
};
const sectionOf = (name: string) => SECTIONS[name] ?? `#${name.toLowerCase()}-interface`;
const memberAnchor = (iface: IdlInterface, m: IdlMember) =>
  m.kind === 'iterable' ? sectionOf(iface.name) : `#dom-${iface.name.toLowerCase()}-${m.name.toLowerCase()}`;

/** The value a fact call returned ('never ran' / the error when it did not). */
function factValue(t: Timeline, id: string): { value: unknown; settled: Settled | undefined } {
  const settled = caseCall(t, id);
  return { value: settled?.result?.outcome === 'returned' ? settled.result.value : undefined, settled };
}

/** Differences between what was seen and what was expected, aspect by aspect. */
function differences(seen: unknown, expected: Record<string, unknown>): string[] {
  const got = (seen && typeof seen === 'object' ? seen : {}) as Record<string, unknown>;
  return Object.entries(expected)
    .filter(([k, v]) => JSON.stringify(got[k]) !== JSON.stringify(v))
    .map(([k, v]) => `${k}: expected ${JSON.stringify(v)}, saw ${JSON.stringify(got[k]) ?? 'nothing'}`);
}

function aspectCheck(
  t: Timeline,
  id: string,
  title: string,
  expected: Record<string, unknown>,
  spec: string,
  step: string,
): Check {
  const { value, settled } = factValue(t, id);
  const diff =
    settled?.result?.outcome === 'returned'
      ? differences(value, expected)
      : [describeSettled(settled, { missing: 'never ran' })];
  return check({
    id,
    title,
    ok: diff.length === 0,
    expected: Object.entries(expected)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(', '),
    observed: diff.length ? diff.join('; ') : 'as declared',
    spec,
    step,
  });
}

function interfaceCheck(t: Timeline, iface: IdlInterface): Check {
  const spec = sectionOf(iface.name);
  if (iface.partial)
    return aspectCheck(
      t,
      `interface:${iface.name}`,
      `${iface.name} (extended by EME) exists`,
      { type: 'function' },
      spec,
      'partial interface',
    );
  return aspectCheck(
    t,
    `interface:${iface.name}`,
    `interface object ${iface.name}: name, length, property, prototype chain, class string${iface.constructorLength === null ? ', not callable or constructible' : ''}`,
    {
      type: 'function',
      name: iface.name,
      length: iface.constructorLength ?? 0,
      property: { writable: true, enumerable: false, configurable: true },
      inherits: iface.inherits ?? 'Object',
      toStringTag: iface.name,
      call: 'TypeError',
      construct: iface.constructorLength === null ? 'TypeError' : 'has a constructor',
    },
    spec,
    `the IDL declaration (WebIDL interface object${iface.constructorLength === null ? ', no constructor' : ''})`,
  );
}

function memberCheck(t: Timeline, iface: IdlInterface, m: IdlMember): Check {
  const key = memberKey(iface, m);
  const spec = memberAnchor(iface, m);
  if (m.kind === 'iterable')
    return aspectCheck(
      t,
      `member:${key}`,
      `${iface.name} is a pair iterable<${m.key}, ${m.value}>: entries, keys, values, forEach, @@iterator`,
      {
        entries: { length: 0 },
        keys: { length: 0 },
        values: { length: 0 },
        forEach: { length: 1 },
        iteratorIsEntries: true,
      },
      spec,
      'iterable declaration (WebIDL iterable declarations)',
    );
  if (m.kind === 'attribute')
    return aspectCheck(
      t,
      `member:${key}`,
      `${m.readonly ? 'readonly ' : ''}attribute ${m.type} ${key}: an accessor on the prototype${m.readonly ? ' with no setter' : ' with a setter'}`,
      {
        kind: 'accessor',
        get: 'function',
        set: m.readonly ? 'undefined' : 'function',
        getterName: `get ${m.name}`,
        enumerable: true,
        configurable: true,
      },
      spec,
      'attribute declaration (WebIDL attributes)',
    );
  return aspectCheck(
    t,
    `member:${key}`,
    `operation ${key}(): a method on the prototype with length ${m.length}`,
    {
      kind: 'data',
      type: 'function',
      length: m.length,
      name: m.name,
      writable: true,
      enumerable: true,
      configurable: true,
    },
    spec,
    'operation declaration (WebIDL operations)',
  );
}

/** Too few arguments: TypeError, as a rejection when the operation returns a promise. */
function arityCheck(
  t: Timeline,
  iface: IdlInterface,
  name: string,
  length: number,
  returnsPromise: boolean,
  spec: string,
): Check {
  const id = `too-few:${iface.name}.${name}`;
  const settled = caseCall(t, id);
  const expectedOutcome = returnsPromise ? 'rejected' : 'threw';
  return check({
    id,
    title: `${iface.name}.${name}() with ${length - 1} of ${length} required arguments ${returnsPromise ? 'rejects' : 'throws'} TypeError`,
    ok: settled?.result?.outcome === expectedOutcome && settled.result.error?.name === 'TypeError',
    expected: `${expectedOutcome} with TypeError`,
    observed: describeSettled(settled, { missing: 'never ran', max: 300 }),
    spec,
    step: returnsPromise
      ? `${WEBIDL}#dfn-create-operation-function (argument count checked first; a promise operation turns the exception into a rejection)`
      : `${WEBIDL}#es-overloads (argument count checked first)`,
  });
}

/** The names [SecureContext] decides, as the page probes them. */
function exposureChecks(t: Timeline, shape: IdlShape, secureContext: boolean): Check[] {
  return shape.interfaces.flatMap((iface) => {
    const probes = iface.partial
      ? iface.members.flatMap((m) =>
          m.kind === 'iterable'
            ? []
            : [{ path: `${iface.name}.${m.name}`, secure: m.secureContext, spec: memberAnchor(iface, m) }],
        )
      : [{ path: iface.name, secure: iface.secureContext, spec: sectionOf(iface.name) }];
    return probes.map(({ path, secure, spec }) => {
      const { value, settled } = factValue(t, `exposed:${path}`);
      const expected = secureContext || !secure;
      return check({
        id: `exposed:${path}`,
        title: `${path} is ${expected ? 'exposed' : 'hidden'} in ${secureContext ? 'a secure context' : 'an insecure context'}${secure ? ' ([SecureContext])' : ''}`,
        ok: value === expected,
        expected: expected ? 'exposed' : 'not exposed',
        observed:
          typeof value === 'boolean'
            ? value
              ? 'exposed'
              : 'not exposed'
            : describeSettled(settled, { missing: 'never ran' }),
        spec,
        step: secure ? `${WEBIDL}#SecureContext` : 'no [SecureContext]: exposed everywhere Window is',
      });
    });
  });
}

export function judgeIdl(record: RunRecord, shape: IdlShape, context: 'secure' | 'insecure'): Judgement {
  if (!record.page) return decide(record, []);
  const t = new Timeline(record);
  if (context === 'insecure') {
    const { value: frameSecure } = factValue(t, 'frame:secure-context');
    const checks = exposureChecks(t, shape, false);
    if (frameSecure !== false) {
      // A frame that is a secure context after all measures nothing about [SecureContext].
      const seen = frameSecure === undefined ? 'nothing (the frame never reported)' : JSON.stringify(frameSecure);
      const why = `the frame from the insecure origin reports isSecureContext ${seen}`;
      return decide(record, [
        check({
          id: 'frame-insecure',
          title: 'the insecure-origin frame is not a secure context',
          ok: false,
          expected: 'isSecureContext false',
          observed: seen,
          unmeasured: why,
        }),
      ]);
    }
    return decide(record, checks);
  }
  const checks: Check[] = exposureChecks(t, shape, true);
  for (const iface of shape.interfaces) {
    checks.push(interfaceCheck(t, iface));
    for (const m of iface.members) {
      checks.push(memberCheck(t, iface, m));
      if (m.kind === 'operation' && m.length > 0)
        checks.push(arityCheck(t, iface, m.name, m.length, m.returnsPromise, memberAnchor(iface, m)));
    }
    if (iface.constructorLength)
      checks.push(arityCheck(t, iface, 'constructor', iface.constructorLength, false, sectionOf(iface.name)));
  }
  return decide(record, checks);
}
