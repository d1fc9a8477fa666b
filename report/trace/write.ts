// Writes a trace's output folder: per browser <project>.json (the trace report, validated) and
// <project>.txt, the cross-browser sequence diff (sequence-diff.txt), index.html (everything, with the
// sequence diagrams drawn by a copy of Mermaid in vendor/) and index.json listing the files.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TraceReport } from '../../harness/trace/schema.ts';
import { renderTraceHtml } from './html.ts';
import { formatTrace, formatTraceDiff } from './text.ts';

export const TRACE_INDEX = 'index.json';

function copyMermaid(outDir: string): boolean {
  try {
    const file = join(dirname(createRequire(import.meta.url).resolve('mermaid')), 'mermaid.min.js');
    mkdirSync(join(outDir, 'vendor'), { recursive: true });
    cpSync(file, join(outDir, 'vendor', 'mermaid.min.js'));
    return true;
  } catch {
    return false; // the page then shows the diagrams' Mermaid source only
  }
}

/** Writes the folder and returns the files written (relative to it). */
export function writeTraceOutput(outDir: string, reports: TraceReport[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(outDir, name), text);
    files.push(name);
  };
  for (const r of reports) {
    write(`${r.project}.json`, `${JSON.stringify(TraceReport.parse(r), null, 2)}\n`);
    write(`${r.project}.txt`, formatTrace(r));
  }
  write('sequence-diff.txt', formatTraceDiff(reports));
  write('index.html', renderTraceHtml(reports, { mermaid: copyMermaid(outDir) }));
  const index = {
    kind: 'eme-trace-run',
    url: reports[0]?.url ?? null,
    browsers: reports.map((r) => ({
      project: r.project,
      status: r.status,
      conditionMet: r.conditionMet,
      file: `${r.project}.json`,
    })),
    files: [...files],
  };
  write(TRACE_INDEX, `${JSON.stringify(index, null, 2)}\n`);
  return files;
}

/** Reads a trace report back, validated (a hand-edited or foreign file fails with the schema's words). */
export function readTraceReport(path: string): TraceReport {
  return TraceReport.parse(JSON.parse(readFileSync(path, 'utf8')));
}
