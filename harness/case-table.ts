// A case table as data: for each call a case-table page module makes (tagged with a case id), what
// the page does in a few words and what the current EME spec expects of it. The catalog holds the
// tables, the catalog document prints them, and the judge (harness/judge/cases.ts) holds the
// recorded calls to them.

/**
 * - 'resolves': the call fulfils (a promise resolves, a plain call returns), with any value;
 * - 'rejects': it rejects or throws, with any error (the name is recorded);
 * - an error name ('TypeError', 'NotSupportedError', …): it rejects or throws with that name;
 * - { value }: it fulfils with exactly this value (JSON-equal; '$key-1' stands for that key's hex id);
 * - an array: any one of these;
 * - 'record': whatever happens is a finding, not a rule (the spec leaves it open).
 */
export type CaseExpect = string | { value: unknown } | CaseExpect[];

export interface CaseRule {
  /** What the page does, in a few words ("generateRequest('keyids', empty)"). */
  does: string;
  expect: CaseExpect;
  /** Spec anchor the expectation comes from. */
  spec: string;
  /** The step of the anchor's algorithm ("step 1"), where the rule is one step's. */
  step?: string;
  /**
   * Advisory: a departure is shown as a deviation, not a failure. The text says why: where the spec
   * leaves room (a "should", an open choice, a section that contradicts another).
   */
  advisory?: string;
}

export type CaseTable = Record<string, CaseRule>;

export function describeExpect(expect: CaseExpect): string {
  if (Array.isArray(expect)) return expect.map(describeExpect).join(' or ');
  if (typeof expect === 'string') {
    if (expect === 'resolves') return 'fulfils';
    if (expect === 'rejects') return 'rejects (any error)';
    if (expect === 'record') return 'any outcome (recorded)';
    return expect;
  }
  return `fulfils with ${JSON.stringify(expect.value)}`;
}
