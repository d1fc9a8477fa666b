// A scenario's result as the reports carry it: the judgement, what the expectations allow, and the run.
import type { RunRecord } from '../../model/record.ts';
import type { ScenarioResult } from '../../model/results.ts';
import type { Expectation } from '../expectations.ts';
import type { Judgement } from '../judge/verdict.ts';
import type { Scenario } from '../scenario.ts';
import { PLAYERS } from '../../model/players.ts';
import { playerVersion } from '../players.ts';

/** The player of a player scenario: the version it said at run time, else the installed one (it never loaded). */
export function playerOf(scenario: Pick<Scenario, 'rules'>, judgement: Judgement): ScenarioResult['player'] {
  if (scenario.rules.by !== 'player') return null;
  const name = scenario.rules.player;
  const said = (judgement.findings?.['player'] as { version?: unknown } | undefined)?.version;
  return {
    name,
    npmPackage: PLAYERS[name].npmPackage,
    version: typeof said === 'string' ? said : playerVersion(name),
  };
}

/** The result of a scenario that ran: unlike a result in general, it always has its run record. */
export type RanScenarioResult = ScenarioResult & { record: RunRecord };

export function assembleResult(
  scenario: Pick<Scenario, 'id' | 'title' | 'group' | 'spec' | 'rules'>,
  judgement: Judgement,
  expected: Expectation,
  record: RunRecord,
  durationMs: number,
): RanScenarioResult {
  return {
    id: scenario.id,
    title: scenario.title,
    group: scenario.group,
    spec: scenario.spec,
    verdict: judgement.verdict,
    reason: judgement.reason,
    difference: judgement.difference,
    expected: {
      verdicts: expected.verdicts,
      ...(expected.reason ? { reason: expected.reason } : {}),
      ...(expected.bug ? { bug: expected.bug } : {}),
    },
    checks: judgement.checks,
    ...(judgement.findings ? { findings: judgement.findings } : {}),
    durationMs: Math.round(durationMs),
    player: playerOf(scenario, judgement),
    attempts: [],
    environment: record.page?.environment ?? null,
    record,
  };
}
