// Expected verdicts per browser project (the regression gate's data). A scenario not listed is
// expected to pass. Files live at expectations/<browser set>/<project>.json.
import { existsSync } from 'node:fs';
import { readJsonFile } from './json-file.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { VERDICTS, type Verdict } from './judge/verdict.ts';

export const ExpectationFile = z.strictObject({
  schemaVersion: z.literal(1),
  project: z.string(),
  expectations: z.record(
    z.string(),
    z.strictObject({
      verdicts: z.array(z.enum(VERDICTS)).min(1),
      /** Why this browser behaves so: the observed behaviour, in a sentence. */
      reason: z.string().min(1),
      bug: z.string().url().optional(),
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

  for(scenarioId: string): Expectation {
    const entry = this.file?.expectations[scenarioId];
    if (!entry) return { verdicts: ['pass'], source: `${this.path} (not listed: pass)` };
    return { ...entry, source: this.path };
  }
}
