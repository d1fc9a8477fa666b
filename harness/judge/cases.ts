// Rules for "case table" scenarios: the page makes a list of calls, each tagged with a case id, and
// the catalog says what the spec expects of each one. An expectation is data, so the catalog
// document can print it, and a browser that throws another error than the spec names fails with
// the name it threw (error-name drift stays visible in the report).
import { Timeline, type Settled } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';
import type { RunRecord } from '../../model/record.ts';

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
  /** Advisory: a departure is shown as a deviation, not a failure. */
  advisory?: boolean;
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

/** Replaces '$label' strings with the run's key ids, so expectations can name keys. */
function withKeyIds(value: unknown, keyIds: Record<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('$')) return keyIds[value.slice(1)] ?? value;
  if (Array.isArray(value)) return value.map((v) => withKeyIds(v, keyIds));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withKeyIds(v, keyIds)]));
  return value;
}

function fulfilled(s: Settled): boolean {
  return s.result?.outcome === 'resolved' || s.result?.outcome === 'returned';
}

function meets(s: Settled, expect: CaseExpect, keyIds: Record<string, string>): boolean {
  if (Array.isArray(expect)) return expect.some((e) => meets(s, e, keyIds));
  if (!s.result) return false;
  if (typeof expect === 'string') {
    if (expect === 'record') return true;
    if (expect === 'resolves') return fulfilled(s);
    if (expect === 'rejects') return !fulfilled(s);
    return !fulfilled(s) && s.result.error?.name === expect;
  }
  return fulfilled(s) && JSON.stringify(s.result.value) === JSON.stringify(withKeyIds(expect.value, keyIds));
}

function observe(s: Settled | undefined): string {
  if (!s) return 'never ran';
  if (!s.result) return 'never settled';
  const r = s.result;
  if (r.error) return `${r.outcome} with ${r.error.name}: ${r.error.message}`.slice(0, 300);
  return `${r.outcome}${r.value === undefined ? '' : ` with ${JSON.stringify(r.value)}`}`.slice(0, 300);
}

/** The settled call the page tagged with this case id. */
export function caseCall(t: Timeline, id: string): Settled | undefined {
  const call = t.entries.find((e) => e.type === 'call' && e.data?.['case'] === id);
  if (!call) return undefined;
  return { call, result: t.entries.find((e) => e.type === 'result' && e.of === call.seq) };
}

export function caseChecks(record: RunRecord, table: CaseTable): { checks: Check[]; observed: Record<string, string> } {
  const t = new Timeline(record);
  const keyIds = (t.notes('start')[0]?.data?.['keyIds'] ?? {}) as Record<string, string>;
  const checks: Check[] = [];
  const observed: Record<string, string> = {};
  for (const [id, rule] of Object.entries(table)) {
    // 'x:detail' reads what call 'x' granted; when 'x' was (legitimately) refused there is nothing to read.
    const base = id.includes(':') ? caseCall(t, id.slice(0, id.indexOf(':'))) : undefined;
    if (base?.result && !fulfilled(base)) {
      observed[id] = `not applicable: ${id.slice(0, id.indexOf(':'))} was refused`;
      continue;
    }
    const settled = caseCall(t, id);
    observed[id] = observe(settled);
    const ok = !!settled && meets(settled, rule.expect, keyIds);
    checks.push(check(`case:${id}`, `${rule.does} → ${describeExpect(rule.expect)}`, ok, describeExpect(rule.expect), observed[id], { spec: rule.spec, level: rule.advisory || rule.expect === 'record' ? 'advisory' : 'must' }));
  }
  return { checks, observed };
}

/** Judges a case table; `more` adds timeline rules a table cannot express. */
export function judgeCases(record: RunRecord, table: CaseTable, more?: (t: Timeline) => Check[]): Judgement {
  const { checks, observed } = caseChecks(record, table);
  if (more) checks.push(...more(new Timeline(record)));
  return decide(record, checks, { cases: observed });
}
