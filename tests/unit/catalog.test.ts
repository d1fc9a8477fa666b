import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HARNESS_SCENARIOS, NOT_APPLICABLE, SCENARIOS } from '../../harness/catalog.ts';
import { GROUPS, type Group } from '../../harness/scenario.ts';
import { renderCatalog } from '../../report/catalog-doc.ts';
import { judgeCases } from '../../harness/judge/cases.ts';
import type { CaseTable } from '../../harness/case-table.ts';
import { RunRecord, joinTimeline, type PageEntry } from '../../model/record.ts';
import { checkPageParams } from '../../model/page-params.ts';

test('docs/CATALOG.md is the document the catalog renders (run `npm run catalog` after changing scenarios)', () => {
  const onDisk = readFileSync(new URL('../../docs/CATALOG.md', import.meta.url), 'utf8');
  assert.equal(onDisk, renderCatalog(), 'docs/CATALOG.md drifted from harness/catalog.ts');
});

test('the catalog covers groups A to H with at least 45 scenarios, and records group I as not applicable', () => {
  assert.ok(SCENARIOS.length >= 45, `${SCENARIOS.length} scenarios`);
  for (const group of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as Group[]) {
    assert.ok(
      SCENARIOS.some((s) => s.group === group),
      `no scenario in group ${group} (${GROUPS[group]})`,
    );
  }
  assert.ok(NOT_APPLICABLE.some((n) => n.group === 'I' && n.reason.length > 40));
});

test('every scenario has a unique stable id, a title, spec anchors and an expectation', () => {
  const ids = SCENARIOS.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate scenario ids');
  for (const s of SCENARIOS) {
    assert.match(s.id, /^[a-z0-9]+(\.[a-z0-9-]+)+$/, s.id);
    assert.ok(s.title.length > 10, `${s.id}: title`);
    assert.ok(
      s.spec.length > 0 && s.spec.every((a) => /^#[a-z0-9-]+$/.test(a)),
      `${s.id}: spec anchors ${s.spec.join(' ')}`,
    );
    assert.ok(s.expected.length > 20, `${s.id}: expected`);
    for (const [id, rule] of Object.entries(s.cases ?? {}))
      assert.match(rule.spec, /^#[a-z0-9-]+$/, `${s.id} case ${id}: spec anchor`);
  }
});

// That the pages produce every case id a case table judges is checked by running the page modules
// under Node: tests/unit/page-contract.test.ts.

// A record with the calls a page would have made, to test the case rules themselves.
function recordOf(
  results: Array<{
    id: string;
    outcome: 'resolved' | 'rejected' | 'returned' | 'threw';
    value?: unknown;
    error?: string;
  }>,
): RunRecord {
  const entries: PageEntry[] = [
    {
      seq: 0,
      t: 0,
      type: 'note',
      target: 'runner',
      name: 'start',
      data: { scenario: 'x', module: 'x', params: {}, keyIds: { 'key-1': 'aa'.repeat(16) } },
    },
  ];
  for (const r of results) {
    const call: PageEntry = {
      seq: entries.length,
      t: entries.length,
      type: 'call',
      target: 's1',
      name: 'x',
      args: [],
      data: { case: r.id },
    };
    entries.push(call);
    entries.push({
      seq: entries.length,
      t: entries.length,
      type: 'result',
      target: 's1',
      name: 'x',
      of: call.seq,
      outcome: r.outcome,
      ...(r.value === undefined ? {} : { value: r.value }),
      ...(r.error ? { error: { name: r.error, message: 'm' } } : {}),
    });
  }
  const page = {
    entries,
    outcome: { status: 'completed' as const },
    environment: { userAgent: 'ua', isSecureContext: true, origin: 'http://127.0.0.1', emeApi: {} },
  };
  const meta = {
    id: '00000000-0000-4000-8000-000000000000',
    scenario: 'x',
    params: {},
    project: 'p',
    createdAt: new Date(0).toISOString(),
  };
  return RunRecord.parse({
    meta,
    finished: true,
    status: 'finished',
    page,
    exchanges: [],
    evidence: [],
    joined: joinTimeline(page, []),
  });
}

const TABLE: CaseTable = {
  'empty-name': { does: "''", expect: 'TypeError', spec: '#a' },
  'value-with-key': { does: 'keys()', expect: { value: ['$key-1'] }, spec: '#b' },
  either: { does: 'x', expect: ['resolves', 'NotSupportedError'], spec: '#c' },
  open: { does: 'y', expect: 'record', spec: '#d' },
};

test('case rules: the spec error passes, another error name fails with the name observed', () => {
  const good = judgeCases(
    recordOf([
      { id: 'empty-name', outcome: 'rejected', error: 'TypeError' },
      { id: 'value-with-key', outcome: 'returned', value: ['aa'.repeat(16)] },
      { id: 'either', outcome: 'rejected', error: 'NotSupportedError' },
      { id: 'open', outcome: 'rejected', error: 'AnythingError' },
    ]),
    TABLE,
  );
  assert.equal(good.verdict, 'pass', good.reason);

  const drift = judgeCases(
    recordOf([
      { id: 'empty-name', outcome: 'rejected', error: 'InvalidAccessError' },
      { id: 'value-with-key', outcome: 'returned', value: ['aa'.repeat(16)] },
      { id: 'either', outcome: 'resolved' },
      { id: 'open', outcome: 'resolved' },
    ]),
    TABLE,
  );
  assert.equal(drift.verdict, 'fail');
  assert.match(drift.reason, /expected TypeError; observed rejected with InvalidAccessError/);
});

test('case rules: a wrong value, or a case the page never ran, fails', () => {
  const wrong = judgeCases(
    recordOf([
      { id: 'empty-name', outcome: 'rejected', error: 'TypeError' },
      { id: 'value-with-key', outcome: 'returned', value: ['bb'.repeat(16)] },
      { id: 'either', outcome: 'resolved' },
    ]),
    TABLE,
  );
  assert.equal(wrong.verdict, 'fail');
  assert.ok(wrong.checks.some((c) => c.id === 'case:value-with-key' && !c.ok));
  const missing = judgeCases(recordOf([{ id: 'empty-name', outcome: 'rejected', error: 'TypeError' }]), TABLE);
  assert.equal(missing.verdict, 'fail');
  assert.ok(missing.checks.some((c) => c.id === 'case:either' && c.observed === 'never ran'));
});

test('scenarios that can store sessions run in a browser context of their own', () => {
  // Stored persistent sessions outlive a document; every other scenario shares a context per worker.
  const storing = SCENARIOS.filter((s) => s.needs.includes('persistent-license support'));
  assert.ok(storing.length >= 4, 'the persistent-license scenarios are in the catalog');
  for (const s of storing) assert.equal(s.isolation, 'context', `${s.id} needs isolation: 'context'`);
  for (const s of SCENARIOS.filter((x) => x.isolation === 'context'))
    assert.ok(storing.includes(s), `${s.id} asks for a context without storing anything`);
});

test('the catalog is data: plain JSON values, rules named rather than held, page parameters that fit their module', () => {
  for (const s of [...SCENARIOS, ...HARNESS_SCENARIOS]) {
    assert.deepEqual(
      JSON.parse(JSON.stringify(s)),
      s,
      `${s.id}: not plain data (a function, undefined or a class instance)`,
    );
    assert.deepEqual(checkPageParams(s.page.module, s.page.params), [], `${s.id}: page parameters`);
    if (s.rules.by === 'cases' || s.rules.by === 'conformance')
      assert.ok(
        s.cases && Object.keys(s.cases).length + (s.rules.by === 'cases' ? (s.rules.more ? 1 : 0) : 0) > 0,
        `${s.id}: a case-table scenario with nothing to judge`,
      );
    else assert.equal(s.cases, undefined, `${s.id}: a case table its rules would not read`);
  }
});
