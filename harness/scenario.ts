// What a scenario is: its group, its page module and parameters, and the rules that judge its record.
// The catalog (catalog.ts, catalog-cases.ts) holds the entries; everything else reads them through these types.
import type { RunRecord } from '../model/record.ts';
import type { CaseTable } from './judge/cases.ts';
import type { Judgement } from './judge/verdict.ts';

export const GROUPS = {
  A: 'Capability negotiation',
  B: 'Session API errors',
  C: 'Lifecycle and event sequences',
  D: 'Persistent license',
  E: 'Media element integration',
  F: 'Keys and waiting',
  G: 'License endpoint faults',
  H: 'Content coverage',
  I: 'Expiry and policy',
} as const;
export type Group = keyof typeof GROUPS;

export interface Scenario {
  id: string;
  title: string;
  group: Group;
  /** Anchors into https://w3c.github.io/encrypted-media/ that the rules check. */
  spec: string[];
  /** What the scenario needs from the environment, shown in the catalog and report. */
  needs: string[];
  /** The expected behaviour in words; the rules in `judge` are the executable form. */
  expected: string;
  page: { module: string; params: Record<string, unknown> };
  /** Case-table scenarios: what each recorded call must do (the catalog document prints it). */
  cases?: CaseTable;
  /** Case-table scenarios: the setting the cases share, in a sentence. */
  summary?: string;
  /**
   * 'context' for scenarios that leave state outliving their document (stored persistent sessions):
   * they get a browser context of their own. The rest run in a fresh document of a reused tab.
   */
  isolation?: 'context';
  /** Playback scenarios that end on a paused frame: photograph it, and compare with this reference scenario's frame (null: only check it is a picture). */
  picture?: { referenceScenario: string | null };
  judge: (record: RunRecord) => Judgement;
}

/** The Playwright test title of a scenario; the reporter and expectations key on the id before ':'. */
export function scenarioTestTitle(s: Pick<Scenario, 'id' | 'title'>): string {
  return `${s.id}: ${s.title}`;
}

/** Playwright tags of a scenario test, so `--grep @group-B` selects a group. */
export function scenarioTags(s: Pick<Scenario, 'group'>): string[] {
  return ['@eme', `@group-${s.group}`];
}
