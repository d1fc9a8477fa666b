// Expected verdicts per browser project (the regression gate's data). A scenario not listed is
// expected to pass. Files live at expectations/<browser set>/<project>.json.
import { existsSync } from 'node:fs';
import { readJsonFile } from '../model/json-file.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { VERDICTS, type Verdict } from '../model/verdict.ts';

const Outcome = z.strictObject({
  verdicts: z.array(z.enum(VERDICTS)).min(1),
  /** Why this browser behaves so: the observed behaviour, in a sentence. */
  reason: z.string().min(1),
  bug: z.string().url().optional(),
});

/** A condition on the browser, like wptrunner's `if` lines: channel, and a major-version range. */
export const Condition = z.strictObject({
  channel: z.string().optional(),
  minVersion: z.number().int().positive().optional(),
  maxVersion: z.number().int().positive().optional(),
});
export type Condition = z.infer<typeof Condition>;

export const ExpectationFile = z.strictObject({
  schemaVersion: z.literal(1),
  project: z.string(),
  expectations: z.record(
    z.string(),
    Outcome.extend({
      /** Overrides for browsers that match a condition; the first match wins, else the entry itself. */
      when: z.array(Outcome.extend({ if: Condition })).optional(),
    }),
  ),
});
export type ExpectationFile = z.infer<typeof ExpectationFile>;

export interface Expectation {
  verdicts: Verdict[];
  reason?: string;
  bug?: string;
  source: string;
}

export class Expectations {
  constructor(
    readonly file: ExpectationFile | null,
    readonly path: string,
  ) {}

  static load(dir: string, set: string, project: string): Expectations {
    const path = join(dir, set, `${project}.json`);
    if (!existsSync(path)) return new Expectations(null, path);
    const file = readJsonFile(path, ExpectationFile, 'expectations');
    if (file.project !== project) throw new Error(`${path} is for project ${file.project}, not ${project}`);
    return new Expectations(file, path);
  }

  /** The expected outcome of a scenario for a browser (its channel and version pick conditional entries). */
  for(scenarioId: string, browser?: { channel: string | null; version: string }): Expectation {
    const entry = this.file?.expectations[scenarioId];
    if (!entry) return { verdicts: ['pass'], source: `${this.path} (not listed: pass)` };
    const match = browser ? entry.when?.find((w) => matches(w.if, browser)) : undefined;
    const { when: _when, ...base } = entry;
    if (match) {
      const { if: condition, ...outcome } = match;
      return { ...outcome, source: `${this.path} (when ${JSON.stringify(condition)})` };
    }
    return { ...base, source: this.path };
  }
}

function matches(c: Condition, browser: { channel: string | null; version: string }): boolean {
  const major = Number.parseInt(browser.version, 10);
  if (c.channel !== undefined && c.channel !== browser.channel) return false;
  if (c.minVersion !== undefined && !(major >= c.minVersion)) return false;
  if (c.maxVersion !== undefined && !(major <= c.maxVersion)) return false;
  return true;
}
