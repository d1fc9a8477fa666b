// The Allure HTML report of one run, with history across runs (Allure 3, npm `allure`, pure Node).
//
// Three things this does that a bare `allure generate <results> -o <dir>` does not:
//  - it empties the output folder first. Allure 3 moves its plugin's files to the top of the output
//    folder only when that folder holds a single directory afterwards; into an earlier report it writes
//    `<dir>/awesome/` and leaves the old top-level index.html (and data) in place, so the printed path
//    would show the first run forever.
//  - it passes allurerc.mjs, which gives Allure a history file (`historyPath`, one JSON line per run).
//    That file must live outside the output folder, since the folder is emptied on every build.
//  - rebuilding a run the history already holds (e.g. `npm run allure` after `eme-compat run`) neither
//    appends that run a second time nor shows it as its own predecessor.
//
// The results folder must hold one run's results: allure-playwright 3.12 has no option to empty it
// (it only adds files), so whoever starts a run calls clearAllureResults() first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { readConfig } from '../harness/config.ts';

/** Name of the history file inside the results history folder (EME_RESULTS_DIR, default `results`). */
export const ALLURE_HISTORY_FILE = 'allure-history.jsonl';

/** The history file for a results history folder: `results/allure-history.jsonl` by default. */
export function defaultAllureHistoryFile(resultsRoot: string = readConfig().resultsDir ?? 'results'): string {
  return join(resultsRoot, ALLURE_HISTORY_FILE);
}

export interface AllureBuildOptions {
  /** Folder of allure-results JSON files (one run's). */
  resultsDir: string;
  /** Report folder; emptied first, then `<outDir>/index.html` is this run's report. */
  outDir: string;
  /** Allure 3 history file (JSON lines); must be outside outDir. */
  historyFile: string;
  /** Runs kept in the history file (default: allurerc.mjs, 30). */
  historyLimit?: number;
  /** Give up on Allure after this long (default 5 minutes). */
  timeoutMs?: number;
}

export interface AllureBuild {
  ok: boolean;
  /** `<outDir>/index.html`, as outDir was given. */
  reportPath: string;
  /** One line for people: where the report is, or why there is none. */
  message: string;
  /** Runs in the history file after this build. */
  historyRuns?: number;
}

const CONFIG_FILE = fileURLToPath(new URL('../allurerc.mjs', import.meta.url));

function allureCli(): string {
  // `allure` exports only its dist entry; its bin (cli.js) sits next to dist/.
  return join(dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js');
}

/** Empties the allure-results folder; call it before Playwright starts (or merges) a run. */
export function clearAllureResults(resultsDir: string): void {
  rmSync(resultsDir, { recursive: true, force: true });
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function historyLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

interface HistoryPoint {
  testResults?: Record<string, { id?: string }>;
}

/** The history file's runs, oldest first; a line that is not JSON is named in the error. */
function readHistoryPoints(lines: string[], file: string): HistoryPoint[] {
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as HistoryPoint;
    } catch {
      throw new Error(
        `line ${i + 1} of the history file ${file} is not JSON; move the file aside to start a new history`,
      );
    }
  });
}

/** Does this history point hold any of these results? (Allure ids a result by md5 of its uuid.) */
function holdsAnyOf(point: HistoryPoint | undefined, resultIds: Set<string>): boolean {
  return Object.values(point?.testResults ?? {}).some((r) => r.id !== undefined && resultIds.has(r.id));
}

/** What Allure said, without stack frames: its last few meaningful lines. */
function allureSaid(output: string): string {
  return stripVTControlCharacters(output)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s|^Node\.js v|^\^+$|^<anonymous_script>|^file:\/\//.test(l))
    .slice(-3)
    .join(' | ');
}

export function buildAllureReport(options: AllureBuildOptions): AllureBuild {
  const { resultsDir, outDir, historyFile } = options;
  const reportPath = join(outDir, 'index.html');
  const fail = (message: string): AllureBuild => ({
    ok: false,
    reportPath,
    message: `Allure report not built: ${message}`,
  });
  const results = resolve(resultsDir);
  const out = resolve(outDir);
  const history = resolve(historyFile);

  const resultFiles =
    existsSync(results) && statSync(results).isDirectory()
      ? readdirSync(results).filter((f) => f.endsWith('-result.json'))
      : [];
  if (!resultFiles.length) return fail(`no Allure results in ${resultsDir} (run \`eme-compat run\` first)`);
  if (inside(history, out))
    return fail(
      `the history file ${historyFile} is inside ${outDir}, which is emptied on every build; keep it elsewhere`,
    );
  if (inside(results, out)) return fail(`the results folder ${resultsDir} is inside the report folder ${outDir}`);
  if (inside(process.cwd(), out)) return fail(`refusing to empty ${outDir}: it holds the working directory`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) return fail(`${outDir} exists and is not a folder`);
    if (readdirSync(out).length && !existsSync(join(out, 'index.html')))
      return fail(`refusing to empty ${outDir}: it is not empty and holds no index.html (not an Allure report)`);
  }

  // A run the history already ends with is rebuilt against the history before it, and not appended again.
  const lines = historyLines(history);
  let points: HistoryPoint[];
  try {
    points = readHistoryPoints(lines, historyFile);
  } catch (err) {
    return fail((err as Error).message);
  }
  const ids = new Set(
    resultFiles.map((f) => createHash('md5').update(f.slice(0, -'-result.json'.length)).digest('hex')),
  );
  const rebuild = holdsAnyOf(points.at(-1), ids);
  let scratch: string | undefined;
  let historyPath = history;
  if (rebuild) {
    scratch = mkdtempSync(join(tmpdir(), 'eme-allure-'));
    historyPath = join(scratch, ALLURE_HISTORY_FILE);
    writeFileSync(
      historyPath,
      lines
        .slice(0, -1)
        .map((l) => `${l}\n`)
        .join(''),
    );
  } else {
    mkdirSync(dirname(history), { recursive: true });
  }

  rmSync(out, { recursive: true, force: true });
  let run;
  try {
    run = spawnSync(
      process.execPath,
      [allureCli(), 'generate', '--config', CONFIG_FILE, '--cwd', results, '--output', out, '.'],
      {
        // `--cwd <results>` with the pattern `.`: Allure globs its results patterns, and a path with
        // brackets or parentheses in it would match nothing.
        env: {
          ...process.env,
          EME_ALLURE_HISTORY: historyPath,
          EME_ALLURE_APPEND_HISTORY: rebuild ? '0' : '1',
          ...(options.historyLimit !== undefined ? { EME_ALLURE_HISTORY_LIMIT: String(options.historyLimit) } : {}),
        },
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  if (run.error) return fail(`could not run Allure: ${run.error.message}`);
  if (run.status !== 0) {
    const said = allureSaid(`${run.stdout}\n${run.stderr}`);
    return fail(
      `allure generate ${run.signal ? `was stopped (${run.signal})` : `exited with ${run.status}`}${said ? `: ${said}` : ''}`,
    );
  }
  if (!existsSync(join(out, 'index.html'))) return fail(`Allure wrote no index.html at the top of ${outDir}`);
  if (existsSync(join(out, 'awesome')))
    return fail(`Allure wrote its report under ${join(outDir, 'awesome')}, not at the top of ${outDir}`);
  const historyRuns = historyLines(history).length;
  const note = rebuild
    ? `this run is already in ${historyFile}, not added again`
    : `${historyRuns} run(s) of history in ${historyFile}`;
  return { ok: true, reportPath, message: `Allure report → ${reportPath} (${note})`, historyRuns };
}

// `npm run allure` (node --import tsx report/allure.ts [results-dir] [report-dir]): the report of the
// results in out/allure-results, history in $EME_RESULTS_DIR/allure-history.jsonl.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [resultsDir = 'out/allure-results', outDir = 'out/allure-report'] = process.argv.slice(2);
  const built = buildAllureReport({ resultsDir, outDir, historyFile: defaultAllureHistoryFile() });
  (built.ok ? console.log : console.error)(`eme-compat: ${built.message}`);
  process.exitCode = built.ok ? 0 : 1;
}
