// `npm run bench:soak`: the soak benchmark (a script, not a test). One server process on loopback takes
// --runs runs of --per-run license requests each (default 10,000 × 100 = 1,000,000), as a browser
// would make them: register, license requests one after another, then the page's timeline. --lanes
// runs go on at once over keep-alive node:http connections. Every --sample seconds it prints the
// server's RSS, open descriptors and live runs; at the end req/s, p50/p99 latency, errors, and lost
// records: answered requests (2xx) that the run files do not hold, counted for every run, and checked
// through GET /record for every 100th.
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KeyStore } from '../model/keystore.ts';

const int = (v: string) => Number.parseInt(v, 10);
const program = new Command('soak-license')
  .description('Soak the license endpoint: many runs, many requests, memory and descriptors over time.')
  .option('--runs <n>', 'runs', int, 10_000)
  .option('--per-run <n>', 'license requests per run', int, 100)
  .option('--lanes <n>', 'runs in flight at once (one connection each)', int, 16)
  .option('--sample <s>', 'seconds between samples', Number, 5)
  .option('--json <file>', 'also write the results as JSON')
  .option('--keep', 'keep the runs folder')
  .parse();
const opts = program.opts<{
  runs: number;
  perRun: number;
  lanes: number;
  sample: number;
  json?: string;
  keep?: boolean;
}>();

const keys = KeyStore.load('media/keys.json');
const licenseBody = JSON.stringify({ kids: [keys.byLabel('key-1')!.kid.toString('base64url')], type: 'temporary' });
const timelineBody = JSON.stringify({
  entries: [],
  outcome: { status: 'completed' },
  environment: { userAgent: 'soak', isSecureContext: true, origin: 'http://127.0.0.1', emeApi: {} },
});

const runsDir = await mkdtemp(join(tmpdir(), 'eme-soak-'));
const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'server/main.ts', '--port', '0', '--no-https', '--runs-dir', runsDir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const base = await new Promise<URL>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
    if (m) resolve(new URL(m[1]!));
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
});
const pid = server.pid!;

const agent = new Agent({ keepAlive: true, maxSockets: opts.lanes });
function call(method: string, path: string, body: string, type: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function processStats(): Promise<{ rssMiB: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(rssKiB / 102.4) / 10, fds: (await readdir(`/proc/${pid}/fd`)).length };
}

const latencies = new Float64Array(opts.runs * opts.perRun);
let done = 0;
let errors = 0;
const answeredByRun = new Map<string, number>();
let nextRun = 0;

async function lane(): Promise<void> {
  while (nextRun < opts.runs) {
    nextRun++;
    const created = await call(
      'POST',
      '/api/runs',
      JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'soak' }),
      'application/json',
    );
    if (created.status !== 201) throw new Error(`registration answered ${created.status}: ${created.text}`);
    const id = (JSON.parse(created.text) as { id: string }).id;
    let answered = 0;
    for (let i = 0; i < opts.perRun; i++) {
      const t0 = performance.now();
      const res = await call(
        'POST',
        `/license/${id}?session=s1&messageType=license-request`,
        licenseBody,
        'application/octet-stream',
      );
      latencies[done++] = performance.now() - t0;
      if (res.status === 200) answered++;
      else errors++;
    }
    answeredByRun.set(id, answered);
    const finished = await call('POST', `/api/runs/${id}/timeline`, timelineBody, 'application/json');
    if (finished.status !== 201) throw new Error(`timeline answered ${finished.status}: ${finished.text}`);
  }
}

console.log(
  `soak: ${opts.runs} runs × ${opts.perRun} license requests, ${opts.lanes} lanes; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
const samples: { t: number; requests: number; reqPerS: number; rssMiB: number; fds: number }[] = [];
const started = performance.now();
let lastDone = 0;
let lastT = 0;
const sample = async () => {
  const t = (performance.now() - started) / 1000;
  const stats = await processStats();
  const reqPerS = Math.round((done - lastDone) / Math.max(0.001, t - lastT));
  lastDone = done;
  lastT = t;
  samples.push({ t: Math.round(t), requests: done, reqPerS, ...stats });
  console.log(
    `${String(Math.round(t)).padStart(5)} s  ${String(done).padStart(8)} requests  ${String(reqPerS).padStart(6)} req/s  RSS ${String(stats.rssMiB).padStart(6)} MiB  ${String(stats.fds).padStart(4)} fds`,
  );
};
await sample();
const timer = setInterval(() => void sample(), opts.sample * 1000);
try {
  await Promise.all(Array.from({ length: opts.lanes }, () => lane()));
} finally {
  clearInterval(timer);
}
const seconds = (performance.now() - started) / 1000;
await sample();

// Lost records: every run file's exchange lines against the requests answered 2xx for it.
async function exchangeLines(id: string): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(join(runsDir, `${id}.jsonl`)), crlfDelay: Infinity });
  for await (const line of lines) if (line.startsWith('{"kind":"exchange"')) n++;
  return n;
}
let lost = 0;
let checkedByRecord = 0;
let i = 0;
for (const [id, answered] of answeredByRun) {
  lost += Math.max(0, answered - (await exchangeLines(id)));
  if (i++ % 100 === 0) {
    const record = await call('GET', `/api/runs/${id}/record`, '', 'application/json');
    const parsed = JSON.parse(record.text) as { exchanges: unknown[]; status: string };
    if (record.status !== 200 || parsed.status !== 'finished' || parsed.exchanges.length !== answered) lost++;
    checkedByRecord++;
  }
}
agent.destroy();

const sorted = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
const pct = (p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 100) / 100;
const warm = samples.filter((s) => s.t >= 10);
const rss = (warm.length ? warm : samples).map((s) => s.rssMiB);
const fds = samples.map((s) => s.fds);
const result = {
  runs: answeredByRun.size,
  requests: done,
  seconds: Math.round(seconds),
  reqPerS: Math.round(done / seconds),
  p50ms: pct(50),
  p99ms: pct(99),
  errors,
  lost,
  checkedByRecord,
  rssMiB: { min: Math.min(...rss), max: Math.max(...rss) },
  fds: { min: Math.min(...fds), max: Math.max(...fds) },
};
console.log(
  `\n${result.requests} requests over ${result.runs} runs in ${result.seconds} s: ${result.reqPerS} req/s, p50 ${result.p50ms} ms, p99 ${result.p99ms} ms, ${errors} errors\nRSS after warm-up ${result.rssMiB.min}–${result.rssMiB.max} MiB; open descriptors ${result.fds.min}–${result.fds.max}; lost records ${lost} (every run's file counted, ${checkedByRecord} records read back through GET /record)`,
);
if (opts.json) await writeFile(opts.json, `${JSON.stringify({ options: opts, result, samples }, null, 2)}\n`);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
if (!opts.keep) await rm(runsDir, { recursive: true, force: true });
process.exitCode = lost === 0 && errors === 0 ? 0 : 1;
