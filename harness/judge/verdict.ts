// From checks to a verdict. `must` checks decide it; `advisory` checks record where a browser departs
// from the spec's ordering in ways that real CDMs are allowed to race (they show up as deviations).
import type { RunRecord } from '../../model/record.ts';
import type { Difference, Verdict } from '../../model/verdict.ts';

export interface Check {
  id: string;
  title: string;
  level: 'must' | 'advisory';
  ok: boolean;
  expected: string;
  observed: string;
  /** spec anchor, e.g. '#dom-mediakeysession-close' */
  spec?: string;
  /** The step of the anchor's algorithm the check reads ("step 5.2"). */
  step?: string;
  /** Why an advisory check is advisory: where the spec leaves room. */
  why?: string;
  /** Why the harness could not measure this here; the check then decides nothing about the browser. */
  unmeasured?: string;
}

export interface Judgement {
  verdict: Verdict;
  reason: string;
  /** What kind of difference the verdict stands for; null for a plain pass or a run that failed to run. */
  difference: Difference | null;
  checks: Check[];
  /** Scenario-specific data the report shows (e.g. the supported configuration matrix). */
  findings?: Record<string, unknown>;
}

/** What a rule says about one check: named fields; `level` is 'must' unless it says 'advisory'. */
export interface CheckInput {
  id: string;
  title: string;
  ok: boolean;
  expected: string;
  observed: string;
  spec?: string;
  step?: string;
  level?: Check['level'];
  why?: string;
  unmeasured?: string;
}

/** A check from its named fields. */
export function check(c: CheckInput): Check {
  return {
    id: c.id,
    title: c.title,
    level: c.level ?? 'must',
    ok: c.ok,
    expected: c.expected,
    observed: c.observed,
    ...(c.spec ? { spec: c.spec } : {}),
    ...(c.step ? { step: c.step } : {}),
    ...(c.why ? { why: c.why } : {}),
    ...(c.unmeasured ? { unmeasured: c.unmeasured } : {}),
  };
}

/** Where a check's rule lives in the spec: "#anchor step N", or the anchor alone. */
export function citation(c: Pick<Check, 'spec' | 'step'>): string {
  return [c.spec, c.step].filter(Boolean).join(' ');
}

/** A must check that failed, as a verdict reason: the rule, what was expected and seen, and where the spec says so. */
function failureReason(c: Check): string {
  const where = citation(c);
  return `${c.title}: expected ${c.expected}; observed ${c.observed}${where ? ` (${where})` : ''}`;
}

export interface DecideOptions {
  findings?: Record<string, unknown>;
}

/**
 * Decides the verdict. A record that never finished, or whose page code broke, is a harness error;
 * a missing feature is unsupported; otherwise the first failed `must` check makes it fail. A `must`
 * check the harness could not measure makes the verdict not-measurable unless another one failed.
 */
export function decide(record: RunRecord, checks: Check[], { findings }: DecideOptions = {}): Judgement {
  const judged = (verdict: Verdict, reason: string, difference: Difference | null): Judgement => ({
    verdict,
    reason,
    difference,
    checks,
    ...(findings ? { findings } : {}),
  });
  if (!record.finished || !record.page) {
    const lost = record.evidence.find((e) => e.kind === 'page-lost');
    if (lost?.kind === 'page-lost') return judged(lost.reason, lost.detail, null);
    if (record.status === 'incomplete')
      return judged('error', 'run incomplete: the server stopped before the page reported', null);
    return judged('error', 'the page never reported its timeline (it crashed, hung or was never loaded)', null);
  }
  const { outcome } = record.page;
  if (outcome.status === 'harness-error') {
    return judged('error', `harness fault in the page: ${outcome.reason ?? 'unknown'}`, null);
  }
  if (outcome.status === 'precondition-failed') {
    return judged('unsupported', outcome.reason ?? 'a precondition failed', 'missing-feature');
  }
  const failed = checks.find((c) => c.level === 'must' && !c.ok && !c.unmeasured);
  if (failed) return judged('fail', failureReason(failed), 'spec-deviation');
  if (outcome.status === 'stopped') {
    // Every rule held but a step still failed: a gap in the rules; say so rather than pass.
    return judged('fail', `the scenario stopped early: ${outcome.reason ?? ''}`, 'spec-deviation');
  }
  const unmeasured = checks.find((c) => c.level === 'must' && c.unmeasured);
  if (unmeasured) return judged('not-measurable', `${unmeasured.title}: ${unmeasured.unmeasured}`, 'not-measurable');
  return { ...passed(checks), checks, ...(findings ? { findings } : {}) };
}

/** A pass: how many rules held, and the advisory departures (judgment calls) if any. */
function passed(checks: Check[]): Pick<Judgement, 'verdict' | 'reason' | 'difference'> {
  const departures = checks.filter((c) => c.level === 'advisory' && !c.ok);
  const held = `${checks.filter((c) => c.level === 'must').length} rules held`;
  return departures.length > 0
    ? {
        verdict: 'pass',
        reason: `${held}; advisory departures: ${departures.map((c) => c.id).join(', ')}`,
        difference: 'judgment-call',
      }
    : { verdict: 'pass', reason: held, difference: null };
}

/** A judgement with more advisory checks: they cannot change the verdict, only a pass's departures. */
export function withAdvisory(j: Judgement, more: Check[]): Judgement {
  const fresh = more.filter((c) => c.level === 'advisory' && !j.checks.some((x) => x.id === c.id));
  if (fresh.length === 0) return j;
  const checks = [...j.checks, ...fresh];
  return j.verdict === 'pass' ? { ...j, ...passed(checks), checks } : { ...j, checks };
}
