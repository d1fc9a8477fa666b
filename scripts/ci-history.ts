// The results history between CI runs. The published GitHub Pages site is the store: the merge job
// restores the history (one folder per run, plus the Allure history) from the last published site
// before merging, and packs the grown history into the site it publishes, for the next run.
//   node --import tsx scripts/ci-history.ts restore <site-url | site-folder | ''> <results-dir>
//   node --import tsx scripts/ci-history.ts pack <results-dir> <site-dir>
// restore: nothing published yet (the site or its history answers 404) starts an empty history, and
// says so; any other failure exits 1, so a run never publishes a history that lost the earlier runs.
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ARCHIVE = 'history/results.tar.gz';
const MANIFEST = 'history/latest.json';
const inActions = process.env['GITHUB_ACTIONS'] === 'true';

interface Manifest {
  format: 1;
  runs: number;
  created: string;
  run: { id: string; number: string; attempt: string; sha: string; ref: string; repository: string } | null;
}

function say(level: 'notice' | 'warning' | 'info', message: string): void {
  if (inActions && level !== 'info') console.log(`::${level}::${message}`);
  else console.log(`ci-history: ${level === 'warning' ? 'warning: ' : ''}${message}`);
}

function fail(message: string, code = 1): never {
  if (inActions) console.log(`::error::${message}`);
  console.error(`ci-history: error: ${message}`);
  process.exit(code);
}

function summary(line: string): void {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) appendFileSync(file, `${line}\n`);
}

const runFolders = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory()) : [];

type Fetched = { kind: 'found'; bytes: Buffer } | { kind: 'absent' } | { kind: 'error'; message: string };

/** GET with a cache-buster (Pages sits behind a CDN that keeps files ~10 min) and retries on 5xx/network errors. */
async function get(url: URL): Promise<Fetched> {
  url.searchParams.set('run', process.env['GITHUB_RUN_ID'] ?? String(Date.now()));
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const response = await fetch(url, {
        headers: { 'cache-control': 'no-cache' },
        signal: AbortSignal.timeout(60_000),
      });
      if (response.ok) return { kind: 'found', bytes: Buffer.from(await response.arrayBuffer()) };
      if (response.status === 404) return { kind: 'absent' };
      last = `HTTP ${response.status} ${response.statusText}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      last = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
    }
    if (attempt < 3) await new Promise((r) => setTimeout(r, attempt * 5000));
  }
  return { kind: 'error', message: `${url.origin}${url.pathname}: ${last}` };
}

function read(site: string, path: string): Promise<Fetched> | Fetched {
  if (/^https?:\/\//.test(site)) return get(new URL(path, site.endsWith('/') ? site : `${site}/`));
  const file = join(site, path);
  return existsSync(file) ? { kind: 'found', bytes: readFileSync(file) } : { kind: 'absent' };
}

async function restore(site: string, resultsDir: string): Promise<void> {
  if (existsSync(resultsDir) && readdirSync(resultsDir).length)
    fail(`${resultsDir} is not empty; restore only into a new folder`, 2);
  mkdirSync(resultsDir, { recursive: true });
  if (!site) {
    say('notice', 'no published site is known (GitHub Pages not set up?): the results history starts empty');
    summary('**Results history:** none published yet; this run starts it.');
    return;
  }
  const archive = await read(site, ARCHIVE);
  if (archive.kind === 'error')
    fail(
      `cannot fetch the results history: ${archive.message}. Not going on: the run would publish a history without the earlier runs (re-run the job)`,
    );
  if (archive.kind === 'absent') {
    const root = await read(site, 'index.html');
    if (root.kind === 'found') {
      say('warning', `the published site ${site} has no ${ARCHIVE}: the results history starts again from this run`);
      summary(`**Results history:** the published site had none; it starts again from this run.`);
    } else {
      say('notice', `nothing published at ${site} yet: the results history starts with this run`);
      summary('**Results history:** none published yet; this run starts it.');
    }
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'eme-history-'));
  try {
    const file = join(scratch, 'results.tar.gz');
    writeFileSync(file, archive.bytes);
    const list = spawnSync('tar', ['-tzf', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (list.status !== 0) fail(`the published history is not a readable tar.gz: ${list.stderr.trim()}`);
    const unsafe = list.stdout.split('\n').filter((e) => e && (e.startsWith('/') || e.split('/').includes('..')));
    if (unsafe.length) fail(`the published history holds paths outside its folder: ${unsafe.slice(0, 3).join(', ')}`);
    const untar = spawnSync('tar', ['-xzf', file, '-C', resultsDir, '--no-same-owner'], { encoding: 'utf8' });
    if (untar.status !== 0) fail(`cannot unpack the published history: ${untar.stderr.trim()}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const manifest = await read(site, MANIFEST);
  const about = manifest.kind === 'found' ? (JSON.parse(manifest.bytes.toString('utf8')) as Manifest) : null;
  const runs = runFolders(resultsDir).length;
  if (about && about.runs !== runs)
    fail(`the published history should hold ${about.runs} run folder(s) and holds ${runs}`);
  const from = about?.run
    ? ` (published by run ${about.run.id} of ${about.run.sha.slice(0, 7)}, ${about.created})`
    : '';
  say('info', `restored ${runs} run(s) of history from ${site}${from}`);
  summary(`**Results history:** ${runs} earlier run(s) restored${from}.`);
}

function pack(resultsDir: string, siteDir: string): void {
  if (!existsSync(resultsDir)) fail(`${resultsDir} does not exist: nothing to publish`, 2);
  const runs = runFolders(resultsDir).length;
  if (!runs) fail(`${resultsDir} holds no run folder: the merge wrote no history`, 2);
  mkdirSync(join(siteDir, 'history'), { recursive: true });
  const archive = join(siteDir, ARCHIVE);
  const tar = spawnSync('tar', ['-czf', resolve(archive), '--owner=0', '--group=0', '-C', resultsDir, '.'], {
    encoding: 'utf8',
  });
  if (tar.status !== 0) fail(`cannot pack ${resultsDir}: ${tar.stderr.trim()}`);
  const env = process.env;
  const manifest: Manifest = {
    format: 1,
    runs,
    created: new Date().toISOString(),
    run: env['GITHUB_RUN_ID']
      ? {
          id: env['GITHUB_RUN_ID'],
          number: env['GITHUB_RUN_NUMBER'] ?? '',
          attempt: env['GITHUB_RUN_ATTEMPT'] ?? '',
          sha: env['GITHUB_SHA'] ?? '',
          ref: env['GITHUB_REF'] ?? '',
          repository: env['GITHUB_REPOSITORY'] ?? '',
        }
      : null,
  };
  writeFileSync(join(siteDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  say('info', `packed ${runs} run(s) of history → ${archive} (${statSync(archive).size} bytes)`);
}

const [command, a = '', b = ''] = process.argv.slice(2);
if (command === 'restore' && b) await restore(a, b);
else if (command === 'pack' && a && b) pack(a, b);
else
  fail(
    "usage: ci-history.ts restore <site-url | site-folder | ''> <results-dir>  |  ci-history.ts pack <results-dir> <site-dir>",
    2,
  );
