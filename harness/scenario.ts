// What a scenario is, as data: its group, its page module and parameters, and which rules judge its
// record (named, not held: the judge, harness/judge/index.ts, maps `rules` to its rule functions, so
// the catalog and whatever reads it, the server included, load no judge code). The catalog
// (catalog.ts, catalog-cases.ts) holds the entries; everything else reads them through these types.
import type { AssetInfo } from '../model/manifest.ts';
import type { FaultKind } from '../model/faults.ts';
import type { FaultThen, PageModule, PageParams, PlaybackMode } from '../model/page-params.ts';
import type { CaseTable } from './case-table.ts';
import type { IdlShape } from '../model/idl/shape.ts';
import type { PlayerName, StreamFormat } from '../model/players.ts';

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
  J: 'Interface shape',
  K: 'Players',
} as const;
export type Group = keyof typeof GROUPS;

/** Timeline rules a case table cannot express, by name (harness/judge/cases.ts holds them). */
export type TimelineRules = 'after-close' | 'keystatuseschange-count' | 'after-destroy';

/** Which rules judge a scenario's record, and what they need to know. */
export type Rules =
  /** The capability probe; `mandatory`: at least one configuration must be supported (Clear Key). */
  | { by: 'probe'; mandatory: boolean }
  /** A whole session lifecycle, temporary or persistent-license (store, load, remove, release). */
  | { by: 'lifecycle'; sessionType: 'temporary' | 'persistent-license' }
  /** Encrypted (or clear reference) playback of `asset`, the tracks it plays, passing `target` seconds. */
  | { by: 'playback'; asset: AssetInfo; mode: PlaybackMode; target: number }
  /** The first license exchange met `fault` ('none': no fault; the scenario's `then` made the difference). */
  | { by: 'fault'; fault: FaultKind | 'none'; then: FaultThen }
  /** The scenario's case table, and the timeline rules named in `more`. */
  | { by: 'cases'; more?: TimelineRules }
  /** Only how the page ended (harness self-tests). */
  | { by: 'outcome' }
  /** The case table, and the timeline rules of harness/judge/conformance.ts named in `timeline`. */
  | { by: 'conformance'; timeline?: ConformanceTimeline }
  /** The WebIDL shape (harness/idl.ts), seen from a secure context or from an insecure-origin frame. */
  | { by: 'idl'; shape: IdlShape; context: 'secure' | 'insecure' }
  /** A player's playback of `asset` through its `format` manifest: picture, wire, EME trace, probe claims. */
  | { by: 'player'; player: PlayerName; format: StreamFormat; asset: AssetInfo; target: number };

/** Timeline rules of the conformance scenarios (harness/judge/conformance.ts holds them). */
export type ConformanceTimeline =
  | 'close-without-keys'
  | 'remove-temporary'
  | 'identical-license'
  | 'generate-then-close';

/** The page module a scenario runs, with its parameters (checked against model/page-params.ts). */
export interface ScenarioPage {
  module: PageModule;
  params: Record<string, unknown>;
}

/** A page module and parameters that type-check against the module's parameter schema. */
export function pageOf<M extends PageModule>(module: M, params: PageParams<M>): ScenarioPage {
  return { module, params };
}

export interface Scenario {
  id: string;
  title: string;
  group: Group;
  /** Anchors into https://w3c.github.io/encrypted-media/ that the rules check. */
  spec: string[];
  /** What the scenario needs from the environment, shown in the catalog and report. */
  needs: string[];
  /** The expected behaviour in words; the rules named in `rules` are the executable form. */
  expected: string;
  page: ScenarioPage;
  rules: Rules;
  /**
   * The scenario tests a media layout the spec does not define (e.g. a key rotation layout): its
   * failures are content-format interop, not EME algorithm deviations.
   */
  contentFormat?: true;
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
}

/** The Playwright test title of a scenario; the reporter and expectations key on the id before ':'. */
export function scenarioTestTitle(s: Pick<Scenario, 'id' | 'title'>): string {
  return `${s.id}: ${s.title}`;
}

/** Playwright tags of a scenario test, so `--grep @group-B` selects a group. */
export function scenarioTags(s: Pick<Scenario, 'group'>): string[] {
  return ['@eme', `@group-${s.group}`];
}

/** The text Playwright's --grep is matched against: title and tags (the file and project parts left out). */
export function scenarioGrepText(s: Pick<Scenario, 'id' | 'title' | 'group'>): string {
  return [scenarioTestTitle(s), ...scenarioTags(s)].join(' ');
}
