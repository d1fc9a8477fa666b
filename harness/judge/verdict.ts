// From checks to a verdict. `must` checks decide it; `advisory` checks record where a browser departs
// from the spec's ordering in ways that real CDMs are allowed to race (they show up as deviations).
import type { RunRecord } from '../../model/record.ts';
import type { Verdict } from '../../model/verdict.ts';

export interface Check {
  id: string;
  title: string;
  level: 'must' | 'advisory';
  ok: boolean;
  expected: string;
  observed: string;
  /** spec anchor, e.g. '#dom-mediakeysession-close' */
  spec?: string;
}

export interface Judgement {
  verdict: Verdict;
  reason: string;
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
  level?: Check['level'];
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
  };
}

/**
 * Decides the verdict. A record that never finished, or whose page code broke, is a harness error;
 * a missing feature is unsupported; otherwise the first failed `must` check makes it fail.
 */
export function decide(record: RunRecord, checks: Check[], findings?: Record<string, unknown>): Judgement {
  const withFindings = (j: Judgement): Judgement => (findings ? { ...j, findings } : j);
  if (!record.finished || !record.page) {
    const lost = record.evidence.find((e) => e.kind === 'page-lost');
    if (lost?.kind === 'page-lost') return withFindings({ verdict: lost.reason, reason: lost.detail, checks });
    if (record.status === 'incomplete')
      return withFindings({
        verdict: 'error',
        reason: 'run incomplete: the server stopped before the page reported',
        checks,
      });
    return withFindings({
      verdict: 'error',
      reason: 'the page never reported its timeline (it crashed, hung or was never loaded)',
      checks,
    });
  }
  const { outcome } = record.page;
  if (outcome.status === 'harness-error') {
    return withFindings({
      verdict: 'error',
      reason: `harness fault in the page: ${outcome.reason ?? 'unknown'}`,
      checks,
    });
  }
  if (outcome.status === 'precondition-failed') {
    return withFindings({ verdict: 'unsupported', reason: outcome.reason ?? 'a precondition failed', checks });
  }
  const failed = checks.find((c) => c.level === 'must' && !c.ok);
  if (failed) {
    return withFindings({
      verdict: 'fail',
      reason: `${failed.title}: expected ${failed.expected}; observed ${failed.observed}`,
      checks,
    });
  }
  if (outcome.status === 'stopped') {
    // Every rule held but a step still failed: a gap in the rules; say so rather than pass.
    return withFindings({ verdict: 'fail', reason: `the scenario stopped early: ${outcome.reason ?? ''}`, checks });
  }
  return withFindings({
    verdict: 'pass',
    reason: `${checks.filter((c) => c.level === 'must').length} rules held`,
    checks,
  });
}
