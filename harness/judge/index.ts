// The judge's entry point: a scenario's record judged by the rules its catalog entry names. The
// catalog is data (harness/scenario.ts `rules`); this is the one place that maps it to rule functions.
import type { RunRecord } from '../../model/record.ts';
import type { Scenario } from '../scenario.ts';
import { judgeCases } from './cases.ts';
import { closeOrderChecks } from './close-order.ts';
import { judgeConformance } from './conformance.ts';
import { judgeFault } from './faults.ts';
import { judgeIdl } from './idl.ts';
import { judgePersistentLifecycle, judgeTemporaryLifecycle } from './lifecycle.ts';
import { runKeys } from './notes.ts';
import { judgePlayback } from './playback.ts';
import { judgePlayer } from './player.ts';
import { judgeProbe } from './probe.ts';
import { Timeline } from './timeline.ts';
import { decide, withAdvisory, type Judgement } from './verdict.ts';

export type { Check, Judgement } from './verdict.ts';

/**
 * Judges a scenario's run record by the spec rules its catalog entry names, plus the rules that hold
 * wherever the page did the thing they are about (the order close() settles in).
 */
export function judgeScenario(
  scenario: Pick<Scenario, 'id' | 'rules' | 'cases' | 'contentFormat'>,
  record: RunRecord,
): Judgement {
  const judged = byCatalogRules(scenario, record);
  const judgement =
    scenario.contentFormat && judged.difference === 'spec-deviation'
      ? { ...judged, difference: 'content-format' as const }
      : judged;
  // The lifecycle rules check the whole close order themselves (close-order).
  const ownCloseOrder = scenario.rules.by === 'lifecycle';
  return record.page && !ownCloseOrder ? withAdvisory(judgement, closeOrderChecks(new Timeline(record))) : judgement;
}

function byCatalogRules(scenario: Pick<Scenario, 'id' | 'rules' | 'cases'>, record: RunRecord): Judgement {
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
    case 'conformance':
      return judgeConformance(record, scenario.cases ?? {}, rules);
    case 'idl':
      return judgeIdl(record, rules.shape, rules.context);
    case 'player':
      return judgePlayer(record, rules);
  }
}
