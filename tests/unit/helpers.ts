import { readFileSync } from 'node:fs';
import { RunRecord, joinTimeline, type PageEntry } from '../../model/record.ts';
import type { CompatReport } from '../../model/results.ts';
import type { Verdict } from '../../model/verdict.ts';

/** A recorded run from a real browser (tests/fixtures), validated, as a fresh copy. */
export function fixtureRecord(name: string): RunRecord {
  return RunRecord.parse(JSON.parse(readFileSync(new URL(`../fixtures/${name}.record.json`, import.meta.url), 'utf8')));
}

/**
 * Applies `edit` to the page entries and rebuilds the joined view, as the server would. The edited
 * entries are taken as given, not validated: a test may build one no page would upload.
 */
export function withEntries(record: RunRecord, edit: (entries: PageEntry[]) => object[]): RunRecord {
  const page = record.page
    ? { ...record.page, entries: edit(structuredClone(record.page.entries)) as PageEntry[] }
    : null;
  return { ...record, page, joined: joinTimeline(page, record.exchanges) };
}

export function find(entries: PageEntry[], target: string, name: string, type?: string): PageEntry {
  const e = entries.find((x) => x.target === target && x.name === name && (type === undefined || x.type === type));
  if (!e) throw new Error(`fixture has no ${type ?? ''} ${target}.${name}`);
  return e;
}

/**
 * Moves the page entry with seq `seq` to come right after the one with seq `after`, renumbering
 * entries (and the server's references to them) as a browser with that order would have recorded.
 */
export function moveAfter(record: RunRecord, seq: number, after: number): RunRecord {
  const entries = record.page!.entries;
  const moving = entries.find((e) => e.seq === seq)!;
  const rest = entries.filter((e) => e.seq !== seq);
  rest.splice(rest.findIndex((e) => e.seq === after) + 1, 0, moving);
  const renumber = new Map(rest.map((e, i) => [e.seq, i]));
  const page = {
    ...record.page!,
    entries: rest.map(
      (e) =>
        ({
          ...e,
          seq: renumber.get(e.seq)!,
          ...(e.of !== undefined ? { of: renumber.get(e.of)! } : {}),
          ...(typeof e.data?.['forMessage'] === 'number'
            ? { data: { ...e.data, forMessage: renumber.get(e.data['forMessage']) } }
            : {}),
        }) as PageEntry,
    ),
  };
  const exchanges = record.exchanges.map((x) => ({
    ...x,
    pageSeq: x.pageSeq === null ? null : (renumber.get(x.pageSeq) ?? null),
  }));
  return { ...record, page, exchanges, joined: joinTimeline(page, exchanges) };
}

/** One scenario of a synthetic report: the verdict, and what the report says was expected. */
export interface SyntheticScenario {
  id: string;
  verdict: Verdict;
  expected?: Verdict[];
  title?: string;
  group?: string;
  spec?: string[];
}

/**
 * A schema-valid report with only what gate, dashboard and history read filled in: each scenario's
 * verdict (reason "observed <verdict>") over a real recorded timeline.
 */
export function syntheticReport(
  project: string,
  scenarios: SyntheticScenario[],
  browser: Partial<CompatReport['browser']> = {},
): CompatReport {
  const record = fixtureRecord('chromium-temporary-keyids');
  return {
    schemaVersion: 1,
    generatedAt: '',
    tool: { name: 'eme-compat', version: '0', playwright: '1.64.1' },
    browser: {
      project,
      label: project,
      engine: project,
      name: project,
      version: '1',
      channel: null,
      driver: 'playwright',
      executablePath: null,
      args: [],
      prefs: {},
      userAgent: null,
      ...browser,
    },
    environment: { os: 'x', node: 'v20', ci: false },
    run: { startedAt: '', durationMs: 1, browserSet: 'debian' },
    summary: {
      pass: 0,
      fail: 0,
      unsupported: 0,
      'not-measurable': 0,
      error: 0,
      crash: 0,
      timeout: 0,
      total: scenarios.length,
    },
    scenarios: scenarios.map((s) => ({
      id: s.id,
      title: s.title ?? s.id,
      group: s.group ?? 'C',
      spec: s.spec ?? ['#x'],
      verdict: s.verdict,
      reason: `observed ${s.verdict}`,
      difference: null,
      expected: { verdicts: s.expected ?? ['pass'] },
      checks: [],
      durationMs: 1,
      attempts: [s.verdict],
      environment: null,
      record,
    })),
  };
}
