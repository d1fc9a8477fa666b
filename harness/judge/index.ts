// The judge's entry point: a scenario's record judged by the rules its catalog entry names. The
// catalog is data (harness/scenario.ts `rules`); this is the one place that maps it to rule functions.
import type { RunRecord } from '../../model/record.ts';
import type { Scenario } from '../scenario.ts';
import { judgeCases } from './cases.ts';
import { judgeFault } from './faults.ts';
import { judgePersistentLifecycle, judgeTemporaryLifecycle } from './lifecycle.ts';
import { runKeys } from './notes.ts';
import { judgePlayback } from './playback.ts';
import { judgeProbe } from './probe.ts';
import { Timeline } from './timeline.ts';
import { decide, type Judgement } from './verdict.ts';

export type { Check, Judgement } from './verdict.ts';

/** Judges a scenario's run record by the spec rules its catalog entry names. */
export function judgeScenario(scenario: Pick<Scenario, 'id' | 'rules' | 'cases'>, record: RunRecord): Judgement {
  const rules = scenario.rules;
  switch (rules.by) {
    case 'probe':
      return judgeProbe(record, { mandatory: rules.mandatory });
    case 'lifecycle':
      return rules.sessionType === 'temporary' ? judgeTemporaryLifecycle(record) : judgePersistentLifecycle(record);
    case 'playback':
      return judgePlayback(record, {
        asset: rules.asset,
        mode: rules.mode,
        target: rules.target,
        keyIds: runKeys(new Timeline(record)).byLabel,
      });
    case 'fault':
      return judgeFault(record, rules.fault, rules.then);
    case 'cases':
      return judgeCases(record, scenario.cases ?? {}, rules.more);
    case 'outcome':
      return decide(record, []);
  }
}
