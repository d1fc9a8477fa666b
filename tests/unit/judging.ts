// A recorded run judged the way the test fixture judges it (its catalog entry's rules), and one check of
// the judgement by id, failing the test with the ids there are when it is absent.
import assert from 'node:assert/strict';
import { findScenario } from '../../harness/catalog.ts';
import { judgeScenario, type Check, type Judgement } from '../../harness/judge/index.ts';
import type { RunRecord } from '../../model/record.ts';

export function judged(record: RunRecord): Judgement {
  const scenario = findScenario(record.meta.scenario);
  assert.ok(scenario, `${record.meta.scenario} is in the catalog`);
  return judgeScenario(scenario, record);
}

export function checkOf(j: Judgement, id: string): Check {
  const c = j.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} ran: ${j.checks.map((x) => x.id).join(', ')}`);
  return c;
}
